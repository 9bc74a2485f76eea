"""The field app's HTTP side: strict CSP, revalidation caching, gzip, no inline code."""
import gzip
import re
from html.parser import HTMLParser

import pytest

from monitor.web import STATIC

GZIP = {"Accept-Encoding": "gzip"}
EXPECTED_CSP = {
    "default-src": ["'self'"], "script-src": ["'self'"], "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:"], "connect-src": ["'self'"], "worker-src": ["'self'"],
    "manifest-src": ["'self'"], "object-src": ["'none'"], "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"], "form-action": ["'self'"],
}
APP_PATHS = ["/app/", "/app/sw.js", "/app/js/main.js", "/app/css/app.css",
             "/app/manifest.webmanifest", "/app/locales/ar.json", "/app/icons/icon-192.png"]


def csp(response):
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("path", APP_PATHS + ["/app/no-such-file.js"])
def test_every_app_answer_has_the_strict_policy(client, path):
    response = client.get(path)
    assert csp(response) == EXPECTED_CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_api_keeps_its_own_policy(client):
    assert csp(client.get("/api/v1/openapi.json"))["default-src"] == ["'self'"]
    assert "form-action" not in csp(client.get("/api/v1/openapi.json"))


@pytest.mark.parametrize("path", APP_PATHS)
def test_files_revalidate_with_an_etag_and_a_304_costs_no_body(client, path):
    first = client.get(path)
    assert first.status_code == 200 and first.data
    assert "no-cache" in first.headers["Cache-Control"]
    assert "no-store" not in first.headers["Cache-Control"]
    tag = first.headers["ETag"]
    again = client.get(path, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""


def test_index_and_worker_are_never_served_from_a_stale_http_cache(client):
    for path in ("/app/", "/app/sw.js"):
        control = client.get(path).headers["Cache-Control"]
        assert "no-cache" in control and "immutable" not in control and "max-age=" not in control


@pytest.mark.parametrize("path", ["/app/", "/app/js/main.js", "/app/css/app.css", "/app/locales/en.json"])
def test_text_files_are_gzipped_with_a_weak_etag_that_still_revalidates(client, path):
    plain = client.get(path)
    packed = client.get(path, headers=GZIP)
    assert "Accept-Encoding" in plain.headers["Vary"]
    if len(plain.data) < 1024:  # under the threshold: sent as it is
        assert "Content-Encoding" not in packed.headers and packed.data == plain.data
        return
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data
    assert packed.headers["ETag"] == "W/" + plain.headers["ETag"]
    assert client.get(path, headers=GZIP).data == packed.data  # the same bytes from the cache
    again = client.get(path, headers={**GZIP, "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_images_are_not_gzipped(client):
    response = client.get("/app/icons/icon-512.png", headers=GZIP)
    assert response.status_code == 200 and "Content-Encoding" not in response.headers


class _InlineFinder(HTMLParser):
    """Collects inline scripts, style elements, style attributes and on* handlers."""

    def __init__(self):
        super().__init__()
        self.found, self._in_script = [], False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script":
            self._in_script = "src" not in names
        if tag == "style":
            self.found.append("<style>")
        self.found += [f"{tag}[{n}]" for n in names if n == "style" or n.startswith("on")]

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append("inline <script>")


@pytest.mark.parametrize("name", sorted(p.name for p in STATIC.glob("*.html")))
def test_no_inline_script_or_style_in_the_pages(name):
    finder = _InlineFinder()
    finder.feed((STATIC / name).read_text(encoding="utf-8"))
    assert finder.found == []


def test_no_url_to_another_host_in_the_app_files():
    # Fonts, scripts and images all come from /app/ itself: nothing may name another host.
    offenders = []
    for path in STATIC.rglob("*"):
        if path.suffix in (".html", ".js", ".css", ".json", ".webmanifest", ".svg"):
            for url in re.findall(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s\"')]*",
                                  path.read_text(encoding="utf-8")):
                if not url.startswith("http://www.w3.org/"):  # SVG's XML namespace, never fetched
                    offenders.append(f"{path.relative_to(STATIC)}: {url}")
    assert offenders == []
