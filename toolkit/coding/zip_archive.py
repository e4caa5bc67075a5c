"""A deterministic ZIP archive of deflated members whose compression can run beside the caller's own work.

Why not ``zipfile`` alone: it compresses each member inside ``writestr``, in the calling thread, one after
another, and cannot take data compressed elsewhere. zlib releases the GIL while it compresses, so a member
handed to :func:`deflate` in a worker thread is compressed on the other core while the caller goes on — the
REFI-QDA export (:func:`toolkit.coding.refiqda.qdpx_bytes`) compresses the source texts while it builds the
project XML, which took about a second of ``pdtk autocode``'s last, single-process stretch on a million
words. No installed package writes a ZIP from members compressed beforehand, so the container is written
here, byte for byte as ``zipfile.ZipFile(..., "w", ZIP_DEFLATED)`` with ``writestr(ZipInfo(name,
date_time), data)`` writes it (tests compare the two): the local headers come from
``zipfile.ZipInfo.FileHeader``, the central directory and end record are packed with ``zipfile``'s own
struct layouts, and the deflate stream is zlib's with ``zipfile``'s settings. An archive that would need
ZIP64 (a member near 2 GiB, more than 65,535 members) is left to ``zipfile`` itself.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from queue import SimpleQueue

FIXED_DATE_TIME = (2020, 1, 1, 0, 0, 0)
"""Timestamp of every member: the same input gives the same bytes."""


@dataclass(frozen=True)
class Deflated:
    """One member's data, deflated as ``zipfile`` deflates it, with its CRC."""

    data: bytes
    compressed: bytes
    crc: int


def deflate(data: bytes) -> Deflated:
    """Compress ``data`` as ``zipfile`` does for ``ZIP_DEFLATED`` (default level, raw deflate stream).

    Safe to call from a worker thread; zlib runs without the GIL.
    """
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return Deflated(data, compressor.compress(data) + compressor.flush(), zlib.crc32(data))


class PieceDeflater:
    """Deflates one member handed over piece by piece, in a worker thread of ``pool``, as :func:`deflate`
    deflates the pieces joined: zlib's stream does not depend on how its input is cut (a test checks), so a
    document can be compressed while it is still being written. :meth:`finish` must be called (it ends the
    worker even when the writer failed half-way)."""

    def __init__(self, pool: Executor) -> None:
        self._pieces: SimpleQueue[bytes | None] = SimpleQueue()
        self._result: Future[Deflated] = pool.submit(self._run)
        self._finished = False

    def add(self, piece: bytes) -> None:
        """Hand over the next piece."""
        self._pieces.put(piece)

    def finish(self) -> Deflated:
        """No more pieces: the member as :func:`deflate` gives it for the pieces joined."""
        if not self._finished:
            self._finished = True
            self._pieces.put(None)
        return self._result.result()

    def _run(self) -> Deflated:
        compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        data: list[bytes] = []
        compressed: list[bytes] = []
        crc = 0
        while (piece := self._pieces.get()) is not None:
            data.append(piece)
            compressed.append(compressor.compress(piece))
            crc = zlib.crc32(piece, crc)
        compressed.append(compressor.flush())
        return Deflated(b"".join(data), b"".join(compressed), crc)


def zip_archive(members: Sequence[tuple[str, Deflated]], *, date_time: tuple = FIXED_DATE_TIME) -> bytes:
    """The ZIP archive of ``members`` (``(name, deflate(data))`` in archive order)."""
    if _needs_zip64(members):
        return _zipfile_archive(members, date_time)
    out = io.BytesIO()
    entries: list[tuple[zipfile.ZipInfo, int]] = []
    for name, member in members:
        info = _member_info(name, member, date_time)
        entries.append((info, out.tell()))
        out.write(info.FileHeader(False))
        out.write(member.compressed)
    start = out.tell()
    for info, offset in entries:
        out.write(_central_record(info, offset))
    size = out.tell() - start
    count = len(entries)
    out.write(
        struct.pack(zipfile.structEndArchive, zipfile.stringEndArchive, 0, 0, count, count, size, start, 0)
    )
    return out.getvalue()


def _member_info(name: str, member: Deflated, date_time: tuple) -> zipfile.ZipInfo:
    """The ``ZipInfo`` that ``zipfile`` ends up with after ``writestr(ZipInfo(name, date_time), data)``."""
    info = zipfile.ZipInfo(name, date_time=date_time)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.flag_bits = 0
    info.external_attr = 0o600 << 16  # zipfile's default permissions for a member written from bytes
    info.file_size = len(member.data)
    info.compress_size = len(member.compressed)
    info.CRC = member.crc
    return info


def _central_record(info: zipfile.ZipInfo, offset: int) -> bytes:
    """One central-directory entry, as ``zipfile.ZipFile._write_end_record`` packs it (no ZIP64)."""
    year, month, day, hour, minute, second = info.date_time
    dosdate = (year - 1980) << 9 | month << 5 | day
    dostime = hour << 11 | minute << 5 | (second // 2)
    try:
        filename, flags = info.filename.encode("ascii"), info.flag_bits
    except UnicodeEncodeError:
        filename, flags = info.filename.encode("utf-8"), info.flag_bits | 0x800  # UTF-8 name
    record = struct.pack(
        zipfile.structCentralDir,
        zipfile.stringCentralDir,
        info.create_version,
        info.create_system,
        info.extract_version,
        info.reserved,
        flags,
        info.compress_type,
        dostime,
        dosdate,
        info.CRC,
        info.compress_size,
        info.file_size,
        len(filename),
        len(info.extra),
        len(info.comment),
        0,
        info.internal_attr,
        info.external_attr,
        offset,
    )
    return record + filename + info.extra + info.comment


def _needs_zip64(members: Sequence[tuple[str, Deflated]]) -> bool:
    """Whether ``zipfile`` would write ZIP64 records for these members (then it writes the archive)."""
    if len(members) > zipfile.ZIP_FILECOUNT_LIMIT:
        return True
    total = 0
    for name, member in members:
        if len(member.data) * 1.05 > zipfile.ZIP64_LIMIT or len(member.compressed) > zipfile.ZIP64_LIMIT:
            return True
        total += 30 + len(name.encode("utf-8")) + len(member.compressed) + 46 + len(name.encode("utf-8"))
    return total > zipfile.ZIP64_LIMIT


def _zipfile_archive(members: Sequence[tuple[str, Deflated]], date_time: tuple) -> bytes:
    """The same archive written by ``zipfile`` (compressing again), for the sizes that need ZIP64."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, member in members:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, member.data)
    return buffer.getvalue()


__all__ = ["FIXED_DATE_TIME", "Deflated", "PieceDeflater", "deflate", "zip_archive"]
