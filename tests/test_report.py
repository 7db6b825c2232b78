"""report.html: self-contained, French, escaped, deterministic; checked in headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

try:  # the small batch shared by test_package / test_report / test_replay
    from tests.test_package import deliverables_batch
except ImportError:  # tests/ not a package
    from test_package import deliverables_batch

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "tests" / "_artifacts"


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    return deliverables_batch(tmp_path_factory)


def test_report_is_self_contained_and_in_french(batch):
    page = (batch / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="fr">' in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    # no external asset: every src/href is an anchor or inline data
    for attr in re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)""", page):
        assert attr.startswith(("#", "data:")), attr
    assert "<link" not in page and "@import" not in page and "url(" not in page
    for title in ("Synthèse du lot", "Par ministère", "Distribution des scores",
                  "Postes sans candidat au-dessus du seuil", "Ingénieurs sur aucune liste restreinte",
                  "Règles qui ont exclu le plus de paires", "Lignes écartées à la lecture",
                  "Notice de la méthode", "Mention explicite"):
        assert title in page, title
    assert "les conseillers décident" in page
    assert page.count("<svg") == 9  # 2 score histograms + 6 components + the skills in short supply
    assert "Ministère de la Culture" in page and "Ministère des Armées" in page


def test_report_counts_lists_and_escaping(batch):
    page = (batch / "report.html").read_text(encoding="utf-8")
    data = json.loads((batch / "report-data.json").read_text(encoding="utf-8"))
    manifest = json.loads((batch / "manifest.json").read_text(encoding="utf-8"))
    counts = manifest["counts"]
    assert counts["profiles_read"] == counts["profiles_accepted"] + counts["profiles_rejected"] == 7
    # P5 (nobody has its skills) has no candidate; ING-6 is not open to mobility
    assert [r["position_id"] for r in data["positions_without_candidate"]] == ["P5"]
    assert "ING-6" in [r["profile_id"] for r in data["profiles_on_no_shortlist"]]
    assert "ING-6" in page and "identifiant vide" in page
    culture = next(m for m in data["ministries"] if m["ministry"] == "Ministère de la Culture")
    assert culture["positions"] == 2 and culture["without_candidate"] == 1
    assert sum(m["shortlist_lines"] for m in data["ministries"]) == counts["shortlist_lines"]
    # data strings are escaped, never markup
    assert '<script>alert("x")</script>' not in page and "<i>&</i>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "Archiviste paléographe &lt;i&gt;&amp;&lt;/i&gt;" in page
    assert page.count("<script>") == 1  # our own sorting script only
    # rules table: the mobility rule excluded ING-6 from every position
    assert "ingénieur non ouvert à la mobilité" in page
    assert counts["pairs_excluded_by_rule"]["not_open_to_mobility"] == 5


def test_report_is_deterministic_and_refresh_adds_allocation(batch, tmp_path):
    from matching.allocate import allocate
    from matching.manifest import file_sha256
    from matching.report import refresh_report

    work = tmp_path / "out"
    shutil.copytree(batch, work)
    before = (work / "report.html").read_bytes()
    refresh_report(work)  # no allocation yet: the same page, byte for byte
    assert (work / "report.html").read_bytes() == before
    assert "Allocation" not in before.decode("utf-8").split("<nav>")[1].split("</nav>")[0]

    allocate(work, method="stable")
    allocate(work, method="max-score")
    refresh_report(work)
    page = (work / "report.html").read_text(encoding="utf-8")
    assert "Allocation indicative sous contrainte de places" in page
    assert "Appariement stable" in page and "Score total maximal" in page
    assert "Places pourvues" in page and "aucune affectation automatique" in page
    manifest = json.loads((work / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["outputs"]["report.html"] == file_sha256(batch / "report.html")  # the batch's page
    assert manifest["report_refreshed"]["sha256"] == file_sha256(work / "report.html")
    assert manifest["report_refreshed"]["allocations"] == ["max-score", "stable"]


def test_refresh_report_on_a_folder_that_is_not_a_batch(tmp_path):
    from matching.errors import InputFileError
    from matching.report import refresh_report

    with pytest.raises(InputFileError, match="lot terminé"):
        refresh_report(tmp_path)
    (tmp_path / "manifest.json").write_text("{}", encoding="utf-8")  # a batch without report
    assert refresh_report(tmp_path) is None and not (tmp_path / "report.html").exists()


def test_markdown_subset():
    from matching.report import markdown_to_html

    html = markdown_to_html(
        "# Titre\n\nUn **gras** et *italique* et `code` <b>.\n\n1. un\n   suite\n2. deux :\n   - a\n   - b\n3. trois\n\n"
        "- x\n- y\n\nFin."
    )
    assert "<h1>Titre</h1>" in html
    assert "<strong>gras</strong>" in html and "<em>italique</em>" in html and "<code>code</code>" in html
    assert "&lt;b&gt;" in html
    assert "<li>un suite</li>" in html and "<li>a</li>" in html
    assert html.count("<ol>") == html.count("</ol>") == 1
    assert html.count("<ul>") == html.count("</ul>") == 2
    assert html.count("<li>") == html.count("</li>") == 7
    assert html.endswith("<p>Fin.</p>")


# --- in a real browser ------------------------------------------------------------------
def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _run_chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0"]
    return subprocess.run([binary, *flags, *args], capture_output=True, text=True, timeout=180)


def test_report_in_headless_chromium(tmp_path_factory):
    """The shipped sample's report loads without console errors; a screenshot is written to
    tests/_artifacts/report.png (git-ignored)."""
    binary = _chromium()
    if binary is None:
        pytest.skip("chromium absent (make browser l'installe) : test du rapport dans un navigateur ignoré")
    from matching.config import Config, ModelConfig
    from matching.embed import load_encoder
    from matching.pipeline import run_batch

    profiles, positions = REPO / "data/sample/profiles.csv", REPO / "data/sample/positions.csv"
    if profiles.is_file() and positions.is_file():
        out = tmp_path_factory.mktemp("sample") / "out"
        run_batch(profiles, positions, out=out, config=Config().replace(model={"name": "hashing"}),
                  encoder=load_encoder(ModelConfig(name="hashing"), cache=False))
    else:  # pragma: no cover - the sample ships with the repository
        out = deliverables_batch(tmp_path_factory)
    url = (out / "report.html").resolve().as_uri()
    tmp = tmp_path_factory.mktemp("chromium")

    dom = _run_chromium(binary, tmp / "p1", "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    body = re.search(r"<body[^>]*>", dom.stdout)
    assert body is not None
    assert 'data-js="ok"' in body.group(0)  # the page's script ran to the end
    assert "data-js-errors" not in body.group(0)
    console = [line for line in dom.stderr.splitlines() if ":CONSOLE" in line]
    assert console == [], console

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    res = _run_chromium(binary, tmp / "p2", f"--screenshot={shot}", "--window-size=1280,2400",
                        "--hide-scrollbars", url)
    assert res.returncode == 0, res.stderr[-2000:]
    assert shot.is_file() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [line for line in res.stderr.splitlines() if ":CONSOLE" in line] == []
