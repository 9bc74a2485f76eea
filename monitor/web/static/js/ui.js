// Shared pieces of the screens: the main region, headings, notices, countdowns, labels.

import { h, replace } from "./dom.js";
import { countdown, formatTime, t } from "./i18n.js";

/** The <main> element screens render into. */
export function main() {
  return document.getElementById("main");
}

/** Render a screen: a heading (focused, so screen readers hear where they are) and content. */
export function screen(title, ...content) {
  const heading = h("h1", { tabindex: "-1" }, title);
  replace(main(), heading, ...content);
  document.title = `${title} — ${t("app.name")}`;
  heading.focus();
  return main();
}

/** A polite notice in the page (and announced by the live region). */
export function notice(text, kind = "info") {
  const region = document.getElementById("notice");
  replace(region, text ? h("p", { class: `notice ${kind}` }, text) : null);
}

/** A countdown element ticking against an absolute due time (see tick()). */
export function countdownEl(due) {
  return h("span", { class: "countdown", "data-due": due }, countdown(due));
}

/** A time shown in the facility's zone, machine-readable too. */
export function timeEl(iso, zone) {
  return h("time", { datetime: iso || "" }, formatTime(iso, zone));
}

/** Update every countdown on the page (called every second). */
export function tick() {
  const now = Date.now();
  for (const el of document.querySelectorAll(".countdown[data-due]")) {
    el.textContent = countdown(el.dataset.due, now);
    el.classList.toggle("late", new Date(el.dataset.due).getTime() < now);
  }
}

/** A status badge with its translated word. */
export function badge(status) {
  return h("span", { class: `badge s-${status}` }, t(`status.${status}`));
}

/** A link styled as a button (touch target >= 44 px). */
export function linkButton(href, text, cls = "button") {
  return h("a", { href, class: cls }, text);
}
