// Signing in, the device passphrase, unlocking, settings, logout and wiping the device.

import { login, logout } from "../api.js";
import { fileCount } from "../attachments.js";
import { h, uid } from "../dom.js";
import { LANGUAGES, language, t } from "../i18n.js";
import { destroy, hasVault, outboxCount, unlock } from "../store.js";
import { stop, syncNow } from "../sync.js";
import { notice, screen } from "../ui.js";
import { exportUnsynced } from "./outbox.js";

const MIN_PASSPHRASE = 8;

function input(name, type, labelKey, attrs = {}) {
  const id = uid(name);
  const el = h("input", { id, name, type, required: true, ...attrs, "aria-describedby": `${id}-error` });
  return { el, row: h("div", { class: "field" }, h("label", { for: id }, t(labelKey)), el,
    h("p", { class: "field-error", id: `${id}-error` })) };
}

function fieldError(field, text) {
  field.row.querySelector(".field-error").textContent = text || "";
  field.el.setAttribute("aria-invalid", text ? "true" : "false");
  if (text) field.el.focus();
}

/** First use: sign in and choose the device passphrase that seals everything stored here. */
export function setupScreen(done) {
  const email = input("email", "email", "login.email", { autocomplete: "username" });
  const password = input("password", "password", "login.password", { autocomplete: "current-password" });
  const pass = input("passphrase", "password", "login.passphrase", { autocomplete: "new-password", minLength: MIN_PASSPHRASE });
  const again = input("passphrase2", "password", "login.passphrase_again", { autocomplete: "new-password" });
  const form = h("form", { novalidate: true }, email.row, password.row,
    h("p", { class: "hint" }, t("login.passphrase_hint")), pass.row, again.row,
    h("button", { type: "submit", class: "primary" }, t("login.submit")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const f of [email, password, pass, again]) fieldError(f, "");
    if (!email.el.value.trim()) return fieldError(email, t("form.required"));
    if (!password.el.value) return fieldError(password, t("form.required"));
    if (pass.el.value.length < MIN_PASSPHRASE) return fieldError(pass, t("login.passphrase_short", { n: MIN_PASSPHRASE }));
    if (pass.el.value !== again.el.value) return fieldError(again, t("login.passphrase_mismatch"));
    form.querySelector("button").disabled = true;
    notice(t("login.working"));
    try {
      await unlock(pass.el.value, true);
      await login(email.el.value.trim(), password.el.value);
      notice("");
      done();
    } catch (error) {
      await destroy();  // nothing was stored but the vault: the next try may choose again
      notice(error.status === 0 ? t("login.offline") : error.message, "error");
      form.querySelector("button").disabled = false;
    }
  });
  screen(t("login.title"), form);
}

/** Locked: the passphrase opens the data; a wrong one reads nothing. */
export async function unlockScreen(done) {
  const pass = input("passphrase", "password", "unlock.passphrase", { autocomplete: "current-password" });
  const { items, files } = await unsent();
  const form = h("form", { novalidate: true }, pass.row, h("button", { type: "submit", class: "primary" }, t("unlock.submit")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    form.querySelector("button").disabled = true;
    const ok = await unlock(pass.el.value);
    form.querySelector("button").disabled = false;
    if (!ok) {
      pass.el.value = "";
      return fieldError(pass, t("unlock.wrong"));
    }
    done();
  });
  screen(t("unlock.title"), h("p", {}, t("unlock.hint")), items ? h("p", {}, t("outbox.count", { n: items })) : null,
    files ? h("p", {}, t("files.waiting", { n: files })) : null, form, h("p", {}, h("a", { href: "#/wipe", class: "button danger" }, t("wipe.title"))));
}

