"""Would a tone model learned across the tuning sets beat the actor tone rules? (issue 17; leave-one-set-out)

    .venv/bin/python bench/eval_actor_tone_model.py

Why this script: the actor tone (``toolkit.coding.actors``) is a hand-written lexicon, scoping rules, a
four-turn ``blandet`` rule and a category prior. The idea tried here is a small classifier over per
transcript × actor features that do not depend on a set (scoped positive/negative hits, unscoped hits in
the same turns, turns, share of turns, contrast words, the question before, the actor's category, the rules'
own label) and, as a second variant, those plus the words of the sentences naming the actor. Each set is
held out in turn: the model and its regularisation strength (chosen by an inner leave-one-set-out on the
other six) are fitted on six tuning sets and scored on the seventh, over the actors both the gold and the
extractor mark as mentioned (the pairs ``bench/eval_actors.py`` scores). The rules' figure is printed next
to it. Only the tuning sets are read (:data:`TUNING_SETS`); the report-only sets never.

Result (kept as the reason the rules stay; 72 s): held-out kappa, mean over the seven sets, rules 0.441
(their prior and four-turn rule were themselves chosen on these sets, so that figure flatters them a little),
``counts`` 0.455, ``extra`` 0.451, ``words`` 0.449; each loses more than 0.03 on some set (counts: set4
0.532 against 0.574; extra and words: set10 0.350 against 0.395). None reaches the margin the issue asks of a change (+0.03 mean, no set worse by more than
0.03): the pairs the rules get wrong are mostly actors with no evaluative word found (40 % of the pairs,
gold spread over all four tones), where none of these features carries the missing signal.

Ninth session (2026-12-05): the variant ``interview`` adds the speaker's overall stance (:data:`INTERVIEW`:
the whole interview's evaluative hits per participant turn and their balance, the share of the other
actors the rules judge positive or negative) for the unevaluated actors: 0.446, no better than ``extra``
(0.451). The transcript's group (deviant, comparison, adviser) would be a strong prior, and was not tried
on purpose: the tone by group is what the study compares, so it must not be read off the group.

``--third``: tone adapted to one study's reviewer (:func:`adapted_to_a_third`; writers differ in how they
judge, so a study's own reviewed third might teach its convention): mean kappa on the other two thirds
0.325–0.435 against the rules' 0.439 on the same pairs — never better; a third's 25–30 pairs move the majority
of a cell too easily. Not built.
"""

from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy.sparse import csr_matrix, hstack  # noqa: E402
from set_roles import coding_sets  # noqa: E402
from sklearn.feature_extraction.text import CountVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import cohen_kappa_score  # noqa: E402

from toolkit.coding.actors import NOT_PUBLIC_SERVICES, TONES, WISH_QUESTION, ActorExtractor  # noqa: E402
from toolkit.coding.segments import turn_columns  # noqa: E402
from toolkit.io import read_transcript  # noqa: E402

TUNING_SETS = tuple(folder.name for folder in coding_sets(report=False, needs="actors_gold.csv"))
"""The only sets read here: the tuning sets of ``bench/set_roles.py`` (never a report-only one)."""
CATEGORIES = ("specialist", "public", "family", "informal")
CONTRAST = re.compile(r"\b(?:men|selv om|sjøl om|likevel|enda|bortsett fra)\b", re.IGNORECASE)
NEGATION = re.compile(r"\b(?:ikke|ikkje|itte|itj|aldri|ingen|inga|ingenting)\b", re.IGNORECASE)
HARD_QUESTION = re.compile(r"vanskel|verst|dårl|savn|mangl|annerledes|annleis|burde", re.IGNORECASE)
COUNTS = ("pm", "nm", "pc", "nc", "pq", "nq", "n_turns")
"""Scoped hits (p/n) in mention rows (m), continuation rows (c) and from the question (q); turns."""
EXTRA = ("pu", "nu", "share", "contrast", "negations", "hard_question", "wish_question", "n_mentions")
INTERVIEW = (
    "interview_positive",
    "interview_negative",
    "interview_balance",
    "others_positive",
    "others_negative",
)
"""The whole interview's evaluative hits per participant turn and their balance, and the share of the other
actors the rules judge positive or negative (variant ``interview``: does the speaker's overall stance carry
the unevaluated actors' tone?)."""
STRENGTHS = (0.03, 0.1, 0.3, 1.0)


def category(actor: str) -> str:
    """The actor's category, as the tone prior groups them."""
    if actor == "familie":
        return "family"
    if actor in ("BUP", "DPS"):
        return "specialist"
    return "informal" if actor in NOT_PUBLIC_SERVICES else "public"


def _evidence(value: object) -> list[tuple[int, int]]:
    """``start-end:+`` items of a ``tone_evidence`` cell as ``(start, ±1)``."""
    items = [item.rsplit(":", 1) for item in str(value).split(";") if item]
    return [(int(span.split("-")[0]), 1 if sign == "+" else -1) for span, sign in items]


