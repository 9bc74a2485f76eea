// Languages: en, es, fr, ar (right to left). Strings come from locales/<code>.json; a missing
// key falls back to English (tests/web/test_locales.py makes sure none is missing).

export const LANGUAGES = { en: "English", es: "Español", fr: "Français", ar: "العربية" };
const RTL = new Set(["ar"]);
let strings = {};
let english = {};
let current = "en";

/** The language to start with: the user's choice, else the browser's, else English. */
export function preferredLanguage() {
  const chosen = localStorage.getItem("monitor-lang");
  if (chosen && chosen in LANGUAGES) return chosen;
  for (const tag of navigator.languages || [navigator.language || "en"]) {
    const code = tag.toLowerCase().split("-")[0];
    if (code in LANGUAGES) return code;
  }
  return "en";
}

async function load(code) {
  const response = await fetch(`locales/${code}.json`);
  return response.json();
}

/** Switch language: strings, <html lang> and dir. */
export async function setLanguage(code, remember = false) {
  if (!(code in LANGUAGES)) code = "en";
  if (!Object.keys(english).length) english = await load("en");
  strings = code === "en" ? english : await load(code);
  current = code;
  if (remember) localStorage.setItem("monitor-lang", code);
  document.documentElement.lang = code;
  document.documentElement.dir = RTL.has(code) ? "rtl" : "ltr";
}

/** The current language code. */
export function language() {
  return current;
}

/** A translated string, with {name} placeholders filled. */
export function t(key, vars = {}) {
  const text = strings[key] ?? english[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

/** Does the catalogue have this key (for optional labels)? */
export function has(key) {
  return key in english;
}

/** A date and time in `zone`, with the zone named: "2 Dec 2026, 10:15 CST (America/Mexico_City)". */
export function formatTime(iso, zone = "UTC") {
  if (!iso) return "—";
  const date = new Date(iso);
  const text = new Intl.DateTimeFormat(current, { timeZone: zone, dateStyle: "medium", timeStyle: "short" })
    .format(date);
  const short = new Intl.DateTimeFormat(current, { timeZone: zone, timeZoneName: "short" })
    .formatToParts(date).find((p) => p.type === "timeZoneName")?.value;
  return `${text} ${short || ""} (${zone})`.replace("  ", " ");
}

/** A live countdown text to `iso` at `now` (ms): "due in 3 h 05 min" / "overdue by 20 min". */
export function countdown(iso, now = Date.now()) {
  if (!iso) return "";
  const ms = new Date(iso).getTime() - now;
  const total = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(total / 86400);
  const hh = Math.floor((total % 86400) / 3600);
  const mm = Math.floor((total % 3600) / 60);
  const ss = total % 60;
  const nf = new Intl.NumberFormat(current, { minimumIntegerDigits: 2 });
  const clock = `${d ? `${t("time.days", { n: d })} ` : ""}${nf.format(hh)}:${nf.format(mm)}:${nf.format(ss)}`;
  return ms >= 0 ? t("time.due_in", { time: clock }) : t("time.overdue_by", { time: clock });
}
