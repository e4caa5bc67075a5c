"""HMAC-SHA256 of many short messages — the loop shared by this process and the hashing helper process.

Standard library only, on purpose: :mod:`toolkit.anonymise._hashing.transport` runs this file as a
script in a fresh interpreter (``python -I -S hmac_worker.py IN_FD OUT_FD``), which must start in milliseconds
and must not import the toolkit (pandas, pyarrow). The same function computes the digests in-process, so the
two paths cannot drift apart.

Input of the script, read from file descriptor ``IN_FD`` (or stdin): ``<I secret length><Q count><I bytes
kept>``, the secret (already padded to the 64-byte SHA-256 block), ``count + 1`` little-endian int64 offsets,
then the message bytes. Output, written to ``OUT_FD`` (or stdout): the kept bytes of each digest,
concatenated.
"""

from __future__ import annotations

import hashlib
import struct
import sys
from collections.abc import Callable, Sequence

BLOCK = 64  # SHA-256 block size (RFC 2104's B)
HEADER = struct.Struct("<IQI")


def padded_key(secret: bytes) -> bytes:
    """The HMAC key as RFC 2104 uses it: hashed if longer than a block, then zero-padded to the block."""
    if len(secret) > BLOCK:
        secret = hashlib.sha256(secret).digest()
    return secret.ljust(BLOCK, b"\0")


def hmac_sha256_many(
    secret: bytes, count: int, message: Callable[[int], bytes | memoryview], keep: int
) -> bytes:
    """HMAC-SHA256 of ``message(0) … message(count - 1)``, the first ``keep`` bytes of each, concatenated.

    Equal to ``hmac.digest(secret, msg, "sha256")[:keep]`` (a test checks this) but about 2.5× faster: the two
    padded-key hash states are computed once and only copied per message instead of re-keying.
    """
    key = padded_key(secret)
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    out = []
    append = out.append
    for i in range(count):
        state = inner.copy()
        state.update(message(i))
        final = outer.copy()
        final.update(state.digest())
        append(final.digest()[:keep])
    return b"".join(out)


def hmac_sha256_list(secret: bytes, messages: Sequence[bytes], keep: int) -> bytes:
    """:func:`hmac_sha256_many` of a list of messages."""
    return hmac_sha256_many(secret, len(messages), messages.__getitem__, keep)


def main(argv: Sequence[str]) -> None:
    source = open(int(argv[0]), "rb", closefd=False) if len(argv) >= 2 else sys.stdin.buffer  # noqa: SIM115
    raw = memoryview(source.read())
    length, count, keep = HEADER.unpack_from(raw, 0)
    position = HEADER.size + length
    secret = bytes(raw[HEADER.size : position])
    offsets = raw[position : position + 8 * (count + 1)].cast("q")
    payload = raw[position + 8 * (count + 1) :]
    base = offsets[0] if count else 0
    digests = hmac_sha256_many(
        secret, count, lambda i: payload[offsets[i] - base : offsets[i + 1] - base], keep
    )
    target = open(int(argv[1]), "wb", closefd=False) if len(argv) >= 2 else sys.stdout.buffer  # noqa: SIM115
    target.write(digests)
    target.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
