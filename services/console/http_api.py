"""The console's HTTP face: the page, server-sent events, calls, feedback, coaching notes, the
indicators service's team KPIs and manager summaries.

Every API call carries a bearer token in the Authorization header. The SSE stream, which browsers open
without headers, is authenticated by an HttpOnly, SameSite=Strict cookie that POST /api/session sets from
that token (scoped to the stream's path): a token never travels in a URL, so no access log holds one.
401 without valid credentials, 403 for a call the caller may not see, 404 for a
call nobody knows, 400 for a malformed body. A reconnecting browser sends Last-Event-ID and receives
every event it missed (within history).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from seatcopilot.redaction import redact

from services.console.auth import AccessAudit, Authenticator, Forbidden, Identity, Unauthorized
from services.console.logic import CallOverview, ConsoleHub

STATIC = Path(__file__).resolve().parent / "static"
HEARTBEAT_S = 15.0
HUB = web.AppKey("hub", ConsoleHub)
AUTH = web.AppKey("auth", Authenticator)
AUDIT = web.AppKey("audit", AccessAudit)
FEEDBACK_ACTIONS = {"accepted", "edited", "dismissed", "not_a_violation"}
FEEDBACK_SUBJECTS = {"suggestion", "wrapup", "alert"}
RULE_ID = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,63}$")
MAX_SEQ = 2**63 - 1  # the feedback message's seq is a uint64; a larger one is not a seq of any call
MAX_SECONDS_TO_ACT = 86_400.0
SESSION_COOKIE = "seatcopilot_session"
DISPOSITION = re.compile(r"^[A-Z][A-Z_]{1,39}$")

FeedbackSink = Callable[[Identity, dict[str, Any], dict[str, Any]], Awaitable[None]]
FEEDBACK: web.AppKey[FeedbackSink] = web.AppKey("feedback")


def _error(status: type[web.HTTPException], message: str) -> web.HTTPException:
    return status(text=json.dumps({"error": message}), content_type="application/json")


def _bearer(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    return header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""


async def identity_of(request: web.Request, *, cookie: bool = False) -> Identity:
    """The caller, from the Authorization header (or, for the event stream only, the session cookie)."""
    token = _bearer(request) or (request.cookies.get(SESSION_COOKIE, "") if cookie else "")
    auth = request.app[AUTH]
    try:  # fetching a rotated key set is blocking network I/O: off the event loop
        return await asyncio.to_thread(auth.identity, token) if auth.fetches_keys else auth.identity(token)
    except Unauthorized as error:
        raise _error(web.HTTPUnauthorized, str(error)) from error


def visible_call(request: web.Request, identity: Identity, action: str) -> str:
    """The call of that id in the caller's tenant, if they may see it. A call they may not see answers
    exactly as one that does not exist (404), so nobody learns which calls exist; the audit log tells
    the two apart."""
    hub, call_id = request.app[HUB], request.match_info["call_id"]
    allowed = hub.visible(identity, call_id)
    request.app[AUDIT].record(identity, call_id, action, allowed)
    if not allowed:
        raise _error(web.HTTPNotFound, "no such call")
    return call_id


def _overview(hub: ConsoleHub, identity: Identity, call_id: str) -> CallOverview:
    """The call's overview; a call that ended and was forgotten since it was found answers 404."""
    overview = hub.call(identity.tenant, call_id)
    if overview is None:
        raise _error(web.HTTPNotFound, "no such call")
    return overview


async def read_json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
        raise _error(web.HTTPBadRequest, "the body must be a JSON object") from error
    if not isinstance(body, dict):
        raise _error(web.HTTPBadRequest, "the body must be a JSON object")
    return body


# ---- pages and identity -------------------------------------------------------------------------
async def page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def config(request: web.Request) -> web.Response:
    return web.json_response({"dev_login": bool(request.app[AUTH].dev_secret)})


async def dev_login(request: web.Request) -> web.Response:
    body = await read_json(request)
    role = body.get("role", "")
    identity = Identity(subject=str(body.get("subject") or body.get("operator_id") or body.get("team") or role),
                        tenant=str(body.get("tenant", "")), role=role, team=str(body.get("team", "")),
                        operator_id=str(body.get("operator_id", "")))
    try:
        token = request.app[AUTH].dev_token(identity)
        request.app[AUTH].identity(token)  # the same checks as any token: role, tenant, ids
    except Forbidden as error:
        raise _error(web.HTTPNotFound, str(error)) from error
    except Unauthorized as error:
        raise _error(web.HTTPBadRequest, str(error)) from error
    return web.json_response({"access_token": token, "token_type": "Bearer", "dev_login": True})


async def me(request: web.Request) -> web.Response:
    return web.json_response(asdict(await identity_of(request)))


