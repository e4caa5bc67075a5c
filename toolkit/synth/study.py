"""Everything ``pdtk synth`` writes: the register cohort, transcripts and the phase 3 panel, with truth files.

All of it is SYNTHETIC: identity numbers are Skatteetaten Tenor test numbers (month + 80), so none can be a real
person's; names and addresses are drawn from Faker's ``no_NO`` lists.
"""

from __future__ import annotations

from pathlib import Path

from toolkit.synth.panel import write_panel
from toolkit.synth.register import write_synthetic_study


def write_all(
    out_dir: str | Path, *, n: int = 5000, seed: int = 2021, n_transcripts: int = 12
) -> dict[str, Path]:
    """Write the whole synthetic study under ``out_dir``; returns what was written by name."""
    out_dir = Path(out_dir)
    written = dict(write_synthetic_study(out_dir, n=n, seed=seed, n_transcripts=n_transcripts))
    written.update({f"panel/{k}": v for k, v in write_panel(out_dir / "panel", seed=seed).items()})
    return written
