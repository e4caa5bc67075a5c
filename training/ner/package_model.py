"""Copy a trained NER pipeline into the package and write its card (data, split, scores, date, checksum).

    python training/ner/package_model.py build/ner/model/model-best ../shared/corpora/norne

The scores on the card are measured here, on NorNE dev (the split the model was selected on; the test split is
not in the repository's reach), by ``evaluate_norne.py``: the whole de-identifier (type-agnostic recall per
group, person words left, character precision) and the model alone (typed F1 with spaCy's scorer).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from evaluate_norne import run  # noqa: E402

from toolkit.deidentify.ner import CARD_FILE, MODEL_DIR, weights_checksum  # noqa: E402

MAX_BYTES = 20 * 1024 * 1024


def copy_pipeline(source: Path, target: Path) -> int:
    """Replace ``target`` with the saved pipeline at ``source``; returns its size in bytes."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    if size > MAX_BYTES:
        raise SystemExit(f"the pipeline is {size / 1e6:.1f} MB, over the 20 MB the package may ship")
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", type=Path, help="a saved spaCy pipeline (model-best of spacy train)")
    parser.add_argument("corpus", type=Path, help="NorNE folder (nob/, nno/)")
    parser.add_argument("--config", default="training/ner/config.cfg", help="the training config used")
    args = parser.parse_args()
    import spacy

    size = copy_pipeline(args.model, MODEL_DIR)
    scores = run(args.corpus, str(MODEL_DIR), doc_sentences=30, engine="direct")
    meta = json.loads((MODEL_DIR / "meta.json").read_text(encoding="utf-8"))
    card = {
        "name": "pdtk_nb_ner",
        "description": "Norwegian (Bokmål + Nynorsk) named-entity recogniser for de-identification, CPU tok2vec",
        "trained_on": "NorNE train (Bokmål and Nynorsk) with transcript-style augmentation (prepare_norne.py)",
        "selected_on": "NorNE dev (Bokmål + Nynorsk together), best ents_f during training",
        "data_licence": "NorNE annotations CC0; texts licensed to the National Library, not republished here",
        "labels": sorted(meta.get("labels", {}).get("ner", [])),
        "training_config": args.config,
        "spacy_version": spacy.__version__,
        "date": dt.date.today().isoformat(),
        "size_bytes": size,
        "scores_norne_dev": scores,
        "reference": "nb_core_news_sm 3.x published NER F 0.75-0.77 (all types)",
        "retrain": "make ner-model (reads ../shared/corpora/norne)",
    }
    card["sha256"] = weights_checksum(MODEL_DIR)
    (MODEL_DIR / CARD_FILE).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in card.items() if k != "scores_norne_dev"}, indent=2))
    print(json.dumps(scores, indent=2))


if __name__ == "__main__":
    main()
