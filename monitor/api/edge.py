"""What happens to a request before Flask sees it: the trusted proxy, and the bearer scheme.

Behind a TLS-terminating proxy, gunicorn sees the proxy's address and plain http. werkzeug's
ProxyFix, given how many proxies to trust for each X-Forwarded-* header, takes the client's
address and scheme from them instead; with no trusted hops (the default) those headers are
ignored, since any client could forge them.
"""
from collections.abc import Callable

from werkzeug.middleware.proxy_fix import ProxyFix

# Setting → ProxyFix argument: how many proxies to trust for that X-Forwarded-* header.
PROXY_HOPS = {"PROXY_FIX_X_FOR": "x_for", "PROXY_FIX_X_PROTO": "x_proto",
              "PROXY_FIX_X_HOST": "x_host", "PROXY_FIX_X_PORT": "x_port",
              "PROXY_FIX_X_PREFIX": "x_prefix"}


def bearer_scheme_normaliser(wsgi_app: Callable) -> Callable:
    """Rewrite `Authorization: bearer <token>` (any case, any spaces) as `Bearer <token>`.

    RFC 9110 makes the scheme case-insensitive; flask-jwt-extended compares it exactly."""
    def app(environ, start_response):
        value = environ.get("HTTP_AUTHORIZATION")
        if value:
            scheme, _, rest = value.strip().partition(" ")
            if scheme.lower() == "bearer" and rest.strip():
                environ["HTTP_AUTHORIZATION"] = "Bearer " + rest.strip()
        return wsgi_app(environ, start_response)
    return app


def wrap(wsgi_app: Callable, config) -> Callable:
    """The app's WSGI callable with the bearer normaliser and, if configured, ProxyFix."""
    wrapped = bearer_scheme_normaliser(wsgi_app)
    hops = {arg: int(config.get(name) or 0) for name, arg in PROXY_HOPS.items()}
    if any(hops.values()):
        wrapped = ProxyFix(wrapped, **hops)
    return wrapped