async def open_session(request: web.Request) -> web.Response:
    """Checks the bearer token and hands it back as the event stream's cookie: HttpOnly (no script reads
    it), SameSite=Strict (no other site's page sends it), only on /api/events, Secure behind TLS."""
    identity = await identity_of(request)
    response = web.json_response(asdict(identity))
    response.set_cookie(SESSION_COOKIE, _bearer(request), httponly=True, samesite="Strict", path="/api/events",
                        secure=request.secure)
    return response


async def close_session(request: web.Request) -> web.Response:
    response = web.json_response({"signed_out": True})
    response.del_cookie(SESSION_COOKIE, path="/api/events")
    return response


# ---- calls --------------------------------------------------------------------------------------
async def calls(request: web.Request) -> web.Response:
    return web.json_response({"calls": request.app[HUB].overview(await identity_of(request))})


async def call_detail(request: web.Request) -> web.Response:
    identity = await identity_of(request)
    call_id = visible_call(request, identity, "open")
    hub = request.app[HUB]
    return web.json_response({"call": asdict(_overview(hub, identity, call_id)),
                              "events": [{"id": i, **v} for i, v in hub.call_history(identity.tenant, call_id)]})


async def feedback(request: web.Request) -> web.Response:
    identity = await identity_of(request)
    call_id = visible_call(request, identity, "feedback")
    body = await read_json(request)
    action, subject = body.get("action"), body.get("subject", "suggestion")
    if not isinstance(action, str) or not isinstance(subject, str) or action not in FEEDBACK_ACTIONS \
            or subject not in FEEDBACK_SUBJECTS:  # a list or an object is not hashable: checked as a type first
        raise _error(web.HTTPBadRequest, f"action must be one of {sorted(FEEDBACK_ACTIONS)}")
    _check_feedback_types(body)
    if (body["action"] == "not_a_violation") != (body.get("subject") == "alert"):
        raise _error(web.HTTPBadRequest, "an alert takes the action not_a_violation, and only an alert does")
    if body.get("subject") == "alert" and not RULE_ID.match(str(body.get("rule_id", ""))):
        raise _error(web.HTTPBadRequest, "an alert's feedback needs the rule_id it was raised by")
    if identity.role != "operator":
        raise _error(web.HTTPForbidden, "only the operator on the call gives feedback")
    call = asdict(_overview(request.app[HUB], identity, call_id))
    body["edited_text"] = redact((body.get("edited_text") or "")[:4000]).text
    body["disposition"] = str(body.get("disposition") or "").strip().upper() if body.get("subject") == "wrapup" else ""
    if body["disposition"] and not DISPOSITION.match(body["disposition"]):
        raise _error(web.HTTPBadRequest, "disposition must be a code such as PROMISE_TO_PAY")
    await request.app[FEEDBACK](identity, call, body)
    # Every open tab of the call (and a reload) learns the suggestion was acted on: no second feedback.
    request.app[HUB].add({"kind": "feedback", "call_id": call_id, "seq": body["seq"], "tenant": call["tenant"],
                          "scenario": call["scenario"], "operator_id": identity.operator_id,
                          "team_id": call["team_id"], "subject": body.get("subject", "suggestion"),
                          "action": body["action"], "rule_id": str(body.get("rule_id", ""))})
    return web.json_response({"recorded": True}, status=201)


def _check_feedback_types(body: dict[str, Any]) -> None:
    """Wrong types and out-of-range numbers are the caller's error (400), never the server's."""
    seq = body.get("seq")
    if type(seq) is not int or not 1 <= seq <= MAX_SEQ:  # bool is an int in Python: not a seq
        raise _error(web.HTTPBadRequest, "seq must be a positive integer")
    seconds = body.get("seconds_to_act", 0)
    if seconds is not None and (type(seconds) not in (int, float) or not 0 <= seconds <= MAX_SECONDS_TO_ACT):
        raise _error(web.HTTPBadRequest, f"seconds_to_act must be a number from 0 to {MAX_SECONDS_TO_ACT:g}")
    for name in ("edited_text", "disposition"):
        if body.get(name) is not None and not isinstance(body[name], str):
            raise _error(web.HTTPBadRequest, f"{name} must be a string")


async def coaching_note(request: web.Request) -> web.Response:
    identity = await identity_of(request)
    call_id = visible_call(request, identity, "coaching_note")
    if identity.role not in ("manager", "admin"):
        raise _error(web.HTTPForbidden, "coaching notes are written by managers")
    text = str((await read_json(request)).get("text", "")).strip()
    if not text or len(text) > 2000:
        raise _error(web.HTTPBadRequest, "a note needs 1 to 2000 characters")
    return web.json_response(request.app[HUB].coaching_note(identity, call_id, redact(text).text), status=201)