def _sentence_at(text: str, start: int, end: int) -> str:
    """The sentence around a mention (what a coder reads to judge it)."""
    low = max(text.rfind(mark, 0, start) for mark in ".!?\n") + 1
    ends = [at for at in (text.find(mark, end) for mark in ".!?\n") if at >= 0]
    return text[low : min(ends) if ends else len(text)]


def transcript_features(extractor: ActorExtractor, text: str, source: str) -> list[dict[str, object]]:
    """One feature row per actor the extractor marks as mentioned in one transcript."""
    turns = pd.DataFrame(turn_columns(text, source))
    spoken = turns[turns["role"] == "participant"]
    hits = {int(t.turn_index): extractor.sentence_tone(t.text, int(t.start)) for t in spoken.itertuples()}
    before = {int(i): str(turns["text"].get(int(i) - 1, "")) for i in spoken["turn_index"]}
    rules = extractor.transcript_actors(text, source).set_index("actor")["tone"]
    rows = extractor.mentions(text, source)
    inside = [(int(t.start), int(t.end)) for t in spoken.itertuples()]
    stance = [polarity for found in hits.values() for _, _, polarity in found]
    positive, negative = sum(p > 0 for p in stance), sum(p < 0 for p in stance)
    out = []
    for actor, mine in rows.groupby("actor"):
        named = mine[mine["kind"] == "mention"]
        if named.empty:
            continue
        in_turns = sorted(set(named["turn_index"].astype(int)))
        evidence = [e for value in mine["tone_evidence"] for e in _evidence(value)]
        spoken_ev = {e for e in evidence if any(a <= e[0] < b for a, b in inside)}
        named_ev = [e for value in named["tone_evidence"] for e in _evidence(value)]
        other_ev = [e for e in spoken_ev if e not in set(named_ev)]
        asked_ev = [e for e in evidence if e not in spoken_ev]
        unscoped = [(s, p) for i in in_turns for s, _, p in hits[i] if (s, p) not in set(evidence)]
        said = " ".join(str(turns["text"][i]) for i in in_turns)
        out.append(
            {
                "actor": actor,
                "rule": rules[actor],
                "category": category(str(actor)),
                **_polarity_counts("m", named_ev),
                **_polarity_counts("c", other_ev),
                **_polarity_counts("q", asked_ev),
                **_polarity_counts("u", unscoped),
                "n_turns": len(in_turns),
                "n_mentions": len(named),
                "share": len(in_turns) / max(1, len(spoken)),
                "contrast": len(CONTRAST.findall(said)) / len(in_turns),
                "negations": len(NEGATION.findall(said)) / len(in_turns),
                "hard_question": sum(bool(HARD_QUESTION.search(before[i])) for i in in_turns),
                "wish_question": sum(bool(WISH_QUESTION.search(before[i])) for i in in_turns),
                "context": " ".join(_sentence_at(text, int(r.start), int(r.end)) for r in named.itertuples()),
                "interview_positive": positive / max(1, len(spoken)),
                "interview_negative": negative / max(1, len(spoken)),
                "interview_balance": (positive - negative) / max(1, positive + negative),
            }
        )
    for row in out:
        others = [other["rule"] for other in out if other["actor"] != row["actor"]]
        row["others_positive"] = others.count("positiv") / max(1, len(others))
        row["others_negative"] = others.count("negativ") / max(1, len(others))
    return out


def _polarity_counts(suffix: str, evidence: list[tuple[int, int]]) -> dict[str, int]:
    return {f"p{suffix}": sum(p > 0 for _, p in evidence), f"n{suffix}": sum(p < 0 for _, p in evidence)}


def set_cases(folder: Path, extractor: ActorExtractor) -> pd.DataFrame:
    """Feature rows of one set joined to its gold tone (actors both gold and extractor mark as mentioned)."""
    gold = pd.read_csv(folder / "actors_gold.csv", dtype={"tone": str}, keep_default_na=False)
    gold = gold[gold["mentioned"] == 1].set_index(["source", "actor"])["tone"]
    rows = []
    for path in sorted((folder / "transcripts").glob("*.txt")):
        for row in transcript_features(extractor, read_transcript(path), path.name):
            if (path.name, row["actor"]) in gold.index:
                rows.append(
                    {"set": folder.name, "source": path.name, "gold": gold[(path.name, row["actor"])], **row}
                )
    return pd.DataFrame(rows)


def dense(cases: pd.DataFrame, extra: bool | str) -> np.ndarray:
    """One-hot rule label and category, log counts, and optionally the :data:`EXTRA` features."""
    columns = [(cases["rule"] == tone).astype(float) for tone in TONES]
    columns += [(cases["category"] == name).astype(float) for name in CATEGORIES]
    columns += [np.log1p(cases[name].astype(float)) for name in COUNTS]
    if extra:
        columns += [cases[name].astype(float) for name in EXTRA]
    if extra == "interview":
        columns += [cases[name].astype(float) for name in INTERVIEW]
    return np.column_stack(columns)


