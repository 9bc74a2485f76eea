// The monitor's screens: detention list, a detention's record, and the forms to create.

import { call } from "../api.js";
import { attachmentPanel } from "../attachments.js";
import { h } from "../dom.js";
import { estimate, nextDue } from "../estimate.js";
import { buildForm, eventFields, loadCatalogue } from "../forms.js";
import { t } from "../i18n.js";
import { createRecord, detentions, facilities } from "../records.js";
import { cacheGet, cachePut, outboxAll } from "../store.js";
import { syncNow } from "../sync.js";
import { badge, countdownEl, linkButton, notice, screen, timeEl } from "../ui.js";

async function context() {
  const [facs, rules, outbox] = await Promise.all([facilities(), cacheGet("rules"), outboxAll()]);
  return { facilities: facs, rules: rules || [], byId: new Map(facs.map((f) => [f.id, f])), outbox };
}

/** Safeguards to show: the server's, else estimates from the cached rules (with the record's
 * events, stored and waiting in the outbox: an arrival moves a clock's start). */
export function safeguardsOf(det, facility, ctx) {
  if (det.safeguards && !det.local) return det.safeguards;
  const waiting = ctx.outbox.filter((i) => i.kind === "event" && i.body.detention_id === det.id).map((i) => i.body);
  return estimate(det, facility, ctx.rules, [...(det.events || []), ...waiting], ctx.byId);
}

/** The list of detentions in my countries (cached, with local ones not yet synced): those in
 * custody first, then the released (and other ended) ones, whose record stays open for the
 * complaint, the investigation and the trial. */
export async function listScreen() {
  const ctx = await context();
  const unsynced = new Set(ctx.outbox.map((i) => i.body.detention_id || i.body.id));
  const rows = (await detentions()).map((d) => {
    const facility = d.facility || ctx.byId.get(d.facility_id);
    const guards = safeguardsOf(d, facility, ctx);
    return { d, facility, due: nextDue(guards), estimated: guards.some((g) => g.estimate) };
  }).sort((a, b) => (a.due || "~").localeCompare(b.due || "~"));
  const held = (r) => r.d.local || (r.d.status || "in_custody") === "in_custody";
  const card = ({ d, facility, due, estimated }) => {
    const flags = (d.flags || []).filter((f) => f.status === "open").length;
    return h("li", { class: "card", "data-id": d.id, "data-status": d.status || "in_custody" },
      h("a", { href: `#/d/${d.id}`, class: "card-link" }, d.person?.name || t("list.unnamed")),
      h("p", {}, facility?.name || "", " · ", timeEl(d.arrested_at, facility?.timezone)),
      h("p", {}, badge(d.status || "in_custody"), " ",
        flags ? h("span", { class: "badge s-overdue" }, t("list.flags", { n: flags })) : null, " ",
        unsynced.has(d.id) ? h("span", { class: "badge s-pending" }, t("list.unsynced")) : null),
      due ? h("p", {}, t("list.next_due"), " ", countdownEl(due), estimated ? ` (${t("sg.estimate")})` : "") : null);
  };
  const inCustody = rows.filter(held);
  const after = rows.filter((r) => !held(r));
  screen(t("list.title"),
    h("p", { class: "actions" }, linkButton("#/new/detention", t("nav.new_detention"), "button primary"),
      linkButton("#/new/facility", t("nav.new_facility")), linkButton("#/new/visit", t("nav.new_visit"))),
    inCustody.length ? h("ul", { class: "cards", "aria-label": t("list.title") }, inCustody.map(card))
      : h("p", {}, t("list.empty")),
    after.length ? h("section", { class: "after-custody", "aria-labelledby": "after-h" },
      h("h2", { id: "after-h" }, t("list.after_custody")),
      h("ul", { class: "cards", "aria-label": t("list.after_custody") }, after.map(card))) : null);
}

/** What a rule's figure rests on, in words: the law, a monitoring body's standard, or only this
 * tool's alert threshold (never to be read as law). */
export function basisEl(basis) {
  if (!["law", "standard", "threshold"].includes(basis)) return null;
  return h("span", { class: `badge basis b-${basis}` }, t(`sg.basis.${basis}`));
}

