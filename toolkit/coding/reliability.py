"""Agreement between coders — human and human, or human and machine — per code.

Reliability scores are *optional* in reflexive thematic analysis (Braun & Clarke): there, themes are the
researcher's interpretation and agreement statistics are not a quality criterion. They matter when a codebook
is applied by several coders or by a machine, which is what this module measures: can the auto-coder stand
in for a second human coder?

Per code it reports

* percent agreement and Cohen's kappa on segments (units: participant turns, or whatever units are given);
  with more than two coders, the mean of the pairwise kappas (Light's kappa);
* Cohen's kappa on characters, for codings whose spans differ from the units (selections made in NVivo);
* Krippendorff's alpha (nominal, the ``krippendorff`` package) for any number of coders;
* a 95 % interval for each code's kappa and for the mean over codes, resampling whole interviews
  (:mod:`toolkit.coding.kappa_interval`): a dozen interviews is a small sample, and the interval says how
  small;

and a disagreement table (unit, code, who coded it, who did not, the text) for a review meeting.
Kappa is undefined (reported as missing) for a code that no coder — or every coder — applied everywhere.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from toolkit.coding.autocode import to_indicator_matrix
from toolkit.coding.kappa_interval import kappa_intervals, with_interval_columns


def _kappa(a: np.ndarray, b: np.ndarray) -> float:
    # imported here: scikit-learn takes ~0.7 s to import, and only a comparison with hand coding needs it
    from sklearn.metrics import cohen_kappa_score

    if len(a) == 0 or (len(np.unique(np.concatenate([a, b]))) < 2):
        return float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        value = cohen_kappa_score(a, b)
    return float(value)


def krippendorff_alpha(matrix: np.ndarray) -> float:
    """Nominal Krippendorff's alpha of a coders × units 0/1 matrix (NaN = unit not coded by that coder)."""
    import krippendorff

    values = matrix[~np.isnan(matrix)] if np.issubdtype(matrix.dtype, np.floating) else matrix.ravel()
    if len(np.unique(values)) < 2:
        return float("nan")
    return float(krippendorff.alpha(reliability_data=matrix.astype(float), level_of_measurement="nominal"))


@dataclass
class ReliabilityResult:
    """Per-code agreement (``per_code``), the disagreements, and the coders compared.

    ``mean_kappa_interval`` is the 95 % bootstrap interval of :attr:`mean_kappa` over interviews (NaN with
    fewer than two).
    """

    per_code: pd.DataFrame
    disagreements: pd.DataFrame
    coders: list[str]
    n_units: int
    mean_kappa_interval: tuple[float, float] = (float("nan"), float("nan"))
    n_sources: int = 0

    @property
    def mean_kappa(self) -> float:
        return float(self.per_code["kappa"].mean(skipna=True))

    def interval_text(self) -> str:
        """`` (95 % interval 0.52–0.71 over 12 interviews)``, or nothing when it cannot be computed."""
        low, high = self.mean_kappa_interval
        if np.isnan(low):
            return ""
        return f" (95 % interval {low:.2f}–{high:.2f} over {self.n_sources} interviews)"

    @property
    def mean_alpha(self) -> float:
        return float(self.per_code["alpha"].mean(skipna=True))

    def summary(self) -> str:
        lines = [
            f"Agreement between {', '.join(self.coders)} on {self.n_units} units, {len(self.per_code)} codes",
            f"mean Cohen's kappa {self.mean_kappa:.3f}{self.interval_text()}; mean Krippendorff's alpha "
            f"{self.mean_alpha:.3f}; {len(self.disagreements)} disagreements",
            "(Reliability scores are optional in reflexive thematic analysis.)",
        ]
        table = self.per_code[["code_id", "percent_agreement", "kappa", "kappa_low", "kappa_high", "alpha"]]
        return "\n".join(lines) + "\n" + table.to_string(index=False, float_format=lambda v: f"{v:.3f}")


