"""HTTP layer: thin blueprints over the services."""


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
