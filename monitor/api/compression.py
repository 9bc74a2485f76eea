"""Content coding on the wire: gzip responses for clients that accept it, gzip request bodies.

Responses: JSON, problems and the app's text files of at least MIN_SIZE bytes are gzipped
when Accept-Encoding allows it; Vary: Accept-Encoding is set on every response that could
be compressed, and a strong ETag becomes weak (the bytes differ, the meaning does not), so
If-None-Match, which compares weakly, still answers 304. Streamed responses (exports) are
left as they are: compressing them would put zlib on the export's hot path.

Requests: a body sent with Content-Encoding: gzip is inflated before anything reads it, by
pieces, stopping as soon as the inflated size passes the body limit (413: a small bomb
never becomes a large buffer). Any other coding is a 415 naming the ones accepted.
"""
from __future__ import annotations

import gzip
import io
import zlib
from collections import OrderedDict

from flask import Flask, Response, current_app, request

from monitor.api import errors

MIN_SIZE = 1024  # below this a gzip header and a round of CPU save nothing worth having
LEVEL = 6
READ_CHUNK = 64 * 1024
COMPRESSIBLE = ("application/json", "application/problem+json", "application/manifest+json",
                "application/javascript", "text/", "image/svg+xml")
ACCEPTED_CODINGS = "gzip"
_GZIP_WBITS = 16 + zlib.MAX_WBITS
_FILE_CACHE_SIZE = 256
# The app's files, gzipped once per version (keyed by their ETag): a phone's first load
# asks for all of them at once.
_file_cache: OrderedDict[str, bytes] = OrderedDict()


class _BodyTooLarge(Exception):
    """The inflated body passed the limit."""


class _BadGzip(Exception):
    """The body is not valid gzip (corrupt or cut short)."""


def inflate(stream: io.RawIOBase, length: int | None, cap: int) -> bytes:
    """Inflate a gzip body read from `stream` (at most `length` bytes, or to EOF), refusing
    more than `cap` inflated bytes without ever holding more than that (plus one chunk)."""
    out = bytearray()
    decoder = zlib.decompressobj(_GZIP_WBITS)
    remaining = length
    seen_input = False
    while remaining is None or remaining > 0:
        chunk = stream.read(READ_CHUNK if remaining is None else min(READ_CHUNK, remaining))
        if not chunk:
            break
        seen_input = True
        if remaining is not None:
            remaining -= len(chunk)
        decoder = _feed(decoder, chunk, out, cap)
    if not seen_input or not decoder.eof:
        raise _BadGzip("the gzip body is empty or cut short")
    return bytes(out)


def _feed(decoder, data: bytes, out: bytearray, cap: int):
    """Inflate `data` into `out` up to `cap` + 1 bytes; handles concatenated gzip members."""
    try:
        while data:
            if decoder.eof:  # RFC 1952 allows several members one after the other
                decoder = zlib.decompressobj(_GZIP_WBITS)
            # max_length bounds the output of this call; what it did not consume waits in
            # unconsumed_tail. (max_length 0 would mean "no limit": never pass 0.)
            out += decoder.decompress(data, cap + 1 - len(out))
            if len(out) > cap:
                raise _BodyTooLarge()
            data = decoder.unconsumed_tail or decoder.unused_data
    except zlib.error as exc:
        raise _BadGzip(str(exc)) from None
    return decoder


def decode_request_body(after_auth: bool = False) -> Response | None:
    """Inflate a gzip request body in place (413 past the limit); 415 for other codings.

    Before anything reads the body, except for authenticated views: those decode it after
    the token and the role are checked (api.common.authenticated), so a caller who may not
    write learns nothing from how its body was coded."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if getattr(view, "takes_write_lock_after_auth", False) and not after_auth:
        return None
    coding = request.headers.get("Content-Encoding", "").strip().lower()
    if coding in ("", "identity"):
        return None
    if coding not in ("gzip", "x-gzip"):
        return errors.problem(415, "Unsupported media type",
                              f"Content-Encoding {coding!r} is not accepted; send gzip or none.",
                              slug="unsupported-media-type", headers={"Accept-Encoding": ACCEPTED_CODINGS})
    cap = request.max_content_length
    length = request.content_length
    environ = request.environ
    if cap is not None and length is not None and length > cap:
        return _too_large(cap)
    try:
        body = inflate(environ["wsgi.input"], length, cap if cap is not None else 2 ** 62)
    except _BodyTooLarge:
        return _too_large(cap)
    except _BadGzip:  # zlib's own words name its internals, not what to send
        return errors.problem(400, "Bad request", "The body is not valid gzip (corrupt or cut short).",
                              slug="bad-request")
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("HTTP_CONTENT_ENCODING", None)
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    for cached in ("content_length", "stream"):  # Werkzeug caches these per request
        request.__dict__.pop(cached, None)
    return None


def _too_large(cap: int | None) -> Response:
    """The 413 problem for a body whose inflated size passes the limit."""
    return errors.problem(413, "Payload too large",
                          f"The body, once decompressed, is larger than {cap} bytes.", slug="too-large")


def _compressible(response: Response) -> bool:
    """A media type worth compressing, with a body we may rewrite."""
    kind = response.mimetype or ""
    return kind.startswith(COMPRESSIBLE) and response.status_code not in (204, 206, 304) \
        and 200 <= response.status_code and "Content-Range" not in response.headers


def compress_response(response: Response) -> Response:
    """Gzip the response when the client accepts it and it is worth it (see module doc)."""
    if not _compressible(response) or "Content-Encoding" in response.headers:
        return response
    file_backed = response.direct_passthrough  # send_file: the app's static files
    if response.is_streamed and not file_backed:
        return response  # exports stream as they are
    response.vary.add("Accept-Encoding")
    if request.accept_encodings["gzip"] <= 0 or request.method == "HEAD":
        return response
    etag, weak = response.get_etag()
    cached = _file_cache.get(etag) if file_backed and etag and not weak else None
    if cached is None:
        response.direct_passthrough = False
        body = response.get_data()
        if len(body) < MIN_SIZE:
            return response
        cached = gzip.compress(body, LEVEL, mtime=0)
        if file_backed and etag and not weak:
            _remember(etag, cached)
    if response.direct_passthrough:  # a cached copy: the file is not read, close it here
        closer = getattr(response.response, "close", None)
        if closer is not None:
            closer()
    response.direct_passthrough = False
    response.set_data(cached)
    response.headers["Content-Encoding"] = "gzip"
    if etag:
        response.set_etag(etag, weak=True)
    return response


def _remember(etag: str, body: bytes) -> None:
    """Keep a compressed file for its ETag, forgetting the oldest past the bound."""
    _file_cache[etag] = body
    _file_cache.move_to_end(etag)
    while len(_file_cache) > _FILE_CACHE_SIZE:
        _file_cache.popitem(last=False)


def install(app: Flask) -> None:
    """Register the request decoder (before other hooks read the body) and the compressor."""
    app.before_request(decode_request_body)
    app.after_request(compress_response)
