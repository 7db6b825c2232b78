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

from matching.errors import FolderError, InputFileError, os_error_reason
from matching.io.batch_folder import BatchFolder, BatchFolderError
from matching.ministries import ministry_file_stem

__all__ = ["PACKAGES_DIR", "NOTICE_NAME", "package_ministries", "PackageError"]

PACKAGES_DIR = "envois"
NOTICE_NAME = "NOTICE_METHODE.html"
NOTICE_MD_NAME = "NOTICE_METHODE.md"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_OURS = {".csv", ".xlsx", ".html", ".md", ".zip"}
EMPLOYER_DIR = "employeurs"


class PackageError(InputFileError):
    """The packages cannot be built (no employer file, a foreign file in ``envois/``)."""


def _employer_files(folder: BatchFolder) -> dict[str, list[Path]]:
    """ministry -> its employer files, from the manifest (or, without one, ``employeurs/``).

    A manifest is trusted only within its batch folder, and only for employer files: a name
    outside ``employeurs/``, not a ``.csv``/``.xlsx``, or a link leaving the folder is refused
    (a tampered manifest must not put another file of the folder, or of the machine, into an
    envoi)."""
    outdir = folder.path
    if folder.exists():
        mapping = folder.read_manifest().get("employer_files")
        if isinstance(mapping, dict) and mapping:
            found: dict[str, list[Path]] = {}
            for ministry, kinds in mapping.items():
                for _, rel in sorted(kinds.items()) if isinstance(kinds, dict) else []:
                    parts = Path(str(rel)).parts
                    if len(parts) != 2 or parts[0] != EMPLOYER_DIR or Path(parts[1]).suffix not in (".csv", ".xlsx"):
                        raise PackageError(
                            f"{folder.path / 'manifest.json'} : le manifeste désigne comme fichier employeur un fichier "
                            f"hors de {EMPLOYER_DIR}/ ; un manifeste n'est cru que pour les fichiers employeurs de son lot. "
                            "Rien n'a été envoyé : relancez le lot."
                        )
                    found.setdefault(ministry, []).append(folder.inside(str(rel)))
            return found
    found = {}
    employers = outdir / EMPLOYER_DIR
    if employers.is_symlink():
        raise BatchFolderError(f"{employers} est un lien symbolique : les envois ne sont faits qu'à partir du dossier du lot.")
    for path in sorted(employers.glob("*")) if employers.is_dir() else []:
        if path.suffix in (".csv", ".xlsx") and not path.is_symlink() and path.is_file():
            found.setdefault(path.stem, []).append(path)  # the slug stands for the ministry
    return found


def _clear(envois: Path) -> None:
    """Remove a previous ``envois/`` — only if it holds nothing but what this module writes
    (no foreign file, no link, and a plain folder)."""
    if envois.is_symlink():
        raise PackageError(f"{envois} est un lien symbolique : rien n'a été écrit ; supprimez le lien avant de refaire les envois.")
    if not envois.exists():
        return
    if not envois.is_dir():
        raise PackageError(f"{envois} est un fichier, pas le dossier des envois : déplacez-le avant de refaire les envois.")
    try:
        entries = list(envois.rglob("*"))
    except OSError as exc:
        raise FolderError(f"{envois} : lecture impossible ({os_error_reason(exc)}).") from None
    foreign = [p for p in entries if p.is_symlink() or (p.is_file() and p.suffix not in _OURS)]
    if foreign:
        raise PackageError(
            f"{envois} contient des fichiers qui ne viennent pas du moteur ({foreign[0].name}…) ; "
            "déplacez-les avant de refaire les envois."
        )
    try:
        shutil.rmtree(envois)
    except OSError as exc:
        raise FolderError(f"{envois} : suppression des anciens envois impossible ({os_error_reason(exc)}).") from None


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
    batch = outdir if isinstance(outdir, BatchFolder) else BatchFolder(outdir)
    outdir = batch.path
    mapping = dict(employer_files) if employer_files is not None else _employer_files(batch)
    if not mapping:
        raise PackageError(f"{outdir} : aucun fichier employeur à envoyer (dossier employeurs/ absent ou vide).")
    with batch.lock():
        return _build(batch, mapping, zip=zip)


def _build(batch: BatchFolder, mapping: Mapping[str, list[Path]], *, zip: bool) -> dict[str, Path]:  # noqa: A002
    from matching.report import method_notice_markdown, notice_html_page

    envois = batch.path / PACKAGES_DIR
    employer: dict[str, bytes] = {}  # read first: a file that cannot be read leaves the old envois in place
    for paths in mapping.values():
        for path in paths:
            try:
                employer[str(path)] = Path(path).read_bytes()
            except OSError as exc:
                raise FolderError(f"{path} : lecture du fichier employeur impossible ({os_error_reason(exc)}) ; "
                                  "les envois n'ont pas été modifiés.") from None
    _clear(envois)
    markdown = method_notice_markdown()
    notices = {NOTICE_NAME: notice_html_page(markdown).encode("utf-8"), NOTICE_MD_NAME: markdown.encode("utf-8")}
    result: dict[str, Path] = {}
    used: set[str] = set()
    for ministry in sorted(mapping):
        # the employer files' own name (outputs keeps it unique) names the package
        slug = Path(mapping[ministry][0]).stem if mapping[ministry] else ministry_file_stem(ministry)
        if slug in used:
            raise PackageError(f"deux ministères donneraient le même dossier d'envoi « {slug} » : "
                               "corrigez l'orthographe des ministères dans le fichier des postes.")
        used.add(slug)
        contents: dict[str, bytes] = dict(notices)
        for path in mapping[ministry]:
            contents[Path(path).name] = employer[str(path)]
        for name, data in contents.items():
            batch.write_bytes(f"{PACKAGES_DIR}/{slug}/{name}", data)
        if zip:
            batch.write_bytes(f"{PACKAGES_DIR}/{slug}.zip", _zip({f"{slug}/{n}": d for n, d in contents.items()}))
        result[ministry] = envois / slug
    return result
