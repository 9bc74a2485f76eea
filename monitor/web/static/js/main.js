// The app's entry: language, service worker, the vault, the router and the header.

import { currentUser, onSession, restoreSession } from "./api.js";
import { fileCount, forgetViewed } from "./attachments.js";
import { h, replace } from "./dom.js";
import { LANGUAGES, formatTime, language, preferredLanguage, setLanguage, t } from "./i18n.js";
import { hasVault, lock, outboxCount, unlocked } from "./store.js";
import { events as syncEvents, state as syncState, stop, syncNow } from "./sync.js";
import { notice, tick } from "./ui.js";
import { listScreen, newDetentionScreen, newEventScreen, newFacilityScreen, newVisitScreen, recordScreen } from "./views/monitor.js";
import { fixScreen, outboxScreen } from "./views/outbox.js";
import { flagsScreen, resetFeed } from "./views/partner.js";
import { logoutScreen, settingsScreen, setupScreen, signInAgainScreen, unlockScreen, wipeScreen } from "./views/session.js";

// Locked after this long in the background: the key leaves memory, the passphrase is asked again.
const LOCK_AFTER_MS = 3 * 60 * 1000;
let ended = null;  // why the session ended, when it did
let hiddenAt = null;
let lockTimer = null;

let routing = Promise.resolve();

// Screens are drawn one after another: a slow screen started earlier never paints over the
// screen the user has moved on to. A redraw asked for one screen (fresh data from a sync) is
// dropped if the user has moved on by the time its turn comes: it would otherwise draw the new
// screen a second time, and a form would lose what was typed into it meanwhile.
// Once a screen is drawn, the root element names it (data-drawn): a script driving the app
// (the browser tests) waits for the screen it asked for, not for the one still on display.
function route(onlyFor = null) {
  const run = async () => {
    const hash = location.hash || "#/";
    if (onlyFor !== null && hash !== onlyFor) return;
    await draw();
    document.documentElement.dataset.drawn = hash;
  };
  routing = routing.then(run, run);
  return routing;
}

async function draw() {
  const hash = location.hash || "#/";
  if (hash === "#/wipe") return wipeScreen();
  if (!unlocked()) {
    if (!(await hasVault())) return setupScreen(afterUnlock);
    return unlockScreen(afterUnlock);
  }
  if (!currentUser()) return signInAgainScreen(ended, () => { ended = null; header(); route(); });
  const partner = currentUser().role === "partner";
  const m = hash.match(/^#\/(d|outbox)\/([0-9a-f-]{36})(\/event)?$/);
  if (m && m[1] === "d") return m[3] ? newEventScreen(m[2]) : recordScreen(m[2], () => route(hash));
  if (m && m[1] === "outbox") return fixScreen(m[2]);
  switch (hash) {
    case "#/new/facility": return newFacilityScreen();
    case "#/new/detention": return newDetentionScreen();
    case "#/new/visit": return newVisitScreen();
    case "#/outbox": return outboxScreen();
    case "#/settings": return settingsScreen(changeLanguage, lockNow);
    case "#/logout": return logoutScreen(() => { resetFeed(); location.hash = "#/"; header(); route(); });
    default: return partner ? flagsScreen() : listScreen();
  }
}

async function afterUnlock() {
  const restored = await restoreSession();
  ended = restored.ended;
  if (navigator.storage?.persist) navigator.storage.persist().catch(() => {});
  header();
  await route();
  if (restored.signedIn) syncNow();
}

function lockNow() {
  forgetViewed();
  lock();
  stop();
  header();
  route();
}

async function changeLanguage(code) {
  await setLanguage(code, true);
  header();
  route();
}

function syncText() {
  const s = syncState;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const asOf = s.lastSync ? t("sync.as_of", { time: formatTime(s.lastSync, zone) }) : "";
  switch (s.phase) {
    case "checking": return t("sync.checking");
    case "syncing": return t("sync.syncing");
    case "done": return `${t("sync.done")} ${asOf}`;
    case "offline": return `${t("sync.offline")} ${asOf}`;
    case "session": return t("sync.stopped", { reason: s.message });
    case "error": return t("sync.error", { reason: s.message });
    default: return asOf;
  }
}

async function updateStatus() {
  const status = document.getElementById("sync-status");
  if (status) status.textContent = syncText();
  const count = document.getElementById("outbox-count");
  // items and evidence files not yet on the server (files are counted without the key)
  if (count && unlocked()) count.textContent = String(await outboxCount() + await fileCount().catch(() => 0));
}

function header() {
  document.querySelector(".skip").textContent = t("app.skip");
  const bar = document.getElementById("bar");
  const langId = "lang-switch";
  const select = h("select", { id: langId, class: "compact" }, Object.entries(LANGUAGES).map(([code, name]) =>
    h("option", { value: code, selected: code === language(), lang: code }, name)));
  select.addEventListener("change", () => changeLanguage(select.value));
  const user = unlocked() ? currentUser() : null;
  const links = !user ? [] : user.role === "partner"
    ? [["#/", t("nav.flags")], ["#/settings", t("nav.settings")]]
    : [["#/", t("nav.list")], ["#/outbox", t("nav.outbox")], ["#/settings", t("nav.settings")]];
  replace(bar,
    h("p", { class: "brand" }, h("a", { href: "#/" }, t("app.name"))),
    links.length ? h("nav", { "aria-label": t("nav.label") }, h("ul", {}, links.map(([href, text]) =>
      h("li", {}, h("a", { href }, text, href === "#/outbox" ? h("span", { id: "outbox-count", class: "count" }, "0") : null))))) : null,
    h("div", { class: "bar-tools" }, h("label", { for: langId, class: "visually-hidden" }, t("settings.language")), select,
      user && user.role !== "partner" ? h("button", { type: "button", id: "sync-now", class: "button compact", onclick: () => syncNow() }, t("sync.now")) : null),
    h("p", { id: "sync-status", role: "status", "aria-live": "polite" }, ""));
  updateStatus();
}

function watchVisibility() {
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      hiddenAt = Date.now();
      lockTimer = setTimeout(() => { if (unlocked()) lockNow(); }, LOCK_AFTER_MS);
      return;
    }
    clearTimeout(lockTimer);
    if (hiddenAt && Date.now() - hiddenAt >= LOCK_AFTER_MS && unlocked()) lockNow();
    else if (unlocked() && currentUser()) syncNow();
    hiddenAt = null;
  });
}

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  // The first worker taking control is the install; a later change is an update.
  let controlled = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (controlled) notice(t("app.updated"), "info");
    controlled = true;
  });
  try {
    await navigator.serviceWorker.register("sw.js", { scope: "./" });
  } catch (error) {
    console.warn("service worker not registered", error);
  }
}

async function start() {
  await setLanguage(preferredLanguage());
  syncEvents.addEventListener("change", () => {
    updateStatus();
    // Fresh server data: redraw screens that only show data (never a form being typed).
    const hash = location.hash || "#/";
    if (syncState.phase === "done" && unlocked() && currentUser()?.role !== "partner"
        && (hash === "#/" || hash === "#/outbox" || /^#\/d\/[0-9a-f-]{36}$/.test(hash))) route(hash);
  });
  onSession(({ signedIn, reason }) => {
    if (!signedIn && reason) {
      ended = reason;
      header();
      route();
    }
  });
  window.addEventListener("hashchange", () => { route(location.hash || "#/"); updateStatus(); });
  window.addEventListener("online", () => { if (unlocked()) syncNow(); });
  watchVisibility();
  setInterval(tick, 1000);
  header();
  await route();
  registerWorker();
  document.documentElement.dataset.ready = "true";
}

start();
