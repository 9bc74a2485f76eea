"""Evidence attachments: tus 1.0 core resumable uploads, metadata and streamed content."""
from flask import Response, current_app, request, stream_with_context, url_for

from monitor.api.blueprint import Blueprint
from monitor.api.common import authenticated, created_or_replayed, current_actor, now
from monitor.exceptions import AppError, PreconditionFailed, TooLarge, UnsupportedType
from monitor.services.evidence import uploads as attachments
from monitor.services.evidence.presenters import attachment_view
from monitor.services.evidence.store import PIECE_BYTES
from schemas.attachments import AttachmentInSchema, AttachmentSchema

bp = Blueprint("attachments", __name__, url_prefix="/api/v1",
               description="Evidence attachments (tus 1.0 core uploads)")
TUS_VERSION = "1.0.0"
CHUNK_TYPE = "application/offset+octet-stream"
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp",
              "image/heic": "heic", "application/pdf": "pdf", "audio/mpeg": "mp3",
              "audio/mp4": "m4a", "audio/ogg": "ogg", "audio/opus": "opus"}
TUS_HEADERS = {"Upload-Offset": {"schema": {"type": "integer"}},
               "Tus-Resumable": {"schema": {"type": "string"}}}


def own_options(view):
    """This URL's OPTIONS is tus discovery, not Flask's automatic answer."""
    view.provide_automatic_options = False
    return view


@bp.after_request
def _tus_resumable(response):
    """tus: every answer but OPTIONS's carries the protocol version in use."""
    if request.method != "OPTIONS":
        response.headers["Tus-Resumable"] = TUS_VERSION
    return response


def _tus_headers(row):
    """Where the upload stands."""
    return {"Upload-Offset": str(row.received), "Upload-Length": str(row.size),
            "Location": url_for("attachments.get_attachment", attachment_id=row.id)}


def _require_tus():
    """412 unless the client speaks tus 1.0.0 (tus core: Tus-Resumable on every request)."""
    if request.headers.get("Tus-Resumable") != TUS_VERSION:
        raise PreconditionFailed(f"Send Tus-Resumable: {TUS_VERSION}.",
                                 headers={"Tus-Version": TUS_VERSION})


def _discovery():
    """tus OPTIONS: the versions, the largest file and the extensions supported (none: the
    upload is created with a JSON POST carrying its metadata)."""
    response = Response(status=204)
    response.headers.update({"Tus-Resumable": TUS_VERSION, "Tus-Version": TUS_VERSION,
                             "Tus-Max-Size": str(current_app.config["ATTACHMENT_MAX_BYTES"]),
                             "Allow": "OPTIONS, GET, HEAD, POST, PATCH"})
    return response


@bp.route("/detentions/<uuid:detention_id>/attachments", methods=["POST"])
@own_options
@authenticated(bp)
@bp.arguments(AttachmentInSchema)
@bp.response(201, AttachmentSchema, headers=TUS_HEADERS)
@bp.alt_response(200, schema=AttachmentSchema, description="Replay of an existing id: its current state")
def create_attachment(data, detention_id):
    """Declare a file (kind, content_type, size, sha256, description; monitor, admin); then
    PATCH its bytes to `Location` (tus). Same id again → 200 with its current state."""
    actor = current_actor()
    row, created = attachments.create_upload(actor, detention_id, data, now())
    body, status, *_ = created_or_replayed((row, created), lambda r: attachment_view(r, actor))
    return body, status, _tus_headers(row)


@bp.route("/detentions/<uuid:detention_id>/attachments", methods=["OPTIONS"])
@bp.doc(summary="tus discovery", responses={"204": {"description": "Tus-Version, Tus-Max-Size"}})
def discover_creation(detention_id):
    """tus discovery (no token needed)."""
    return _discovery()


@bp.route("/attachments/<uuid:attachment_id>", methods=["OPTIONS"])
@bp.doc(summary="tus discovery", responses={"204": {"description": "Tus-Version, Tus-Max-Size"}})
def discover_upload(attachment_id):
    """tus discovery (no token needed)."""
    return _discovery()


