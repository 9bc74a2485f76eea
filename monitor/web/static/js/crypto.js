// Encryption at rest: AES-GCM under a key derived from the user's passphrase (PBKDF2-SHA256).
// The key is created non-extractable and lives only in memory; nothing that could rebuild it
// is stored, so a locked or closed app cannot read its own data without the passphrase.

export const ITERATIONS = 600000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Random bytes (salts, IVs). */
export function randomBytes(n) {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** Derive the AES-GCM key from a passphrase and salt. */
export async function deriveKey(passphrase, salt, iterations = ITERATIONS) {
  const material = await crypto.subtle.importKey("raw", encoder.encode(passphrase), "PBKDF2", false,
    ["deriveKey"]);
  return crypto.subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, material,
    { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
}

/** Encrypt a JSON-able value: {iv, data} with a fresh 96-bit IV. */
export async function seal(key, value) {
  const iv = randomBytes(12);
  const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key,
    encoder.encode(JSON.stringify(value)));
  return { iv, data };
}

/** Decrypt what `seal` made; throws if the key is wrong or the data was altered. */
export async function unseal(key, box) {
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: box.iv }, key, box.data);
  return JSON.parse(decoder.decode(plain));
}
