"""``pdtk``: one command per step, a thin Typer wrapper over :class:`toolkit.study.Study`.

A user's mistake (bad protocol key, unreadable file, missing column) prints one plain-language line and exits
non-zero, without a traceback; ``--debug`` (anywhere on the command line) shows the traceback. An operating
system error (a folder that cannot be written, a full disk) names the path and the fix. Anything else is
reported
as an internal error with a hint to re-run with ``--debug``.

Every command that takes a protocol checks it against the data first (:mod:`toolkit.check`) and writes nothing
when the check fails. Long work shows progress bars with counts and time left, and each step ends with one
line.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from toolkit.errors import PdtkError

# The CLI only writes figures into files: never let matplotlib pick an interactive (window) backend.
os.environ.setdefault("MPLBACKEND", "Agg")


class _Pdtk(typer.Typer):
    """The console entry point calls ``app()``: read ``--debug`` wherever it stands on the line."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not args and "args" not in kwargs:
            kwargs["args"] = hoist_debug(sys.argv[1:])
        try:
            return super().__call__(*args, **kwargs)
        finally:
            if kwargs.get("standalone_mode", True):  # the command is done and the process ends now
                _spare_the_exit_collections()


def _spare_the_exit_collections() -> None:
    """Move every object the garbage collector tracks into its permanent generation, so that the
    interpreter's own collections at exit do not walk them: with phase 2's libraries loaded those walks took
    0.3-0.4 s of a 10 s run (measured 2026-12-05), and the memory goes back to the system when the process
    ends either way. Only when the command ends the process (``standalone_mode``, the console entry point);
    ``CliRunner`` in the tests does not come through here."""
    import gc

    gc.freeze()


app = _Pdtk(
    name="pdtk",
    help="Positive-deviance research toolkit: anonymise registers and transcripts, find positive deviants, "
    "code interviews, measure the effect of new practice.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err = Console(stderr=True, highlight=False)
out = Console(highlight=False)
_STATE = {"debug": False}

F = TypeVar("F", bound=Callable[..., Any])

ProtocolArg = Annotated[Path, typer.Argument(help="study protocol (YAML)", show_default=False)]
# the options both review pages (pdtk review, pdtk code-review) take
ReviewProtocolOption = Annotated[
    Path | None, typer.Option("--protocol", help="the study protocol, when no manifest names it")
]
PortOption = Annotated[
    int, typer.Option("--port", min=0, max=65535, help="port on 127.0.0.1 (0: any free port)")
]
BrowserOption = Annotated[bool, typer.Option("--browser/--no-browser", help="open the page in a browser")]
ReviewerOption = Annotated[
    str | None, typer.Option("--reviewer", help="name recorded with each decision (default: login)")
]


def _print_version(value: bool) -> None:
    if value:
        from toolkit import __version__

        out.print(f"pdtk {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    debug: Annotated[
        bool, typer.Option("--debug", help="show tracebacks for errors (accepted anywhere on the line)")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="print the version and exit"),
    ] = False,
) -> None:
    _STATE["debug"] = debug


_OS_FIXES = {
    errno.EACCES: "give your user access to it (chmod u+rw, or u+rwx for a folder) or choose another folder",
    errno.EPERM: "give your user access to it or choose another folder",
    errno.EROFS: "the disk is read-only: choose a folder on a writable disk",
    errno.ENOSPC: "free disk space or choose a folder on another disk",
    errno.EDQUOT: "your disk quota is full: free space or choose another folder",
    errno.ENOENT: "check that the path exists (paths in a protocol are relative to the protocol file)",
    errno.EISDIR: "name a file, not a folder",
    errno.ENOTDIR: "a part of the path is a file, not a folder: correct the path",
}


def _os_error_line(exc: OSError) -> str:
    """One line for an operating-system error: what failed, on which path, and the real fix."""
    path = exc.filename if exc.filename is not None else "(path unknown)"
    what = os.strerror(exc.errno) if exc.errno else type(exc).__name__
    fix = _OS_FIXES.get(exc.errno or 0, "check the path and your access to it")
    return f"{path}: {what.lower()} (nothing partial was written). Fix: {fix}."


