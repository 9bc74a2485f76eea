// Evidence files (photos, medico-legal reports, register scans, audio) attached to a detention
// or one of its events. A file waits on the device sealed under the vault key (its own IndexedDB
// database, so the outbox's stays as it is), goes up after its detention and event have synced,
// in 1 MB tus PATCHes, and resumes from the server's offset after a lost connection or a reload.
// Photos are re-drawn before they are stored (no location, no device metadata, at most 2560 px
// on the long side) unless the monitor keeps the original for its value as evidence.

import { ApiError, call } from "./api.js";
import { h, uid } from "./dom.js";
import { seal, unseal } from "./crypto.js";
import { opener, request } from "./idb.js";
import { t } from "./i18n.js";
import { cachePut, outboxAll, vaultKey } from "./store.js";
import { badge, notice } from "./ui.js";

const DB = "monitor-files";
const CHUNK = 1024 * 1024;
const MAX_SIDE = 2560;
export const KINDS = ["photo", "medico_legal_report", "custody_register", "document", "audio"];
const TYPES = { "audio/x-m4a": "audio/mp4", "audio/m4a": "audio/mp4", "audio/mp3": "audio/mpeg",
  "image/jpg": "image/jpeg", "image/heif": "image/heic" };
const ACCEPTED = ["image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf",
  "audio/mpeg", "audio/mp4", "audio/ogg", "audio/opus"];
export const progress = new EventTarget();

const database = opener(DB, 1, (db) => db.createObjectStore("files", { keyPath: "id" }));

async function files(mode, work) {
  const db = await database();
  const tx = db.transaction("files", mode, { durability: mode === "readwrite" ? "strict" : "default" });
  const result = await work(tx.objectStore("files"));
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("transaction aborted"));
  });
  return result;
}

/** Every waiting file's description ({id, detention_id, event_id, kind, size, offset, state...}). */
export async function pendingFiles() {
  const rows = await files("readonly", (s) => request(s.getAll()));
  const key = vaultKey();
  const metas = await Promise.all(rows.map(async (row) => ({ ...(await unseal(key, row.meta)), seq: row.seq })));
  return metas.sort((a, b) => a.seq - b.seq);
}

async function saveMeta(meta) {
  const { seq, ...rest } = meta;
  const sealed = await seal(vaultKey(), rest);
  await files("readwrite", async (s) => {
    const row = await request(s.get(meta.id));
    if (row) await request(s.put({ ...row, meta: sealed }));
  });
}

async function contentOf(id) {
  const row = await files("readonly", (s) => request(s.get(id)));
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: row.blob.iv }, vaultKey(), row.blob.data);
  return new Uint8Array(plain);
}

/** How many files wait on this device (readable while locked: rows are counted, not opened). */
export async function fileCount() {
  return files("readonly", (s) => request(s.count()));
}

function base64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** Every waiting file with its content in base64, for the export of unsynced records (the
 * monitor's last resort before a logout or a wipe; at rest the files stay sealed). */
export async function exportFiles() {
  const out = [];
  for (const meta of await pendingFiles()) {
    const { seq, offset, ...described } = meta;
    out.push({ ...described, data_base64: base64(await contentOf(meta.id)) });
  }
  return out;
}

/** Forget waiting files (logout, wipe). */
export async function clearFiles() {
  await files("readwrite", (s) => request(s.clear()));
}

async function redraw(file) {
  // Drawing the pixels onto a canvas keeps only the pixels: EXIF (GPS, device, time) is gone.
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = h("canvas", { width: Math.round(bitmap.width * scale), height: Math.round(bitmap.height * scale) });
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.9));
}

