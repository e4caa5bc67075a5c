"""Several synthetic regions, each a register of its own, with a hidden practice planted in one of them.

Every value is SYNTHETIC (see :mod:`toolkit.synth.register`). Each region is a cohort from
:func:`~toolkit.synth.register.make_register` with its own seed and its own municipalities, schools and NAV
offices (the region's name is written into every unit label, so no two regions share a unit). The truth is
planted at region level:

* the **planted region** has the hidden practice (a fixed trusted adult through the transitions) for
  :data:`PLANTED_REGION_SHARE` of its young people, everywhere in the region; the others have the baseline
  share (5 %) and no planted municipality or school;
* every region completes upper secondary school on the same outcome model with one fixed intercept
  (:data:`REGION_SUCCESS_INTERCEPT`), so the practice raises the planted region's completion; calibrating
  each region to the same mean (what a single cohort does) would hide exactly that;
* one region (:data:`DISADVANTAGED_REGION`, the third) has a harder intake: young people without any
  measured risk factor are kept with probability :data:`EASY_KEEP_SHARE` only. Its completion is lower, but
  only because of risk factors the model sees, so a fair comparison must *not* flag it.

``truth/regions.json`` says which region has the planted gain and how large each region's true gain is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit.io import atomic_write_text, write_csv, write_json
from toolkit.synth.panel import make_panel
from toolkit.synth.register import PRACTICE_DESCRIPTION, make_register, tenor_numbers

REGION_NAMES = ("nord", "midt", "sor", "vest", "ost", "fjell", "kyst", "dal")
"""Names of the synthetic regions, in order (a study with k regions uses the first k)."""
REGION_SUCCESS_INTERCEPT = 2.245
"""Completion intercept shared by all regions: with the baseline practice share it gives a mean completion of
0.78 (the single cohort's target), found by bisection on 100,000 people and checked by the tests."""
BASELINE_SHARE = {"baseline": 0.05, "planted_kommune": 0.05, "planted_skole": 0.05}
"""Practice shares in a region without the planted practice: the baseline everywhere."""
PLANTED_REGION_SHARE = {"baseline": 0.40, "planted_kommune": 0.40, "planted_skole": 0.40}
"""Practice shares in the planted region: the practice is common in every municipality and school."""
DISADVANTAGED_REGION = 2
"""Index of the region with the harder intake (when there are at least three regions)."""
EASY_KEEP_SHARE = 0.55
"""Share of young people without any measured risk factor kept in the disadvantaged region."""
_MEASURED_RISK = ["husholdning_lavinntekt", "barnevern", "foreldre_trygd", "psykisk_helse_kontakt"]


@dataclass
class SyntheticRegions:
    """One raw register and its per-person truth for each region, and the region-level truth."""

    registers: dict[str, pd.DataFrame]
    truths: dict[str, pd.DataFrame]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def planted(self) -> str | None:
        """The region with the planted practice (None for a control without one)."""
        return self.meta["planted_region"]

    def pooled(self, column: str = "region") -> pd.DataFrame:
        """All regions in one register with a region column (the ``region_column:`` form)."""
        return pd.concat(
            [frame.assign(**{column: name}) for name, frame in self.registers.items()], ignore_index=True
        )


def make_regions(
    n_regions: int = 3, n: int = 2000, seed: int = 2021, *, planted: str | None = "midt"
) -> SyntheticRegions:
    """``n_regions`` synthetic regions of about ``n`` young people each; ``planted`` names the region with
    the practice (one of the first ``n_regions`` of :data:`REGION_NAMES`), or None for a control study."""
    if not 2 <= n_regions <= len(REGION_NAMES):
        raise ValueError(f"n_regions must be between 2 and {len(REGION_NAMES)}, got {n_regions}")
    names = list(REGION_NAMES[:n_regions])
    if planted is not None and planted not in names:
        raise ValueError(f"planted region '{planted}' is not one of {', '.join(names)}")
    registers, truths, rows = {}, {}, []
    for index, name in enumerate(names):
        disadvantaged = index == DISADVANTAGED_REGION
        cohort = make_register(
            int(n / EASY_KEEP_SHARE) + 10 if disadvantaged else n,
            seed=int(seed) * 100 + index,
            practice_share=PLANTED_REGION_SHARE if name == planted else BASELINE_SHARE,
            success_intercept=REGION_SUCCESS_INTERCEPT,
        )
        register, truth = cohort.register, cohort.truth
        if disadvantaged:
            keep = _harder_intake(register, np.random.default_rng([int(seed), 17]))[:n]
            register, truth = register.iloc[keep], truth.iloc[keep]
        registers[name], truths[name] = _own_units(register.reset_index(drop=True), name), truth
        rows.append(_region_truth(name, register, truth, planted=name == planted, harder=disadvantaged))
    _unique_identity_numbers(registers, truths, seed)
    meta = {
        "synthetic": True,
        "label": "SYNTETISKE DATA / SYNTHETIC DATA — no real person",
        "generator": "toolkit.synth.regions.make_regions",
        "seed": int(seed),
        "n_per_region": int(n),
        "planted_region": planted,
        "practice": PRACTICE_DESCRIPTION,
        "practice_share_planted": dict(PLANTED_REGION_SHARE),
        "practice_share_other": dict(BASELINE_SHARE),
        "success_intercept": REGION_SUCCESS_INTERCEPT,
        "harder_intake": "young people without a measured risk factor kept with probability "
        f"{EASY_KEEP_SHARE} (selection on measured risk factors only)",
        "regions": rows,
    }
    return SyntheticRegions(registers, truths, meta)


def _harder_intake(register: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Row positions kept for a region with a harder intake: selection on measured risk factors only."""
    at_risk = register[_MEASURED_RISK].astype(bool).any(axis=1).to_numpy() | (
        register["foreldre_utdanning"].to_numpy() == "Grunnskole"
    )
    keep = at_risk | (rng.random(len(register)) < EASY_KEEP_SHARE)
    return np.flatnonzero(keep)


def _own_units(register: pd.DataFrame, name: str) -> pd.DataFrame:
    """The region's own municipalities, schools and NAV offices: its name in every unit label."""
    out = register.copy()
    out["kommune"] = name + "-" + out["kommune"].astype(str)
    out["vgs_skole"] = out["vgs_skole"].astype(str) + f" ({name})"
    out["nav_kontor"] = out["nav_kontor"].astype(str) + f" ({name})"
    return out


def _unique_identity_numbers(
    registers: dict[str, pd.DataFrame], truths: dict[str, pd.DataFrame], seed: int
) -> None:
    """Draw the identity numbers again over all regions at once: regions drawn apart could share one."""
    born = np.concatenate([r["fodselsdato"].to_numpy(dtype="datetime64[D]") for r in registers.values()])
    rng = np.random.default_rng([int(seed), 23])
    fnr = tenor_numbers(born, rng.random(len(born)) < 0.03, rng)
    start = 0
    for name, register in registers.items():
        stop = start + len(register)
        register["fnr"] = fnr[start:stop]
        truths[name] = truths[name].reset_index(drop=True).assign(fnr=fnr[start:stop])
        start = stop


def _region_truth(
    name: str, register: pd.DataFrame, truth: pd.DataFrame, *, planted: bool, harder: bool
) -> dict[str, Any]:
    """What a region really is: planted or not, its practice share and the completion gain it causes."""
    gain = truth["true_p"].to_numpy() - truth["true_p_without_practice"].to_numpy()
    return {
        "region": name,
        "n": len(register),
        "planted": planted,
        "harder_intake": harder,
        "practice_share": round(float(truth["has_practice"].mean()), 4),
        "true_gain_pp": round(float(gain.mean() * 100), 2),
        "observed_completion": round(float(register["fullfort_vgs_5aar"].mean()), 4),
    }


def make_region_panel(names: list[str], seed: int) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A phase 3 panel (municipality × year, with an adoption year) for every region, pooled with a
    ``region`` column, and each region's planted effects.

    Each region's panel is :func:`toolkit.synth.panel.make_panel` with its own seed and the region's name in
    the municipality codes; the planted effect of the adopted practice is the same in every region (the
    truth says so), so phase 3 per region should find it in each.
    """
    frames, truth = [], {}
    for index, name in enumerate(names):
        data = make_panel(int(seed) * 100 + index)
        panel = data.panel.copy()
        panel["kommune"] = name + "-" + panel["kommune"].astype(str)
        frames.append(panel.assign(region=name))
        truth[name] = data.truth
    return pd.concat(frames, ignore_index=True), truth


README_TEXT = """SYNTETISKE DATA — SYNTHETIC DATA

Alt i denne mappen er oppdiktet og laget av pdtk (toolkit.synth.regions) med seed {seed}: {k} regioner,
hver med sitt eget register (<region>/register.csv). En skjult praksis er plantet i regionen {planted}
(se truth/regions.json). Mappene truth/ og <region>/truth/ er fasit og skal ikke gis til analysen.
panel/panel.csv er et fase 3-panel (kommune x år) for alle regionene, med en kolonne region.

Everything here is synthetic, generated by pdtk (toolkit.synth.regions) with seed {seed}: {k} regions, each
with its own register (<region>/register.csv). A hidden practice is planted in region {planted} (see
truth/regions.json). The truth/ folders hold the right answers and must not be given to the analysis.
panel/panel.csv is a phase 3 panel (municipality x year) of every region, with a region column.
"""


def write_regions(
    out_dir: str | Path, *, n_regions: int = 3, n: int = 2000, seed: int = 2021, planted: str | None = "midt"
) -> dict[str, Path]:
    """Write every region's register and truth, the region truth and a README under ``out_dir``."""
    out_dir = Path(out_dir)
    regions = make_regions(n_regions, n, seed, planted=planted)
    written: dict[str, Path] = {}
    for name, register in regions.registers.items():
        written[f"{name}/register"] = write_csv(out_dir / name / "register.csv", register)
        written[f"{name}/truth"] = write_csv(
            out_dir / name / "truth" / "register_truth.csv", regions.truths[name]
        )
    written["regions_truth"] = write_json(out_dir / "truth" / "regions.json", regions.meta)
    panel, panel_truth = make_region_panel(list(regions.registers), seed)
    written["panel"] = write_csv(out_dir / "panel" / "panel.csv", panel)
    written["panel_truth"] = write_json(out_dir / "panel" / "truth" / "panel_truth.json", panel_truth)
    written["readme"] = atomic_write_text(
        out_dir / "README.txt", README_TEXT.format(seed=seed, k=n_regions, planted=planted or "(ingen/none)")
    )
    return written