def _friendly(func: F) -> F:
    """Turn exceptions into one clear line and an exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except PdtkError as exc:
            if _STATE["debug"]:
                raise
            err.print(f"[bold red]error:[/] {exc}", soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err.print("interrupted; nothing partial was written")
            raise typer.Exit(130) from None
        except OSError as exc:
            if _STATE["debug"]:
                raise
            err.print(f"[bold red]error:[/] {_os_error_line(exc)}", soft_wrap=True, markup=True)
            raise typer.Exit(2) from None
        except Exception as exc:
            if _STATE["debug"]:
                raise
            err.print(
                f"[bold red]internal error:[/] {type(exc).__name__} (nothing partial was written). "
                "Run again with 'pdtk --debug …' and report the traceback.",
                soft_wrap=True,
            )
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _progress() -> Progress:
    """Bars with counts and time left (drawn only on a terminal; a log gets the one-line summaries)."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(bar_width=24),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not sys.stderr.isatty(),
    )


def _listen(progress: Progress):
    """A :mod:`toolkit.progress` listener that adds one bar per tracked loop (transcripts, folds, seeds)."""
    from toolkit.progress import listening

    def start(description: str, total: int | None) -> Callable[[], None]:
        task = progress.add_task(f"  {description}", total=total)
        return lambda: progress.advance(task)

    return listening(start)


def _run_with_spinner(label: str, func: Callable[[], Any]) -> Any:
    """Run one step under a progress display and print its one-line summary with the time it took."""
    started = time.monotonic()
    with _progress() as progress, _listen(progress):
        task = progress.add_task(label, total=1)
        result = func()
        progress.update(task, completed=1)
    err.print(f"done: {label} ({time.monotonic() - started:.1f} s)", highlight=False)
    return result


def _study(protocol: Path):
    """The study, after its protocol was checked against the data (nothing is written if that fails)."""
    from toolkit.study import Study

    study = Study(protocol)
    _print_check(study.check())
    return study


@contextlib.contextmanager
def _phase2_study(protocol: Path) -> Iterator[Any]:
    """The study for ``pdtk phase2``, with phase 2's helper process started first of all: before pandas and
    the study are imported and the check reads the register, so that the helper's own imports (about a
    second and a half) run on the other core meanwhile (:mod:`toolkit.deviance.helper`). Only the protocol
    (YAML, pydantic) is read before; an error stops the helper at once."""
    from toolkit.deviance.helper import start_helper
    from toolkit.protocol import Protocol

    loaded = Protocol.load(protocol)
    with start_helper(loaded.approximate_register_rows()) as helper:
        from toolkit.study import Study

        study = Study(loaded)
        with study.phase2_helper(helper):
            yield study


def _print_check(result) -> None:
    for finding in result.warnings:
        err.print(f"[yellow]warning:[/] {finding.line()}", soft_wrap=True)


# ------------------------------------------------------------------------------------------------ commands
@app.command()
@_friendly
def synth(
    out_dir: Annotated[
        Path, typer.Argument(help="folder for the synthetic raw data (git-ignored in the repo)")
    ],
    n: Annotated[int, typer.Option("--n", min=100, help="number of young people")] = 5000,
    seed: Annotated[int, typer.Option(help="random seed")] = 2021,
    transcripts: Annotated[int, typer.Option(min=0, help="number of interview transcripts")] = 12,
    regions: Annotated[
        int,
        typer.Option(min=0, max=8, help="several regions (2-8), each a register of N people; 0: one region"),
    ] = 0,
    planted_region: Annotated[
        str, typer.Option(help="with --regions: the region with the planted practice, or 'none'")
    ] = "midt",
) -> None:
    """Write a SYNTHETIC register cohort (with planted positive deviants), transcripts, a phase 3 panel and
    truth files; with --regions, one register per region and the practice planted in one region."""
    if regions:
        from toolkit.synth.regions import REGION_NAMES, write_regions

        planted = None if planted_region.lower() == "none" else planted_region
        if planted is not None and planted not in REGION_NAMES[:regions]:
            names = ", ".join(REGION_NAMES[:regions])
            err.print(f"[bold red]error:[/] --planted-region '{planted}' is not one of {names} or 'none'")
            raise typer.Exit(2)
        written = _run_with_spinner(
            f"generating {regions} synthetic regions of {n} young people",
            lambda: write_regions(out_dir, n_regions=regions, n=n, seed=seed, planted=planted),
        )
        out.print(f"synthetic regions written to {out_dir} ({len(written)} outputs)")
        return
    from toolkit.synth.study import write_all

    written = _run_with_spinner(
        f"generating {n} synthetic young people",
        lambda: write_all(out_dir, n=n, seed=seed, n_transcripts=transcripts),
    )
    out.print(f"synthetic data written to {out_dir} ({len(written)} outputs)")


