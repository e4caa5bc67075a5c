"""``pdtk code-review IN_DIR CODEBOOK CODING_DIR``: build the session, bind 127.0.0.1, print the address with
its token as the first line, serve with uvicorn (as ``pdtk review`` does, with its socket and server
settings)."""

from __future__ import annotations

import secrets
import webbrowser
from collections.abc import Callable
from pathlib import Path

from toolkit.coding.review.locate import locate_coding
from toolkit.coding.review.session import CodingSession
from toolkit.deidentify.review.server import HOST, bind, default_reviewer, run_app


def serve_coding(
    session: CodingSession, *, port: int = 0, open_browser: bool = True, say: Callable[[str], None] = print
) -> None:
    """Serve until Ctrl-C; the first thing said is the address with the token."""
    from toolkit.coding.review.app import create_coding_app

    token = secrets.token_urlsafe(32)
    sock = bind(port)
    url = f"http://{HOST}:{sock.getsockname()[1]}/?token={token}"
    say(url)
    progress = session.progress()
    say(
        f"coding review of {progress['turns']} participant turn(s) in {progress['transcripts']} "
        f"transcript(s) ({progress['coded']} coded so far); decisions are saved in "
        f"{session.paths.decisions} on every click. Stop with Ctrl-C."
    )
    actors = session.actors.progress()
    say(
        f"actor view (tone of {actors['actors']} transcript × actor item(s), {actors['reviewed']} reviewed): "
        f"{url.replace('/?token=', '/actors?token=', 1)}"
    )
    if open_browser:
        webbrowser.open(url)
    try:
        run_app(create_coding_app(session, token), sock)
    finally:
        session.close()
    say(
        f"stopped; every decision is in {session.paths.decisions}; complete transcripts as hand coding in "
        f"{session.paths.hand_coding}; actor decisions in {session.paths.actor_review} (pdtk autocode "
        "--actor-review)"
    )


def code_review_command(
    transcripts: Path,
    codebook: Path,
    coding_dir: Path,
    *,
    restricted: Path | None,
    protocol: Path | None,
    port: int,
    open_browser: bool,
    reviewer: str | None,
    say: Callable[[str], None] = print,
) -> None:
    """``pdtk code-review``: serve the coding view of an autocode output folder."""
    paths = locate_coding(transcripts, codebook, coding_dir, restricted=restricted, protocol=protocol)
    session = CodingSession(paths, reviewer=reviewer or default_reviewer())
    serve_coding(session, port=port, open_browser=open_browser, say=say)
