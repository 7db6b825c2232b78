"""The files shipped with the engine: taxonomy, demonstration sample, label-embedding seed,
ranking benchmark and method notice. Every module reads them through this one.

In the repository they stay in the top-level ``data/`` and ``docs/`` folders. The wheel
installs them as the data-only packages ``matching._data`` (``data/``) and ``matching._docs``
(``docs/NOTICE_METHODE.md``), see ``[tool.setuptools.package-dir]`` in ``pyproject.toml``;
they are found with :mod:`importlib.resources`. When ``matching`` is imported from a source
checkout (editable install, or ``PYTHONPATH`` pointing at the repository), the checkout's own
folders are used, so that a working copy never reads the files of another one.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
from pathlib import Path

from matching.errors import InputFileError

__all__ = [
    "DATA_PACKAGE",
    "DOCS_PACKAGE",
    "NOTICE_NAME",
    "ResourceError",
    "bench_dir",
    "data_path",
    "data_root",
    "docs_root",
    "notice_path",
    "notice_text",
    "sample_path",
    "seed_dir",
    "taxonomy_dir",
]

DATA_PACKAGE = "matching._data"
DOCS_PACKAGE = "matching._docs"
NOTICE_NAME = "NOTICE_METHODE.md"

_CHECKOUT = Path(__file__).resolve().parent.parent


class ResourceError(InputFileError, RuntimeError):
    """The shipped files cannot be found (incomplete installation)."""


#: a file that tells the repository's folders from any other ``data/`` or ``docs/``
_MARKERS = {"data": "taxonomy/manifest.json", "docs": NOTICE_NAME}


def _checkout_folder(name: str) -> Path | None:
    """``data/`` or ``docs/`` of the source checkout ``matching`` is imported from, if any."""
    folder = _CHECKOUT / name
    if (_CHECKOUT / "pyproject.toml").is_file() and (folder / _MARKERS[name]).is_file():
        return folder
    return None


def _package_folder(package: str, name: str) -> Path:
    local = _checkout_folder(name)
    if local is not None:
        return local
    try:
        root = importlib.resources.files(package)
    except ModuleNotFoundError:
        raise ResourceError(
            f"fichiers livrés introuvables : ni le paquet {package} ni le dossier {name}/ d'un dépôt "
            "(installation incomplète ; réinstallez le paquet mobilite-etat-matching)"
        ) from None
    if isinstance(root, Path):
        return root
    # a namespace package (no __init__.py) gives a MultiplexedPath: take its folder
    spec = importlib.util.find_spec(package)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if locations:
        return Path(locations[0])
    raise ResourceError(f"le paquet {package} n'est pas installé dans un dossier ({root!r})")


def data_root() -> Path:
    """The folder of the shipped data (``data/`` in the repository)."""
    return _package_folder(DATA_PACKAGE, "data")


def docs_root() -> Path:
    """The folder holding the method notice (``docs/`` in the repository)."""
    return _package_folder(DOCS_PACKAGE, "docs")


def data_path(*parts: str) -> Path:
    """A file or folder of the shipped data, e.g. ``data_path("taxonomy")``."""
    return data_root().joinpath(*parts)


def taxonomy_dir() -> Path:
    """The shipped taxonomy (ROME 4.0 + ESCO)."""
    return data_path("taxonomy")


def sample_path(name: str) -> Path:
    """A file of the demonstration sample, e.g. ``sample_path("profiles.csv")``."""
    return data_path("sample", name)


def seed_dir() -> Path:
    """The shipped label embeddings (``labels-<fingerprint>.npz``)."""
    return data_path("embeddings")


def bench_dir() -> Path:
    """The ranking benchmark (``benchmarks/ranking``)."""
    return data_path("benchmarks", "ranking")


def notice_path() -> Path:
    """The method notice in French (``docs/NOTICE_METHODE.md`` in the repository)."""
    return docs_root() / NOTICE_NAME


def notice_text() -> str:
    """The text of the method notice; :class:`OSError` if it is not installed."""
    return notice_path().read_text(encoding="utf-8")
