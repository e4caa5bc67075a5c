"""Start a review: build the session, bind 127.0.0.1, print the address with its token, serve with uvicorn.

The socket is bound (and listening) before the address is printed and the browser opened, so the first line of
output is always a working address, also with ``--port 0`` (any free port). Ctrl-C stops uvicorn after the
request in flight; every decision was written before its answer was sent, so none is lost.
"""

from __future__ import annotations

import contextlib
import getpass
import secrets
import socket
import webbrowser
from collections.abc import Callable
from pathlib import Path

from toolkit.deidentify.review.locate import ReviewPaths, locate
from toolkit.deidentify.review.session import ReviewSession
from toolkit.deidentify.review.settings import run_settings
from toolkit.deidentify.review.suspects import Analyser, FinderSpec
from toolkit.io import Guard
from toolkit.protocol import Protocol

HOST = "127.0.0.1"


def default_reviewer() -> str:
    """Who reviews: the login name (the manifest records it beside each reviewed transcript)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def finder_spec(paths: ReviewPaths, session: ReviewSession) -> Callable[[], FinderSpec]:
    """The registry the analyser's worker builds: the run's, with the review's lists as they are now."""

    def spec() -> FinderSpec:
        with session.lock:
            state = session.log.state
            return FinderSpec(run_settings(paths).config, state.allow_list(), state.deny_list())

    return spec


def open_session(
    paths: ReviewPaths, *, reviewer: str | None = None, analyse: bool = True, guard: Guard | None = None
) -> ReviewSession:
    """A session over ``paths``; with ``analyse`` the background analyser starts at once."""
    session = ReviewSession(paths, reviewer=reviewer or default_reviewer(), guard=guard)
    if analyse:
        session.analyser = Analyser(
            finder_spec(paths, session), session.names, session.analysis_input
        ).start()
    return session


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 (``port`` 0: any free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # no Nagle delay: uvicorn writes an answer's head and body separately, and with Nagle the body waited for
    # the browser's delayed ACK (+40 ms on every request of a kept-alive connection, measured)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((HOST, port))
    sock.listen(128)
    return sock


def serve(
    session: ReviewSession,
    *,
    port: int = 0,
    open_browser: bool = True,
    say: Callable[[str], None] = print,
) -> None:
    """Serve until Ctrl-C; the first thing said is the address with the token."""
    from toolkit.deidentify.review.app import create_app

    token = secrets.token_urlsafe(32)
    sock = bind(port)
    url = f"http://{HOST}:{sock.getsockname()[1]}/?token={token}"
    say(url)
    reviewed = sum(1 for name in session.names if name in session.log.state.marks)
    say(
        f"reviewing {len(session.names)} transcript(s) ({reviewed} reviewed so far); decisions are saved in "
        f"{session.log.path} on every click. Stop with Ctrl-C."
    )
    if open_browser:
        webbrowser.open(url)
    try:
        run_app(create_app(session, token), sock)
    finally:
        session.close()
    say(f"stopped; every decision is in {session.log.path}")


def run_app(app: object, sock: socket.socket) -> None:
    """Serve ``app`` on the bound socket with uvicorn until Ctrl-C: no access log, no server or date header
    (shared by the de-identification review and the coding view)."""
    import uvicorn

    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="off", server_header=False, date_header=False
    )
    # uvicorn stops cleanly on Ctrl-C, then passes the signal on: the normal way out
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run(sockets=[sock])


def review_command(
    deid_dir: Path,
    *,
    raw: Path | None,
    restricted: Path | None,
    protocol: Path | None,
    port: int,
    open_browser: bool,
    apply: bool,
    reviewer: str | None,
    say: Callable[[str], None] = print,
    guard_for: Callable[[Protocol], Guard | None] | None = None,
) -> None:
    """``pdtk review``: serve the review, or with ``apply`` rewrite the folder from the decisions and stop.

    ``guard_for`` gives the leak guard of the study a protocol describes (the CLI builds it from the study);
    the applied files pass it.
    """
    paths = locate(deid_dir, raw=raw, restricted=restricted, protocol=protocol)
    guard = guard_for(paths.protocol) if guard_for is not None and paths.protocol is not None else None
    if apply:
        from toolkit.deidentify.review.apply import apply_review

        session = open_session(paths, reviewer=reviewer, analyse=False, guard=guard)
        result = apply_review(paths, session.log, session.reviewer, guard=guard)
        say(result.summary_line())
        if not result.recorded_settings:
            say("note: the folder's run left no settings record; the defaults of 'pdtk deidentify' were used")
        _say_lists(paths, say)
        return
    serve(open_session(paths, reviewer=reviewer, guard=guard), port=port, open_browser=open_browser, say=say)


def _say_lists(paths: ReviewPaths, say: Callable[[str], None]) -> None:
    """Remind the user to name the review's lists in the protocol, unless it does already."""
    from toolkit.deidentify.review.state import ALLOW_FILE, DENY_FILE

    section = paths.protocol.deidentify if paths.protocol is not None else None
    allow, deny = paths.restricted_dir / ALLOW_FILE, paths.restricted_dir / DENY_FILE
    named = section is not None and section.allow_list == allow and section.deny_list == deny
    if not named:
        say(
            f"so that the next run keeps the review, add to the protocol: deidentify: allow_list: {allow}, "
            f"deny_list: {deny}"
        )