function safeguardItem(s, zone) {
  return h("li", { class: `safeguard${s.estimate ? " estimate" : ""}`, "data-rule": s.rule, "data-due": s.due_at || "",
    "data-status": s.status, "data-basis": s.basis || "" },
  h("h3", {}, t(`safeguard.${s.safeguard}`), " ", badge(s.status), " ", basisEl(s.basis),
    s.estimate ? h("span", { class: "badge s-estimate" }, t("sg.estimate")) : null),
  s.due_at ? h("p", {}, t("sg.due"), " ", timeEl(s.due_at, zone), " · ",
    ["pending", "overdue"].includes(s.status) ? countdownEl(s.due_at) : "") : null,
  s.met_at ? h("p", {}, t("sg.met_at"), " ", timeEl(s.met_at, zone)) : null,
  h("p", { class: "citation" }, t("sg.citation"), " ", s.citation || "", " · ", t("sg.confidence"), " ", s.confidence || "",
    " · ", h("code", {}, s.rule)));
}

/** The timeline shown: the cached record's events, with the unsent ones taken from the outbox
 * (the outbox is what will be sent, so an event shows once, under the id it will be sent with,
 * whatever a sync running meanwhile wrote to the cache). */
export function timeline(det, waiting) {
  const queued = waiting.filter((i) => i.kind === "event").map((i) => ({ ...i.body, local: true }));
  const superseded = new Set(waiting.flatMap((i) => [i.id, i.replaces]).filter(Boolean));
  const events = (det.events || []).filter((e) => !superseded.has(e.id)).concat(queued);
  return events.sort((a, b) => (a.occurred_at || "").localeCompare(b.occurred_at || ""));
}

/** One detention: person, facility, timeline, safeguards (server's or estimated), as of last sync. */
const fetchedAt = new Map();
const REFETCH_MS = 15000;

export async function recordScreen(id, redraw) {
  const ctx = await context();
  let det = await cacheGet(`det:${id}`);
  if (!det) {
    screen(t("record.title"), h("p", {}, t("record.unknown")));
    return;
  }
  const facility = det.facility || ctx.byId.get(det.facility_id);
  const zone = facility?.timezone || "UTC";
  const guards = safeguardsOf(det, facility, ctx);
  const lastSync = await cacheGet("lastSync");
  const waiting = ctx.outbox.filter((i) => i.id === id || i.body.detention_id === id);
  const events = timeline(det, waiting);
  const evidence = await attachmentPanel(det, redraw);
  screen(det.person?.name || t("record.title"),
    h("p", {}, badge(det.status || "in_custody"), det.juvenile ? h("span", { class: "badge" }, t("record.juvenile")) : null,
      waiting.length ? h("span", { class: "badge s-pending" }, t("record.unsynced", { n: waiting.length })) : null),
    h("dl", { class: "facts" },
      h("dt", {}, t("field.facility_id")), h("dd", {}, facility?.name || "—"),
      h("dt", {}, t("field.arrested_at")), h("dd", {}, timeEl(det.arrested_at, zone)),
      h("dt", {}, t("field.arresting_authority")), h("dd", {}, det.arresting_authority || "—"),
      h("dt", {}, t("record.as_of")), h("dd", { class: "as-of" }, lastSync ? timeEl(lastSync, zone) : t("record.never"))),
    h("p", { class: "actions" }, linkButton(`#/d/${id}/event`, t("nav.new_event"), "button primary")),
    h("section", { "aria-labelledby": "sg-h" }, h("h2", { id: "sg-h" }, t("record.safeguards")),
      guards.some((g) => g.estimate) ? h("p", { class: "hint" }, t("sg.estimate_hint")) : null,
      h("ul", { class: "safeguards" }, guards.filter((g) => g.status !== "not_applicable").map((g) => safeguardItem(g, zone)))),
    h("section", { "aria-labelledby": "tl-h" }, h("h2", { id: "tl-h" }, t("record.timeline")),
      h("ol", { class: "timeline" }, events.map((e) => h("li", { "data-type": e.type },
        h("strong", {}, t(`event.${e.type}`)), " ", timeEl(e.occurred_at, zone),
        e.local ? h("span", { class: "badge s-pending" }, t("list.unsynced")) : null)))),
    evidence);
  if (!det.local && Date.now() - (fetchedAt.get(id) || 0) > REFETCH_MS) {
    fetchedAt.set(id, Date.now());  // newer timeline and safeguards when the server answers
    call("GET", `/detentions/${id}`).then(async (fresh) => {
      await cachePut(`det:${id}`, fresh);
      if (location.hash === `#/d/${id}` && redraw) redraw();
    }).catch(() => {});
  }
}

