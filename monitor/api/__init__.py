"""HTTP layer: thin blueprints over the services, and the plumbing every answer goes through
(the OpenAPI `Api`, RFC 9457 errors, the strict-JSON blueprint, response headers, gzip, and
what happens before Flask sees a request)."""
from monitor.api.openapi import MonitorApi

api = MonitorApi()


def init_app(app):
    """Attach the OpenAPI Api, every blueprint, the error handlers and the response policy."""
    from monitor.api import edge, errors, http_policy
    api.init_app(app, spec_kwargs={"components": {"securitySchemes": {
        "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}}})
    register(app, api)
    from monitor.web import bp as web_bp
    app.register_blueprint(web_bp)
    errors.register_error_handlers(app)
    http_policy.install(app)
    app.wsgi_app = edge.wrap(app.wsgi_app, app.config)  # trusted proxy, bearer scheme


def register(app, api):
    """Register every blueprint (API ones through flask-smorest for the OpenAPI document)."""
    from monitor.api import (
        attachments,
        audit,
        auth,
        detentions,
        docs,
        facilities,
        flags,
        health,
        research,
        users,
        visits,
        webhooks,
    )
    for module in (auth, users, facilities, detentions, flags, visits, research, webhooks, audit,
                   attachments):
        api.register_blueprint(module.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(docs.bp)
    from schemas.events import document_details
    document_details(api.spec)
