"""Readable report cells and labels: intervals, yes/no, p-values, municipality names, data dictionary."""

from __future__ import annotations

import pandas as pd

from toolkit.progress import listening, track
from toolkit.report import Report
from toolkit.report.formatting import display_frame, p_value, readable_interval
from toolkit.report.labels import Labels
from toolkit.report.places import KOMMUNE_SOURCE, kommune_name, kommune_names


def test_intervals_p_values_and_numbers_read_as_a_person_writes_them():
    assert readable_interval("(9.999, 35.9]", "nb") == "10–35,9"
    assert readable_interval("(35.9, 41.1]", "en") == "35.9–41.1"
    assert readable_interval("Videregående", "nb") is None
    assert p_value(0.0, "nb") == "< 0,001" and p_value(0.0004, "en") == "< 0.001"
    assert p_value(0.0123, "nb") == "0,012"


def test_display_frame_labels_headers_and_cells():
    labels = Labels(language="nb")
    labels.columns.update({"kommune": "Kommune", "barnevern": "Tiltak fra barnevernet"})
    frame = pd.DataFrame(
        {
            "variable": ["barnevern", "barnevern", "kommune"],
            "level": ["0", "1", "3401"],
            "success_rate": [0.8, 0.5, 0.783],
            "suppressed": [False, True, False],
            "p_value": [0.0, 0.2, 0.05],
        }
    )
    shown = display_frame(frame, labels)
    assert list(shown.columns) == ["Variabel", "Nivå", "Andel som lyktes", "Skjult (lite tall)", "p-verdi"]
    assert shown["Variabel"].tolist() == ["Tiltak fra barnevernet"] * 2 + ["Kommune"]
    assert shown["Nivå"].tolist() == ["nei", "ja", "Kongsvinger (3401)"]
    assert shown["Andel som lyktes"].tolist() == ["80,0 %", "50,0 %", "78,3 %"]
    assert shown["Skjult (lite tall)"].tolist() == ["nei", "ja", "nei"]
    assert shown["p-verdi"].tolist() == ["< 0,001", "0,200", "0,050"]


def test_data_dictionary_and_value_labels(tmp_path):
    path = tmp_path / "dictionary.csv"
    path.write_text(
        "column,label,description,values\nkjonn,Kjønn,,K=Kvinne; M=Mann\nfravaer_prosent,Fravær (prosent),,\n",
        encoding="utf-8",
    )
    labels = Labels(language="nb").add_dictionary(path)
    assert labels.column("fravaer_prosent") == "Fravær (prosent)"
    assert labels.column("ukjent_kolonne") == "Ukjent kolonne"  # never a raw name
    assert labels.value("kjonn", "K") == "Kvinne"


def test_spss_variable_and_value_labels_are_used(tmp_path):
    import pyreadstat

    frame = pd.DataFrame({"kjonn": [1.0, 2.0], "fravaer": [1.5, 2.5]})
    path = tmp_path / "register.sav"
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels={"kjonn": "Kjønn", "fravaer": "Fravær i prosent"},
        variable_value_labels={"kjonn": {1.0: "Kvinne", 2.0: "Mann"}},
    )
    labels = Labels(language="nb").add_file_metadata(path)
    assert labels.column("fravaer") == "Fravær i prosent"
    assert labels.value("kjonn", "1") == "Kvinne"


def test_municipality_table_is_complete_and_sourced():
    names = kommune_names()
    assert len(names) == 356  # the municipalities of 2020-2023
    assert kommune_name("3401") == "Kongsvinger" and kommune_name(301) == "Oslo"
    assert kommune_name("9999") is None
    assert "2020–2023" in KOMMUNE_SOURCE["nb"]


