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

HMAC-SHA256 is computed once per *distinct* identifier from pre-keyed hash states (RFC 2104; checked against
the standard library's ``hmac``), under 1 µs per value: a million rows in about a second.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.anonymise import hmac_worker
from toolkit.anonymise.hmac_worker import hmac_sha256_list
from toolkit.errors import InputDataError, ProtocolError

KEY_BYTES = 32  # 256 bits
PID_BYTES = 10  # 80 bits of the HMAC in the pseudonym
_HEADER = "pdtk-key-v1"
_BASE32 = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz234567", dtype=np.uint8)


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


def _is_within(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(Path(folder).expanduser().resolve())
        return True
    except ValueError:
        return False


def load_or_create_key(path: str | Path, *, forbidden_dirs: Sequence[str | Path] = ()) -> Key:
    """Read the key at ``path``, or create it (256 random bits, mode 0600) if it does not exist.

    ``forbidden_dirs`` are folders the key must not lie in — the study passes ``[results_dir, repo_root]``,
    because a key next to the data it protects, or committed to git, is no protection. An existing key file
    that other users can read is refused too (fix: ``chmod 600``).
    """
    path = Path(path).expanduser()
    resolved = path.resolve()
    for folder in forbidden_dirs:
        if _is_within(resolved, Path(folder)):
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
            f"the id column '{values.name}' was read as numbers (e.g. 1019912345.0), which loses leading zeros",
            fix="read the file with the id column as text (pdtk does this for CSV; in Excel format the column as Text)",
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
    normalised = normalise_ids(values)
    codes, uniques = pd.factorize(normalised, use_na_sentinel=True)
    return pseudonyms_for_codes(codes, uniques, key, index=values.index)


def pseudonyms_for_codes(codes: np.ndarray, uniques: object, key: Key, *, index: pd.Index) -> pd.Series:
    """Pseudonyms for factorised identifiers: hash each distinct one once, then spread them over the rows.

    Why Arrow: the messages come out of the Arrow string buffer as bytes in C (no ``str.encode`` per value), and
    the labels are assembled as one fixed-width byte buffer and gathered with Arrow's ``take``, so a million rows
    never pass through a million Python ``str`` objects on the way out.
    """
    return PendingPseudonyms(codes, uniques, key, index=index, background=False).result()


class PendingPseudonyms:
    """Pseudonyms being computed, possibly in a helper process while the caller goes on (``.result()`` waits).

    Why a helper process: HMAC-SHA256 of a million identifiers is about a second of pure-Python loop that holds
    the GIL, so a thread cannot overlap it with the rest of anonymisation, and forking this process is unsafe
    (pyarrow's threads may hold locks). A fresh interpreter (``python -I -S``, standard library only, started
    by ``subprocess``, i.e. fork *and exec*) receives the key and the identifiers through an anonymous
    in-memory file (``memfd``; a pipe where there is none) and returns the digests the same way; the caller's
    process meanwhile validates, generalises and k-anonymises on the other core. The key reaches only that
    child and never touches a disk. If the helper cannot be started or answers wrongly, the digests are computed
    here instead (same function, a test compares the two); :meth:`cancel` stops it when the caller gives up.
    """

    #: below this many distinct identifiers the helper's start-up (~30 ms) is not worth it
    BACKGROUND_MIN = 100_000
    #: the share of the identifiers the helper hashes; this process hashes the rest when ``result()`` is called
    #: instead of only waiting. ``Study.anonymise`` of a million rows, reading included, on 2 cores (three runs
    #: each, shared machine, so differences near the noise): 0.7 → 3.3–3.9 s, 0.8 → 3.2–3.3 s, 0.9 → 3.4–3.7 s,
    #: 1.0 → 3.4–4.9 s.
    HELPER_SHARE = 0.8

    def __init__(
        self, codes: np.ndarray, uniques: object, key: Key, *, index: pd.Index, background: bool = True
    ) -> None:
        import pyarrow as pa

        self._codes = np.asarray(codes)
        self._key = key
        self._index = index
        arrow = pa.array(uniques, type=pa.large_string()) if len(uniques) else pa.array([], pa.large_string())
        if isinstance(arrow, pa.ChunkedArray):
            arrow = arrow.combine_chunks()
        self._messages = arrow.cast(pa.large_binary())
        self._digests: bytes | None = None
        self._thread = None
        self._process: subprocess.Popen | None = None
        self._cancelled = False
        self._helper_count = 0
        if background and len(self._messages) >= self.BACKGROUND_MIN:
            import threading

            self._helper_count = int(len(self._messages) * self.HELPER_SHARE)
            self._thread = threading.Thread(target=self._hash_in_helper, name="pdtk-hmac", daemon=True)
            self._thread.start()

    def _hash_in_helper(self) -> None:
        try:
            head = self._messages.slice(0, self._helper_count)
            self._digests = _hmac_sha256_in_helper(self._key.secret, head, PID_BYTES, started=self._started)
        except Exception:  # any failure of the helper: compute in this process in result()
            self._digests = None

    def _started(self, process: subprocess.Popen) -> None:
        self._process = process
        if self._cancelled:  # cancel() came before the helper existed
            process.kill()

    def cancel(self) -> None:
        """Stop the helper process, if one runs (the caller gave up, e.g. the register was refused)."""
        self._cancelled = True
        process = self._process
        if process is not None and process.poll() is None:
            process.kill()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def result(self) -> pd.Series:
        """The ``pid`` column (``<NA>`` where the identifier was missing)."""
        count = len(self._messages)
        if self._thread is None:
            digests = hmac_sha256_list(self._key.secret, self._messages.to_pylist(), PID_BYTES)
        else:
            tail = hmac_sha256_list(
                self._key.secret, self._messages.slice(self._helper_count).to_pylist(), PID_BYTES
            )
            self._thread.join()
            self._thread = None
            head = self._digests
            if head is None or len(head) != self._helper_count * PID_BYTES:
                head = hmac_sha256_list(
                    self._key.secret, self._messages.slice(0, self._helper_count).to_pylist(), PID_BYTES
                )
            digests = head + tail
        return _labels(digests, count, self._codes, self._key.key_id, self._index)


def _labels(digests: bytes, count: int, codes: np.ndarray, key_id: str, index: pd.Index) -> pd.Series:
    import pyarrow as pa

    prefix = np.frombuffer(f"{key_id}_".encode("ascii"), dtype=np.uint8)
    bodies = _base32_chars(digests, count)
    width = len(prefix) + bodies.shape[1]
    label_bytes = np.empty((count, width), dtype=np.uint8)
    label_bytes[:, : len(prefix)] = prefix
    label_bytes[:, len(prefix) :] = bodies
    offsets = np.arange(count + 1, dtype=np.int64) * width
    labels = pa.LargeStringArray.from_buffers(
        count, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(label_bytes))
    )
    taken = labels.take(pa.array(codes, type=pa.int64(), mask=codes < 0)).cast(pa.string())
    string_dtype = pd.StringDtype()
    if string_dtype.storage == "pyarrow":  # pandas' default "string": wrap the Arrow array without copying
        result = pd.arrays.ArrowStringArray(taken)
    else:
        result = pd.array(taken.to_numpy(zero_copy_only=False), dtype=string_dtype)
    return pd.Series(result, index=index, name="pid", dtype="string")


def _hmac_sha256_in_helper(
    secret: bytes, messages: object, keep: int, *, started: Callable[[subprocess.Popen], None] | None = None
) -> bytes:
    """:func:`~toolkit.anonymise.hmac_worker.hmac_sha256_many` of an Arrow ``large_binary`` array, in a fresh interpreter.

    The helper runs :mod:`toolkit.anonymise.hmac_worker` as a script (standard library only, so it starts in a
    few milliseconds). On Linux input and output travel through two anonymous in-memory files (``memfd``), each
    written and read in one system call: a pipe would need hundreds of small writes, each waiting for the GIL
    while the calling thread anonymises, which made the helper three times slower. Elsewhere a pipe is used.
    """
    import sys

    count = len(messages)
    offsets = np.frombuffer(messages.buffers()[1], dtype=np.int64)[
        messages.offset : messages.offset + count + 1
    ]
    data = messages.buffers()[2]
    payload = memoryview(data)[int(offsets[0]) : int(offsets[-1])] if data is not None else b""
    secret = hmac_worker.padded_key(secret)
    header = hmac_worker.HEADER.pack(len(secret), count, keep) + secret
    command = [sys.executable, "-I", "-S", hmac_worker.__file__]
    if hasattr(os, "memfd_create"):
        source = os.memfd_create("pdtk-hmac-in", os.MFD_CLOEXEC)
        target = os.memfd_create("pdtk-hmac-out", os.MFD_CLOEXEC)
        try:
            with os.fdopen(os.dup(source), "wb") as handle:
                handle.write(header)
                handle.write(offsets.astype("<i8").tobytes())
                handle.write(payload)
            os.lseek(source, 0, os.SEEK_SET)
            with subprocess.Popen(
                [*command, str(source), str(target)],
                pass_fds=(source, target),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ) as proc:
                if started is not None:
                    started(proc)
                try:
                    proc.wait(timeout=600)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    raise
            os.lseek(target, 0, os.SEEK_SET)
            with os.fdopen(os.dup(target), "rb") as handle:
                digests = handle.read()
        finally:
            os.close(source)
            os.close(target)
    else:  # pragma: no cover - macOS and Windows
        stdin = b"".join([header, offsets.astype("<i8").tobytes(), bytes(payload)])
        proc = subprocess.run(command, input=stdin, capture_output=True, check=False, timeout=600)
        digests = proc.stdout
    if proc.returncode != 0 or len(digests) != count * keep:
        raise RuntimeError("the hashing helper failed")
    return digests


def _base32_chars(digests: bytes, count: int) -> np.ndarray:
    """Each ``PID_BYTES``-byte digest as lowercase RFC 4648 base32 (``a–z2–7``), one row of ASCII codes each.

    Vectorised by hand because the standard library's encoder is pure Python before 3.13 (over a second per
    million pseudonyms): every 5 bytes ``b0..b4`` give eight 5-bit letters, computed column-wise in uint8.
    """
    assert PID_BYTES % 5 == 0
    width = PID_BYTES * 8 // 5
    if count == 0:
        return np.zeros((0, width), dtype=np.uint8)
    groups = np.frombuffer(digests, dtype=np.uint8).reshape(-1, 5)
    b0, b1, b2, b3, b4 = (np.ascontiguousarray(groups[:, i]) for i in range(5))
    letters = np.stack(
        [
            b0 >> 3,
            ((b0 & 7) << 2) | (b1 >> 6),
            (b1 >> 1) & 31,
            ((b1 & 1) << 4) | (b2 >> 4),
            ((b2 & 15) << 1) | (b3 >> 7),
            (b3 >> 2) & 31,
            ((b3 & 3) << 3) | (b4 >> 5),
            b4 & 31,
        ],
        axis=1,
    )
    return _BASE32[letters].reshape(count, width)  # fancy indexing: ~10× faster than np.take here


__all__ = [
    "Key",
    "PendingPseudonyms",
    "fingerprint",
    "load_or_create_key",
    "normalise_ids",
    "pseudonymise",
    "pseudonyms_for_codes",
]
