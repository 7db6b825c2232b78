"""Access to the workspace: the token, its cookie, the CSRF token, the upload limit.

* Every request (pages, API, static files) needs the token: ``Authorization: Bearer T``,
  or the cookie that a browser gets by opening ``…?token=T`` once (HttpOnly,
  SameSite=Strict; the address is then reloaded without the token, so that it stays out of
  the history). Without it: 401.
* A POST authenticated by the cookie (a browser) must carry the CSRF token (form field
  ``csrf_token`` or header ``X-CSRF-Token``), derived from the token: a page of another
  site cannot know it. A POST with the ``Authorization`` header (a script) needs none.
* A POST must state its length (``Content-Length``) and stay under the upload limit.
* Answers carry a strict Content-Security-Policy: pages load nothing from outside.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from urllib.parse import urlencode

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

__all__ = ["COOKIE_NAME", "CSRF_FIELD", "TokenMiddleware", "csrf_token", "new_token", "is_loopback", "check_csrf", "CsrfError"]

COOKIE_NAME = "mobilite_jeton"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class CsrfError(Exception):
    """A POST from a browser without its CSRF token."""


def new_token() -> str:
    return secrets.token_urlsafe(24)


def csrf_token(token: str) -> str:
    """The CSRF token of a server token (stable for the server's life, unknown to other sites)."""
    return hmac.new(token.encode(), b"mobilite-csrf", hashlib.sha256).hexdigest()


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _same(a: str | None, b: str) -> bool:
    return bool(a) and hmac.compare_digest(a.encode(), b.encode())


def _refused(request: Request, status: int, message: str) -> Response:
    if request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
        return JSONResponse({"detail": message}, status_code=status)
    page = ("<!doctype html><html lang='fr'><head><meta charset='utf-8'><title>Accès refusé</title></head>"
            f"<body><h1>Accès refusé</h1><p>{message}</p></body></html>")
    return HTMLResponse(page, status_code=status)


class TokenMiddleware(BaseHTTPMiddleware):
    """The checks above, on every request (see the module's docstring)."""

    def __init__(self, app, *, token: str, max_upload_bytes: int):
        super().__init__(app)
        self.token = token
        self.max_upload_bytes = max_upload_bytes

    async def dispatch(self, request: Request, call_next) -> Response:
        auth = request.headers.get("authorization", "")
        bearer = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        query = request.query_params.get("token")
        if _same(bearer, self.token):
            request.state.auth = "bearer"
        elif _same(request.cookies.get(COOKIE_NAME), self.token):
            request.state.auth = "cookie"
        elif _same(query, self.token) and request.method in ("GET", "HEAD"):
            # the link printed by `mobilite serve`: set the cookie, reload without the token
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            target = request.url.path + ("?" + urlencode(rest) if rest else "")
            response = RedirectResponse(target, status_code=303)
            response.set_cookie(COOKIE_NAME, self.token, httponly=True, samesite="strict", path="/")
            return response
        else:
            return _refused(request, 401, "Jeton d'accès manquant ou invalide : ouvrez l'adresse affichée par "
                                          "« mobilite serve » (elle contient le jeton).")
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            length = request.headers.get("content-length")
            if length is None or not length.isdigit():
                return _refused(request, 411, "Requête refusée : longueur du contenu non indiquée.")
            if int(length) > self.max_upload_bytes:
                limit = self.max_upload_bytes / 1_000_000
                return _refused(request, 413, f"Fichiers trop volumineux (limite : {limit:g} Mo par envoi).")
        request.state.csrf = csrf_token(self.token)
        response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response


async def check_csrf(request: Request) -> None:
    """Raise :class:`CsrfError` for a browser's POST without the right CSRF token."""
    if getattr(request.state, "auth", None) != "cookie":
        return
    given = request.headers.get(CSRF_HEADER)
    if not given:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not _same(given, request.state.csrf):
        raise CsrfError()
