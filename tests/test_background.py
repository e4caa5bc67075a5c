"""toolkit.background: the second process gives the same answer as this one, and errors come back."""

from __future__ import annotations

import pytest

from toolkit.background import shared_map


def test_autocode_writes_the_same_actor_files_when_actors_run_in_a_second_process(tmp_path, monkeypatch):
    from pathlib import Path

    import toolkit.coding.run as run

    transcripts = Path(__file__).parent / "data" / "coding" / "transcripts"
    codebook = Path(__file__).resolve().parents[1] / "protocols" / "codebook_nb.yml"
    here = run.autocode_folder(transcripts, codebook, tmp_path / "here", min_cell=1)
    monkeypatch.setattr(run, "ACTORS_APART_FROM_CHARACTERS", 0)  # every corpus counts as large
    started = []

    def recording(*args, **kwargs):
        started.append(shared_map(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(run, "shared_map", recording)
    apart = run.autocode_folder(transcripts, codebook, tmp_path / "apart", min_cell=1)
    for name in ("actors.csv", "segments.csv"):
        assert apart.files[name].read_bytes() == here.files[name].read_bytes()
    assert apart.actors is not None and apart.actors.actors.equals(here.actors.actors)
    assert [p.in_second_process for p in started] == [True]


def test_a_shared_map_gives_the_plain_maps_answer_whoever_does_the_items() -> None:
    import functools
    import operator
    import time

    items = list(range(300))
    expected = [3 * item for item in items]
    alone = shared_map(functools.partial, items, operator.mul, 3, worth_it=False)
    assert not alone.in_second_process and alone.result() == expected
    child_first = shared_map(functools.partial, items, operator.mul, 3, worth_it=True)
    time.sleep(2)  # the child starts and works through the items while this process "does its own work"
    assert child_first.result() == expected and child_first.items_done_apart > 0
    here_first = shared_map(functools.partial, items, operator.mul, 3, worth_it=True)
    assert here_first.result() == expected  # asked at once: this process does most of them


def test_an_error_in_a_shared_map_is_raised_here_and_a_worker_that_cannot_start_leaves_the_items_here(
    monkeypatch,
) -> None:
    import functools
    import operator
    import sys
    import types

    failing = shared_map(functools.partial, [1, 2, "three", 4] * 20, operator.truediv, 12, worth_it=True)
    with pytest.raises(TypeError):
        failing.result()
    module = types.ModuleType("pdtk_module_only_in_the_test_process")
    exec("def make(k):\n    return lambda item: item * k\n", module.__dict__)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    assert shared_map(module.make, [1, 2, 3], 2, worth_it=True).result() == [2, 4, 6]


def test_large_items_and_results_do_not_block_the_pipes() -> None:
    import functools
    import operator
    import time

    items = [bytes([i]) * 400_000 for i in range(12)]  # each item and each result fills a pipe
    shared = shared_map(functools.partial, items, operator.mul, 2, worth_it=True)
    time.sleep(1)
    assert shared.result() == [2 * item for item in items]
    assert shared.items_done_apart > 0


def test_leaving_the_block_early_stops_the_child() -> None:

    with shared_map(_slow_worker, [60, 60, 60], worth_it=True) as shared:
        process = shared._process
        assert process is not None and process.is_alive()
    assert not process.is_alive()  # stopped at once, not after a minute per item


def _slow_worker():  # noqa: ANN202 - a worker factory must be importable by name in the child
    import time

    return time.sleep


def test_a_helper_process_answers_as_this_process_would_and_hands_back_what_it_cannot_do(monkeypatch) -> None:
    import functools
    import operator
    import os
    import sys
    import types

    from toolkit.background import HelperProcess

    with HelperProcess(("fractions",)) as helper:
        assert helper.apart
        pids = helper.submit(os.getpid)
        product = helper.submit(operator.mul, 6, 7)
        assert product.result() == 42 and product.made_apart
        assert pids.result() != os.getpid()  # made in the child
        # a call the child cannot import (defined only in this process) is made here, with the same answer
        module = types.ModuleType("pdtk_helper_module_only_in_the_test_process")
        exec("def triple(x):\n    return 3 * x\n", module.__dict__)
        monkeypatch.setitem(sys.modules, module.__name__, module)
        tripled = helper.submit(module.triple, 5)
        assert tripled.result() == 15 and not tripled.made_apart
        # an error of the call itself is the call's error, raised here
        with pytest.raises(ZeroDivisionError):
            helper.submit(operator.truediv, 1, 0).result()
    after = helper.submit(functools.partial(operator.add, 1), 2)  # closed: made here at once
    assert after.result() == 3 and not after.made_apart
    alone = HelperProcess(worth_it=False)
    assert not alone.apart and alone.submit(os.getpid).result() == os.getpid()


def _imported(name: str) -> bool:  # a call the child can import by name
    import sys

    return name in sys.modules


def test_a_helper_imports_then_import_right_after_its_first_call_and_answers_done() -> None:
    import operator

    from toolkit.background import HelperProcess

    with HelperProcess(("fractions",), then_import=("colorsys",)) as helper:
        assert helper.apart
        before = helper.submit(_imported, "colorsys")  # the first call: not imported yet
        after = helper.submit(_imported, "colorsys")
        assert before.result() is False and after.result() is True
        assert before.done() and before.made_apart and after.made_apart
        assert helper.submit(operator.add, 1, 2).result() == 3


def test_an_error_in_the_block_stops_the_helper_at_once_even_mid_import() -> None:
    import time

    from toolkit.background import HelperProcess

    started = time.perf_counter()
    with (
        pytest.raises(RuntimeError, match="bad input"),
        HelperProcess(("sklearn.ensemble", "matplotlib.pyplot")) as helper,
    ):
        assert helper.apart
        raise RuntimeError("bad input")
    assert time.perf_counter() - started < 1.0  # not waiting for the child's imports (~1.5 s)
    assert not helper.apart


def test_a_pool_worker_ends_when_its_parent_is_killed(tmp_path) -> None:
    """A ``ProcessPoolExecutor`` worker waits for its parent's stop sentinel, which a parent killed outright
    never sends: without ``end_with_parent`` as its initializer this worker outlives the parent, asleep on
    its queue (checked by hand; found as orphans of ``pdtk code-review`` after the browser tests killed it).
    Every pool initializer of the toolkit calls it."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    script = tmp_path / "parent.py"
    script.write_text(
        "import multiprocessing, os, time\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "from toolkit.background import end_with_parent\n"
        "if __name__ == '__main__':\n"
        "    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context('spawn'),\n"
        "                               initializer=end_with_parent)\n"
        "    print(pool.submit(os.getpid).result(), flush=True)\n"
        "    time.sleep(60)\n",
        encoding="utf-8",
    )
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    assert child != parent.pid
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:  # gone, or a zombie waiting for init to reap it: either way it has ended
            if Path(f"/proc/{child}/stat").read_text().split(") ")[1].startswith("Z"):
                return
        except (FileNotFoundError, ProcessLookupError):
            return
        time.sleep(0.1)
    os.kill(child, signal.SIGKILL)
    raise AssertionError("the pool worker outlived its killed parent")
