"""Send messages to the hashing helper process and read its digests back (speed code; see the package).

The helper runs :mod:`toolkit.anonymise._hashing.hmac_worker` as a script in a fresh interpreter (``python -I
-S``: standard library only, so it starts in a few milliseconds; fork *and* exec, because a forked copy of
this
process could inherit locks held by pyarrow's threads). On Linux input and output travel through two anonymous
in-memory files (``memfd``), each written and read in one system call: a pipe would need hundreds of small
writes, each waiting for the GIL while the calling thread hashes its own share, which made the helper three
times slower. Elsewhere a pipe is used. The key reaches only that child and never touches a disk.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np

from toolkit.anonymise._hashing import hmac_worker


def hmac_in_helper(secret: bytes, messages: object, keep: int) -> bytes:
    """:func:`~hmac_worker.hmac_sha256_many` of an Arrow ``large_binary`` array, computed by the helper
    process.

    Raises ``RuntimeError`` when the helper fails or answers with the wrong number of bytes.
    """
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
        returncode, digests = _through_memfd(command, [header, offsets.astype("<i8").tobytes(), payload])
    else:  # pragma: no cover - macOS and Windows
        stdin = b"".join([header, offsets.astype("<i8").tobytes(), bytes(payload)])
        proc = subprocess.run(command, input=stdin, capture_output=True, check=False, timeout=600)
        returncode, digests = proc.returncode, proc.stdout
    if returncode != 0 or len(digests) != count * keep:
        raise RuntimeError("the hashing helper failed")
    return digests


def _through_memfd(command: list[str], parts: list[bytes | memoryview]) -> tuple[int, bytes]:
    """Run ``command IN_FD OUT_FD`` with ``parts`` in an in-memory input file; its exit code and output."""
    source = os.memfd_create("pdtk-hmac-in", os.MFD_CLOEXEC)
    target = os.memfd_create("pdtk-hmac-out", os.MFD_CLOEXEC)
    try:
        with os.fdopen(os.dup(source), "wb") as handle:
            for part in parts:
                handle.write(part)
        os.lseek(source, 0, os.SEEK_SET)
        with subprocess.Popen(
            [*command, str(source), str(target)],
            pass_fds=(source, target),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ) as proc:
            try:
                proc.wait(timeout=600)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise
        os.lseek(target, 0, os.SEEK_SET)
        with os.fdopen(os.dup(target), "rb") as handle:
            return proc.returncode, handle.read()
    finally:
        os.close(source)
        os.close(target)
