// IndexedDB in promises: one request, and one lazily opened database per name.

/** The result of an IndexedDB request, as a promise. */
export function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** A function that opens `name` at `version` once (creating its stores with `upgrade`) and
 * gives the same connection until another tab's upgrade asks this one to close, or its
 * `close()` is called (before the database is deleted). */
export function opener(name, version, upgrade) {
  let opening = null;
  async function close() {
    const open = opening;
    opening = null;
    if (open) (await open).close();
  }
  function database() {
    if (!opening) {
      opening = new Promise((resolve, reject) => {
        const req = indexedDB.open(name, version);
        req.onupgradeneeded = () => upgrade(req.result);
        req.onsuccess = () => {
          req.result.onversionchange = () => { req.result.close(); opening = null; };
          resolve(req.result);
        };
        req.onerror = () => reject(req.error);
        req.onblocked = () => reject(new Error("database blocked by another tab"));
      });
    }
    return opening;
  }
  database.close = close;
  return database;
}