async def indicators(request: web.Request) -> web.Response:
    """The indicators service's values (current window, per arm and combined) and their course over time:
    a manager's own team, an admin's tenant (or one team of it)."""
    identity = await identity_of(request)
    if identity.role == "operator":
        raise _error(web.HTTPForbidden, "team indicators are for managers")
    team = identity.team if identity.role == "manager" else request.query.get("team") or None
    return web.json_response({"team": team, **request.app[HUB].indicators_for(identity.tenant, team)})


async def manager_reports(request: web.Request) -> web.Response:
    """The summarizer's latest per-team and per-operator summaries: a manager's own team, an admin's tenant."""
    identity = await identity_of(request)
    if identity.role == "operator":
        raise _error(web.HTTPForbidden, "manager summaries are for managers")
    team = identity.team if identity.role == "manager" else request.query.get("team") or None
    return web.json_response({"team": team, "reports": request.app[HUB].manager_reports_for(identity.tenant, team)})


async def alert_quality(request: web.Request) -> web.Response:
    """Alerts per call and the false-alarm rate per rule (operators' "not a violation"): a manager's own team,
    an admin's tenant (or one team of it)."""
    identity = await identity_of(request)
    if identity.role not in ("manager", "admin"):
        raise _error(web.HTTPForbidden, "alert quality is for managers")
    team = identity.team if identity.role == "manager" else request.query.get("team") or None
    return web.json_response({"team": team, **request.app[HUB].alert_quality(identity.tenant, team)})


# ---- live events --------------------------------------------------------------------------------
def _sse(event_id: int, view: dict) -> bytes:
    return f"id: {event_id}\nevent: {view['kind']}\ndata: {json.dumps(view)}\n\n".encode()


def _last_event_id(request: web.Request) -> int:
    raw = request.headers.get("Last-Event-ID") or request.query.get("last_id") or "0"
    try:
        return max(0, int(raw))
    except ValueError as error:
        raise _error(web.HTTPBadRequest, "Last-Event-ID must be an integer") from error


async def events(request: web.Request) -> web.StreamResponse:
    identity = await identity_of(request, cookie=True)
    hub = request.app[HUB]
    last_id = _last_event_id(request)
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                                           "X-Accel-Buffering": "no"})
    await response.prepare(request)
    queue = hub.subscribe()

    streamed: set[str] = set()

    async def send(event_id: int, view: dict) -> None:
        nonlocal last_id
        if event_id > last_id and hub.visible_view(identity, view):
            if view["call_id"] not in streamed:  # a call's content reaching a stream is an access, audited once
                streamed.add(view["call_id"])
                request.app[AUDIT].record(identity, view["call_id"], "stream", True)
            await response.write(_sse(event_id, view))
        last_id = max(last_id, event_id)

    try:
        await response.write(b"retry: 2000\n\n")
        for event_id, view in hub.since(last_id):
            await send(event_id, view)
        while True:
            try:
                event_id, view = await asyncio.wait_for(queue.get(), HEARTBEAT_S)
            except TimeoutError:
                await response.write(b": heartbeat\n\n")
                continue
            await send(event_id, view)
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        hub.unsubscribe(queue)
    return response


def create_app(hub: ConsoleHub, auth: Authenticator, audit: AccessAudit, on_feedback: FeedbackSink) -> web.Application:
    app = web.Application(client_max_size=64 * 1024)
    app[HUB], app[AUTH], app[AUDIT], app[FEEDBACK] = hub, auth, audit, on_feedback
    app.router.add_get("/", page)
    app.router.add_get("/healthz", health)
    app.router.add_get("/api/config", config)
    app.router.add_post("/api/dev/login", dev_login)
    app.router.add_get("/api/me", me)
    app.router.add_post("/api/session", open_session)
    app.router.add_delete("/api/session", close_session)
    app.router.add_get("/api/calls", calls)
    app.router.add_get("/api/calls/{call_id}", call_detail)
    app.router.add_post("/api/calls/{call_id}/feedback", feedback)
    app.router.add_post("/api/calls/{call_id}/notes", coaching_note)
    app.router.add_get("/api/indicators", indicators)
    app.router.add_get("/api/manager/reports", manager_reports)
    app.router.add_get("/api/manager/alert-quality", alert_quality)
    app.router.add_get("/api/events", events)
    app.router.add_static("/static/", STATIC)
    return app


class PathOnlyAccessLogger(AbstractAccessLogger):
    """Method, path, status, size, time: never the query string (a misbehaving client may still put a
    token there) nor any header."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info("%s %s %s %s %.3fs", request.method, request.path, response.status,
                         response.body_length, time)


async def start_http(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, shutdown_timeout=2, access_log_class=PathOnlyAccessLogger)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
