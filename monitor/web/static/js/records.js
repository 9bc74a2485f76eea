// What the monitor creates: a client UUID at once, an outbox item, and a local copy of the
// record so that lists and the record screen show it before the server has it.

import { cacheAll, cacheDelete, cacheGet, cachePut, outboxAll, outboxPut, outboxReplace } from "./store.js";

export const KINDS = ["facility", "detention", "event", "visit"];

/** Queue a new record: it gets its id now and waits in the outbox until the server has it. */
export async function createRecord(kind, body) {
  const id = body.id || crypto.randomUUID();
  const item = { id, kind, body: { ...body, id }, state: "pending", created_at: new Date().toISOString(),
    attempts: 0, last_attempt: null, result: null, errors: null };
  await outboxPut(item);
  await mirror(kind, item.body);
  return item;
}

/** Keep the local copy of a record in step with its outbox body. */
export async function mirror(kind, body) {
  if (kind === "facility") await cachePut(`fac:${body.id}`, { ...body, local: true });
  if (kind === "detention") {
    const arrest = { id: `arrest-${body.id}`, type: "arrest", occurred_at: body.arrested_at, details: {}, local: true };
    const old = await cacheGet(`det:${body.id}`);
    const events = (old?.events || []).filter((e) => e.type !== "arrest");
    await cachePut(`det:${body.id}`, { ...body, status: "in_custody", local: true, events: [arrest, ...events],
      safeguards: null, flags: [] });
  }
  if (kind === "event") {
    const det = await cacheGet(`det:${body.detention_id}`);
    if (det) {
      const events = (det.events || []).filter((e) => e.id !== body.id);
      events.push({ ...body, local: true });
      events.sort((a, b) => a.occurred_at.localeCompare(b.occurred_at));
      await cachePut(`det:${body.detention_id}`, { ...det, events, pending_events: true });
    }
  }
  if (kind === "visit") await cachePut(`vis:${body.id}`, { ...body, local: true });
}

/** Correct an invalid item: new body, back to pending (same id: the server never stored it). */
export async function correct(item, body) {
  const fixed = { ...item, body: { ...body, id: item.id }, state: "pending", errors: null };
  await outboxPut(fixed);
  await mirror(item.kind, fixed.body);
  // Events refused only because their detention was refused wait for it again.
  if (item.kind === "detention") {
    const waiting = (await outboxAll()).filter((o) => o.kind === "event" && o.body.detention_id === item.id
      && o.state === "invalid");
    await outboxPut(...waiting.map((o) => ({ ...o, state: "pending" })));
  }
  return fixed;
}

/** Conflict: the server holds another record under this id; keep ours as a new record. */
export async function keepAsNew(item) {
  const newId = crypto.randomUUID();
  const moved = { ...item, id: newId, body: { ...item.body, id: newId }, state: "pending", errors: null,
    result: null, attempts: 0, replaces: item.id };
  const all = await outboxAll();
  const field = { detention: ["detention_id"], facility: ["facility_id"] }[item.kind] || [];
  const dependants = all.filter((o) => o.id !== item.id && field.some((f) => o.body[f] === item.id))
    .map((o) => {
      const body = { ...o.body };
      for (const f of field) if (body[f] === item.id) body[f] = newId;
      return { ...o, body, state: o.state === "conflict" ? o.state : "pending" };
    });
  await outboxReplace(item.id, [{ ...moved, seq: item.seq }, ...dependants]);
  if (item.kind === "event") {  // the timeline shows the event once, under its new id
    const det = await cacheGet(`det:${item.body.detention_id}`);
    if (det) await cachePut(`det:${det.id}`, { ...det, events: (det.events || []).filter((e) => e.id !== item.id) });
  }
  if (item.kind === "detention") {
    // The old id now names the server's other record: drop our copy under it.
    const old = await cacheGet(`det:${item.id}`);
    await cacheDelete(`det:${item.id}`);
    if (old) await cachePut(`det:${newId}`, { ...old, id: newId });
  }
  await mirror(item.kind, moved.body);
  for (const dep of dependants) await mirror(dep.kind, dep.body);
  return moved;
}

/** Cached facilities (server's and local), by name. */
export async function facilities() {
  const all = await cacheAll("fac:");
  return all.sort((a, b) => (a.name || "").localeCompare(b.name || ""));
}

/** Cached detentions (server's and local). */
export async function detentions() {
  return cacheAll("det:");
}
