"""Detention safeguards monitor: the application factory."""
import os
from pathlib import Path

from flask import Flask, current_app, request

from config import Config
from monitor import api as http
from monitor import database
from monitor.api import errors
from monitor.crypto import Cipher
from monitor.domain.rules import load_rule_sets
from monitor.extensions import db, jwt, migrate
from monitor.keyring import ensure_secrets

BUILTIN_RULES = Path(__file__).resolve().parent / "rules"  # the built-in law, package data
BODY_METHODS = ("POST", "PUT", "PATCH")


def create_app(test_config=None):
    """Build the app: defaults, then environment (Config), then the test's mapping."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(Config)
    if test_config:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(
            app.instance_path, "monitor.sqlite3")
    _normalise_database_url(app)
    ensure_secrets(app.config, app.instance_path)
    app.extensions["monitor.cipher"] = Cipher(app.config["DATA_KEY"], app.config["SECRET_KEY"],
                                              app.config["DATA_KEYS_OLD"])
    app.extensions["monitor.rule_sets"] = load_rule_sets(_rule_dirs(app))

    database.init_app(app)
    from monitor.services.research import facts  # noqa: F401  (its flush hook keeps the statistics' counts)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"),
                     render_as_batch=True, compare_type=True)
    jwt.init_app(app)

    _register_jwt_callbacks()
    errors.register_jwt_handlers(jwt)
    http.init_app(app)
    app.before_request(_refuse_other_media)
    from monitor.cli import register_commands
    register_commands(app)
    return app


def _normalise_database_url(app):
    """Accept postgres:// and postgresql:// URLs and use the psycopg 3 driver."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    if url.startswith("sqlite"):
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": 30}})


def _rule_dirs(app):
    """Built-in rule files, then a deployment's own (RULES_DIR) which may add or override."""
    dirs = [BUILTIN_RULES]
    if app.config.get("RULES_DIR"):
        dirs.append(Path(app.config["RULES_DIR"]))
    return dirs


def _register_jwt_callbacks():
    """Tokens are checked against the revocation table and the user's active flag."""
    from monitor.services.accounts import auth
    jwt.token_in_blocklist_loader(lambda header, payload: auth.is_revoked(payload))
    jwt.user_lookup_loader(lambda header, payload: auth.load_active_user(payload))


def _refuse_other_media():
    """Refuse bodies that are not JSON (415), before the view reads them; authenticated
    writers check it after their role (api.common.authenticated: authorization first)."""
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "takes_write_lock_after_auth", False):
        return None
    return unsupported_media(view)


def unsupported_media(view):
    """A 415 problem when the request's body is not of the type `view` reads, else None."""
    if request.method in BODY_METHODS and request.path.startswith("/api/"):
        has_body = (request.content_length or 0) > 0 or request.headers.get("Transfer-Encoding")
        mimetype = request.mimetype or ""
        binary = getattr(view, "body_media_type", None)  # e.g. tus upload chunks
        if binary:
            if has_body and mimetype != binary:
                return errors.problem(415, "Unsupported media type", f"Send the body as {binary}.",
                                      slug="unsupported-media-type")
        elif has_body and not (mimetype == "application/json" or mimetype.endswith("+json")):
            return errors.problem(415, "Unsupported media type",
                                  "Send the body as application/json.", slug="unsupported-media-type")
    return None
