"""toolkit.coding.zip_archive writes the bytes zipfile writes, whichever members it is given."""

from __future__ import annotations

import io
import zipfile

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.coding.zip_archive import FIXED_DATE_TIME, deflate, zip_archive


def _zipfile_bytes(members: list[tuple[str, bytes]]) -> bytes:
    """What the REFI-QDA export wrote before: zipfile, deflated, fixed timestamps."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\\"), min_size=1
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(names, st.one_of(st.binary(max_size=3000), st.text(max_size=3000).map(str.encode))),
        max_size=6,
        unique_by=lambda member: member[0],
    )
)
def test_the_archive_is_zipfiles_archive(members):
    assert zip_archive([(name, deflate(data)) for name, data in members]) == _zipfile_bytes(members)


def test_a_qdpx_sized_archive_reads_back():
    members = [("project.qde", b"<Project />\n" * 20_000)] + [
        (f"sources/{i:04d}.txt", ("I: Hva skjedde?\n\nU: Det tok fem måneder.\n" * 500).encode())
        for i in range(40)
    ]
    data = zip_archive([(name, deflate(body)) for name, body in members])
    assert data == _zipfile_bytes(members)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert [(i.filename, archive.read(i)) for i in archive.infolist()] == members


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=20_000), st.lists(st.integers(min_value=0, max_value=20_000), max_size=8))
def test_a_member_deflated_piece_by_piece_is_the_member_deflated_whole(data, cuts):
    from concurrent.futures import ThreadPoolExecutor

    from toolkit.coding.zip_archive import PieceDeflater

    bounds = sorted({min(cut, len(data)) for cut in cuts} | {0, len(data)})
    with ThreadPoolExecutor(max_workers=1) as pool:
        deflater = PieceDeflater(pool)
        for first, last in zip(bounds, bounds[1:], strict=False):
            deflater.add(data[first:last])
        assert deflater.finish() == deflate(data)
