// The outbox: what is not yet on the server, its last attempt and result; invalid items are
// corrected in their own form (server errors beside the fields), conflicts kept as new.

import { h } from "../dom.js";
import { buildForm, eventFields, loadCatalogue } from "../forms.js";
import { formatTime, t } from "../i18n.js";
import { correct, facilities, keepAsNew } from "../records.js";
import { cacheGet, outboxAll } from "../store.js";
import { exportFiles, fileRows } from "../attachments.js";
import { state, syncNow } from "../sync.js";
import { badge, notice, screen } from "../ui.js";

function describe(item) {
  const b = item.body;
  if (item.kind === "detention") return `${t("kind.detention")}: ${b.person?.name || ""}`;
  if (item.kind === "event") return `${t("kind.event")}: ${t(`event.${b.type}`)}`;
  if (item.kind === "facility") return `${t("kind.facility")}: ${b.name}`;
  return `${t("kind.visit")}: ${b.started_at}`;
}

/** Write every unsynced item, and every evidence file not yet uploaded (base64, with its kind,
 * content type, detention and description), to a JSON file the user keeps (a last resort). */
export async function exportUnsynced() {
  const items = await outboxAll();
  const files = await exportFiles();
  const blob = new Blob([JSON.stringify({ exported_at: new Date().toISOString(),
    items: items.map(({ kind, body, state: s, errors }) => ({ kind, body, state: s, errors })), files }, null, 2)],
  { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: `unsynced-${new Date().toISOString().slice(0, 19).replace(/:/g, "")}.json` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return items.length + files.length;
}

/** The outbox screen. */
export async function outboxScreen() {
  const items = await outboxAll();
  const files = await fileRows();  // evidence files waiting, with their progress
  const rows = items.map((item) => h("li", { class: "card", "data-id": item.id, "data-kind": item.kind, "data-state": item.state },
    h("p", {}, h("strong", {}, describe(item)), " ", badge(item.state)),
    h("p", { class: "hint" }, t("outbox.last_attempt"), " ",
      item.last_attempt ? formatTime(item.last_attempt, Intl.DateTimeFormat().resolvedOptions().timeZone) : t("outbox.never"),
      item.result ? ` · ${t("outbox.result")} ${t(`status.${item.result}`)}` : ""),
    item.state === "invalid" ? h("p", {}, h("a", { href: `#/outbox/${item.id}`, class: "button" }, t("outbox.correct"))) : null,
    item.state === "conflict" ? h("p", {}, t("outbox.conflict_hint"), " ",
      h("button", { type: "button", class: "button", onclick: async () => {
        await keepAsNew(item);
        notice(t("outbox.kept_new"), "ok");
        await syncNow();
        outboxScreen();
      } }, t("outbox.keep_new"))) : null));
  screen(t("outbox.title"),
    h("p", {}, t("outbox.count", { n: items.length })),
    files.length ? h("p", {}, t("files.waiting", { n: files.length })) : null,
    h("p", { class: "actions" },
      h("button", { type: "button", class: "button primary", onclick: async () => { await syncNow(); outboxScreen(); } }, t("sync.now")),
      h("button", { type: "button", class: "button", onclick: exportUnsynced }, t("outbox.export"))),
    items.length ? h("ul", { class: "cards" }, rows) : h("p", {}, t("outbox.empty")),
    files.length ? h("ul", { class: "cards files" }, files) : null,
    state.phase === "session" ? h("p", { class: "notice error" }, state.message) : null);
}

/** Correct one invalid item and send it again. */
export async function fixScreen(id) {
  const item = (await outboxAll()).find((i) => i.id === id);
  if (!item) {
    location.hash = "#/outbox";
    return;
  }
  const cat = await loadCatalogue();
  const facs = await facilities();
  const byId = new Map(facs.map((f) => [f.id, f]));
  let zone = () => "UTC";
  let fields = cat.forms[item.kind];
  if (item.kind === "event") {
    fields = eventFields(item.body.type);
    const det = await cacheGet(`det:${item.body.detention_id}`);
    const tz = (det?.facility || byId.get(det?.facility_id))?.timezone || "UTC";
    zone = () => tz;
  }
  let form = null;
  if (item.kind === "detention" || item.kind === "visit") {
    zone = () => byId.get(form?.elements?.facility_id?.value || item.body.facility_id)?.timezone || "UTC";
  }
  form = buildForm({ fields, values: item.body, errors: item.errors, facilities: facs, rules: (await cacheGet("rules")) || [],
    zone, submit: t("outbox.resend"), onSubmit: async (body) => {
      const extra = item.kind === "event" ? { type: item.body.type, detention_id: item.body.detention_id } : {};
      await correct(item, { ...body, ...extra });
      await syncNow();
      location.hash = "#/outbox";
    } });
  screen(`${t("outbox.correct")}: ${describe(item)}`, form);
  form.firstError?.el.focus();
}
