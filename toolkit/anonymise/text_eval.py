"""Moved to :mod:`toolkit.deidentify.evaluate`; kept for one release so that old scripts keep working."""

from toolkit.deidentify.evaluate import *  # noqa: F403
from toolkit.deidentify.evaluate import read_marked_file, write_gold_jsonl  # noqa: F401
