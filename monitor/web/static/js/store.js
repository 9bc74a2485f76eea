// Local storage in IndexedDB. Only the vault's salt and check, item ids and ordering numbers
// are stored in clear; every record (outbox items, cached records, tokens) is sealed.

import { ITERATIONS, deriveKey, randomBytes, seal, unseal } from "./crypto.js";
import { opener, request } from "./idb.js";

export const DB_NAME = "monitor-app";
const VERSION = 1;
const CHECK = "monitor-vault-v1";
let key = null;

const database = opener(DB_NAME, VERSION, (db) => {
  db.createObjectStore("meta", { keyPath: "k" });
  db.createObjectStore("outbox", { keyPath: "id" });
  db.createObjectStore("cache", { keyPath: "k" });
});

// Outbox writes wait for the disk ("strict"), so an item the user saw saved survives a crash.
async function tx(stores, mode, work) {
  const db = await database();
  const t = db.transaction(stores, mode, { durability: mode === "readwrite" ? "strict" : "default" });
  const result = await work(t);
  await new Promise((resolve, reject) => {
    t.oncomplete = resolve;
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error || new Error("transaction aborted"));
  });
  return result;
}

/** Is a vault (salt and check) present on this device? */
export async function hasVault() {
  return Boolean(await tx(["meta"], "readonly", (t) => request(t.objectStore("meta").get("vault"))));
}

/** Open the vault with the passphrase (creating it when `create`); false if it is wrong. */
export async function unlock(passphrase, create = false) {
  const meta = await tx(["meta"], "readonly", (t) => request(t.objectStore("meta").get("vault")));
  if (!meta) {
    if (!create) return false;
    const salt = randomBytes(16);
    const candidate = await deriveKey(passphrase, salt);
    const check = await seal(candidate, CHECK);
    await tx(["meta"], "readwrite", (t) => request(t.objectStore("meta").put(
      { k: "vault", salt, iterations: ITERATIONS, check })));
    key = candidate;
    return true;
  }
  const candidate = await deriveKey(passphrase, meta.salt, meta.iterations);
  try {
    if ((await unseal(candidate, meta.check)) !== CHECK) return false;
  } catch {
    return false;
  }
  key = candidate;
  return true;
}

/** Forget the key: nothing sealed can be read until the next unlock. */
export function lock() {
  key = null;
}

/** Is the key in memory? */
export function unlocked() {
  return key !== null;
}

function needKey() {
  if (!key) throw new Error("locked");
  return key;
}

/** The vault key, for the evidence files kept in their own database (attachments.js). */
export function vaultKey() {
  return needKey();
}

/** A sealed value of the cache ("session", "rules", "det:<id>", ...), or undefined. */
export async function cacheGet(k) {
  const row = await tx(["cache"], "readonly", (t) => request(t.objectStore("cache").get(k)));
  return row ? unseal(needKey(), row.box) : undefined;
}

/** Seal and store a cache value. */
export async function cachePut(k, value) {
  const box = await seal(needKey(), value);
  await tx(["cache"], "readwrite", (t) => request(t.objectStore("cache").put({ k, box })));
}

/** Remove cache entries. */
export async function cacheDelete(...keys) {
  await tx(["cache"], "readwrite", (t) => Promise.all(keys.map((k) => request(t.objectStore("cache").delete(k)))));
}

/** Every cached value whose key starts with `prefix`. */
export async function cacheAll(prefix) {
  const range = IDBKeyRange.bound(prefix, prefix + "\uffff");
  const rows = await tx(["cache"], "readonly", (t) => request(t.objectStore("cache").getAll(range)));
  const k = needKey();
  return Promise.all(rows.map((row) => unseal(k, row.box)));
}

/** Every outbox item, oldest first. */
export async function outboxAll() {
  const rows = await tx(["outbox"], "readonly", (t) => request(t.objectStore("outbox").getAll()));
  const k = needKey();
  const items = await Promise.all(rows.map(async (row) => ({ ...(await unseal(k, row.box)), seq: row.seq })));
  return items.sort((a, b) => a.seq - b.seq);
}

/** How many items wait in the outbox (readable while locked: ids only). */
export async function outboxCount() {
  return tx(["outbox"], "readonly", (t) => request(t.objectStore("outbox").count()));
}

async function rows(items) {
  const k = needKey();
  return Promise.all(items.map(async (item) => {
    const { seq, ...rest } = item;
    return { id: item.id, seq: seq ?? Date.now() * 1000 + Math.floor(Math.random() * 1000), box: await seal(k, rest) };
  }));
}

/** Store (add or replace) outbox items, keeping each one's place in the order. */
export async function outboxPut(...items) {
  const sealed = await rows(items);
  await tx(["outbox"], "readwrite", (t) => Promise.all(sealed.map((row) => request(t.objectStore("outbox").put(row)))));
}

/** Replace one item by others in one transaction (keep-as-new: never both, never neither). */
export async function outboxReplace(oldId, items) {
  const sealed = await rows(items);
  await tx(["outbox"], "readwrite", (t) => {
    const store = t.objectStore("outbox");
    return Promise.all([request(store.delete(oldId)), ...sealed.map((row) => request(store.put(row)))]);
  });
}

/** Remove outbox items (only after the server answered created or unchanged). */
export async function outboxDelete(...ids) {
  await tx(["outbox"], "readwrite", (t) => Promise.all(ids.map((id) => request(t.objectStore("outbox").delete(id)))));
}

/** Empty the outbox and the cache (logout), keeping the vault. */
export async function clearData() {
  await tx(["outbox", "cache"], "readwrite", (t) => Promise.all(
    ["outbox", "cache"].map((s) => request(t.objectStore(s).clear()))));
}

/** Delete the whole database (wipe). */
export async function destroy() {
  key = null;
  await database.close();
  for (const name of [DB_NAME, "monitor-files"]) {  // the outbox's and the evidence files'
    await new Promise((resolve, reject) => {
      const req = indexedDB.deleteDatabase(name);
      req.onsuccess = resolve;
      req.onerror = () => reject(req.error);
      req.onblocked = resolve;  // other tabs close on versionchange; deletion completes then
    });
  }
}
