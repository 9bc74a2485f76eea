// Wall-clock time in a named zone <-> absolute instants, with the Intl API only.

const partsFormatter = new Map();

function parts(date, zone) {
  if (!partsFormatter.has(zone)) {
    partsFormatter.set(zone, new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    }));
  }
  const out = {};
  for (const p of partsFormatter.get(zone).formatToParts(date)) out[p.type] = p.value;
  return out;
}

/** Minutes the zone is ahead of UTC at `date`. */
export function offsetMinutes(date, zone) {
  const p = parts(date, zone);
  const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return Math.round((asUtc - Math.floor(date.getTime() / 1000) * 1000) / 60000);
}

/** "YYYY-MM-DDTHH:MM" read as wall-clock time in `zone` -> Date (the later one in a DST gap). */
export function wallToDate(value, zone) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value || "");
  if (!m) return null;
  const guess = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  let instant = guess - offsetMinutes(new Date(guess), zone) * 60000;
  const second = offsetMinutes(new Date(instant), zone);
  instant = guess - second * 60000;
  return new Date(instant);
}

/** A Date -> "YYYY-MM-DDTHH:MM" on the wall clock of `zone` (for datetime-local inputs). */
export function dateToWall(date, zone) {
  const p = parts(date, zone);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/** RFC 3339 in UTC, whole seconds, with Z. */
export function toRfc3339(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Is `zone` a zone this browser knows? */
export function validZone(zone) {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return Boolean(zone);
  } catch {
    return false;
  }
}
