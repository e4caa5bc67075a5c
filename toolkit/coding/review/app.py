"""The coding view's web app: the page, its script and style, and the HTTP contract of ``docs/REVIEW_API.md``
(section "Coding view").

It is built from the de-identification review's parts (:mod:`toolkit.deidentify.review.app`), so it has the
same security: 127.0.0.1 only, ``?token=`` on every request (else 403), the Host header checked (else 400),
the same Content-Security-Policy and ``no-store``/``no-referrer`` headers, no access log, and errors answered
by one line or a class name, never a piece of a transcript.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from toolkit.coding.review.actor_session import ActorView
from toolkit.coding.review.session import CodingSession
from toolkit.deidentify.review.app import ALLOWED_HOSTS, MAX_WAIT_SECONDS, TokenGuard, api_endpoint, json_body
from toolkit.deidentify.review.app import STATIC as REVIEW_STATIC  # common.js: what both review pages share
from toolkit.errors import PdtkError

STATIC = Path(__file__).with_name("static")


def _wait_seconds(request: Request) -> float:
    try:
        return min(float(request.query_params.get("wait", 0)), MAX_WAIT_SECONDS)
    except ValueError:
        raise PdtkError("wait must be a number of seconds") from None


def create_coding_app(session: CodingSession, token: str) -> Starlette:
    """The coding view for one session; ``token`` is required on every request."""
    index = (STATIC / "coding.html").read_text(encoding="utf-8")

    async def page(request: Request) -> Response:
        return HTMLResponse(index.replace("__TOKEN__", token))

    async def status(request: Request) -> Any:
        return await run_in_threadpool(session.status)

    async def codebook(request: Request) -> Any:
        return session.codes()

    async def queue(request: Request) -> Any:
        return await run_in_threadpool(session.queue_rows)

    async def turn(request: Request) -> Any:
        return await run_in_threadpool(session.turn, request.path_params["turn"])

    async def decisions(request: Request) -> Any:
        body = await json_body(request)
        turn_id = request.path_params["turn"]
        if body.get("decision") == "done":
            return await run_in_threadpool(session.close_turn, turn_id)
        if "code" in body and "decision" in body:
            return await run_in_threadpool(session.decide, turn_id, body["code"], body["decision"])
        raise PdtkError(
            'send {"code": id, "decision": "accept"|"reject"|"add"|"undo"} or {"decision": "done"}'
        )

    async def refit(request: Request) -> Any:
        return await run_in_threadpool(session.refit_now, _wait_seconds(request))

    routes = [
        Route("/", page, methods=["GET"]),
        Route("/api/status", api_endpoint(status), methods=["GET"]),
        Route("/api/codebook", api_endpoint(codebook), methods=["GET"]),
        Route("/api/queue", api_endpoint(queue), methods=["GET"]),
        Route("/api/turns/{turn}", api_endpoint(turn), methods=["GET"]),
        Route("/api/turns/{turn}/decisions", api_endpoint(decisions), methods=["POST"]),
        Route("/api/refit", api_endpoint(refit), methods=["POST"]),
        *_actor_routes(session.actors, token),
        Route("/static/common.js", lambda _: FileResponse(REVIEW_STATIC / "common.js"), methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [
        Middleware(TrustedHostMiddleware, allowed_hosts=ALLOWED_HOSTS),
        Middleware(TokenGuard, token=token),
    ]
    return Starlette(routes=routes, middleware=middleware)


def _actor_routes(view: ActorView, token: str) -> list[Route]:
    """The actor view (docs/REVIEW_API.md, "Actor view"): its page and its four endpoints."""
    index = (STATIC / "actors.html").read_text(encoding="utf-8")

    async def page(request: Request) -> Response:
        return HTMLResponse(index.replace("__TOKEN__", token))

    async def listing(request: Request) -> Any:
        return await run_in_threadpool(view.listing)

    async def item(request: Request) -> Any:
        return await run_in_threadpool(view.item, request.path_params["item"])

    async def decision(request: Request) -> Any:
        body = await json_body(request)
        if "decision" not in body:
            raise PdtkError('send {"decision": a tone, "not_mentioned" or "undo"}')
        return await run_in_threadpool(view.decide, request.path_params["item"], body["decision"])

    async def add(request: Request) -> Any:
        body = await json_body(request)
        if not {"source", "actor", "decision"} <= set(body):
            raise PdtkError('send {"source": transcript, "actor": id, "decision": a tone}')
        return await run_in_threadpool(view.add, body["source"], body["actor"], body["decision"])

    return [
        Route("/actors", page, methods=["GET"]),
        Route("/api/actors", api_endpoint(listing), methods=["GET"]),
        Route("/api/actors", api_endpoint(add), methods=["POST"]),
        Route("/api/actors/{item}", api_endpoint(item), methods=["GET"]),
        Route("/api/actors/{item}/decisions", api_endpoint(decision), methods=["POST"]),
    ]