function hex(buffer) {
  return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Store a file to attach (sealed) and ask for a sync; returns its id. */
export async function attachFile({ file, kind, detentionId, eventId = null, description = "", keepOriginal = false }) {
  let blob = file;
  let type = TYPES[file.type] || file.type;
  if (kind === "photo" && !keepOriginal && type.startsWith("image/")) {
    blob = await redraw(file);
    type = "image/jpeg";
  }
  if (!ACCEPTED.includes(type)) throw new Error(t("files.type_refused"));
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const id = crypto.randomUUID();
  const meta = { id, detention_id: detentionId, event_id: eventId || null, kind, content_type: type,
    size: bytes.length, sha256: hex(await crypto.subtle.digest("SHA-256", bytes)), description,
    keep_metadata: Boolean(keepOriginal), offset: 0, state: "pending", created: new Date().toISOString() };
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, vaultKey(), bytes);
  const row = { id, seq: Date.now() * 1000 + Math.floor(Math.random() * 1000), meta: await seal(vaultKey(), meta), blob: { iv, data } };
  await files("readwrite", (s) => request(s.put(row)));
  progress.dispatchEvent(new Event("change"));
  return id;
}

const TUS = { "Tus-Resumable": "1.0.0", "Content-Type": "application/offset+octet-stream" };

async function declare(meta) {
  const { id, event_id, kind, content_type, size, sha256, description, keep_metadata } = meta;
  return call("POST", `/detentions/${meta.detention_id}/attachments`,
    { id, event_id, kind, content_type, size, sha256, description, keep_metadata });
}

async function upload(meta) {
  let server = await declare(meta);  // a replay after a reload or a lost answer: its offset
  const bytes = await contentOf(meta.id);
  let restarts = 0;
  while (server.status !== "complete") {
    let offset = server.upload_offset;
    try {
      while (offset < meta.size) {
        const piece = bytes.subarray(offset, offset + CHUNK);
        await call("PATCH", `/attachments/${meta.id}`, piece, { ...TUS, "Upload-Offset": String(offset) });
        offset += piece.length;
        await saveMeta({ ...meta, offset, state: "uploading" });
        progress.dispatchEvent(new Event("change"));
      }
      break;
    } catch (error) {
      // 409: another tab (or a lost answer) moved the offset; 422: the server started it
      // again from 0 after a hash mismatch (once). Either way ask where it stands.
      if (!(error.status === 409 || (error.status === 422 && restarts++ < 1))) throw error;
      server = await declare(meta);
    }
  }
  await files("readwrite", (s) => request(s.delete(meta.id)));
  try {
    await cachePut(`det:${meta.detention_id}`, await call("GET", `/detentions/${meta.detention_id}`));
  } catch { /* the record is refreshed on the next sync */ }
}

/** Send the waiting files whose detention and event are on the server (called by sync). */
export async function sendFiles() {
  const waiting = new Set((await outboxAll()).map((i) => i.id));
  for (const meta of await pendingFiles()) {
    if (meta.state === "refused" || waiting.has(meta.detention_id) || (meta.event_id && waiting.has(meta.event_id))) continue;
    try {
      await upload(meta);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status === 0 || error.status === 401 || error.status >= 500) throw error;
      await saveMeta({ ...meta, state: "refused", error: error.message });  // kept for the monitor to see
    }
    progress.dispatchEvent(new Event("change"));
  }
}

