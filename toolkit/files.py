"""Facts about files that need no pandas: whether a path lies inside a folder, about how many rows a register
file holds.

A module of its own, importing nothing heavy, because ``pdtk phase2`` asks both before it imports pandas: the
protocol checks its folders with :func:`is_within`, and the helper process is started from the register's
size (:func:`approximate_rows`) so that its imports overlap this process's. :mod:`toolkit.io` re-exports both.
"""

from __future__ import annotations

from pathlib import Path


def is_within(path: str | Path, folder: str | Path) -> bool:
    """True when ``path`` is ``folder`` or lies inside it, after ``~`` and symbolic links are resolved.

    One definition for every safety check that asks it (results never inside the restricted folder, the key
    never under results, an output folder never inside its input), so that they agree on what "inside" means.
    """
    path, folder = Path(path).expanduser().resolve(), Path(folder).expanduser().resolve()
    return path == folder or folder in path.parents


def approximate_rows(path: str | Path, sample_bytes: int = 1 << 16) -> int:
    """About how many rows a register file holds, without reading it (0 when it cannot tell).

    For deciding how to run on it before it is read (``pdtk phase2`` starts its helper process first, so
    that the helper's imports overlap the read): Parquet's metadata has the count; a text file's size is
    divided by the mean length of its first lines; other formats, a missing or unreadable file: 0.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix in {".parquet", ".pq"}:
            import pyarrow.parquet as pq

            return int(pq.read_metadata(path).num_rows)
        if suffix in {".csv", ".txt", ".tsv"}:
            size = path.stat().st_size
            with path.open("rb") as handle:
                lines = handle.read(sample_bytes).count(b"\n")
            return int(size * max(lines, 1) / min(size, sample_bytes)) if size else 0
    except (OSError, ValueError):  # pyarrow's ArrowInvalid is a ValueError, its ArrowIOError an OSError
        return 0
    return 0


__all__ = ["approximate_rows", "is_within"]
