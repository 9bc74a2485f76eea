// Forms generated from catalogue.json: one field spec -> one labelled control, the required
// ones enforced before saving, the server's field errors shown beside their field.

import { h, uid } from "./dom.js";
import { t } from "./i18n.js";
import { dateToWall, toRfc3339, wallToDate } from "./tz.js";

let catalogue = null;

/** The catalogue of forms and event types (cached by the service worker). */
export async function loadCatalogue() {
  if (!catalogue) catalogue = await (await fetch("catalogue.json")).json();
  return catalogue;
}

/** Fields of an event form of `type`: the common ones, then its details. */
export function eventFields(type) {
  const details = (catalogue.events[type] || []).map((f) => ({ ...f, name: `details.${f.name}` }));
  return [...catalogue.event_common, ...details];
}

function getPath(obj, path) {
  return path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj);
}

function setPath(obj, path, value) {
  const keys = path.split(".");
  let o = obj;
  for (const k of keys.slice(0, -1)) o = o[k] ??= {};
  o[keys.at(-1)] = value;
}

function labelKey(name) {
  return `field.${name.replace(/^details\./, "")}`;
}

function optionLabel(name, value) {
  return t(`opt.${name.split(".").at(-1)}.${value}`);
}

function select(id, field, options, value) {
  const el = h("select", { id, name: field.name });
  const blank = field.required ? t("form.choose") : t("form.not_recorded");
  if (!field.default) el.append(h("option", { value: "" }, blank));
  for (const [v, label] of options) el.append(h("option", { value: v, selected: String(value) === v }, label));
  return el;
}

function control(field, id, value, ctx) {
  const common = { id, name: field.name };
  switch (field.type) {
    case "textarea":
      return h("textarea", { ...common, maxLength: field.max || 10000, rows: 3, value: value ?? "" });
    case "bool":
      return select(id, field, [["true", t("form.yes")], ["false", t("form.no")]],
        value === undefined || value === null ? "" : String(value));
    case "enum":
      return select(id, field, field.options.map((o) => [o, optionLabel(field.name, o)]), value ?? field.default ?? "");
    case "number":
    case "integer":
      return h("input", { ...common, type: "number", inputMode: field.type === "integer" ? "numeric" : "decimal",
        step: field.type === "integer" ? "1" : "any", min: field.min, max: field.max, value: value ?? "" });
    case "date":
      return h("input", { ...common, type: "date", value: value ?? "" });
    case "datetime": {
      const zone = ctx.zone();
      return h("input", { ...common, type: "datetime-local", "data-zone": zone,
        value: value ? dateToWall(new Date(value), zone) : "" });
    }
    case "facility":  // one facility on the device: it is the one
      return select(id, field, ctx.facilities.map((f) => [f.id, `${f.name} (${f.country})`]),
        value ?? (ctx.facilities.length === 1 ? ctx.facilities[0].id : ""));
    case "jurisdiction":
      return select(id, { ...field, required: false }, (ctx.rules || []).map((r) => [r.code, `${r.name} (${r.code})`]), value ?? "");
    case "country":
      return h("input", { ...common, type: "text", maxLength: 2, autocapitalize: "characters", autocomplete: "off",
        pattern: "[A-Za-z]{2}", value: value ?? "" });
    case "timezone":
      return h("input", { ...common, type: "text", list: "zones", autocomplete: "off",
        value: value ?? Intl.DateTimeFormat().resolvedOptions().timeZone });
    case "list":
      return h("input", { ...common, type: "text", value: Array.isArray(value) ? value.join(", ") : "" });
    default:
      return h("input", { ...common, type: "text", maxLength: field.max || 300, value: value ?? "" });
  }
}

function groups(field, id, value) {
  const chosen = new Set(value || []);
  return h("fieldset", { id, class: "checks" }, h("legend", {}, t(labelKey(field.name))),
    field.options.map((o) => h("label", { class: "check" },
      h("input", { type: "checkbox", name: field.name, value: o, checked: chosen.has(o) }), optionLabel(field.name, o))));
}

