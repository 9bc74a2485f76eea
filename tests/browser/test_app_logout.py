"""Logging out with evidence files still waiting: the logout screen counts them, says they
would be lost, and the export of unsynced records carries them (base64, with what they are)."""
from __future__ import annotations

import base64
import hashlib
import io
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from PIL import Image

from tests.browser import app_steps as steps

ZONE = "America/Mexico_City"


def _local(hours_ago: float) -> str:
    return (datetime.now(ZoneInfo(ZONE)) - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M")


def _pdf(path) -> bytes:
    """A small PDF (kept byte for byte: only photos are re-drawn)."""
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buffer, "PDF")
    path.write_bytes(buffer.getvalue())
    return buffer.getvalue()


def test_logout_counts_a_waiting_file_and_the_export_carries_it(page, context, live_app, new_account, tmp_path):
    token, facility = steps.signed_in_monitor(page, live_app, new_account, "Comisaría")
    detention_id = steps.new_detention(page, "Elena Archivo", _local(3), facility=facility)
    steps.wait_synced(page)
    page.goto(live_app.url + "/app/#/logout")
    page.get_by_role("heading", name="Log out").wait_for()
    assert page.get_by_text("Everything is on the server").is_visible()  # nothing waits yet

    context.set_offline(True)
    page.evaluate(f"location.hash = '#/d/{detention_id}'")
    steps.wait_drawn(page, f"#/d/{detention_id}")
    report = tmp_path / "medical.pdf"
    content = _pdf(report)
    page.get_by_label("Kind of evidence").select_option("medico_legal_report")
    page.get_by_label("File (photo, PDF or audio)").set_input_files(str(report))
    page.get_by_label("Description").fill("Report of the forensic doctor")
    page.get_by_role("button", name="Attach file").click()
    page.locator(".evidence .card.file[data-state='pending']").wait_for()
    assert steps.outbox_size(page) == 0  # only the file waits

    page.evaluate("location.hash = '#/logout'")
    steps.wait_drawn(page, "#/logout")
    main = page.locator("main")
    assert "Everything is on the server" not in main.inner_text()
    assert page.get_by_text("1 evidence file(s) are not on the server yet and would be lost.").is_visible()
    assert page.get_by_role("button", name="Discard them and log out").is_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export my unsynced records").click()
    exported = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert exported["items"] == []
    [file] = exported["files"]
    assert file["detention_id"] == detention_id and file["kind"] == "medico_legal_report"
    assert file["content_type"] == "application/pdf"
    assert file["description"] == "Report of the forensic doctor"
    data = base64.b64decode(file["data_base64"])
    assert data == content and file["size"] == len(content)
    assert file["sha256"] == hashlib.sha256(content).hexdigest()
    # At rest the file is still sealed: its bytes are nowhere in clear in IndexedDB.
    raw = page.evaluate("""() => new Promise((resolve) => {
        const req = indexedDB.open('monitor-files');
        req.onsuccess = () => { const r = req.result.transaction('files').objectStore('files').getAll();
          r.onsuccess = () => { req.result.close();
            resolve(r.result.map((row) => Array.from(new Uint8Array(row.blob.data)))); }; }; })""")
    assert len(raw) == 1 and bytes(raw[0]) != content and content[:8] not in bytes(raw[0])

    # Back online, "Sync now" on the logout screen sends the file; then nothing waits.
    context.set_offline(False)
    page.get_by_role("button", name="Sync now").last.click()
    page.get_by_text("Everything is on the server").wait_for()
    status, record = live_app.api("GET", f"/detentions/{detention_id}", token)
    assert [a["kind"] for a in record["attachments"]] == ["medico_legal_report"]
