"""Settings, read once from the environment at start-up."""
import os
from datetime import timedelta


def _int(name, default):
    """Read an integer setting, falling back to `default`."""
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _bool(name, default):
    """Read a boolean setting (1/true/yes/on)."""
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


class Config:
    """Every setting the application reads; environment wins over defaults."""

    ENV_NAME = os.environ.get("MONITOR_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY")
    JWT_SECRET_KEY = os.environ.get("JWT_SECRET_KEY")
    DATA_KEY = os.environ.get("DATA_KEY")
    # Previous data keys (comma-separated), readable until `flask keys rotate` re-seals.
    DATA_KEYS_OLD = tuple(k.strip() for k in os.environ.get("DATA_KEYS_OLD", "").split(",") if k.strip())
    # None means: a SQLite file in the instance folder (resolved by the factory).
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    # Page size of a NEW SQLite database (an existing one keeps its own): evidence files are
    # stored as sealed blobs, and 16 KiB pages write them about a third faster than SQLite's
    # default 4 KiB (bench/attachments_profile.py).
    SQLITE_PAGE_SIZE = _int("SQLITE_PAGE_SIZE", 16384)
    # A served SQLite database is checkpointed by a thread of each worker every this many
    # seconds (0: off), and commits then only checkpoint past SQLITE_WAL_AUTOCHECKPOINT pages
    # of WAL (a safety net: 64 MB at 16 KiB pages) rather than SQLite's 1,000
    # (monitor.walcheckpoint).
    SQLITE_CHECKPOINT_SECONDS = float(os.environ.get("SQLITE_CHECKPOINT_SECONDS") or 0.1)
    SQLITE_WAL_AUTOCHECKPOINT = _int("SQLITE_WAL_AUTOCHECKPOINT", 4096)

    SWEEP_INTERVAL_SECONDS = _int("SWEEP_INTERVAL_SECONDS", 60)
    # How often the scheduler looks for detentions written to since their last evaluation
    # (one indexed read when there are none) and evaluates them.
    EVALUATION_INTERVAL_SECONDS = _int("EVALUATION_INTERVAL_SECONDS", 5)
    # Detentions per transaction in those evaluations: small, so writers waiting for the
    # write lock get in between batches (the periodic sweep uses SWEEP_BATCH_SIZE).
    EVALUATION_BATCH_SIZE = _int("EVALUATION_BATCH_SIZE", 10)
    SCHEDULER_ENABLED = _bool("SCHEDULER_ENABLED", True)
    SWEEP_BATCH_SIZE = _int("SWEEP_BATCH_SIZE", 500)
    # After a sweep that evaluated something, the statistics' appended count changes are
    # folded into one row per key once they outnumber both this and twice the last fold.
    COMPLIANCE_FOLD_ROWS = _int("COMPLIANCE_FOLD_ROWS", 20_000)
    # How long a sweeper's lease lasts between renewals (0: five intervals, at least 60 s).
    # A sweeper that dies keeps others out this long at most.
    SWEEP_LEASE_SECONDS = _int("SWEEP_LEASE_SECONDS", 0)
    WEBHOOK_INTERVAL_SECONDS = _int("WEBHOOK_INTERVAL_SECONDS", 15)
    # Webhook URLs may name loopback, private or link-local addresses only when this is on
    # (a receiver on the same host or LAN); checked at registration and at every delivery.
    WEBHOOK_ALLOW_PRIVATE = _bool("WEBHOOK_ALLOW_PRIVATE", False)
    RULES_DIR = os.environ.get("RULES_DIR")

    # Trusted reverse proxies (werkzeug's ProxyFix): how many proxies in front of gunicorn to
    # believe for each X-Forwarded-* header. 0 (default): the headers are ignored, since any
    # client can send them. Behind one TLS proxy: PROXY_FIX_X_FOR=1 and PROXY_FIX_X_PROTO=1.
    PROXY_FIX_X_FOR = _int("PROXY_FIX_X_FOR", 0)
    PROXY_FIX_X_PROTO = _int("PROXY_FIX_X_PROTO", 0)
    PROXY_FIX_X_HOST = _int("PROXY_FIX_X_HOST", 0)
    PROXY_FIX_X_PORT = _int("PROXY_FIX_X_PORT", 0)
    PROXY_FIX_X_PREFIX = _int("PROXY_FIX_X_PREFIX", 0)
    # The server's public base URL (e.g. https://monitor.example.org) for absolute links;
    # unset, `Link` headers are relative, so a forged Host header is never echoed.
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "").strip().rstrip("/") or None

    # The field app's files (default: monitor/web/static); a deployment may serve its own copy.
    WEB_APP_DIR = os.environ.get("WEB_APP_DIR")
    # CORS is off unless origins are listed (comma-separated, exact match).
    CORS_ORIGINS = tuple(o.strip() for o in os.environ.get("CORS_ORIGINS", "").split(",") if o.strip())
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 5 * 1024 * 1024)
    JWT_ACCESS_TOKEN_EXPIRES = timedelta(seconds=_int("ACCESS_TOKEN_SECONDS", 900))
    JWT_REFRESH_TOKEN_EXPIRES = timedelta(seconds=_int("REFRESH_TOKEN_SECONDS", 14 * 86400))
    JWT_TOKEN_LOCATION = ["headers"]
    JWT_ERROR_MESSAGE_KEY = "detail"

    LOGIN_MAX_FAILURES_PER_ACCOUNT = _int("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5)
    LOGIN_MAX_FAILURES_PER_ADDRESS = _int("LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
    LOGIN_WINDOW_SECONDS = _int("LOGIN_WINDOW_SECONDS", 900)
    # argon2id cost; tests lower it so the suite stays fast.
    ARGON2_TIME_COST = _int("ARGON2_TIME_COST", 3)
    ARGON2_MEMORY_COST = _int("ARGON2_MEMORY_COST", 65536)

    # Evidence attachments (issue 14): the largest file, the largest body of one upload PATCH,
    # and how long an unfinished upload is kept after its last byte.
    ATTACHMENT_MAX_BYTES = _int("ATTACHMENT_MAX_BYTES", 50 * 1024 * 1024)
    ATTACHMENT_CHUNK_MAX_BYTES = _int("ATTACHMENT_CHUNK_MAX_BYTES", 8 * 1024 * 1024)
    ATTACHMENT_ABANDON_HOURS = _int("ATTACHMENT_ABANDON_HOURS", 72)

    API_TITLE = "Detention safeguards monitor"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    # Interactive docs are served from our own copy of Swagger UI (works offline).
    OPENAPI_SWAGGER_UI_PATH = None