@app.command()
@_friendly
def anonymise(protocol: ProtocolArg) -> None:
    """Pseudonymise (keyed HMAC), drop, generalise and k-anonymise the register → results/anonymised/."""
    study = _study(protocol)
    result = _run_with_spinner("anonymising the register", study.anonymise)
    d = result.disclosure
    out.print(f"anonymised register: {study.results_dir / 'anonymised' / 'register.parquet'}")
    if isinstance(d, dict) and "k_reached" in d:
        out.print(f"k reached: {d['k_reached']}")


@app.command()
@_friendly
def phase1(protocol: ProtocolArg) -> None:
    """Phase 1 mapping: prevalence of risk factors and outcome rates (small cells suppressed) →
    results/phase1/."""
    study = _study(protocol)
    result = _run_with_spinner("phase 1: mapping", study.phase1)
    out.print(f"phase 1: {result.summary_line()}; report {study.results_dir / 'phase1' / 'report.html'}")


@app.command()
@_friendly
def phase2(protocol: ProtocolArg) -> None:
    """Phase 2: find positive deviants (individuals and units) → results/phase2/ and the contact list."""
    with _phase2_study(protocol) as study:
        _print_check(study.check())
        result = _run_with_spinner("phase 2: positive deviance", study.phase2)
    out.print(f"phase 2: {result.summary_line()}; report {study.results_dir / 'phase2' / 'report.html'}")


@app.command()
@_friendly
def regions(protocol: ProtocolArg) -> None:
    """Several regions: region deviance on the pooled model, each region's phases 1-2 → results/regions/."""
    study = _study(protocol)
    result = _run_with_spinner("regions: one model across regions", study.regions)
    out.print(f"regions: {result.summary_line()}; report {study.results_dir / 'regions' / 'report.html'}")


@app.command()
@_friendly
def deidentify(
    in_dir: Annotated[Path, typer.Argument(help="folder of raw transcripts (.txt, .docx, .vtt)")],
    out_dir: Annotated[Path, typer.Argument(help="folder for de-identified transcripts")],
    mode: Annotated[
        str, typer.Option(help="'tags' ([PERSON_1]) or 'surrogates' (invented Norwegian names)")
    ] = "tags",
    seed: Annotated[int, typer.Option(help="seed for surrogates")] = 0,
    restricted: Annotated[
        Path | None, typer.Option(help="folder (outside results) for the tag → original map")
    ] = None,
    jobs: Annotated[
        int, typer.Option(min=1, help="worker processes (pays off from a few dozen files)")
    ] = min(2, os.cpu_count() or 1),
) -> None:
    """De-identify Norwegian interview transcripts; writes deidentification.jsonl with offsets and types
    only."""
    from toolkit.deidentify import deidentify_folder

    result = _run_with_spinner(
        "de-identifying transcripts",
        lambda: deidentify_folder(
            in_dir, out_dir, mode=mode, seed=seed, restricted_dir=restricted, n_jobs=jobs
        ),
    )
    out.print(f"de-identified transcripts in {out_dir}: {result.summary_line()}")
    _exit_if_skipped(result)


def _exit_if_skipped(result) -> None:
    """Files that could not be de-identified are named one per line; the exit code says something failed."""
    for name, why in result.skipped:
        err.print(f"skipped {name}: {why}")
    if result.skipped:
        raise typer.Exit(code=2)