@bp.route("/attachments/<uuid:attachment_id>")
@own_options
@authenticated(bp)
@bp.response(200, AttachmentSchema)
def get_attachment(attachment_id):
    """An attachment's metadata (partners: without hash or description). HEAD is tus's
    progress query (custody writers): Upload-Offset and Upload-Length, no body."""
    actor = current_actor()
    if request.method == "HEAD":
        _require_tus()
        row = attachments.upload_state(actor, attachment_id)
        response = Response(status=200, headers=_tus_headers(row))
        response.headers["Cache-Control"] = "no-store"
        return response
    return attachment_view(attachments.get_attachment(actor, attachment_id), actor)


def _read_pieces():
    """The PATCH body as pieces of at most PIECE_BYTES; 413 past ATTACHMENT_CHUNK_MAX_BYTES."""
    limit = current_app.config["ATTACHMENT_CHUNK_MAX_BYTES"]
    request.max_content_length = limit  # this view's own limit, not the JSON one
    if request.content_length is not None and request.content_length > limit:
        raise TooLarge(f"Send at most {limit} bytes per PATCH.")
    stream, pieces, total = request.stream, [], 0
    while True:
        piece = stream.read(PIECE_BYTES)
        if piece and len(piece) < PIECE_BYTES:  # a short read: fill the piece up
            piece = bytearray(piece)
            while len(piece) < PIECE_BYTES and (data := stream.read(PIECE_BYTES - len(piece))):
                piece += data
        if not piece:
            if request.content_length is not None and total != request.content_length:
                # The connection ended before the body did: store none of it.
                raise AppError("The body ended before its Content-Length.")
            return pieces
        total += len(piece)
        if total > limit:  # a body without Content-Length that keeps going
            raise TooLarge(f"Send at most {limit} bytes per PATCH.")
        pieces.append(bytes(piece))


def _offset():
    """The Upload-Offset header as a number, else 400."""
    text = request.headers.get("Upload-Offset", "")
    if not text.isdigit() or len(text) > 19:
        raise AppError("Upload-Offset must be a non-negative integer.")
    return int(text)


@bp.route("/attachments/<uuid:attachment_id>", methods=["PATCH"])
@own_options
@authenticated(bp)
@bp.doc(requestBody={"required": True, "content": {CHUNK_TYPE: {"schema": {
    "type": "string", "format": "binary"}}}},
    parameters=[{"in": "header", "name": "Upload-Offset", "required": True, "schema": {"type": "integer"}},
                {"in": "header", "name": "Tus-Resumable", "required": True, "schema": {"type": "string"}}],
    responses={"204": {"description": "Stored; `Upload-Offset` is the new offset"}})
def patch_upload(attachment_id):
    """Append bytes at `Upload-Offset` (tus PATCH); the last byte triggers the SHA-256 check
    (422: sent again from 0). 409 wrong offset or complete; 413 past the declared size;
    415 content that is not of its declared type (the upload is discarded)."""
    actor = current_actor()
    attachments.require_uploader(actor)  # before reading a body
    _require_tus()
    if request.mimetype != CHUNK_TYPE:
        raise UnsupportedType(f"Send the bytes as {CHUNK_TYPE}.")
    offset, pieces = _offset(), _read_pieces()
    attachments.append(actor, attachment_id, offset, pieces, now())
    # stored whole or refused: the new offset, without reading the committed row back
    return Response(status=204, headers={"Upload-Offset": str(offset + sum(map(len, pieces)))})


patch_upload.body_media_type = CHUNK_TYPE


@bp.route("/attachments/<uuid:attachment_id>/content")
@authenticated(bp)
@bp.doc(responses={"200": {"description": "The file as uploaded, streamed", "content": {
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
def get_content(attachment_id):
    """The file's bytes, decrypted as they stream (monitors in scope, admins); audited."""
    row, chunks = attachments.open_content(current_actor(), attachment_id, now())
    response = Response(stream_with_context(chunks), mimetype=row.content_type)
    name = f"{row.id}.{EXTENSIONS.get(row.content_type, 'bin')}"
    response.headers.update({"Content-Length": str(row.size), "X-Content-Type-Options": "nosniff",
                             "Content-Disposition": f'attachment; filename="{name}"'})
    return response
