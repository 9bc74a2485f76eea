// The outbox's way to the server: POST /facilities for facilities (not part of /sync), then
// POST /sync in batches of at most 1000. An item leaves the outbox only when the server
// answers created or unchanged, so a lost answer just means the same item is sent again
// (the server answers unchanged: client ids make every send idempotent).

import { ApiError, SessionEnded, call, currentUser, reachable } from "./api.js";
import { cacheGet, cachePut, outboxAll, outboxDelete, outboxPut, unlocked } from "./store.js";
import { sendFiles } from "./attachments.js";

export const BATCH = 1000;
const MAX_DELAY = 300000;
const FIRST_DELAY = 5000;
const REFRESH_EVERY = 60000;
export const events = new EventTarget();
export const state = { phase: "idle", lastSync: null, message: "", pending: 0, requests: 0 };
let delay = 0;
let timer = null;
let running = null;

function emit(changes) {
  Object.assign(state, changes);
  events.dispatchEvent(new Event("change"));
}

/** Try again after `ms` (replacing any sooner or later plan). */
export function schedule(ms) {
  clearTimeout(timer);
  timer = setTimeout(() => { syncNow(); }, ms);
}

/** Stop planned syncs (lock, logout, wipe). */
export function stop() {
  clearTimeout(timer);
  timer = null;
}

function backOff(phase, message) {
  delay = Math.min(MAX_DELAY, delay ? delay * 2 : FIRST_DELAY);
  const jitter = Math.floor(Math.random() * delay * 0.2);
  emit({ phase, message, retryAt: Date.now() + delay + jitter });
  schedule(delay + jitter);
}

/** Sync now (the button, a reconnect, the timer); concurrent calls share one run, tabs take turns. */
export function syncNow() {
  if (!running) {
    const work = () => run();
    const locked = navigator.locks ? navigator.locks.request("monitor-sync", work) : work();
    running = locked.finally(() => { running = null; });
  }
  return running;
}

async function run() {
  if (!unlocked() || !currentUser()) return;
  emit({ phase: "checking", message: "" });
  if (!(await reachable())) {
    backOff("offline", "");
    return;
  }
  emit({ phase: "syncing" });
  try {
    if (currentUser().role !== "partner") {
      await sendFacilities();
      while (await sendBatch()) { /* more than one batch waiting */ }
      await sendFiles();  // evidence files, once their detentions and events are on the server
      await refreshCache();
    }
    delay = 0;
    const lastSync = new Date().toISOString();
    await cachePut("lastSync", lastSync);
    const pending = (await outboxAll()).length;
    emit({ phase: "done", lastSync, pending, message: "" });
    schedule(REFRESH_EVERY);
  } catch (error) {
    if (error instanceof SessionEnded) {
      stop();
      emit({ phase: "session", message: error.message });
    } else if (error instanceof ApiError && error.status === 0) {
      backOff("offline", "");
    } else {
      backOff("error", error.message);
    }
  }
}

function stamp(item, result, errors, status) {
  return { ...item, attempts: (item.attempts || 0) + 1, last_attempt: new Date().toISOString(),
    result, errors, state: status };
}

async function sendFacilities() {
  const waiting = (await outboxAll()).filter((i) => i.kind === "facility" && i.state === "pending");
  for (const item of waiting) {
    try {
      const stored = await call("POST", "/facilities", item.body);
      state.requests += 1;
      await cachePut(`fac:${stored.id}`, stored);
      await outboxDelete(item.id);
    } catch (error) {
      state.requests += 1;
      if (error.status === 409) await outboxPut(stamp(item, "conflict", { id: [error.message] }, "conflict"));
      else if (error.status === 422) await outboxPut(stamp(item, "invalid", error.problem.errors || {}, "invalid"));
      else throw error;
    }
  }
}

/** One batch of detentions, events and visits; true if another batch may be waiting. */
async function sendBatch() {
  const all = await outboxAll();
  // An event waits while its detention is held back: after a conflict its id names someone
  // else's record on the server, and the event must never be attached to that one.
  const held = new Set(all.filter((i) => i.state !== "pending").map((i) => i.id));
  const waiting = all.filter((i) => i.kind !== "facility" && i.state === "pending"
    && !held.has(i.body.detention_id) && !held.has(i.body.facility_id));
  if (!waiting.length) return false;
  const batch = waiting.slice(0, BATCH);
  const payload = { detentions: [], events: [], visits: [] };
  const order = [];
  for (const item of batch) {
    payload[`${item.kind}s`].push(item.body);
    order.push(item);
  }
  // The server answers in the order sent: detentions, then events, then visits.
  const sent = ["detention", "event", "visit"].flatMap((k) => order.filter((i) => i.kind === k));
  let answer;
  try {
    answer = await call("POST", "/sync", payload);
  } finally {
    state.requests += 1;
  }
  const done = [];
  const kept = [];
  const touched = new Set();
  answer.results.forEach((result, index) => {
    const item = sent[index];
    if (!item || result.id !== item.id) return;  // never act on an answer we cannot match
    if (result.status === "created" || result.status === "unchanged") {
      done.push(item.id);
      if (item.kind === "detention") touched.add(item.id);
      if (item.kind === "event") touched.add(item.body.detention_id);
    } else {
      kept.push(stamp(item, result.status, result.errors || {}, result.status));
    }
  });
  if (kept.length) await outboxPut(...kept);
  if (done.length) await outboxDelete(...done);
  await refreshDetentions([...touched].slice(0, 25));
  return waiting.length > batch.length && done.length + kept.length > 0;
}

async function refreshDetentions(ids) {
  for (const id of ids) {
    try {
      await cachePut(`det:${id}`, await call("GET", `/detentions/${id}`));
    } catch (error) {
      if (error.status !== 404) throw error;
    }
  }
}

async function pages(path, limit = 500, maxPages = 20) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < maxPages; page += 1) {
    const sep = path.includes("?") ? "&" : "?";
    const body = await call("GET", `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    items.push(...body.items);
    cursor = body.next_cursor;
    if (!cursor) break;
  }
  return items;
}

/** The server's facilities, detentions (with safeguards) and rules, for offline use. Every
 * status: after the release a monitor still records the complaint, investigation and trial. */
export async function refreshCache() {
  const [facilities, detentions, rules] = await Promise.all([
    pages("/facilities"), pages("/detentions"), call("GET", "/rules")]);
  for (const facility of facilities) await cachePut(`fac:${facility.id}`, facility);
  const pendingIds = new Set((await outboxAll()).map((i) => i.body.detention_id || i.body.id));
  for (const det of detentions) {
    const old = await cacheGet(`det:${det.id}`);
    // Keep the timeline read earlier (lists carry none) unless the record changed since.
    const events = old && !old.local && old.updated_at === det.updated_at ? old.events : undefined;
    if (old?.local && pendingIds.has(det.id)) continue;  // our unsent version wins on the device
    // Lists carry no evidence files either: keep those the record last listed.
    await cachePut(`det:${det.id}`, { ...det, events, attachments: old?.attachments });
  }
  await cachePut("rules", rules.items);
}
