"""The fast CSV text is byte for byte pandas' ``to_csv`` (toolkit/csv_text.py), and falls back where unsure."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from toolkit.csv_text import csv_text, float_text
from toolkit.io import csv_bytes


def pandas_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


any_float = st.floats(allow_nan=True, allow_infinity=True, width=64)
plain_text = st.text(alphabet=st.characters(blacklist_characters=',"\r\n', blacklist_categories=("Cs",)))


@settings(max_examples=300, deadline=None)
@given(hnp.arrays(np.float64, st.integers(1, 60), elements=any_float))
def test_float_text_is_python_repr(values: np.ndarray) -> None:
    expected = ["" if np.isnan(v) else repr(v) for v in values.tolist()]
    assert float_text(values).to_pylist() == expected


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 40).flatmap(
        lambda n: st.tuples(
            hnp.arrays(np.float64, n, elements=any_float),
            hnp.arrays(np.int64, n),
            hnp.arrays(np.bool_, n),
            st.lists(st.one_of(st.none(), plain_text), min_size=n, max_size=n),
        )
    )
)
def test_frames_of_common_types_match_pandas(columns) -> None:
    floats, ints, flags, texts = columns
    frame = pd.DataFrame({"x": floats, "n": ints, "flag": flags, "name": pd.Series(texts, dtype=object)})
    frame["label"] = pd.Series(texts, dtype="string")
    built = csv_text(frame)
    assert built is not None
    assert built == pandas_bytes(frame)
    assert csv_text(frame, rows_per_block=3) == built  # rows built a block at a time join up exactly


def test_values_pandas_would_quote_fall_back_to_pandas() -> None:
    frame = pd.DataFrame({"name": ["a,b", 'say "hi"', "two\nlines"], "n": [1, 2, 3]})
    assert csv_text(frame) is None
    assert csv_bytes(frame) == pandas_bytes(frame)


def test_types_not_built_here_fall_back_to_pandas() -> None:
    frames = [
        pd.DataFrame({"when": pd.to_datetime(["2024-01-01", "2024-02-01"]), "n": [1, 2]}),
        pd.DataFrame({"n": pd.array([1, None], dtype="Int64"), "m": [1, 2]}),
        pd.DataFrame({"c": pd.Categorical(["a", "b"]), "m": [1, 2]}),
        pd.DataFrame({"x": np.array([0.1, 0.2], dtype=np.float32), "m": [1, 2]}),
        pd.DataFrame({"only": ["", "a"]}),
        pd.DataFrame({"mixed": [1, "a"], "m": [1, 2]}),
    ]
    for frame in frames:
        assert csv_text(frame) is None
        assert csv_bytes(frame) == pandas_bytes(frame)


def test_header_with_a_comma_is_quoted_as_pandas_does() -> None:
    frame = pd.DataFrame({"a,b": [1.5, np.nan], 'q"': [1, 2], "æøå": ["x", None]})
    assert csv_text(frame) == pandas_bytes(frame)
