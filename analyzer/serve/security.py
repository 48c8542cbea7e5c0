"""Who may use the page, and how much they may send: host check, access token, CSRF, upload size.

The archive holds personal information. Bound to the loopback interface (the default) the page
answers only requests addressed to ``localhost``/``127.0.0.1``/``[::1]`` (a web page elsewhere
cannot reach it by rebinding a name of its own to 127.0.0.1). Bound to any other address it needs
a token, as Jupyter does: generated at start and printed with the URL, or given. The token comes
as ``Authorization: Bearer TOKEN``, or once as ``?token=TOKEN`` (the server then sets a cookie and
drops it from the address bar), or in that cookie. Pages post forms with a CSRF token that must
equal the one in their cookie (``SameSite=Strict``: another site's form never carries it).
"""
from __future__ import annotations

import ipaddress
import json
import secrets
from html import escape
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

TOKEN_COOKIE = "tokki_token"
CSRF_COOKIE = "tokki_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
TOKEN_ENV = "TOKKI_TOKEN"
DEFAULT_MAX_UPLOAD = 50 * 1024 * 1024  # bytes per request (--max-upload)
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class ServeConfig:
    """How ``tokki serve`` runs: the store it shows, the reference library, where it listens, the token
    (None: none needed, loopback only) and the largest request body accepted."""

    db: Path | None = None
    library_dirs: tuple[Path, ...] = ()
    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = field(default=None, repr=False)
    max_upload: int = DEFAULT_MAX_UPLOAD

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)

    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        base = f"http://{host}:{self.port}/"
        return f"{base}?{urlencode({'token': self.token})}" if self.token else base


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    return secrets.token_urlsafe(24)


def same_secret(given: str | None, expected: str | None) -> bool:
    return bool(given) and bool(expected) and secrets.compare_digest(given.encode(), expected.encode())


def _host_name(host_header: str) -> str:
    """The name of a Host header without its port (``[::1]:8000`` → ``::1``)."""
    if host_header.startswith("["):
        return host_header[1 : host_header.find("]")] if "]" in host_header else host_header
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


class Guard:
    """ASGI middleware in front of the app: host, token and request size, before any route runs."""

    def __init__(self, app, config: ServeConfig):
        self.app, self.config = app, config

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        path = scope.get("path", "")
        api = path.startswith("/api/") or path in ("/openapi.json",)
        if self.config.loopback and _host_name(headers.get("host", "")).lower() not in LOOPBACK_NAMES:
            return await _refuse(send, 400, api, "bad_host",
                                 "このページは localhost でだけ開けます / this page answers only on localhost")
        if self.config.token:
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            given = query.get("token")
            if same_secret(given, self.config.token) and scope["method"] == "GET":
                # Keep the token in a cookie and take it out of the address bar (and of the history).
                rest = urlencode([(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode()) if k != "token"])
                return await _redirect(send, path + (f"?{rest}" if rest else ""), self.config.token)
            bearer = headers.get("authorization", "")
            cookie = _cookies(headers.get("cookie", "")).get(TOKEN_COOKIE)
            if not (same_secret(bearer.removeprefix("Bearer ").strip(), self.config.token)
                    or same_secret(cookie, self.config.token) or same_secret(given, self.config.token)):
                return await _refuse(
                    send, 401, api, "unauthorized",
                    "アクセスにはトークンが必要です。tokki serve が表示した URL（?token=…）を開いてください"
                    " / a token is needed: open the URL tokki serve printed (?token=…)",
                )
        if scope["method"] in ("POST", "PUT", "PATCH"):
            length = headers.get("content-length")
            if length is None or not length.isdigit():
                return await _refuse(send, 411, api, "length_required",
                                     "送信の大きさ（Content-Length）がありません / Content-Length is required")
            if int(length) > self.config.max_upload:
                mb = self.config.max_upload / 1024 / 1024
                return await _refuse(send, 413, api, "too_large",
                                     f"送信が大きすぎます（上限 {mb:g} MB） / the upload exceeds {mb:g} MB")
            receive = _bounded(receive, int(length))
        return await self.app(scope, receive, send)


def _bounded(receive, limit: int):
    """A receive that stops at the declared length: a client sending more is cut off."""
    seen = 0

    async def bounded():
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                return {"type": "http.disconnect"}
        return message

    return bounded


def _cookies(header: str) -> dict[str, str]:
    out = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name:
            out[name] = value
    return out


async def _refuse(send, status: int, api: bool, code: str, message: str) -> None:
    if api:
        body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode()
        ctype = b"application/json"
    else:
        body = (
            '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>tokki</title></head><body>'
            f"<h1>tokki</h1><p>{escape(message)}</p></body></html>"
        ).encode()
        ctype = b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _redirect(send, location: str, token: str) -> None:
    cookie = f"{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
    await send({"type": "http.response.start", "status": 303,
                "headers": [(b"location", location.encode()), (b"set-cookie", cookie.encode()),
                            (b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})