function zoneOf(ctx, form, fallbackId) {
  const chosen = form?.elements?.facility_id?.value || fallbackId;
  return ctx.byId.get(chosen)?.timezone || "UTC";
}

async function saved(kind, body, next) {
  await createRecord(kind, body);
  notice(t("form.saved"), "ok");
  syncNow();
  location.hash = next;
}

/** New facility. */
export async function newFacilityScreen() {
  const cat = await loadCatalogue();
  const ctx = await context();
  const zones = h("datalist", { id: "zones" }, Intl.supportedValuesOf("timeZone").map((z) => h("option", { value: z })));
  const form = buildForm({ fields: cat.forms.facility, ...ctx, zone: () => "UTC",
    onSubmit: (body) => saved("facility", body, "#/new/detention") });
  screen(t("nav.new_facility"), zones, form);
}

/** New detention (its arrest is recorded with it). */
export async function newDetentionScreen() {
  const cat = await loadCatalogue();
  const ctx = await context();
  if (!ctx.facilities.length) {
    screen(t("nav.new_detention"), h("p", {}, t("form.need_facility")), linkButton("#/new/facility", t("nav.new_facility")));
    return;
  }
  let form = null;
  form = buildForm({ fields: cat.forms.detention, ...ctx, zone: () => zoneOf(ctx, form, ctx.facilities[0].id),
    onSubmit: async (body) => {
      const item = await createRecord("detention", body);
      notice(t("form.saved"), "ok");
      syncNow();
      location.hash = `#/d/${item.id}`;
    } });
  screen(t("nav.new_detention"), form);
}

/** New event for a detention: pick the type, then its form. */
export async function newEventScreen(detentionId) {
  const cat = await loadCatalogue();
  const ctx = await context();
  const det = await cacheGet(`det:${detentionId}`);
  const zone = (det?.facility || ctx.byId.get(det?.facility_id))?.timezone || "UTC";
  const holder = h("div", {});
  const option = (type) => h("option", { value: type }, t(`event.${type}`));
  // After the release the server takes the accountability events (and an allegation or a
  // hearing); custody events only if they happened before the release: offered after them.
  const ended = det && !det.local && det.status && det.status !== "in_custody";
  const afterTypes = cat.after_release.filter((type) => type in cat.events);
  const typeSelect = h("select", { id: "event-type", name: "type" }, ended
    ? [h("optgroup", { label: t("event.group.after_custody") }, afterTypes.map(option)),
      h("optgroup", { label: t("event.group.before_release") },
        Object.keys(cat.events).filter((type) => !afterTypes.includes(type)).map(option))]
    : Object.keys(cat.events).map(option));
  const render = () => {
    const type = typeSelect.value;
    holder.replaceChildren(buildForm({ fields: eventFields(type), ...ctx, zone: () => zone,
      onSubmit: (body) => saved("event", { ...body, type, detention_id: detentionId }, `#/d/${detentionId}`) }));
  };
  typeSelect.addEventListener("change", render);
  screen(t("nav.new_event"), h("div", { class: "field" }, h("label", { for: "event-type" }, t("field.type")), typeSelect), holder);
  render();
}

/** New visit. */
export async function newVisitScreen() {
  const cat = await loadCatalogue();
  const ctx = await context();
  if (!ctx.facilities.length) {
    screen(t("nav.new_visit"), h("p", {}, t("form.need_facility")), linkButton("#/new/facility", t("nav.new_facility")));
    return;
  }
  let form = null;
  form = buildForm({ fields: cat.forms.visit, ...ctx, zone: () => zoneOf(ctx, form, ctx.facilities[0].id),
    onSubmit: (body) => saved("visit", body, "#/") });
  screen(t("nav.new_visit"), form);
}
