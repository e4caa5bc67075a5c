"""Keyed pseudonyms: ``pid`` = HMAC-SHA256(secret key, normalised identity number).

Why keyed: a youth cohort has about 2.6 million valid fødselsnumre, so a plain (even salted-per-dataset) hash
is reversed by hashing every candidate in about a second. With a secret key of 256 random bits that
enumeration is useless without the key, and the key lives apart from the data (``privacy.key_file``,
never under ``results/`` or inside the repository).

Why a key id prefix: ``k3f9a_...`` says which key made a pseudonym, so a rotated key cannot be silently mixed
with an old one when registers are linked. The same key gives the same pseudonyms across runs and files
(that is what makes linkage possible); another key gives unrelated ones.

The pseudonym body is 80 bits of the HMAC written in lowercase base32 (16 characters, ``a–z2–7``). Base32
rather than hex keeps long runs of digits out of pseudonyms, so the output leak guard, which looks for
11-digit identity numbers, never mistakes a pseudonym for one.

HMAC-SHA256 is computed from pre-keyed hash states (RFC 2104; checked against the standard library's
``hmac``),
under 1 µs per value, on both cores: see :mod:`toolkit.anonymise._hashing`, the only place that knows how.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.anonymise import _hashing
from toolkit.errors import InputDataError, ProtocolError
from toolkit.files import is_within

KEY_BYTES = 32  # 256 bits
_HEADER = "pdtk-key-v1"


@dataclass(frozen=True)
class Key:
    """A pseudonymisation key: the secret bytes and a short public fingerprint (``key_id``).

    ``repr`` never shows the secret, so a key printed in a notebook or a log discloses nothing.
    """

    secret: bytes = field(repr=False)
    key_id: str = ""

    def __post_init__(self) -> None:
        if len(self.secret) < KEY_BYTES:
            raise ValueError(f"a key needs at least {KEY_BYTES * 8} random bits")
        if not self.key_id:
            object.__setattr__(self, "key_id", fingerprint(self.secret))

    @classmethod
    def generate(cls) -> Key:
        """A fresh random key (for tests and notebooks; studies use :func:`load_or_create_key`)."""
        return cls(secrets.token_bytes(KEY_BYTES))


def fingerprint(secret: bytes) -> str:
    """Short public id of a key: ``k`` + 4 hex digits of a hash that does not reveal the secret."""
    return "k" + hashlib.sha256(b"pdtk key id\x00" + secret).hexdigest()[:4]


def load_or_create_key(path: str | Path, *, forbidden_dirs: Sequence[str | Path] = ()) -> Key:
    """Read the key at ``path``, or create it (256 random bits, mode 0600) if it does not exist.

    ``forbidden_dirs`` are folders the key must not lie in — the study passes ``[results_dir, repo_root]``,
    because a key next to the data it protects, or committed to git, is no protection. An existing key file
    that other users can read is refused too (fix: ``chmod 600``).
    """
    path = Path(path).expanduser()
    resolved = path.resolve()
    for folder in forbidden_dirs:
        if is_within(resolved, Path(folder)):
            raise ProtocolError(
                f"key 'privacy.key_file' ({path}) lies inside {Path(folder)}",
                fix="keep the key outside results/ and outside the repository, e.g. ~/.config/pdtk/keys/",
            )
    if resolved.exists():
        return _read_key(resolved)
    resolved.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    secret = secrets.token_bytes(KEY_BYTES)
    try:
        fd = os.open(resolved, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # created by a concurrent run between the check and now: use that one
        return _read_key(resolved)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(f"{_HEADER} {secret.hex()}\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(resolved, 0o600)  # the umask may have narrowed it further, never widened; make it exact
    return Key(secret)


def _read_key(path: Path) -> Key:
    if not path.is_file():
        raise ProtocolError(
            "privacy.key_file is not a file", file=path, fix="point privacy.key_file at a file"
        )
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ProtocolError(
            f"the key file can be read by other users (mode {mode:04o})",
            file=path,
            fix=f"run 'chmod 600 {path}'",
        )
    text = path.read_text(encoding="ascii", errors="replace").strip()
    parts = text.split()
    try:
        if len(parts) != 2 or parts[0] != _HEADER:
            raise ValueError
        secret = bytes.fromhex(parts[1])
    except ValueError:
        raise ProtocolError(
            "the key file is not a pdtk key",
            file=path,
            fix="restore the key from its backup; a new key gives new, unlinkable pseudonyms",
        ) from None
    if len(secret) < KEY_BYTES:
        raise ProtocolError(
            "the key file holds fewer than 256 bits", file=path, fix="restore the key from its backup"
        )
    return Key(secret)


def normalise_ids(values: pd.Series) -> pd.Series:
    """Identity numbers as text without the spaces, dots and dashes people type inside them.

    Other characters are kept, so identifiers with letters stay distinct. Float columns are refused: a
    fødselsnummer read as a number has lost its leading zero (``1019912345.0``) and cannot be repaired safely.
    """
    if pd.api.types.is_float_dtype(values):
        raise InputDataError(
            f"the id column '{values.name}' was read as numbers (e.g. 1019912345.0), which loses leading "
            f"zeros",
            fix="read the file with the id column as text (pdtk does this for CSV; in Excel format the "
            "column as Text)",
        )
    import pyarrow.compute as pc

    from toolkit.io import arrow_strings

    text = values.astype("string")
    # a cheap kernel finds the values that are not plain digits; "\s" in a regex would make pandas fall back
    # to Python per value
    plain = pc.fill_null(pc.ascii_is_decimal(arrow_strings(text)), True)
    typed = np.asarray(pc.invert(plain).to_numpy(zero_copy_only=False), dtype=bool)
    if typed.any():  # only the values people typed separators into (a clean column skips the slow replace)
        text = text.copy()
        text[typed] = text[typed].str.replace(r"[\s.\-]", "", regex=True)
    return text.mask(text == "")


def pseudonymise(values: pd.Series, key: Key) -> pd.Series:
    """Keyed pseudonyms for a column of identity numbers (``<NA>`` stays ``<NA>``).

    Deterministic for one key (so registers can be linked), unrelated across keys, and invariant to the
    spaces/dots/dashes of :func:`normalise_ids`. Each distinct identifier is hashed once.
    """
    return _hashing.pseudonymise(normalise_ids(values), key)


__all__ = [
    "Key",
    "fingerprint",
    "load_or_create_key",
    "normalise_ids",
    "pseudonymise",
]
