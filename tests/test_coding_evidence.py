"""Evidence-weighted rule coding (toolkit.coding.evidence, AutoCoder) and the evaluation helpers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from toolkit.coding import evidence as ev
from toolkit.coding.autocode import AutoCoder, inclusion_text, question_texts
from toolkit.coding.codebook import Code, Codebook
from toolkit.coding.evaluate import mean_kappa, substring_baseline, transcript_thirds
from toolkit.coding.segments import split_turns

BOOK = Codebook(
    "t",
    [
        Code(
            id="skole",
            name="Skole",
            description="Frafall fra videregående. Ikke når lærer bare nevnes som yrke.",
            keywords=("skole", "fravær", "person"),
        ),
        Code(id="arbeid", name="Arbeid", description="Jobb og lønn.", keywords=("jobb", "lærling")),
    ],
)


def _corpus() -> list[str]:
    """Turns where 'person' passes by everywhere, 'skole' and 'fravær' keep each other company."""
    school = [
        "Jeg hadde mye fravær på skolen.",
        "Skolen ringte om fraværet mitt.",
        "Fraværet på skolen økte.",
    ]
    passing = [f"Hun var en fin person, vi snakket om film nummer {i}." for i in range(20)]
    work = ["Jeg fikk jobb som lærling.", "Jobben gir meg lønn."] * 3
    return school + passing + work


def test_generic_keyword_weighs_less_than_keywords_in_company():
    coder = AutoCoder(BOOK, description_words=False)
    texts = _corpus()
    coder.fit_weights(coder.match(texts), len(texts))
    weight = {e.label: w for e, w in zip(coder.entries, coder.weights_, strict=True)}
    assert weight["person"] < 0.5 * weight["skole"]
    assert weight["fravær"] == pytest.approx(weight["skole"], rel=0.35)
    scores, _ = coder.score_texts(texts)
    assert scores[3, 0] < ev.DEFAULT_THRESHOLD * ev.MAIN_THEME_FACTOR  # 'person' alone does not code
    assert scores[0, 0] >= ev.DEFAULT_THRESHOLD


def test_few_texts_keep_base_weights():
    coder = AutoCoder(BOOK, description_words=False)
    texts = _corpus()[:5]
    coder.fit_weights(coder.match(texts), len(texts))
    keywords = [w for e, w in zip(coder.entries, coder.weights_, strict=True) if e.kind == "keyword"]
    assert keywords == pytest.approx([1.0] * len(keywords))


def test_passing_mention_in_a_long_turn_weighs_less_than_a_focused_turn():
    coder = AutoCoder(BOOK, description_words=False)
    long_turn = " ".join(["Vi dro på hytta i helgen og grillet."] * 5) + " Jeg har en jobb."
    focused = "Jeg har en jobb."
    scores, _ = coder.score_texts([long_turn, focused])
    assert scores[0, 1] < scores[1, 1]


def test_description_exclusions_are_not_evidence():
    assert "yrke" not in inclusion_text(BOOK["skole"].description)
    labels = {e.label for e in AutoCoder(BOOK).entries if e.kind == "description"}
    assert "frafall" in labels and "yrke" not in labels and "lærer" not in labels


def test_stems_match_derivations():
    coder = AutoCoder(BOOK, description_words=False)
    assert "arbeid" in coder.code_text("Jeg jobbet der i to år.")  # jobbe (verb) for the keyword jobb


def test_interviewer_turns_are_never_coded_but_give_context():
    text = "I: Hvordan var det på skolen, med fraværet?\n\nU: Det var tungt, jeg orket ikke å gå dit.\n"
    segments = split_turns(text, "a.txt")
    coder = AutoCoder(BOOK)
    out = coder.transform(segments)
    assert (out["turn_index"] != 0).all()
    assert question_texts(segments, segments[segments["role"] != "interviewer"])[0].startswith("Hvordan")
    units, scores, _ = coder.unit_scores(segments)
    alone, _ = AutoCoder(BOOK, use_question=False).unit_scores(segments)[1:]
    assert scores[0, 0] > alone[0, 0] == 0


def test_every_coded_segment_has_confidence_and_evidence_words():
    text = "I: Jobb?\n\nU: Jeg fikk jobb som lærling i fjor, og jobben gir lønn.\n"
    out = AutoCoder(BOOK).transform(split_turns(text, "a.txt"))
    row = out[out["code_id"] == "arbeid"].iloc[0]
    assert 0.5 <= row["confidence"] < 1
    assert "jobb" in row["evidence"] and "lærling" in row["evidence_words"]


def test_confidence_is_one_half_at_the_threshold():
    assert ev.confidence(np.array([0.5, 1.5]), 0.5) == pytest.approx([0.5, 0.75])


def test_main_theme_is_coded_at_a_lower_threshold():
    scores = np.array([[0.35, 0.32], [0.2, 0.0], [0.6, 0.55]])
    mask = ev.coded_mask(scores, np.array([0.5, 0.5]))
    assert mask.tolist() == [[True, False], [False, False], [True, True]]


def test_mean_kappa_matches_scikit_learn():
    rng = np.random.default_rng(1)
    gold = pd.DataFrame(rng.integers(0, 2, (60, 3)), columns=list("abc"))
    predicted = pd.DataFrame(rng.integers(0, 2, (60, 3)), columns=list("abc"))
    mean, per_theme = mean_kappa(gold, predicted)
    expected = [cohen_kappa_score(gold[c], predicted[c]) for c in "abc"]
    assert per_theme.tolist() == pytest.approx(expected, abs=1e-12)
    assert mean == pytest.approx(np.mean(expected), abs=1e-12)


def test_substring_baseline_and_thirds():
    found = substring_baseline(BOOK, ["Skolebussen kom", "ingen ting her", "Jobbsøknad sendt"])
    assert found["skole"].tolist() == [1, 0, 0] and found["arbeid"].tolist() == [0, 0, 1]
    thirds = transcript_thirds([f"t{i}.txt" for i in range(12)] * 3)
    assert sorted(sum(thirds, [])) == sorted(f"t{i}.txt" for i in range(12))
    assert [len(t) for t in thirds] == [4, 4, 4]


def test_adapted_rules_learn_the_teams_words_and_keyword_reliability():
    from toolkit.coding.adapt import adapt_rules, learned_words

    tokens = [{"sjef", "lager"}, {"sjef", "truck"}, {"sjef"}, {"film"}, {"film", "sjef"}]
    labels = np.array([[0, 1], [0, 1], [0, 1], [0, 0], [0, 0]])
    words = learned_words(tokens, labels, known=set())
    assert words[1][0] == "sjef" and "film" not in words[1] and words[0] == []
    texts = ["Sjefen min er grei.", "Sjefen ga meg mer ansvar.", "Sjefen ringte i går."] * 3 + [
        "Vi så en film.",
        "En person jeg kjenner.",
    ] * 6
    y = np.array([[0, 1]] * 9 + [[0, 0]] * 12)
    coder = adapt_rules(BOOK, AutoCoder(BOOK).analyzer, texts, None, y, [{"sjef"}] * 9 + [{"film"}] * 12)
    assert any(e.kind == "learned" and e.label == "sjef" for e in coder.entries)
    scores, _ = coder.score_texts(["Sjefen var sint."])
    assert ev.coded_mask(scores, coder.thresholds)[0, 1]


def _shares(scores: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    return ev.coded_mask(scores, thresholds).mean(axis=0)


def test_prevalence_bounds_move_only_themes_coded_too_rarely_or_too_often():
    rng = np.random.default_rng(0)
    n = 200
    rare = np.where(rng.random(n) < 0.3, rng.random(n) * 0.25, 0.0)  # some evidence, never enough
    common = rng.random(n) * 2.0  # over the threshold in ~3/4 of the turns
    middle = np.where(np.arange(n) < 20, 1.0, 0.0)  # coded in 10 %: inside the bounds
    none = np.zeros(n)  # no evidence at all: never coded, however rare
    scores = np.column_stack([rare, common, middle, none])
    given = np.full(4, 0.5)
    before = _shares(scores, given)
    assert before[0] == 0 and before[1] > 0.6
    bounded = ev.prevalence_bounded_thresholds(scores, given)
    after = _shares(scores, bounded)
    assert ev.MIN_PREVALENCE <= after[0] <= 2 * ev.MIN_PREVALENCE
    assert after[1] <= ev.MAX_PREVALENCE + 1 / n
    assert bounded[2] == 0.5 and bounded[3] == 0.5 and after[3] == 0
    assert bounded[0] < 0.5 < bounded[1]


def test_prevalence_bounds_need_enough_turns_and_are_fitted_from_the_corpus():
    scores = np.column_stack([np.linspace(0, 0.4, 10), np.linspace(0, 2, 10)])
    given = np.array([0.5, 0.5])
    assert np.array_equal(ev.prevalence_bounded_thresholds(scores, given), given)
    coder = AutoCoder(BOOK)
    assert not coder.thresholds_fitted_
    coder.fit_thresholds(np.column_stack([np.linspace(0, 0.25, 100), np.zeros(100)]))
    assert coder.thresholds_fitted_ and coder.thresholds[0] < 0.5 == coder.base_thresholds[0]


def test_the_second_theme_of_a_sentence_counts_less_than_the_same_words_alone():
    """A sentence is about its main theme: a theme that only passes by in it keeps
    SECONDARY_IN_SENTENCE of its evidence, while the same words in a sentence of their own keep all."""
    coder = AutoCoder(BOOK, description_words=False)
    passing = "Fraværet på skolen økte fordi jeg fikk jobb."  # school twice, work once: work passes by
    apart = "Fraværet på skolen økte. Jeg fikk jobb."  # work is the main theme of its own sentence
    scores, matches = coder.score_texts([passing, apart])
    assert matches.sentence is not None and matches.sentence.max() == 2
    assert scores[0, 0] == pytest.approx(scores[1, 0] * 2**ev.LENGTH_EXPONENT)  # school's evidence intact
    work_alone = scores[1, 1] * 2**ev.LENGTH_EXPONENT
    assert scores[0, 1] == pytest.approx(ev.SECONDARY_IN_SENTENCE * work_alone)


def test_add_sentence_evidence_keeps_ties_and_sums_sentences_per_text():
    summed = np.zeros((2, 3))
    ev.add_sentence_evidence(
        summed,
        text_index=np.array([0, 0, 0, 1, 1]),
        sentence=np.array([0, 0, 1, 2, 2]),
        themes=np.array([0, 1, 2, 0, 1]),
        contribution=np.array([1.0, 0.4, 0.3, 0.5, 0.5]),
    )
    expected_first = [1.0, ev.SECONDARY_IN_SENTENCE * 0.4, 0.3]
    assert summed[0] == pytest.approx(expected_first)
    assert summed[1] == pytest.approx([0.5, 0.5, 0.0])  # a tie: both are the sentence's main theme