/** Build a form. ctx: {fields, values, errors, zone(), facilities, rules, submit, onSubmit(body), onChange}. */
export function buildForm(ctx) {
  const form = h("form", { novalidate: true, class: "record-form" });
  const summary = h("div", { class: "form-errors", role: "alert" });
  form.append(summary);
  const rows = [];
  for (const field of ctx.fields) {
    const id = uid("field");
    const errorId = `${id}-error`;
    const value = getPath(ctx.values || {}, field.name);
    const el = field.type === "groups" ? groups(field, id, value) : control(field, id, value, ctx);
    const error = h("p", { id: errorId, class: "field-error" });
    let hint = null;
    if (field.type === "datetime") hint = h("p", { class: "hint", id: `${id}-hint` }, t("form.zone", { zone: ctx.zone() }));
    if (field.type !== "groups") el.setAttribute("aria-describedby", [errorId, hint?.id].filter(Boolean).join(" "));
    if (field.required) el.setAttribute("aria-required", "true");
    const label = field.type === "groups" ? null
      : h("div", { class: "label-row" }, h("label", { for: id }, t(labelKey(field.name))),
        field.required ? h("span", { class: "req", "aria-hidden": "true" }, "*") : null);
    rows.push({ field, el, error, hint });
    form.append(h("div", { class: "field", "data-field": field.name }, label, el, hint, error));
    if (ctx.onChange) el.addEventListener("change", () => ctx.onChange(field.name, el.value));
  }
  // Times are typed on the facility's clock: a new facility means a new zone for them.
  const facility = rows.find((r) => r.field.name === "facility_id");
  facility?.el.addEventListener("change", () => {
    for (const row of rows.filter((r) => r.field.type === "datetime")) {
      row.hint.textContent = t("form.zone", { zone: ctx.zone() });
    }
  });
  form.append(h("button", { type: "submit", class: "primary" }, ctx.submit || t("form.save")));
  const show = (errors) => {
    const shown = new Set();
    for (const row of rows) {
      const messages = errors?.[row.field.name];
      row.error.textContent = messages ? messages.join(" ") : "";
      if (row.field.type !== "groups") row.el.setAttribute("aria-invalid", messages ? "true" : "false");
      if (messages) shown.add(row.field.name);
    }
    const rest = Object.entries(errors || {}).filter(([k]) => !shown.has(k));
    summary.replaceChildren(...rest.map(([k, m]) => h("p", {}, `${k === "_schema" ? "" : `${k}: `}${m.join(" ")}`)));
    const first = rows.find((r) => errors?.[r.field.name]);
    return first;
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { body, errors } = collect(rows, ctx);
    if (Object.keys(errors).length) {
      show(errors).el.focus();
      return;
    }
    form.querySelector("button[type=submit]").disabled = true;
    try {
      await ctx.onSubmit(body);
    } finally {
      form.querySelector("button[type=submit]").disabled = false;
    }
  });
  const first = show(ctx.errors);
  form.showErrors = show;
  form.firstError = first;
  return form;
}

function collect(rows, ctx) {
  const body = {};
  const errors = {};
  for (const { field, el } of rows) {
    let value;
    if (field.type === "groups") {
      value = [...el.querySelectorAll("input:checked")].map((i) => i.value);
      setPath(body, field.name, value);
      continue;
    }
    const raw = el.value.trim();
    if (raw === "") {
      if (field.required) errors[field.name] = [t("form.required")];
      continue;
    }
    if (field.type === "bool") value = raw === "true";
    else if (field.type === "number" || field.type === "integer") {
      value = Number(raw);
      if (!Number.isFinite(value) || (field.type === "integer" && !Number.isInteger(value))
          || (field.min !== undefined && value < field.min) || (field.max !== undefined && value > field.max)) {
        errors[field.name] = [t("form.bad_number")];
        continue;
      }
    } else if (field.type === "datetime") {
      const date = wallToDate(raw, ctx.zone());
      if (!date) { errors[field.name] = [t("form.bad_time")]; continue; }
      value = toRfc3339(date);
    } else if (field.type === "country") {
      if (!/^[A-Za-z]{2}$/.test(raw)) { errors[field.name] = [t("form.bad_country")]; continue; }
      value = raw.toUpperCase();
    } else if (field.type === "list") value = raw.split(",").map((s) => s.trim()).filter(Boolean);
    else value = raw;
    setPath(body, field.name, value);
  }
  return { body, errors };
}
