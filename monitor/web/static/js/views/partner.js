// The partner's case view: open flags in my countries from the change feed (GET /flags with
// `since`), newest first, filtered by country and safeguard; each refresh reads only what
// changed after the cursor. Detention summaries never show identities.

import { call, currentUser } from "../api.js";
import { h, uid } from "../dom.js";
import { t } from "../i18n.js";
import { badge, notice, screen, timeEl } from "../ui.js";

const flags = new Map();
let cursor = null;
const filters = { country: "", safeguard: "" };
export const feedStats = { requests: 0 };

/** Read the feed from the cursor until it is drained. */
export async function pull() {
  for (let page = 0; page < 50; page += 1) {
    const query = `/flags?limit=500${cursor ? `&since=${encodeURIComponent(cursor)}` : ""}`;
    const body = await call("GET", query);
    feedStats.requests += 1;
    // A flag whose detention was transferred out of my countries comes once more, as
    // `left_scope`: it is no longer mine to act on.
    for (const flag of body.items) {
      if (flag.visibility === "left_scope") flags.delete(flag.id);
      else flags.set(flag.id, flag);
    }
    cursor = body.next_cursor;
    if (body.items.length < 500) break;
  }
}

/** Forget the feed (logout). */
export function resetFeed() {
  flags.clear();
  cursor = null;
}

function filterSelect(name, values, labeller) {
  const id = uid("filter");
  const el = h("select", { id, name }, h("option", { value: "" }, t("flags.all")),
    values.map((v) => h("option", { value: v, selected: filters[name] === v }, labeller(v))));
  el.addEventListener("change", () => { filters[name] = el.value; render(); });
  return h("div", { class: "field inline" }, h("label", { for: id }, t(`flags.filter_${name}`)), el);
}

async function summary(flag, holder) {
  try {
    const det = await call("GET", `/detentions/${flag.detention_id}`);
    const zone = det.facility?.timezone || "UTC";
    // Deliberately no person fields here: partners act on the case, not on the identity.
    holder.replaceChildren(h("dl", { class: "facts" },
      h("dt", {}, t("record.status")), h("dd", {}, badge(det.status)),
      h("dt", {}, t("record.juvenile")), h("dd", {}, det.juvenile ? t("form.yes") : t("form.no")),
      h("dt", {}, t("field.facility_id")), h("dd", {}, det.facility?.name || "—"),
      h("dt", {}, t("field.arrested_at")), h("dd", {}, timeEl(det.arrested_at, zone))),
    h("ul", { class: "safeguards" }, (det.safeguards || []).filter((s) => s.status !== "not_applicable")
      .map((s) => h("li", {}, t(`safeguard.${s.safeguard}`), " ", badge(s.status)))));
  } catch (error) {
    holder.replaceChildren(h("p", { class: "notice error" }, error.message));
  }
}

function flagCard(flag) {
  const details = h("div", { class: "summary" });
  const noteId = uid("note");
  const note = h("textarea", { id: noteId, name: "note", rows: 2, maxLength: 2000 });
  const ack = h("form", { class: "ack" }, h("label", { for: noteId }, t("flags.note")), note,
    h("button", { type: "submit", class: "button primary" }, t("flags.acknowledge")));
  ack.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const updated = await call("POST", `/flags/${flag.id}/acknowledge`, { note: note.value });
      flags.set(updated.id, updated);
      notice(t("flags.acknowledged"), "ok");
      render();
    } catch (error) {
      notice(error.message, "error");
    }
  });
  return h("li", { class: "card", "data-id": flag.id, "data-status": flag.status },
    h("h2", {}, t(`safeguard.${flag.safeguard}`), " ", badge(flag.status)),
    h("p", {}, flag.country, " · ", t(`severity.${flag.severity}`), " · ", h("code", {}, flag.rule)),
    h("p", {}, t("flags.raised"), " ", timeEl(flag.raised_at, "UTC")),
    h("p", {}, h("button", { type: "button", class: "button", "aria-expanded": "false", onclick: (event) => {
      event.currentTarget.setAttribute("aria-expanded", "true");
      summary(flag, details);
    } }, t("flags.details"))),
    details, flag.status === "open" ? ack : null);
}

function render() {
  const all = [...flags.values()].filter((f) => f.status !== "resolved");
  const shown = all.filter((f) => (!filters.country || f.country === filters.country)
    && (!filters.safeguard || f.safeguard === filters.safeguard))
    .sort((a, b) => b.raised_at.localeCompare(a.raised_at));
  const countries = [...new Set([...(currentUser()?.countries || []), ...all.map((f) => f.country)])].sort();
  const safeguards = [...new Set(all.map((f) => f.safeguard))].sort();
  screen(t("flags.title"),
    h("div", { class: "filters" }, filterSelect("country", countries, (c) => c),
      filterSelect("safeguard", safeguards, (s) => t(`safeguard.${s}`)),
      h("button", { type: "button", class: "button", onclick: refresh }, t("flags.refresh"))),
    h("p", { "aria-live": "polite" }, t("flags.count", { n: shown.length })),
    shown.length ? h("ul", { class: "cards" }, shown.map(flagCard)) : h("p", {}, t("flags.empty")));
}

async function refresh() {
  try {
    await pull();
  } catch (error) {
    notice(error.message, "error");
  }
  render();
}

/** The partner's screen. */
export async function flagsScreen() {
  await refresh();
}
