"""A SYNTHETIC national person × month NAV status panel, written to Parquet one row group at a time.

Issue 17 asks whether the toolkit can aggregate a whole youth cohort's monthly status panel (≈ 1.2M people ×
120 months ≈ 144M rows). Testing and benchmarking that needs a panel of that size that never sits in memory
whole: :func:`write_status_panel` generates a block of people, writes it as one Parquet row group, drops it,
so memory stays at one block whatever the number of rows.

Columns: ``person_id`` (int64, a running synthetic number), ``unit`` (a 4-digit municipality code, the same
for a person in every month), ``month`` (date, first of the month), ``status`` (a small code: ``arbeid``,
``utdanning``, ``ledig``, ``aap``, ``annet``) and ``outcome`` (int8, 1 when the status is work or education).
Statuses follow a two-state persistence so that a person's months are correlated, as in real registers, and
the share in activity differs by municipality. Everything here is synthetic and labelled so.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

STATUS_CODES: tuple[str, ...] = ("arbeid", "utdanning", "ledig", "aap", "annet")
ACTIVE_STATUSES: frozenset[str] = frozenset({"arbeid", "utdanning"})
_START_MONTH = np.datetime64("2015-01", "M")


def _unit_codes(n_units: int) -> np.ndarray:
    """Synthetic 4-digit municipality codes (``0301``-style strings), one per unit."""
    return np.array([f"{1000 + 13 * i:04d}"[-4:] for i in range(n_units)])


def _block(
    rng: np.random.Generator,
    first_person: int,
    n_people: int,
    n_months: int,
    unit_activity: np.ndarray,
) -> pa.Table:
    """One block of whole people (all their months), as an Arrow table."""
    person = np.arange(first_person, first_person + n_people, dtype=np.int64)
    # unit sizes are skewed (a few large cities, many small municipalities), as in Norway
    unit_of_person = np.minimum(rng.zipf(1.3, n_people) - 1, len(unit_activity) - 1).astype(np.int32)
    p_active = unit_activity[unit_of_person]
    # persistence: a person's latent activity is redrawn with probability 0.1 each month
    active = np.empty((n_people, n_months), dtype=bool)
    active[:, 0] = rng.random(n_people) < p_active
    redraw = rng.random((n_people, n_months)) < 0.1
    fresh = rng.random((n_people, n_months)) < p_active[:, None]
    for month in range(1, n_months):
        active[:, month] = np.where(redraw[:, month], fresh[:, month], active[:, month - 1])
    flat_active = active.ravel()
    pick = rng.random(flat_active.size)
    # active → arbeid (0) or utdanning (1); inactive → ledig (2), aap (3) or annet (4)
    status = np.where(flat_active, (pick < 0.55).astype(np.int8) ^ 1, 2 + (pick > 0.5) + (pick > 0.8))
    months = (_START_MONTH + np.arange(n_months)).astype("datetime64[D]")
    return pa.table(
        {
            "person_id": np.repeat(person, n_months),
            "unit_index": np.repeat(unit_of_person, n_months),
            "month": np.tile(months, n_people),
            "status": status.astype(np.int8),
            "outcome": flat_active.astype(np.int8),
        }
    )


def write_status_panel(
    path: str | Path,
    *,
    n_people: int,
    n_months: int = 120,
    n_units: int = 357,
    seed: int = 17,
    people_per_block: int = 20_000,
) -> Path:
    """Write a synthetic person × month status panel of ``n_people * n_months`` rows to one Parquet file.

    Memory is bounded by ``people_per_block * n_months`` rows (2.4M rows by default), never the whole panel.
    ``unit`` and ``status`` are dictionary-encoded strings, so the file is a few bytes a row.
    """
    if n_people < 1 or n_months < 1 or n_units < 1:
        raise ValueError("n_people, n_months and n_units must be positive")
    rng = np.random.default_rng(seed)
    codes = pa.array(_unit_codes(n_units))
    status_names = pa.array(list(STATUS_CODES))
    unit_activity = rng.uniform(0.6, 0.85, n_units)
    schema = pa.schema(
        [
            ("person_id", pa.int64()),
            ("unit", pa.dictionary(pa.int32(), pa.string())),
            ("month", pa.date32()),
            ("status", pa.dictionary(pa.int8(), pa.string())),
            ("outcome", pa.int8()),
        ]
    )
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with pq.ParquetWriter(target, schema, compression="zstd") as writer:
        for first in range(0, n_people, people_per_block):
            block = _block(rng, first, min(people_per_block, n_people - first), n_months, unit_activity)
            table = pa.table(
                {
                    "person_id": block["person_id"],
                    "unit": pa.DictionaryArray.from_arrays(block["unit_index"].combine_chunks(), codes),
                    "month": block["month"].cast(pa.date32()),
                    "status": pa.DictionaryArray.from_arrays(block["status"].combine_chunks(), status_names),
                    "outcome": block["outcome"],
                },
                schema=schema,
            )
            writer.write_table(table)
    return target
