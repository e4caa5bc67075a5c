"""Keyed pseudonyms for a column of normalised identity numbers, fast: one function, :func:`pseudonymise`.

Speed code, fenced off: nothing outside this package knows that the digests are computed partly by a helper
process. Why a helper process at all: HMAC-SHA256 of a million identifiers is about a second of a loop that
holds the GIL, so a thread cannot share it with another core; a fresh interpreter (see :mod:`.transport`) can.
Within one call, the helper hashes one share of the messages while this process hashes the rest, and the call
returns when both are done. If the helper cannot start or answers wrongly, this process hashes its share too
(same function, :mod:`.hmac_worker`; a test compares the two paths).
"""

from __future__ import annotations

import threading
from typing import Protocol

import numpy as np
import pandas as pd

from toolkit.anonymise._hashing.hmac_worker import hmac_sha256_list
from toolkit.anonymise._hashing.labels import PID_BYTES, labels
from toolkit.anonymise._hashing.transport import hmac_in_helper

#: below this many messages the helper's start-up (~30 ms) is not worth it
HELPER_MIN = 100_000
#: the helper's share of the messages; the rest are hashed here meanwhile (the helper also pays for start-up
#: and transport, so it gets a little less than half)
HELPER_SHARE = 0.48


class _Key(Protocol):
    secret: bytes
    key_id: str


def pseudonymise(ids: pd.Series, key: _Key) -> pd.Series:
    """``<key id>_<base32 of 80 bits of HMAC-SHA256(key, id)>`` for each normalised id; ``<NA>`` stays
    ``<NA>``.

    A column of nearly all distinct ids (one row per person, judged on a sample) is hashed row by row;
    otherwise each distinct id is hashed once and the labels are spread over the rows.
    """
    import pyarrow as pa

    text = ids.astype("string")
    if _mostly_distinct(text):
        present = text.notna().to_numpy()
        codes = np.where(present, np.arange(len(text)), -1)
        messages = pa.array(text.fillna(""), type=pa.large_string())
    else:
        codes, uniques = pd.factorize(text, use_na_sentinel=True)
        messages = (
            pa.array(uniques, type=pa.large_string()) if len(uniques) else pa.array([], pa.large_string())
        )
    if isinstance(messages, pa.ChunkedArray):
        messages = messages.combine_chunks()
    digests = _digests(key.secret, messages.cast(pa.large_binary()))
    return labels(digests, len(messages), np.asarray(codes), key.key_id, ids.index)


def _digests(secret: bytes, messages: object) -> bytes:
    """HMAC digests (``PID_BYTES`` each) of an Arrow ``large_binary`` array, the helper taking one share."""
    count = len(messages)
    if count < HELPER_MIN:
        return hmac_sha256_list(secret, messages.to_pylist(), PID_BYTES)
    helper_count = int(count * HELPER_SHARE)
    head: list[bytes | None] = [None]

    def in_helper() -> None:
        try:
            head[0] = hmac_in_helper(secret, messages.slice(0, helper_count), PID_BYTES)
        except Exception:  # any failure of the helper: computed here below
            head[0] = None

    thread = threading.Thread(target=in_helper, name="pdtk-hmac", daemon=True)
    thread.start()
    tail = hmac_sha256_list(secret, messages.slice(helper_count).to_pylist(), PID_BYTES)
    thread.join()
    if head[0] is None or len(head[0]) != helper_count * PID_BYTES:
        head[0] = hmac_sha256_list(secret, messages.slice(0, helper_count).to_pylist(), PID_BYTES)
    return head[0] + tail


def _mostly_distinct(values: pd.Series, sample: int = 10_000) -> bool:
    """True when at least 95 % of the first ``sample`` present values are distinct (one row per person)."""
    import pyarrow.compute as pc

    from toolkit.io import arrow_strings

    head = values.dropna().iloc[:sample]
    if len(head) < 1_000:
        return False
    return pc.count_distinct(arrow_strings(head)).as_py() >= 0.95 * len(head)


__all__ = ["PID_BYTES", "pseudonymise"]