@app.command()
@_friendly
def review(
    deid_out_dir: Annotated[
        Path, typer.Argument(help="output folder of 'pdtk deidentify' (e.g. results/transcripts)")
    ],
    raw: Annotated[
        Path | None, typer.Option(help="raw transcripts (default: recorded by the de-identification)")
    ] = None,
    restricted: Annotated[
        Path | None,
        typer.Option(help="folder for review.jsonl (default: the study's privacy.restricted_dir)"),
    ] = None,
    protocol: ReviewProtocolOption = None,
    port: PortOption = 0,
    browser: BrowserOption = True,
    apply: Annotated[
        bool, typer.Option("--apply", help="rewrite the folder from the decisions and stop")
    ] = False,
    reviewer: ReviewerOption = None,
) -> None:
    """Review de-identified transcripts in the browser (local page, token); decisions go to the restricted
    folder. To review the auto-coding in the same app: pdtk code-review."""
    from toolkit.deidentify.review.server import review_command

    review_command(
        deid_out_dir,
        raw=raw,
        restricted=restricted,
        protocol=protocol,
        port=port,
        open_browser=browser,
        apply=apply,
        reviewer=reviewer,
        say=lambda line: typer.echo(line),
        guard_for=_study_leak_guard,
    )


def _study_leak_guard(protocol):  # noqa: ANN001, ANN202  (Protocol -> LeakGuard | None)
    """The leak guard of the study ``protocol`` describes (its raw id and dropped columns), or None without a
    privacy section: files the review rewrites under results/ pass it like every other output."""
    if protocol.privacy is None:
        return None
    from toolkit.study import Study

    return Study(protocol).leak_guard()


@app.command("code-review")
@_friendly
def code_review(
    in_dir: Annotated[Path, typer.Argument(help="the transcripts 'pdtk autocode' coded (its IN_DIR)")],
    codebook: Annotated[Path, typer.Argument(help="the codebook YAML it coded with")],
    coding_dir: Annotated[Path, typer.Argument(help="its OUT_DIR (segments.csv), e.g. results/coding")],
    restricted: Annotated[
        Path | None,
        typer.Option(help="folder for coding_review.jsonl (default: the study's privacy.restricted_dir)"),
    ] = None,
    protocol: ReviewProtocolOption = None,
    port: PortOption = 0,
    browser: BrowserOption = True,
    reviewer: ReviewerOption = None,
) -> None:
    """Review auto-coding in the browser (local page, token): accept, reject, add codes by keyboard; the
    decisions become hand coding, the learner refits and the queue is re-ranked."""
    from toolkit.coding.review.server import code_review_command

    code_review_command(
        in_dir,
        codebook,
        coding_dir,
        restricted=restricted,
        protocol=protocol,
        port=port,
        open_browser=browser,
        reviewer=reviewer,
        say=lambda line: typer.echo(line),
    )


