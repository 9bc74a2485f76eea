// The API client: bearer tokens, rotation of the refresh token, problems as errors.
// Tokens are kept sealed in the cache ("session") so that a reload or a closed tab does not
// end the session; a refused refresh ends it but never touches the outbox.

import { cacheGet, cachePut } from "./store.js";

const BASE = "/api/v1";
let session = null;  // {access_token, refresh_token, user}
const listeners = new Set();

export class ApiError extends Error {
  /** A problem answer (RFC 9457) or a network failure (status 0). */
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

export class SessionEnded extends ApiError {}

/** Be told when the session starts or ends: fn({signedIn, reason}). */
export function onSession(fn) {
  listeners.add(fn);
}

function notify(reason = null) {
  for (const fn of listeners) fn({ signedIn: Boolean(session), reason });
}

/** The signed-in user ({id, email, role, countries}) or null. */
export function currentUser() {
  return session?.user || null;
}

/** Load the sealed session after unlocking. */
export async function restoreSession() {
  const stored = await cacheGet("session");
  session = stored?.refresh_token ? stored : null;
  return { signedIn: Boolean(session), ended: stored?.ended || null, user: stored?.user || null };
}

async function saveSession() {
  await cachePut("session", session);
}

async function raw(method, path, body, token, extraHeaders = {}) {
  const headers = { Accept: "application/json", ...extraHeaders };
  if (token) headers.Authorization = `Bearer ${token}`;
  const binary = body instanceof Uint8Array || body instanceof Blob;  // evidence file chunks
  if (body !== undefined && !binary) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(BASE + path, {
      method, headers, body: body === undefined || binary ? body : JSON.stringify(body), cache: "no-store",
    });
  } catch (error) {
    throw new ApiError(0, { title: "Network", detail: String(error.message || error) });
  }
  if (response.status === 204) return null;
  if (response.ok && !(response.headers.get("Content-Type") || "").includes("json")) return response.blob();
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/** Log in with email and password; the session is sealed at once. */
export async function login(email, password) {
  const tokens = await raw("POST", "/auth/login", { email, password });
  const user = await raw("GET", "/users/me", undefined, tokens.access_token);
  session = { access_token: tokens.access_token, refresh_token: tokens.refresh_token, user };
  await saveSession();
  notify();
  return user;
}

let refreshing = null;

/** Exchange the refresh token for a new pair (the server rotates it); one at a time, across tabs. */
export function refresh() {
  if (!refreshing) {
    const work = async () => {
      const stored = await cacheGet("session");  // another tab may have rotated it already
      if (stored?.refresh_token && stored.refresh_token !== session?.refresh_token) {
        session = stored;
        return;
      }
      try {
        const tokens = await raw("POST", "/auth/refresh", undefined, session.refresh_token);
        session = { ...session, access_token: tokens.access_token, refresh_token: tokens.refresh_token };
        await saveSession();
      } catch (error) {
        if (error.status === 401 || error.status === 403) await end(error.message);
        throw error;
      }
    };
    const locked = navigator.locks ? navigator.locks.request("monitor-refresh", work) : work();
    refreshing = locked.finally(() => { refreshing = null; });
  }
  return refreshing;
}

async function end(reason) {
  const user = session?.user || null;
  session = null;
  await cachePut("session", { ended: reason, user });
  notify(reason);
}

/** Call the API as the signed-in user; an expired access token is refreshed once. */
export async function call(method, path, body, headers) {
  if (!session) throw new SessionEnded(401, { detail: "Not signed in." });
  try {
    return await raw(method, path, body, session.access_token, headers);
  } catch (error) {
    if (error.status !== 401) throw error;
  }
  try {
    await refresh();
  } catch (error) {
    if (!session) throw new SessionEnded(401, error.problem);
    throw error;
  }
  try {
    return await raw(method, path, body, session.access_token, headers);
  } catch (error) {
    if (error.status === 401) {
      await end(error.message);
      throw new SessionEnded(401, error.problem);
    }
    throw error;
  }
}

/** Revoke both tokens on the server (best effort: offline, they simply expire). */
export async function logout() {
  if (session) {
    await Promise.allSettled([raw("POST", "/auth/logout", undefined, session.access_token),
      raw("POST", "/auth/logout", undefined, session.refresh_token)]);
  }
  session = null;
  notify();
}

/** Does the server answer? A real request, since navigator.onLine says little. */
export async function reachable() {
  try {
    const response = await fetch("/healthz", { cache: "no-store" });
    return response.ok;
  } catch {
    return false;
  }
}
