"""The review web app (Starlette): the page, its script and style, and the HTTP contract of ``docs/REVIEW_API.md``.

Security, because the page shows raw transcripts:

* the server binds 127.0.0.1 only (:mod:`.server`);
* every request needs ``?token=`` — a random secret printed once, as Jupyter does — else 403;
* the Host header must be ``127.0.0.1`` or ``localhost`` (Starlette's ``TrustedHostMiddleware``, else 400), so
  a web page that rebinds its own domain name to 127.0.0.1 cannot read the answers;
* every answer carries a Content-Security-Policy allowing only this server's own script, style and
  connections (no external scripts, fonts or CDNs; the page has no inline script), ``no-store`` so the browser
  keeps no copy of a transcript on disk, and ``no-referrer`` so the token never leaves in a Referer header;
* nothing is logged: no access log, and an unexpected error is answered (and reported) by its class name
  only, so neither an original string nor the token reaches a terminal or a log file.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from toolkit.deidentify.review.session import NotFound, ReviewConflict, ReviewSession
from toolkit.errors import PdtkError

STATIC = Path(__file__).with_name("static")
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
MAX_WAIT_SECONDS = 60.0
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "x-frame-options": "DENY",
    "cross-origin-resource-policy": "same-origin",
}


class TokenGuard:
    """ASGI middleware: 403 unless ``?token=`` is the session's token; security headers on every answer."""

    def __init__(self, app: ASGIApp, token: str):
        self.app = app
        self.token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [""])[0]
        if not hmac.compare_digest(given.encode(), self.token):
            refused = PlainTextResponse(
                "Forbidden: open the address with ?token=... that pdtk printed when it started the review.",
                status_code=403,
                headers=SECURITY_HEADERS,
            )
            await refused(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in SECURITY_HEADERS.items():
                    headers[key] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


Handler = Callable[[Request], Awaitable[Any]]


def api_endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """JSON in and out; a user's mistake is 400/404/409 with one line, anything else 500 with a class name."""

    async def endpoint(request: Request) -> Response:
        try:
            return JSONResponse(await handler(request))
        except NotFound as exc:
            return JSONResponse({"error": str(exc)}, status_code=404)
        except ReviewConflict as exc:
            return JSONResponse({"error": str(exc)}, status_code=409)
        except PdtkError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        except Exception as exc:  # never echo the message: it could hold a piece of a transcript
            return JSONResponse({"error": f"internal error ({type(exc).__name__})"}, status_code=500)

    return endpoint


async def json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise PdtkError("the request body is not JSON") from None
    if not isinstance(body, dict):
        raise PdtkError("the request body must be a JSON object")
    return body


def create_app(session: ReviewSession, token: str) -> Starlette:
    """The app for one session; ``token`` is required on every request."""
    index = (STATIC / "index.html").read_text(encoding="utf-8")

    async def page(request: Request) -> Response:
        return HTMLResponse(index.replace("__TOKEN__", token))

    async def sources(request: Request) -> Any:
        return await run_in_threadpool(session.listing)

    async def status(request: Request) -> Any:
        return await run_in_threadpool(session.status)

    async def source(request: Request) -> Any:
        try:
            wait = min(float(request.query_params.get("wait", 0)), MAX_WAIT_SECONDS)
        except ValueError:
            raise PdtkError("wait must be a number of seconds") from None
        return await run_in_threadpool(session.detail, request.path_params["name"], wait=wait)

    async def decisions(request: Request) -> Any:
        body = await json_body(request)
        name = request.path_params["name"]
        if isinstance(body.get("add"), dict):
            add = body["add"]
            return await run_in_threadpool(
                session.add, name, add.get("start"), add.get("end"), add.get("type")
            )
        if "span" in body and "decision" in body:
            return await run_in_threadpool(session.decide, name, body["span"], body["decision"])
        raise PdtkError(
            'send {"span": id, "decision": "accept"|"reject"} or {"add": {"start", "end", "type"}}'
        )

    async def reviewed(request: Request) -> Any:
        body = await json_body(request)
        return await run_in_threadpool(
            session.mark_reviewed, request.path_params["name"], bool(body.get("reviewed", True))
        )

    async def apply(request: Request) -> Any:
        return await run_in_threadpool(session.apply)

    routes = [
        Route("/", page, methods=["GET"]),
        Route("/api/sources", api_endpoint(sources), methods=["GET"]),
        Route("/api/status", api_endpoint(status), methods=["GET"]),
        Route("/api/sources/{name}", api_endpoint(source), methods=["GET"]),
        Route("/api/sources/{name}/decisions", api_endpoint(decisions), methods=["POST"]),
        Route("/api/sources/{name}/reviewed", api_endpoint(reviewed), methods=["POST"]),
        Route("/api/apply", api_endpoint(apply), methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [
        Middleware(TrustedHostMiddleware, allowed_hosts=ALLOWED_HOSTS),
        Middleware(TokenGuard, token=token),
    ]
    return Starlette(routes=routes, middleware=middleware)
