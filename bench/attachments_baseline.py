"""The yardstick for bench/attachments.py: a bare Flask app that appends each PATCHed chunk to
a plain file (no authentication, no encryption, no database) and streams it back."""
import os
import uuid

from flask import Flask, Response, request

DIR = os.environ.get("BASELINE_DIR", "/tmp/attachments-baseline")
PIECE = 1024 * 1024
app = Flask(__name__)


def _path(file_id):
    """Where a file's bytes go."""
    return os.path.join(DIR, str(uuid.UUID(file_id)))


@app.get("/healthz")
def healthz():
    """Readiness."""
    return {"status": "ok"}


@app.post("/files")
def create():
    """An empty file; 201 with its Location."""
    file_id = str(uuid.uuid4())
    os.makedirs(DIR, exist_ok=True)
    open(_path(file_id), "wb").close()
    return {"id": file_id}, 201, {"Location": f"/files/{file_id}"}


@app.patch("/files/<file_id>")
def append(file_id):
    """Append the body to the file; 204 with the new size."""
    with open(_path(file_id), "ab") as out:
        while True:
            block = request.stream.read(PIECE)
            if not block:
                break
            out.write(block)
        size = out.tell()
    return Response(status=204, headers={"Upload-Offset": str(size)})


@app.get("/files/<file_id>")
def download(file_id):
    """The file, streamed in 1 MB blocks."""
    def blocks():
        with open(_path(file_id), "rb") as source:
            while block := source.read(PIECE):
                yield block
    return Response(blocks(), mimetype="application/octet-stream")