function sizeText(n) {
  return n >= CHUNK ? `${(n / CHUNK).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}

/** Waiting files as outbox rows, with their progress. */
export async function fileRows(filter = () => true) {
  return (await pendingFiles()).filter(filter).map((f) => h("li", { class: "card file", "data-id": f.id, "data-kind": "file", "data-state": f.state },
    h("p", {}, h("strong", {}, `${t(`files.kind.${f.kind}`)}`), " ", badge(f.state === "refused" ? "invalid" : "pending")),
    h("p", { class: "hint" }, h("progress", { max: f.size, value: f.offset || 0, "aria-label": t("files.progress") }), " ",
      t("files.sent", { done: sizeText(f.offset || 0), total: sizeText(f.size) })),
    f.error ? h("p", { class: "notice error" }, f.error) : null));
}

// The file open in the viewer: { detentionId, id, url }. Kept while its record is drawn again
// (fresher data after a sync redraws the record), so the viewer stays open; forgotten when
// another record is opened or the app locks. Only in this page's memory, never stored.
let opened = null;

/** Forget the viewed file (its decrypted bytes leave memory with the object URL). */
export function forgetViewed() {
  if (opened) URL.revokeObjectURL(opened.url);
  opened = null;
}

function show(attachment, url, target) {
  target.replaceChildren(attachment.content_type.startsWith("image/")
    ? h("img", { src: url, alt: t(`files.kind.${attachment.kind}`), class: "evidence" })
    : h("a", { href: url, download: `${attachment.id}`, class: "button" }, t("files.save")));
}

async function view(attachment, detentionId, target) {
  const blob = await call("GET", `/attachments/${attachment.id}/content`, undefined, { Accept: "*/*" });
  forgetViewed();
  opened = { detentionId, id: attachment.id, url: URL.createObjectURL(blob) };
  show(attachment, opened.url, target);
}

/** The record's evidence: files on the server (view), files waiting here, the form to attach. */
export async function attachmentPanel(det, redrawScreen) {
  const shown = h("div", { class: "evidence-view" });
  const still = opened?.detentionId === det.id && (det.attachments || []).find((a) => a.id === opened.id);
  if (still) show(still, opened.url, shown);  // the same record drawn again: keep it open
  else forgetViewed();
  const onServer = (det.attachments || []).map((a) => h("li", { class: "card", "data-attachment": a.id },
    h("p", {}, h("strong", {}, t(`files.kind.${a.kind}`)), " ", sizeText(a.size), " ", a.description || ""),
    a.status === "complete" ? h("button", { type: "button", class: "button", onclick: () => view(a, det.id, shown).catch(
      (e) => notice(e.message, "error")) }, t("files.view")) : h("p", { class: "hint" }, t("files.incomplete"))));
  const mine = await fileRows((f) => f.detention_id === det.id);
  const ids = { kind: uid(), event: uid(), file: uid(), camera: uid(), text: uid(), keep: uid() };
  const form = h("form", { class: "attach" },
    h("label", { for: ids.kind }, t("files.kind")),
    h("select", { id: ids.kind, name: "kind" }, KINDS.map((k) => h("option", { value: k }, t(`files.kind.${k}`)))),
    h("label", { for: ids.event }, t("files.event")),
    h("select", { id: ids.event, name: "event" }, h("option", { value: "" }, t("files.whole_record")),
      (det.events || []).filter((e) => !e.local).map((e) => h("option", { value: e.id }, t(`event.${e.type}`)))),
    h("label", { for: ids.file }, t("files.choose")),
    h("input", { id: ids.file, name: "file", type: "file", accept: "image/*,application/pdf,audio/*" }),
    h("label", { for: ids.camera }, t("files.camera")),
    h("input", { id: ids.camera, name: "camera", type: "file", accept: "image/*", capture: "environment" }),
    h("label", { for: ids.text }, t("files.description")),
    h("textarea", { id: ids.text, name: "description", maxlength: 5000 }),
    h("p", { class: "check-row" }, h("input", { id: ids.keep, name: "keep", type: "checkbox" }), " ",
      h("label", { for: ids.keep }, t("files.keep_original"))),
    h("button", { type: "submit", class: "button primary" }, t("files.attach")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = form.elements.camera.files[0] || form.elements.file.files[0];
    if (!file) return notice(t("files.none_chosen"), "error");
    try {
      await attachFile({ file, kind: form.elements.kind.value, detentionId: det.id, eventId: form.elements.event.value || null,
        description: form.elements.description.value, keepOriginal: form.elements.keep.checked });
      notice(t("files.saved"), "ok");
      (await import("./sync.js")).syncNow();
      if (redrawScreen) redrawScreen();
    } catch (error) {
      notice(error.message, "error");
    }
  });
  return h("section", { class: "evidence", "aria-label": t("files.title") },
    h("h2", {}, t("files.title")),
    onServer.length || mine.length ? h("ul", { class: "cards" }, onServer, mine) : h("p", {}, t("files.none")),
    shown, form);
}
