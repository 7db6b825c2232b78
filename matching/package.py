"""Packages for sending: one folder (and one zip) per ministry, holding only its files.

``envois/<ministry-slug>/`` contains that ministry's employer files (``.csv``, ``.xlsx``,
already restricted to its positions, identities only with consent) and the method notice
(``NOTICE_METHODE.md`` — the name the employer files cite — and ``NOTICE_METHODE.html``,
self-contained, for a browser). ``envois/<ministry-slug>.zip`` holds the same
files. Nothing else goes in: not the advisor-side files (``shortlists.csv``,
``pseudonymes.csv``, ``manifest.json``...), not another ministry's file.

``envois/`` belongs to the engine: it is rebuilt on every call (a ministry that left the
batch does not keep a stale package). Zips are deterministic (fixed timestamps, sorted
entries), so that a replay of the batch produces the same bytes.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Mapping
from pathlib import Path

from matching.errors import InputFileError
from matching.io.batch_folder import BatchFolder
from matching.textnorm import slug as slug_of

__all__ = ["PACKAGES_DIR", "NOTICE_NAME", "package_ministries", "PackageError"]

PACKAGES_DIR = "envois"
NOTICE_NAME = "NOTICE_METHODE.html"
NOTICE_MD_NAME = "NOTICE_METHODE.md"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_OURS = {".csv", ".xlsx", ".html", ".md", ".zip"}


class PackageError(InputFileError):
    """The packages cannot be built (no employer file, a foreign file in ``envois/``)."""


def _employer_files(folder: BatchFolder) -> dict[str, list[Path]]:
    """ministry -> its employer files, from the manifest (or, without one, ``employeurs/``)."""
    outdir = folder.path
    if folder.exists():
        mapping = folder.read_manifest().get("employer_files")
        if isinstance(mapping, dict) and mapping:
            # names from the manifest are checked to stay inside the batch folder
            return {m: [folder.file(rel) for _, rel in sorted(kinds.items())] for m, kinds in mapping.items()}
    found: dict[str, list[Path]] = {}
    folder = outdir / "employeurs"
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        if path.suffix in (".csv", ".xlsx"):
            found.setdefault(path.stem, []).append(path)  # the slug stands for the ministry
    return found


def _clear(envois: Path) -> None:
    """Remove a previous ``envois/`` — only if it holds nothing but what this module writes."""
    if not envois.exists():
        return
    foreign = [p for p in envois.rglob("*") if p.is_file() and p.suffix not in _OURS]
    if foreign:
        raise PackageError(
            f"{envois} contient des fichiers qui ne viennent pas du moteur ({foreign[0].name}…) ; "
            "déplacez-les avant de refaire les envois."
        )
    shutil.rmtree(envois)


def _zip(files: Mapping[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[name])
    return buf.getvalue()


def package_ministries(
    outdir: str | Path,
    *,
    zip: bool = True,  # noqa: A002 - the documented keyword
    employer_files: Mapping[str, list[Path]] | None = None,
) -> dict[str, Path]:
    """Build ``envois/<ministry-slug>/`` (and ``.zip`` with ``zip=True``) per ministry.

    ``employer_files`` maps a ministry to its employer files; by default it is read from
    ``manifest.json`` (``employer_files``) or, failing that, from ``employeurs/``.
    Returns ministry -> its package folder.
    """
    from matching.report import method_notice_markdown, notice_html_page

    batch = outdir if isinstance(outdir, BatchFolder) else BatchFolder(outdir)
    outdir = batch.path
    mapping = dict(employer_files) if employer_files is not None else _employer_files(batch)
    if not mapping:
        raise PackageError(f"{outdir} : aucun fichier employeur à envoyer (dossier employeurs/ absent ou vide).")
    envois = outdir / PACKAGES_DIR
    _clear(envois)
    markdown = method_notice_markdown()
    notices = {NOTICE_NAME: notice_html_page(markdown).encode("utf-8"), NOTICE_MD_NAME: markdown.encode("utf-8")}
    result: dict[str, Path] = {}
    used: set[str] = set()
    for ministry in sorted(mapping):
        # the employer files' own name (outputs keeps it unique) names the package
        slug = Path(mapping[ministry][0]).stem if mapping[ministry] else slug_of(ministry, default="sans-ministere")
        if slug in used:
            raise PackageError(f"deux ministères donneraient le même dossier d'envoi « {slug} » : "
                               "corrigez l'orthographe des ministères dans le fichier des postes.")
        used.add(slug)
        contents: dict[str, bytes] = dict(notices)
        for path in mapping[ministry]:
            contents[Path(path).name] = Path(path).read_bytes()
        for name, data in contents.items():
            batch.write_bytes(f"{PACKAGES_DIR}/{slug}/{name}", data)
        if zip:
            batch.write_bytes(f"{PACKAGES_DIR}/{slug}.zip", _zip({f"{slug}/{n}": d for n, d in contents.items()}))
        result[ministry] = envois / slug
    return result
