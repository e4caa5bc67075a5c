"""The protocol library: starting documents for a new study (``pdtk init STUDY_DIR``).

A study starts from a protocol whose thresholds are fixed before the data are seen (pre-registration), the
Norwegian codebook, interview guides, the information letter and consent text, and a DPIA template. They live
in
the repository's ``protocols/`` folder; ``init_study`` copies them and writes a protocol for the new folder.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from toolkit.errors import InputDataError

LIBRARY_DIR = Path(__file__).resolve().parents[1] / "protocols"
DOCUMENTS = (
    "codebook_nb.yml",
    "intervjuguide_ungdom.md",
    "intervjuguide_veileder.md",
    "intervjuguide_nettverk.md",
    "informasjonsskriv_samtykke.md",
    "personvernkonsekvensvurdering_mal.md",
    "preregistrering_mal.md",
)

PROTOCOL_TEMPLATE = """\
# Study protocol for {study}. Fix outcome, risk factors and thresholds BEFORE looking at the data
# (see preregistrering_mal.md); pdtk records this file's content hash in every report.
study: {study}
seed: 2021
data:
  register: data/register.csv          # csv / parquet / sav / dta / xlsx — the raw extract
  transcripts: data/transcripts/       # optional; delete this line if there are no interviews
  results: results                     # all outputs go below here
privacy:
  id_column: fnr
  drop: [navn, adresse, telefon]
  quasi_identifiers:
    fodselsdato: year
    postnr: drop
    kjonn: keep
    kommune: keep
  sensitive: []
  k: 5
  min_cell: 5
  key_file: ~/.config/pdtk/keys/{study}.key   # secret key: never under results/ or in a repository
  restricted_dir: restricted                 # contact list for the data controller only
outcome: fullfort_vgs_5aar
risk_factors: [foreldre_utdanning, husholdning_lavinntekt, barnevern, grunnskolepoeng]
units: [kommune]
deviance:
  model: auto
  folds: 5
  high_risk_quantile: 0.75
  unit_limit: 0.998
coding:
  codebook: codebook_nb.yml
"""


def init_study(study_dir: str | Path) -> list[Path]:
    """Create ``study_dir`` with a protocol and the library documents; refuses to overwrite a protocol."""
    study_dir = Path(study_dir)
    protocol_path = study_dir / "protocol.yml"
    if protocol_path.exists():
        raise InputDataError("a protocol already exists here", file=protocol_path, fix="choose a new folder")
    if not LIBRARY_DIR.is_dir():
        raise InputDataError(
            "the protocol library is not installed",
            file=LIBRARY_DIR,
            fix="install pdtk from its repository (pip install -e .)",
        )
    study = re.sub(r"[^A-Za-z0-9_.\-]", "-", study_dir.resolve().name).strip("-.") or "study"
    (study_dir / "data" / "transcripts").mkdir(parents=True, exist_ok=True)
    written = []
    protocol_path.write_text(PROTOCOL_TEMPLATE.format(study=study), encoding="utf-8")
    written.append(protocol_path)
    for name in DOCUMENTS:
        source = LIBRARY_DIR / name
        if source.exists():
            written.append(Path(shutil.copy2(source, study_dir / name)))
    return written
