"""The package installs and runs anywhere: the shipped files (taxonomy, sample, label-embedding
seed, method notice) are found through ``matching.resources``, the wheel carries them, and
``mobilite --version`` works."""

from __future__ import annotations

import fnmatch
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matching import resources

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]

#: what a wheel must hold (paths inside the wheel) for the engine to run a batch
REQUIRED_IN_WHEEL = [
    "cli.py",
    "matching/resources.py",
    "matching/_data/taxonomy/manifest.json",
    "matching/_data/taxonomy/skills.csv.gz",
    "matching/_data/taxonomy/acronyms.csv",
    "matching/_data/taxonomy/NOTICE.md",
    "matching/_data/sample/profiles.csv",
    "matching/_data/sample/positions.csv",
    "matching/_data/NOTICE.md",
    "matching/_docs/NOTICE_METHODE.md",
    # the advisors' workspace (mobilite serve): its pages, its one script and the vendored DSFR
    "matching/web/templates/base.html",
    "matching/web/static/app/app.js",
    "matching/web/static/dsfr/dsfr.min.css",
    "matching/web/static/dsfr/LICENSE.md",
]


#: never part of a build: environments, caches, outputs, earlier builds
_NOT_SOURCES = (".git", ".venv", ".cache", "build", "dist", "*.egg-info", "out", "outputs", "__pycache__",
                ".pytest_cache", ".hypothesis", "notebooks", "tests")


def _seed_names() -> list[str]:
    return sorted(p.name for p in resources.seed_dir().glob("labels-*.npz"))


def test_shipped_files_resolve_through_resources():
    assert resources.data_root().is_dir()
    assert (resources.taxonomy_dir() / "manifest.json").is_file()
    for name in ("profiles.csv", "positions.csv"):
        assert resources.sample_path(name).is_file(), name
    assert _seed_names(), resources.seed_dir()
    assert (resources.bench_dir() / "labels.csv").is_file()
    assert resources.notice_path().name == "NOTICE_METHODE.md"
    assert resources.notice_text().startswith("# Notice de la méthode")
    assert resources.data_path("taxonomy") == resources.taxonomy_dir()


def test_modules_read_the_shipped_files_through_resources():
    from matching import embed, report
    from matching.evaluation import ranking_bench
    from matching.taxonomy import DEFAULT_TAXONOMY_DIR, _FILES

    assert DEFAULT_TAXONOMY_DIR == resources.taxonomy_dir()
    assert all((DEFAULT_TAXONOMY_DIR / f).is_file() for f in _FILES)
    assert embed.SEED_DIR == resources.seed_dir()
    assert ranking_bench.DEFAULT_BENCH_DIR == resources.bench_dir()
    assert report.method_notice_markdown() == resources.notice_text()


def test_package_data_lists_every_shipped_file():
    """Every file the engine reads at run time matches a package-data glob of pyproject.toml
    (a file left out would be missing from the wheel only)."""
    from matching.taxonomy import _FILES

    globs = SETUPTOOLS["package-data"]
    data = globs["matching._data"]
    needed = [f"taxonomy/{f}" for f in (*_FILES, "manifest.json", "NOTICE.md")]
    needed += ["sample/profiles.csv", "sample/positions.csv", "NOTICE.md"]
    needed += [f"embeddings/{n}" for n in _seed_names()]
    needed += [f"benchmarks/ranking/{p.name}" for p in resources.bench_dir().iterdir() if p.is_file()]
    for rel in needed:
        assert any(fnmatch.fnmatch(rel, g) for g in data), rel
    assert resources.NOTICE_NAME in globs["matching._docs"]
    assert SETUPTOOLS["package-dir"] == {"matching._data": "data", "matching._docs": "docs"}


def test_every_code_package_is_listed():
    found = sorted(
        ".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "matching").rglob("__init__.py")
    )
    listed = sorted(p for p in SETUPTOOLS["packages"] if not p.startswith(("matching._data", "matching._docs")))
    assert listed == found


def test_version_option():
    from cli import app

    res = CliRunner().invoke(app, ["--version"])
    assert res.exit_code == 0, res.output
    import matching

    try:
        expected = importlib.metadata.version("mobilite-etat-matching")
    except importlib.metadata.PackageNotFoundError:
        expected = matching.__version__
    assert res.output.strip() == f"mobilite {expected}"
    # single source: the packaging metadata takes the version from matching.__version__
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "matching.__version__"}
    assert "version" in PYPROJECT["project"]["dynamic"]


def test_demo_command_is_listed():
    from cli import app

    res = CliRunner().invoke(app, ["demo", "--help"])
    assert res.exit_code == 0, res.output
    assert "--out" in res.output


@pytest.mark.slow
def test_wheel_ships_the_data_and_finds_it_when_installed(tmp_path):
    """Build the wheel (no deps), check its contents, install it into a bare folder and let
    ``matching.resources`` find the files from there through importlib.resources."""
    # from a copy: an in-tree build would leave build/ in the checkout, whose stale files a
    # later build could pick up
    src = tmp_path / "src"
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(*_NOT_SOURCES))
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-w", str(tmp_path / "whl"), "-q"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    assert "Deprecat" not in build.stdout + build.stderr
    (wheel,) = (tmp_path / "whl").glob("mobilite_etat_matching-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [n for n in REQUIRED_IN_WHEEL if n not in names]
    assert not missing, missing
    assert [n for n in names if n.startswith("matching/_data/embeddings/labels-")], "no label-embedding seed"
    assert not [n for n in names if n.startswith(("matching/_data/scripts/", "data/", "docs/", "tests/"))]

    site = tmp_path / "site"
    inst = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-compile", "-q", "--target", str(site), str(wheel)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert inst.returncode == 0, inst.stdout + inst.stderr
    code = (
        "import matching.resources as r\n"
        "print(r.__file__); print(r.taxonomy_dir()); print(r.sample_path('profiles.csv'))\n"
        "print(len(r.notice_text()) > 0)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    # -S: the installed folder alone, never the checkout's editable install
    run = subprocess.run(
        [sys.executable, "-S", "-c", f"import sys; sys.path.insert(0, {str(site)!r})\n{code}"],
        capture_output=True, text=True, cwd=tmp_path, env=env,
    )
    assert run.returncode == 0, run.stderr
    module, taxonomy, sample, notice = run.stdout.split("\n")[:4]
    for line in (module, taxonomy, sample):
        assert line.startswith(str(site)), line
    assert Path(taxonomy, "manifest.json").is_file() and Path(sample).is_file()
    assert notice == "True"