def test_norwegian_report_translates_headings_and_marks_its_language(tmp_path):
    report = Report("Phase 1 — mapping (kartlegging)", language="nb")
    report.add_heading("Summary").add_text("kommune: χ² test p = 0.000, 7 units")
    report.add_table(pd.DataFrame({"n": [5000], "gap": [0.313]}))
    page = report.render()
    assert '<html lang="nb">' in page and "Sammendrag" in page and "p &lt; 0,001" in page
    assert "31,3 pp" in page and "5\u202f000" in page


def test_the_fragmentation_note_is_translated():
    """The note beside the actor table reads in the report's language (the table of exact strings)."""
    from toolkit.coding.actor_outputs import FRAGMENTATION_NOTE
    from toolkit.report.translate import translate

    assert "les det som ±1" in translate(FRAGMENTATION_NOTE, "nb")
    assert translate(FRAGMENTATION_NOTE, "en") == FRAGMENTATION_NOTE


def test_track_reports_to_a_listener_and_is_silent_without_one():
    seen: list[tuple[str, int | None]] = []
    advanced: list[int] = []

    def listener(description: str, total: int | None):
        seen.append((description, total))
        return lambda: advanced.append(1)

    assert list(track([1, 2, 3], "silent")) == [1, 2, 3]
    with listening(listener):
        assert list(track([1, 2, 3], "folds")) == [1, 2, 3]
    assert seen == [("folds", 3)] and len(advanced) == 3


def test_figure_texts_follow_the_report_language():
    """A Norwegian report shows its figures' titles, axis labels, legends and notes in Norwegian; labels the
    tables do not know (a variable name, numbers) stay; an English report keeps the figure as drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from toolkit.report.translate import translate_figure

    def drawn():
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, 1], label="perfect calibration")
        ax.plot([0, 1], [0.1, 0.9], label="logit (cross-fitted)")
        ax.set_xlabel("predicted probability of the good outcome")
        ax.set_ylabel("fullfort_vgs_5aar")
        ax.set_title("Funnel plot: kommune")
        ax.text(0.5, 0.5, "NAV\nhidden")
        ax.legend(title="tone")
        return fig

    def texts(fig):
        from matplotlib.text import Text

        return {t.get_text() for t in fig.findobj(Text) if t.get_text()}

    norwegian = texts(translate_figure(drawn(), "nb"))
    assert {
        "perfekt kalibrering",
        "logit (kryssvalidert)",
        "predikert sannsynlighet for godt utfall",
    } <= norwegian
    assert {"Traktplott: kommune", "NAV\nskjult", "fullfort_vgs_5aar"} <= norwegian
    assert "perfect calibration" not in norwegian
    english = texts(translate_figure(drawn(), "en"))
    assert {"perfect calibration", "Funnel plot: kommune", "NAV\nhidden"} <= english
    plt.close("all")


def test_norwegian_figures_write_numbers_with_a_decimal_comma():
    """Numeric tick labels of a Norwegian figure read "0,25", an English one keeps "0.25"; a categorical axis
    and a number inside a word are left alone."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from toolkit.report.figure_numbers import with_decimal_comma
    from toolkit.report.translate import translate_figure

    def tick_labels(language):
        fig, (numeric, categorical) = plt.subplots(1, 2)
        numeric.plot([0, 1], [0, 0.5])
        categorical.bar(["f.eks. 1.5", "b"], [1, 2])
        translate_figure(fig, language)
        fig.canvas.draw()
        labels = [t.get_text() for t in numeric.get_xticklabels() + numeric.get_yticklabels()]
        other = [t.get_text() for t in categorical.get_xticklabels()]
        plt.close(fig)
        return labels, other

    labels, other = tick_labels("nb")
    assert "0,25" in labels and not any("." in label for label in labels)
    assert other == ["f.eks. 1.5", "b"]
    labels, _ = tick_labels("en")
    assert "0.25" in labels
    assert with_decimal_comma("$\\mathdefault{0.5}$") == "$\\mathdefault{0{,}5}$"
    assert with_decimal_comma("1.5 og 2.25") == "1,5 og 2,25"
