"""Interactive API docs (Swagger UI) served from a local copy: no internet needed."""
from flask import Blueprint, Response, send_from_directory, url_for
from swagger_ui_bundle import swagger_ui_path

bp = Blueprint("docs", __name__, url_prefix="/api/v1/docs")

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Detention safeguards monitor API</title>
<link rel="stylesheet" href="{css}"></head>
<body><div id="swagger-ui"></div>
<script src="{js}"></script>
<script src="{init}"></script></body></html>"""


@bp.route("")
@bp.route("/")
def index():
    """The Swagger UI page, pointed at our OpenAPI document."""
    html = PAGE.format(css=url_for("docs.asset", filename="swagger-ui.css"),
                       js=url_for("docs.asset", filename="swagger-ui-bundle.js"),
                       init=url_for("docs.init_script"))
    return Response(html, mimetype="text/html")


@bp.route("/init.js")
def init_script():
    """Start Swagger UI on our document (a file, so the page needs no inline script)."""
    spec = url_for("api-docs.openapi_json")
    # validatorUrl null: the bundle would otherwise send the document to validator.swagger.io.
    script = (f'window.ui = SwaggerUIBundle({{url: "{spec}", dom_id: "#swagger-ui", '
              'deepLinking: true, validatorUrl: null}});')
    return Response(script, mimetype="text/javascript")


@bp.route("/assets/<path:filename>")
def asset(filename):
    """Swagger UI's static files, from the swagger-ui-bundle package."""
    return send_from_directory(swagger_ui_path, filename, max_age=86400)