@app.command("evaluate-deid")
@_friendly
def evaluate_deid(
    gold: Annotated[Path, typer.Argument(help="gold annotations (JSONL: source, text, spans)")],
    out_dir: Annotated[Path, typer.Argument(help="folder for the evaluation tables")],
) -> None:
    """Measure de-identification recall and precision per entity type against a gold set.

    OUT_DIR is the output of 'pdtk deidentify' run on the gold texts; if it holds no deidentification.jsonl
    yet,
    the gold texts are de-identified into it first with the default settings.
    """
    import tempfile

    from toolkit.deidentify import deidentify_folder
    from toolkit.deidentify.evaluate import evaluate_deid as _evaluate
    from toolkit.deidentify.evaluate import write_gold_texts

    def evaluate():
        if not (out_dir / "deidentification.jsonl").is_file():
            with tempfile.TemporaryDirectory(prefix="pdtk-gold-") as tmp:
                write_gold_texts(gold, tmp)
                deidentify_folder(Path(tmp), out_dir)
        return _evaluate(gold, out_dir)

    table = _run_with_spinner("evaluating de-identification", evaluate)
    typer.echo(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if "summary" in table.attrs:
        out.print(table.attrs["summary"])


@app.command()
@_friendly
def autocode(
    in_dir: Annotated[Path, typer.Argument(help="folder of de-identified transcripts")],
    codebook: Annotated[Path, typer.Argument(help="codebook YAML")],
    out_dir: Annotated[Path, typer.Argument(help="folder for segments.csv, project.qdpx and tables")],
    groups: Annotated[Path | None, typer.Option(help="CSV mapping transcript (source) → group")] = None,
    unit: Annotated[str, typer.Option(help="'turn' or 'sentence'")] = "turn",
    hand_coded: Annotated[
        Path | None,
        typer.Option(
            help="hand-coded segments (CSV; an empty code_id marks a turn read with no code) or REFI-QDA "
            "project to learn from"
        ),
    ] = None,
    actor_review: Annotated[
        Path | None,
        typer.Option(
            help="actor_review.csv written by the actor view of 'pdtk code-review': the reviewer's mentions "
            "and tones replace the extractor's in actors.csv"
        ),
    ] = None,
) -> None:
    """Code transcripts into themes with a codebook; export REFI-QDA for NVivo, ATLAS.ti, MAXQDA."""
    from toolkit.coding.run import autocode_folder
    from toolkit.io import read_table

    group_table = read_table(groups) if groups is not None else None
    result = _run_with_spinner(
        "coding transcripts",
        lambda: autocode_folder(
            in_dir,
            codebook,
            out_dir,
            unit=unit,
            groups=group_table,
            hand_coded=hand_coded,
            actor_review=actor_review,
        ),
    )
    out.print(f"coded segments: {len(result.segments)} rows in {out_dir / 'segments.csv'}")
    # with hand coding or an actor review: how well the machine agrees, and what it may not be trusted with;
    # without them, the notes say the coding and the tones are unmeasured and how to measure them
    for line in [*result.agreement_lines(), *result.trust_lines(), *result.notes]:
        out.print(line)


@app.command()
@_friendly
def match(
    csv: Annotated[Path, typer.Argument(help="data file (csv/parquet/sav/dta/xlsx)")],
    out_dir: Annotated[Path, typer.Argument(help="folder for effect.json and balance.csv")],
    treatment: Annotated[str, typer.Option(help="0/1 treatment column")],
    outcome: Annotated[str, typer.Option(help="outcome column")],
    covariates: Annotated[str, typer.Option(help="comma-separated covariates")],
    k: Annotated[
        int | None, typer.Option(min=1, help="controls per treated (default: chosen by balance from 1-5)")
    ] = None,
    caliper: Annotated[float, typer.Option(help="caliper in SD of the logit propensity")] = 0.2,
    replace: Annotated[bool, typer.Option("--replace/--no-replace", help="match with replacement")] = True,
    exact: Annotated[str, typer.Option(help="comma-separated columns to match exactly")] = "",
    seed: Annotated[int, typer.Option(help="random seed")] = 0,
    n_boot: Annotated[
        int, typer.Option(min=0, help="bootstrap draws re-estimating the score (0: Abadie-Imbens SE)")
    ] = 199,
    refute: Annotated[
        bool, typer.Option("--refute/--no-refute", help="run placebo, random-cause and subset refuters")
    ] = True,
) -> None:
    """Propensity-score matching beside entropy balancing: ATT, intervals, balance, refuters and E-value."""
    from toolkit.deviance.propensity import write_match_outputs

    result = _run_with_spinner(
        "matching",
        lambda: write_match_outputs(
            csv,
            out_dir,
            treatment=treatment,
            outcome=outcome,
            covariates=[c.strip() for c in covariates.split(",") if c.strip()],
            k=k,
            caliper=caliper,
            replace=replace,
            exact=[c.strip() for c in exact.split(",") if c.strip()],
            seed=seed,
            n_boot=n_boot,
            refute=refute,
        ),
    )
    e = result.effect
    out.print(
        f"ATT {e['estimate']:.3f} (95% CI {e['ci_low']:.3f} to {e['ci_high']:.3f}); 1:{e['k']} matching, "
        f"{e['n_treated']} treated, {e['n_controls']} controls; written to {out_dir}"
    )
    out.print(f"balance: {result.message}")


@app.command()
@_friendly
def phase3(protocol: ProtocolArg) -> None:
    """Phase 3: effect of the new practice (difference-in-differences, matching, interrupted time series)."""
    study = _study(protocol)
    result = _run_with_spinner("phase 3: effect", study.phase3)
    out.print(result.estimates.to_string(index=False))


@app.command()
@_friendly
def run(protocol: ProtocolArg) -> None:
    """Run every step the protocol configures, then write results/index.html and results/manifest.json."""
    study = _study(protocol)
    result = _run_steps(
        lambda on_step, on_done: study.run(on_step=on_step, on_done=on_done),
        [n for n, _ in study.steps()],
        "study",
    )
    out.print(f"study report: {result.index}")
    out.print(f"manifest:     {result.manifest}")


@app.command()
@_friendly
def reproduce(
    results_dir: Annotated[Path, typer.Argument(help="results folder with manifest.json")],
    protocol: Annotated[
        Path | None, typer.Option(help="the study protocol, when the results folder was moved or copied")
    ] = None,
) -> None:
    """Re-run the analysis recorded in RESULTS_DIR/manifest.json and name every output that differs."""
    from toolkit.manifest import load_manifest
    from toolkit.reproduce import reproduce as _reproduce

    steps = list(load_manifest(results_dir).get("steps", []))
    report = _run_steps(
        lambda on_step, _: _reproduce(results_dir, protocol=protocol, on_step=on_step), steps, "re-run"
    )
    for line in report.lines():
        out.print(line)
    if report.ok:
        out.print(f"reproduced: all {report.compared} outputs are identical")
    else:
        err.print(f"[bold red]not reproduced:[/] {len(report.lines())} difference(s)")
        raise typer.Exit(1)


def _run_steps(
    func: Callable[[Callable[[str], None], Callable[[Any], None]], Any], steps: list[str], what: str
) -> Any:
    """Run a multi-step job with one bar over its steps (count and time left) and a line as each step ends.

    ``func(on_step, on_done)`` runs the job; ``on_done(record)`` (optional for the job) adds the step's
    summary.
    """
    names = [*steps, "index"]
    with _progress() as progress, _listen(progress):
        task = progress.add_task(what, total=len(names))
        state: dict[str, Any] = {"name": None, "started": time.monotonic()}

        def finish_previous() -> None:
            if state["name"] is not None:
                took = time.monotonic() - state["started"]
                err.print(f"done: {what} step {state['name']} ({took:.1f} s)", highlight=False)
                progress.advance(task)

        def on_step(name: str) -> None:
            finish_previous()
            state.update(name=name, started=time.monotonic())
            progress.update(task, description=f"{what}: {name}")

        def on_done(record: Any) -> None:
            took = time.monotonic() - state["started"]
            summary = f": {record.summary}" if record.summary else ""
            err.print(
                f"done: {what} step {record.name} ({took:.1f} s){summary}", highlight=False, soft_wrap=True
            )
            progress.advance(task)
            state["name"] = None

        result = func(on_step, on_done)
        finish_previous()
    return result


@app.command()
@_friendly
def check(protocol: ProtocolArg) -> None:
    """Check the protocol against the data (columns, outcome values, missingness, codebook, folders); writes
    nothing.

    Every other command runs this check first. Exits non-zero with one line per problem.
    """
    from toolkit.check import CheckFailed
    from toolkit.study import Study

    study = Study(protocol)
    try:
        result = study.check()
    except CheckFailed as failed:
        for finding in failed.result.warnings:
            err.print(f"[yellow]warning:[/] {finding.line()}", soft_wrap=True)
        for finding in failed.result.errors:
            err.print(f"[bold red]error:[/] {finding.line()}", soft_wrap=True)
        raise typer.Exit(failed.exit_code) from None
    _print_check(result)
    out.print(f"{protocol}: {result.summary_line()}; the study can run", soft_wrap=True)


@app.command()
@_friendly
def init(study_dir: Annotated[Path, typer.Argument(help="new study folder")]) -> None:
    """Start a study folder: a protocol, the Norwegian codebook, interview guides, consent, DPIA and
    pre-registration templates."""
    from toolkit.library import init_study

    written = init_study(study_dir)
    out.print(f"started {study_dir}: " + ", ".join(p.name for p in written))


def hoist_debug(args: list[str]) -> list[str]:
    """``--debug`` is accepted anywhere on the line: move it before the command, where Typer reads it."""
    if "--debug" not in args:
        return args
    return ["--debug", *[a for a in args if a != "--debug"]]


def main() -> None:  # pragma: no cover - console entry point
    app(args=hoist_debug(sys.argv[1:]), prog_name="pdtk")


if __name__ == "__main__":  # pragma: no cover
    main()