def fit_predict(train: pd.DataFrame, test: pd.DataFrame, variant: str, strength: float) -> np.ndarray:
    """Multinomial logistic regression on standardised features (plus sentence words for ``words``)."""
    extra = "interview" if variant == "interview" else variant != "counts"
    x_train, x_test = dense(train, extra), dense(test, extra)
    mean, scale = x_train.mean(0), x_train.std(0) + 1e-9
    x_train, x_test = csr_matrix((x_train - mean) / scale), csr_matrix((x_test - mean) / scale)
    if variant == "words":
        words = CountVectorizer(min_df=3, binary=True)
        x_train = hstack([x_train, 0.3 * words.fit_transform(train["context"])]).tocsr()
        x_test = hstack([x_test, 0.3 * words.transform(test["context"])]).tocsr()
    model = LogisticRegression(C=strength, max_iter=3000).fit(x_train, train["gold"])
    return model.predict(x_test)


def held_out_kappa(cases: pd.DataFrame, variant: str, test: str, strengths: tuple[float, ...]) -> float:
    """Kappa on ``test`` of the model fitted on the other sets, its strength chosen leaving each of those
    out in turn (so nothing about ``test`` chooses anything)."""
    train_sets = [name for name in TUNING_SETS if name != test]

    def inner(strength: float) -> float:
        return float(np.mean([_kappa(cases, variant, held, strength, train_sets) for held in train_sets]))

    best = max(strengths, key=inner) if len(strengths) > 1 else strengths[0]
    return _kappa(cases, variant, test, best, [*train_sets, test])


def _kappa(cases: pd.DataFrame, variant: str, test: str, strength: float, sets: list[str]) -> float:
    train = cases[cases["set"].isin(sets) & (cases["set"] != test)]
    held = cases[cases["set"] == test]
    return float(cohen_kappa_score(held["gold"], fit_predict(train, held, variant, strength)))


ADAPTED_KEYS = ("rule", "rule × evidence", "rule × category")
ADAPTED_PRIORS = (0, 1, 2)


def adapted_key(cases: pd.DataFrame, key: str) -> pd.Series:
    """What the reviewer's third is tallied by: the rules' label, with whether any evaluative word was
    found for the actor, or with the actor's category."""
    evidence = (cases[["pm", "pc", "pq", "nm", "nc", "nq"]].sum(axis=1) > 0).map({True: "+", False: "0"})
    extra = {"rule": "", "rule × evidence": evidence, "rule × category": cases["category"]}[key]
    return cases["rule"] + "|" + extra


def adapted_to_a_third(cases: pd.DataFrame) -> pd.DataFrame:
    """Tone adapted to one study's reviewer: in each set, a third of the transcripts plays the reviewed part
    (the gold's tones); each key's most frequent reviewed tone, with ``prior`` pseudo-counts for the rules'
    own label, replaces the rules' label on the other two thirds. Kappa there, mean of the three rounds."""
    from toolkit.coding.evaluate import transcript_thirds

    rows = []
    for name, one in cases.groupby("set"):
        for third in transcript_thirds(one["source"].tolist()):
            reviewed = one["source"].isin(third)
            train, test = one[reviewed], one[~reviewed]
            row = {"set": name, "rules": cohen_kappa_score(test["gold"], test["rule"])}
            for key in ADAPTED_KEYS:
                tallies = pd.crosstab(adapted_key(train, key), train["gold"])
                for prior in ADAPTED_PRIORS:
                    counts = tallies.copy()
                    for label in counts.index:
                        rule = label.split("|")[0]
                        counts.loc[label, rule] = counts.loc[label].get(rule, 0) + prior
                    choice = counts.idxmax(axis=1)
                    keys = adapted_key(test, key)
                    predicted = [choice.get(k, r) for k, r in zip(keys, test["rule"], strict=True)]
                    row[f"{key}, prior {prior}"] = cohen_kappa_score(test["gold"], predicted)
            rows.append(row)
    table = pd.DataFrame(rows).groupby("set").mean()
    table.loc["mean"] = table.mean()
    return table.T


def main() -> int:
    warnings.filterwarnings("ignore", category=FutureWarning)
    extractor = ActorExtractor()
    cases = pd.concat([set_cases(ROOT / "tests/data/coding_blind" / name, extractor) for name in TUNING_SETS])
    if "--third" in sys.argv[1:]:
        print(adapted_to_a_third(cases).round(3).to_string())
        return 0
    by_set = cases.groupby("set")
    table = pd.DataFrame(
        {
            "pairs": by_set.size().astype(float),
            "rules": {name: cohen_kappa_score(one["gold"], one["rule"]) for name, one in by_set},
            **{
                variant: {name: held_out_kappa(cases, variant, name, STRENGTHS) for name in TUNING_SETS}
                for variant in ("counts", "extra", "words", "interview")
            },
        }
    ).loc[list(TUNING_SETS)]
    table.loc["mean"] = table.mean()
    print(table.round(3).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
