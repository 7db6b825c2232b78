"""The deployment's secret: the key of the pseudonymous candidate references.

Employer files name a candidate who did not consent by a reference (``CAND-…``), an HMAC of
the engineer's identifier under a key that belongs to the deployment: created once, at random,
in the advisor's configuration folder, readable by its owner only, never written to any output
and never derived from the inputs. Without it, nobody holding an employer file and every
profile identifier can recompute a reference; with it, references stay stable across the
batches of one deployment (an employer sees the same reference for the same engineer).

``MATCHING_SECRET_DIR`` names another folder (tests, or a shared deployment folder).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from matching.errors import InputFileError

__all__ = ["KEY_NAME", "SECRET_DIR_ENV", "secret_dir", "pseudonym_key", "key_fingerprint"]

SECRET_DIR_ENV = "MATCHING_SECRET_DIR"
KEY_NAME = "cle-pseudonymes.txt"
_KEY_BYTES = 32


def secret_dir() -> Path:
    """The folder of the deployment's key (``$MATCHING_SECRET_DIR``, else the user's
    configuration folder)."""
    env = os.environ.get(SECRET_DIR_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("mobilite-etat-matching", appauthor=False))


def pseudonym_key() -> bytes:
    """The deployment's key, created on first use (hex text, mode 0600)."""
    folder = secret_dir()
    path = folder / KEY_NAME
    if not path.is_file():
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # created meanwhile by another run: read it
            pass
        except OSError as exc:
            raise InputFileError(
                f"{path} : impossible de créer la clé des références pseudonymes ({exc.strerror})."
            ) from None
        else:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(secrets.token_hex(_KEY_BYTES) + "\n")
    try:
        text = path.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except (OSError, UnicodeDecodeError, ValueError):
        raise InputFileError(
            f"{path} : clé des références pseudonymes illisible ; restaurez-la depuis une sauvegarde "
            "(une nouvelle clé changerait toutes les références déjà envoyées)."
        ) from None
    if len(key) < 16:
        raise InputFileError(f"{path} : clé des références pseudonymes trop courte.")
    return key


def key_fingerprint(key: bytes) -> str:
    """A short, non-reversible identity of the key (recorded in the manifest, so that a
    replay can say whether the same key was used)."""
    return hashlib.sha256(b"mobilite-pseudonymes\0" + key).hexdigest()[:12]
