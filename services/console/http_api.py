"""The console's HTTP face: the page, a server-sent-events stream and a calls overview.

A browser that reconnects sends Last-Event-ID and receives every event it missed (within history).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from aiohttp import web

from services.console.feedback import FeedbackError
from services.console.logic import ConsoleHub

STATIC = Path(__file__).resolve().parent / "static"
HEARTBEAT_S = 15.0
HUB_KEY = web.AppKey("hub", ConsoleHub)


def _sse(event_id: int, view: dict) -> bytes:
    return f"id: {event_id}\nevent: {view['kind']}\ndata: {json.dumps(view)}\n\n".encode()


async def page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


async def calls(request: web.Request) -> web.Response:
    return web.json_response({"calls": request.app[HUB_KEY].overview()})


def _error(status: type[web.HTTPException], message: str) -> web.HTTPException:
    return status(text=json.dumps({"error": message}), content_type="application/json")


async def wrapup_feedback(request: web.Request) -> web.Response:
    """POST {"action": "accept"} or {"action": "edit", "text", "disposition", "next_actions"}."""
    try:
        body = await request.json()
    except ValueError as error:
        raise _error(web.HTTPBadRequest, "the body must be JSON") from error
    try:
        feedback = await request.app[HUB_KEY].submit_feedback(request.match_info["call_id"], body)
    except FeedbackError as error:
        raise _error(web.HTTPBadRequest, str(error)) from error
    except LookupError as error:
        raise _error(web.HTTPNotFound, str(error)) from error
    except RuntimeError as error:
        raise _error(web.HTTPServiceUnavailable, str(error)) from error
    return web.json_response({"status": "recorded", "call_id": feedback.call_id,
                              "disposition": feedback.disposition}, status=202)


async def manager_reports(request: web.Request) -> web.Response:
    return web.json_response({"reports": list(request.app[HUB_KEY].manager_reports.values())})


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def _last_event_id(request: web.Request) -> int:
    raw = request.headers.get("Last-Event-ID") or request.query.get("last_id") or "0"
    try:
        return max(0, int(raw))
    except ValueError as error:
        raise web.HTTPBadRequest(text=json.dumps({"error": "Last-Event-ID must be an integer"}),
                                 content_type="application/json") from error


async def events(request: web.Request) -> web.StreamResponse:
    hub = request.app[HUB_KEY]
    last_id = _last_event_id(request)
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                                           "X-Accel-Buffering": "no"})
    await response.prepare(request)
    queue = hub.subscribe()
    try:
        await response.write(b"retry: 2000\n\n")
        for event_id, view in hub.since(last_id):
            await response.write(_sse(event_id, view))
            last_id = event_id
        while True:
            try:
                event_id, view = await asyncio.wait_for(queue.get(), HEARTBEAT_S)
            except TimeoutError:
                await response.write(b": heartbeat\n\n")
                continue
            if event_id > last_id:
                await response.write(_sse(event_id, view))
                last_id = event_id
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        hub.unsubscribe(queue)
    return response


def create_app(hub: ConsoleHub) -> web.Application:
    app = web.Application()
    app[HUB_KEY] = hub
    app.router.add_get("/", page)
    app.router.add_get("/api/calls", calls)
    app.router.add_get("/api/events", events)
    app.router.add_post("/api/wrapups/{call_id}/feedback", wrapup_feedback)
    app.router.add_get("/api/manager/reports", manager_reports)
    app.router.add_get("/healthz", health)
    app.router.add_static("/static/", STATIC)
    return app


async def start_http(hub: ConsoleHub, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(create_app(hub), shutdown_timeout=2)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
