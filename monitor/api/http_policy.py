"""Response headers every answer carries, and CORS (off unless origins are configured)."""
from flask import request

from monitor.api import compression

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                               "script-src 'self'; frame-ancestors 'none'; base-uri 'none'",
}
# The field app (/app/) runs with no inline script or style and talks only to this origin.
APP_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
           "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; "
           "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
CORS_METHODS = "GET, POST, PATCH, DELETE, OPTIONS"
CORS_HEADERS = "Authorization, Content-Type, If-None-Match"


def allowed_origin(app):
    """The request's Origin if CORS_ORIGINS lists it, else None."""
    origin = request.headers.get("Origin")
    return origin if origin and origin in app.config["CORS_ORIGINS"] else None


def preflight(app):
    """Answer a CORS preflight for an allowed origin (204), else let routing answer."""
    if request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method"):
        if allowed_origin(app):
            response = app.response_class(status=204)
            response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
            response.headers["Access-Control-Allow-Headers"] = CORS_HEADERS
            response.headers["Access-Control-Max-Age"] = "600"
            return response
    return None


def decorate(app, response):
    """Add security headers, no-store caching for API data, and CORS for allowed origins."""
    present = {name.lower() for name in response.headers.keys()}  # one pass, not one per header
    response.headers.extend([(name, value) for name, value in SECURITY_HEADERS.items()
                             if name.lower() not in present])
    if request.path == "/app" or request.path.startswith("/app/"):
        response.headers["Content-Security-Policy"] = APP_CSP
        # Revalidated every time (ETag, 304); the service worker serves them offline.
        response.headers.setdefault("Cache-Control", "no-cache")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    if request.path.startswith("/api/") and not request.path.startswith("/api/v1/docs/assets"):
        response.headers.setdefault("Cache-Control", "no-store")
    origin = allowed_origin(app)
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = "Link, ETag, Retry-After"
        response.headers.add("Vary", "Origin")
    return response


def install(app):
    """Register the hooks (gzip request bodies are inflated before anything reads them)."""
    app.before_request(lambda: preflight(app))
    app.after_request(lambda response: decorate(app, response))
    compression.install(app)