def compare_coders(
    units: pd.DataFrame,
    codings: dict[str, pd.DataFrame],
    code_ids: list[str],
    *,
    texts: dict[str, str] | None = None,
) -> ReliabilityResult:
    """Agreement per code between two or more coders on the same units.

    ``units`` are the codable segments (``source, turn_index`` and ``text``); each coding is a
    ``segments.csv``-like frame (``source, turn_index, code_id``; ``start, end`` for character level).
    With ``texts`` ({source: text}) character-level kappa is added (two coders only). ``kappa_low`` and
    ``kappa_high`` bound each code's kappa by resampling the units' ``source`` (the interviews).
    """
    if len(codings) < 2:
        raise ValueError("compare_coders needs at least two coders")
    coders = list(codings)
    matrices = {c: to_indicator_matrix(units, codings[c], code_ids) for c in coders}
    rows = []
    for code_id in code_ids:
        stacked = np.vstack([matrices[c][code_id].to_numpy() for c in coders])
        agree = (stacked == stacked[0]).all(axis=0)
        pair_kappas = [
            _kappa(stacked[i], stacked[j]) for i, j in itertools.combinations(range(len(coders)), 2)
        ]
        kappas = [k for k in pair_kappas if not np.isnan(k)]
        row = {
            "code_id": code_id,
            "n_units": stacked.shape[1],
            **{f"n_{c}": int(stacked[i].sum()) for i, c in enumerate(coders)},
            "percent_agreement": float(agree.mean()) if stacked.shape[1] else float("nan"),
            "kappa": float(np.mean(kappas)) if kappas else float("nan"),
            "alpha": krippendorff_alpha(stacked.astype(float)),
        }
        if texts is not None and len(coders) == 2:
            row["kappa_characters"] = character_kappa(
                texts, codings[coders[0]], codings[coders[1]], code_id, units
            )
        rows.append(row)
    per_code = pd.DataFrame(rows)
    sources = matrices[coders[0]].index.get_level_values("source").tolist()
    intervals, mean_interval = kappa_intervals(
        [matrices[c][code_ids].to_numpy() for c in coders], sources, labels=[0, 1]
    )
    return ReliabilityResult(
        with_interval_columns(per_code, intervals),
        disagreement_table(units, matrices, code_ids),
        coders,
        len(units),
        mean_kappa_interval=mean_interval,
        n_sources=len(set(sources)),
    )


def disagreement_table(
    units: pd.DataFrame, matrices: dict[str, pd.DataFrame], code_ids: list[str]
) -> pd.DataFrame:
    """One row per unit and code where the coders differ: who coded it, who did not, and the text."""
    coders = list(matrices)
    text_by_unit = dict(
        zip(
            zip(units["source"], units["turn_index"].astype(int), strict=True),
            units.get("text", pd.Series([""] * len(units))),
            strict=True,
        )
    )
    rows = []
    for code_id in code_ids:
        stacked = pd.DataFrame({c: matrices[c][code_id] for c in coders})
        differing = stacked[stacked.nunique(axis=1) > 1]
        for (source, turn), values in differing.iterrows():
            rows.append(
                {
                    "source": source,
                    "turn_index": int(turn),
                    "code_id": code_id,
                    "coded_by": ", ".join(c for c in coders if values[c] == 1),
                    "not_coded_by": ", ".join(c for c in coders if values[c] == 0),
                    "text": text_by_unit.get((source, int(turn)), ""),
                }
            )
    return pd.DataFrame(rows, columns=["source", "turn_index", "code_id", "coded_by", "not_coded_by", "text"])


def character_kappa(
    texts: dict[str, str],
    coding_a: pd.DataFrame,
    coding_b: pd.DataFrame,
    code_id: str,
    units: pd.DataFrame | None = None,
) -> float:
    """Cohen's kappa over characters: each character of the units (or of the whole texts) is coded or not.

    Character level rewards coders who select the same words, not just the same turns; it is the usual
    measure when coders select freely in NVivo or ATLAS.ti.
    """
    a_all, b_all = [], []
    for source, text in texts.items():
        length = len(text)
        mask_a = np.zeros(length, dtype=np.int8)
        mask_b = np.zeros(length, dtype=np.int8)
        for frame, mask in ((coding_a, mask_a), (coding_b, mask_b)):
            mine = frame[(frame["source"] == source) & (frame["code_id"] == code_id)]
            for start, end in zip(mine["start"].astype(int), mine["end"].astype(int), strict=True):
                mask[max(0, start) : min(length, end)] = 1
        if units is not None:
            scope = np.zeros(length, dtype=bool)
            mine = units[units["source"] == source]
            for start, end in zip(mine["start"].astype(int), mine["end"].astype(int), strict=True):
                scope[start:end] = True
            mask_a, mask_b = mask_a[scope], mask_b[scope]
        a_all.append(mask_a)
        b_all.append(mask_b)
    if not a_all:
        return float("nan")
    return _kappa(np.concatenate(a_all), np.concatenate(b_all))
