"""Response hardening for every page and API answer: security headers, CORS for GET, Accept.

- Content-Security-Policy ``default-src 'self'; frame-ancestors 'none'`` (a view may set a
  stricter one, e.g. the original-file download), X-Content-Type-Options ``nosniff``,
  Referrer-Policy, X-Frame-Options for old browsers.
- CORS: the API is public and read-only, so any origin may GET it (``Access-Control-Allow-Origin:
  *``, no credentials); preflight OPTIONS answers which methods and headers are allowed.
- A request whose Accept header rules out JSON gets a 406 (the file download negotiates its own
  content type instead).
"""

from __future__ import annotations

from flask import Flask, Response, g, request

from .errors import ApiError

CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
CORS_METHODS = "GET, HEAD, OPTIONS"
CORS_EXPOSE = ("Content-Disposition, Content-Length, ETag, Retry-After, X-RateLimit-Limit, "
               "X-RateLimit-Remaining")
CORS_PATHS = ("/api/",)


def require_json_acceptable() -> None:
    """406 unless the client accepts JSON (no Accept header means anything goes)."""
    if "Accept" not in request.headers:
        return
    if request.accept_mimetypes.best_match(["application/json"]) is None:
        raise ApiError(406, "this endpoint answers with application/json; the Accept header "
                       "rules it out")


def acceptable(mimetype: str) -> bool:
    return "Accept" not in request.headers or request.accept_mimetypes[mimetype] > 0


def install(app: Flask) -> None:
    @app.after_request
    def _harden(resp: Response) -> Response:
        resp.headers.setdefault("Content-Security-Policy", CSP)
        for name, value in HEADERS.items():
            resp.headers.setdefault(name, value)
        if request.path.startswith(CORS_PATHS) and request.method in ("GET", "HEAD", "OPTIONS"):
            resp.headers["Access-Control-Allow-Origin"] = "*"
            resp.headers["Access-Control-Expose-Headers"] = CORS_EXPOSE
            if request.method == "OPTIONS":
                resp.headers["Access-Control-Allow-Methods"] = CORS_METHODS
                resp.headers["Access-Control-Allow-Headers"] = "Accept, Accept-Language, Range"
                resp.headers["Access-Control-Max-Age"] = "86400"
        for name, value in getattr(g, "rate_limit_headers", {}).items():
            resp.headers.setdefault(name, value)
        return resp
