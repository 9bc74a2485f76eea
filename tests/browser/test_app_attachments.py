"""The field app's evidence files: a photo attached offline goes up after reconnecting, chunk by
chunk, resumes from the server's offset after the connection drops mid-way, and arrives
re-drawn (no EXIF GPS, at most 2560 px) and viewable."""
from __future__ import annotations

import io
import os
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from tests.browser import app_steps as steps
from tests.browser.conftest import PHONE
from tests.browser.live_server import wait_for

ZONE = "America/Mexico_City"
MB = 1024 * 1024


def _local(hours_ago: float) -> str:
    """A wall-clock time in the facility's zone, as a datetime-local input takes it."""
    return (datetime.now(ZoneInfo(ZONE)) - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M")


def _photo_with_gps(path) -> None:
    """A 3000x2000 noisy JPEG (several MB: several chunks) whose EXIF holds GPS and a maker."""
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (19.0, 26.0, 0.0), 3: "W", 4: (99.0, 8.0, 0.0)}
    exif[0x010F] = "PhoneMaker"
    Image.frombytes("RGB", (3000, 2000), os.urandom(3000 * 2000 * 3)).save(path, "JPEG", quality=90, exif=exif)


@pytest.fixture
def page_without_worker(browser):
    """A phone-sized page whose requests all pass through Playwright's routing (a service
    worker's own fetches would not)."""
    context = browser.new_context(viewport=PHONE, locale="en-US", service_workers="block")
    yield context, context.new_page()
    context.close()


def test_photo_attached_offline_resumes_after_a_drop_and_arrives_without_gps(
        page_without_worker, live_app, new_account, tmp_path):
    context, page = page_without_worker
    token, facility = steps.signed_in_monitor(page, live_app, new_account, "Comisaría")

    page.goto(live_app.url + "/app/#/new/detention")  # the page is loaded; then the network goes
    page.get_by_role("heading", name="New detention").wait_for()
    context.set_offline(True)
    detention_id = steps.new_detention(page, "Rosa Evidencia", _local(3), facility=facility)
    photo = tmp_path / "injury.jpg"
    _photo_with_gps(photo)
    page.get_by_label("Kind of evidence").select_option("photo")
    page.get_by_label("File (photo, PDF or audio)").set_input_files(str(photo))
    page.get_by_label("Description").fill("Bruise on the left forearm")
    page.get_by_role("button", name="Attach file").click()
    page.locator(".evidence .card.file[data-state='pending']").wait_for()
    page.goto(live_app.url + "/app/#/outbox")
    page.locator(".files .card.file progress").wait_for()  # the outbox shows it, 0 sent
    page.get_by_text("1 evidence file(s) waiting to upload.").wait_for()
    # the header counts the file with the items waiting (the detention, its arrest)
    steps.until(page, f"document.getElementById('outbox-count').textContent === '{steps.outbox_size(page) + 1}'",
                "the header to count the waiting file")
    page.goto(live_app.url + "/app/#/settings")
    page.get_by_role("button", name="Lock now").click()
    page.get_by_role("heading", name="Unlock").wait_for()  # locked: the file is still told of
    page.get_by_text("1 evidence file(s) waiting to upload.").wait_for()
    steps.unlock(page)
    page.get_by_role("heading", name="Settings").wait_for()
    page.goto(live_app.url + "/app/#/outbox")
    page.locator(".files .card.file progress").wait_for()

    patches: list[str] = []

    def drop_second_patch(route):
        if route.request.method == "PATCH":
            patches.append(route.request.headers.get("upload-offset"))
            if len(patches) == 2:  # the connection is lost in the middle of the upload
                return route.abort("connectionreset")
        return route.continue_()
    page.route("**/api/v1/attachments/**", drop_second_patch)
    context.set_offline(False)
    steps.sync_now(page)

    def uploaded():
        status, record = live_app.api("GET", f"/detentions/{detention_id}", token)
        if status == 200 and record["attachments"] and record["attachments"][0]["status"] == "complete":
            return record["attachments"][0]
        if page.evaluate("document.getElementById('sync-status')?.textContent || ''").startswith(("Server unreachable", "Synced", "Sync failed")):  # noqa: E501
            steps.sync_now(page)  # try again now rather than after the back-off
        return None
    attachment = wait_for(uploaded, "the photo to be complete on the server")
    assert patches[0] == "0" and patches[1] == str(MB)
    assert patches[2] == str(MB)  # resumed from the server's offset, the first MB not sent again
    assert len(patches) == attachment["size"] // MB + 2  # every chunk once, plus the dropped one
    assert attachment["kind"] == "photo" and attachment["content_type"] == "image/jpeg"
    assert attachment["gps_present"] is False and attachment["keep_metadata"] is False

    status, content, _ = live_app.request("GET", f"/api/v1/attachments/{attachment['id']}/content",
                                          token, raw=True)
    assert status == 200
    stored = Image.open(io.BytesIO(content))
    assert max(stored.size) == 2560  # re-drawn to 2560 px on the long side
    assert not stored.getexif().get_ifd(0x8825) and b"PhoneMaker" not in content
    wait_for(lambda: page.evaluate("""() => new Promise((resolve) => {
        const req = indexedDB.open('monitor-files');
        req.onsuccess = () => { const c = req.result.transaction('files').objectStore('files').count();
          c.onsuccess = () => { req.result.close(); resolve(c.result === 0); }; }; })"""),
             "the device to forget the sent file")

    page.goto(live_app.url + f"/app/#/d/{detention_id}")
    steps.until(page, f"Boolean(document.querySelector(\"[data-attachment='{attachment['id']}']\"))",
                "the record to list the photo")
    view = page.locator(f"[data-attachment='{attachment['id']}']").get_by_role("button", name="View")

    view.click()  # once: a redraw of the record (fresher data after a sync) keeps the viewer open
    photo_shown = "(document.querySelector('img.evidence')?.naturalWidth || 0) === 2560"
    steps.until(page, photo_shown, "the photo to be shown")
    page.goto(live_app.url + "/app/#/")  # away, and the same record drawn again: still open
    steps.wait_drawn(page, "#/")
    page.goto(live_app.url + f"/app/#/d/{detention_id}")
    steps.until(page, photo_shown, "the photo to stay shown when its record is drawn again")
    page.goto(live_app.url + "/app/#/settings")
    page.get_by_role("button", name="Lock now").click()  # locking forgets the decrypted photo
    page.get_by_role("heading", name="Unlock").wait_for()
    steps.unlock(page)
    page.get_by_role("heading", name="Settings").wait_for()
    page.goto(live_app.url + f"/app/#/d/{detention_id}")
    steps.wait_drawn(page, f"#/d/{detention_id}")
    assert page.locator("img.evidence").count() == 0