/** Session ended (refresh refused): sign in again; the outbox is kept and sync resumes. */
export async function signInAgainScreen(reason, done) {
  const email = input("email", "email", "login.email", { autocomplete: "username" });
  const password = input("password", "password", "login.password", { autocomplete: "current-password" });
  const { items, files } = await unsent();
  const form = h("form", { novalidate: true }, email.row, password.row, h("button", { type: "submit", class: "primary" }, t("login.submit")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await login(email.el.value.trim(), password.el.value);
      notice(t("login.resumed"), "ok");
      done();
      syncNow();
    } catch (error) {
      notice(error.status === 0 ? t("login.offline") : error.message, "error");
    }
  });
  screen(t("login.again"), h("p", { class: "notice error" }, t("login.ended", { reason: reason || "" })),
    h("p", {}, t("outbox.count", { n: items })), files ? h("p", {}, t("files.waiting", { n: files })) : null, form);
}

/** Settings: language, sync, export, lock, logout, wipe. */
export function settingsScreen(onLanguage, onLock) {
  const id = uid("lang");
  const select = h("select", { id }, Object.entries(LANGUAGES).map(([code, name]) =>
    h("option", { value: code, selected: code === language(), lang: code }, name)));
  select.addEventListener("change", () => onLanguage(select.value));
  screen(t("nav.settings"),
    h("div", { class: "field" }, h("label", { for: id }, t("settings.language")), select),
    h("p", { class: "actions" },
      h("button", { type: "button", class: "button", onclick: () => syncNow() }, t("sync.now")),
      h("button", { type: "button", class: "button", onclick: exportUnsynced }, t("outbox.export")),
      h("button", { type: "button", class: "button", onclick: onLock }, t("settings.lock")),
      h("a", { href: "#/logout", class: "button" }, t("logout.title")),
      h("a", { href: "#/wipe", class: "button danger" }, t("wipe.title"))));
}

async function endLocal() {
  stop();
  await destroy();
}

/** What would be lost: outbox items and evidence files not yet uploaded, said apart. */
async function unsent() {
  const [items, files] = await Promise.all([outboxCount(), fileCount().catch(() => 0)]);
  return { items, files, any: items + files,
    lines: [items ? h("p", { class: "notice error" }, t("logout.unsynced", { n: items })) : null,
      files ? h("p", { class: "notice error" }, t("logout.files", { n: files })) : null] };
}

/** Logout: say how many items and files are unsynced; offer sync, export or discard. */
export async function logoutScreen(after) {
  const { any: waiting, lines } = await unsent();
  const out = async () => {
    await logout();
    await endLocal();
    after();
  };
  if (!waiting) {
    screen(t("logout.title"), h("p", {}, t("logout.none")),
      h("p", { class: "actions" }, h("button", { type: "button", class: "button primary", onclick: out }, t("logout.confirm")),
        h("a", { href: "#/", class: "button" }, t("form.cancel"))));
    return;
  }
  screen(t("logout.title"), ...lines,
    h("p", { class: "actions" },
      h("button", { type: "button", class: "button primary", onclick: async () => { await syncNow(); logoutScreen(after); } }, t("sync.now")),
      h("button", { type: "button", class: "button", onclick: exportUnsynced }, t("outbox.export")),
      h("button", { type: "button", class: "button danger", onclick: out }, t("logout.discard")),
      h("a", { href: "#/", class: "button" }, t("form.cancel"))));
}

/** Erase IndexedDB, the caches and the service worker at once. */
export async function wipeDevice() {
  stop();
  await destroy();
  if (window.caches) await Promise.all((await caches.keys()).map((k) => caches.delete(k)));
  if (navigator.serviceWorker) {
    for (const reg of await navigator.serviceWorker.getRegistrations()) await reg.unregister();
  }
  localStorage.clear();
  sessionStorage.clear();
}

/** The wipe screen (reachable while locked: a forgotten passphrase leaves only this). */
export async function wipeScreen() {
  const { lines } = await unsent().catch(() => ({ lines: [] }));
  screen(t("wipe.title"), h("p", {}, t("wipe.warning")), ...lines,
    h("p", { class: "actions" },
      h("button", { type: "button", class: "button danger", onclick: async () => {
        await wipeDevice();
        screen(t("wipe.done"), h("p", {}, t("wipe.done_hint")));
      } }, t("wipe.confirm")),
      h("a", { href: "#/", class: "button" }, t("form.cancel"))));
}

export { hasVault };
