"""The engine's one error hierarchy.

Every error the engine raises on purpose derives from :class:`MatchingError` and carries
the exit code of the command line, so that ``cli.py`` maps an error to its code by one
attribute, never by class names or message prefixes. Messages are in French and never hold
personal values (they name a file, a row, a column and a reason).

=====  =======================================================================
code   meaning
=====  =======================================================================
1      unexpected internal error (not a :class:`MatchingError`)
2      wrong usage (:class:`UsageError`)
3      invalid configuration (:class:`ConfigError`)
4      unusable input or batch folder (:class:`InputFileError` and subclasses)
5      rejected rows (:class:`RejectedRowsError`)
6      embedding model unavailable (:class:`ModelUnavailableError`)
7      a replay gave other files than the original batch (:class:`ReplayMismatch`)
=====  =======================================================================
"""

from __future__ import annotations

import errno as _errno

__all__ = [
    "MatchingError",
    "UsageError",
    "ConfigError",
    "InputFileError",
    "RejectedRowsError",
    "ModelUnavailableError",
    "ReplayMismatch",
    "FolderError",
    "FolderBusyError",
    "os_error_message",
    "os_error_reason",
    "EXIT_OK",
    "EXIT_INTERNAL",
]

EXIT_OK = 0
EXIT_INTERNAL = 1


class MatchingError(Exception):
    """Base of every error the engine raises on purpose; ``exit_code`` is the CLI's code."""

    exit_code: int = EXIT_INTERNAL

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__


class UsageError(MatchingError, ValueError):
    """The call itself is wrong (an option missing or out of its allowed values)."""

    exit_code = 2


class ConfigError(MatchingError, ValueError):
    """Every problem found in a configuration, reported at once."""

    exit_code = 3

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("configuration invalide :\n" + "\n".join(f"  - {p}" for p in self.problems))


class InputFileError(MatchingError):
    """An input file, a batch folder or a manifest cannot be used."""

    exit_code = 4


class RejectedRowsError(InputFileError):
    """Some input rows were rejected and the caller asked not to go on (strict mode)."""

    exit_code = 5


class ModelUnavailableError(MatchingError, RuntimeError):
    """The embedding model cannot be loaded (not installed, folder missing, offline)."""

    exit_code = 6


class ReplayMismatch(MatchingError):
    """A replay produced files that differ from the original batch."""

    exit_code = 7


class FolderError(InputFileError):
    """An output folder cannot be written or replaced as asked (read-only, full, a foreign
    file or a link in the way...); nothing was half-written."""


class FolderBusyError(FolderError):
    """Another run holds the lock of the output folder."""


_OS_REASONS = {
    "EACCES": "permission refusée",
    "EPERM": "opération non permise (fichier protégé ou immuable ?)",
    "EROFS": "système de fichiers en lecture seule",
    "ENOSPC": "plus de place sur le disque",
    "EDQUOT": "quota disque dépassé",
    "EFBIG": "fichier trop volumineux pour le système de fichiers",
    "ENOTDIR": "un élément du chemin n'est pas un dossier",
    "EISDIR": "un dossier occupe la place d'un fichier attendu",
    "ENAMETOOLONG": "nom de fichier ou chemin trop long",
    "ENOENT": "fichier ou dossier introuvable",
    "EEXIST": "existe déjà",
    "ENOTEMPTY": "dossier non vide",
    "ELOOP": "trop de liens symboliques (boucle ?)",
    "EMFILE": "trop de fichiers ouverts",
    "ENFILE": "trop de fichiers ouverts sur le système",
    "EIO": "erreur d'entrée-sortie du disque",
    "EXDEV": "déplacement impossible d'un système de fichiers à un autre",
    "EBUSY": "fichier ou dossier occupé par un autre programme",
    "ETXTBSY": "fichier occupé par un autre programme",
    "EINVAL": "nom de fichier ou argument invalide",
    "EILSEQ": "nom de fichier avec des caractères invalides",
    "ENXIO": "périphérique introuvable",
    "ENODEV": "périphérique introuvable",
    "EAGAIN": "ressource momentanément indisponible, réessayez",
    "ESTALE": "fichier réseau périmé (partage déconnecté ?)",
    "ENOTCONN": "partage réseau déconnecté",
    "ETIMEDOUT": "délai dépassé (partage réseau ?)",
}


def os_error_reason(exc: OSError) -> str:
    """The French reason of a file-system error (by its ``errno``; the system's own text,
    often English, is not used)."""
    name = _errno.errorcode.get(exc.errno or -1, "")
    if name in _OS_REASONS:
        return _OS_REASONS[name]
    if isinstance(exc, FileNotFoundError):
        return _OS_REASONS["ENOENT"]
    if isinstance(exc, PermissionError):
        return _OS_REASONS["EACCES"]
    if isinstance(exc, IsADirectoryError):
        return _OS_REASONS["EISDIR"]
    if isinstance(exc, NotADirectoryError):
        return _OS_REASONS["ENOTDIR"]
    return f"erreur du système de fichiers ({name or type(exc).__name__})"


def os_error_message(exc: OSError) -> str:
    """``<path> : <French reason>`` (both paths for a rename or a copy)."""
    paths = [str(p) for p in (getattr(exc, "filename", None), getattr(exc, "filename2", None)) if p not in (None, "")]
    where = " → ".join(paths)
    return f"{where} : {os_error_reason(exc)}" if where else os_error_reason(exc)