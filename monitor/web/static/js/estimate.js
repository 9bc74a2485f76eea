// Deadlines for a record the server has not evaluated yet, from the cached /rules: the
// arrest-triggered deadline rules with a plain limit in hours, of the facility's
// jurisdiction and of `intl`. Marked as estimates; the server's evaluation replaces them.
// Mirrors monitor/domain/evaluator.py (_due without extensions, limit_by or calendars) and
// monitor/domain/clock.py (a rule's `start`: the PACE relevant time and rules like it).

const HOUR = 3600000;

/** Under 18 at the arrest, from the birth date, else the age (the contract's rule). */
export function juvenileAt(person, arrestedAt) {
  if (person?.birth_date) {
    const birth = new Date(`${person.birth_date}T00:00:00Z`);
    const arrest = new Date(arrestedAt);
    let age = arrest.getUTCFullYear() - birth.getUTCFullYear();
    const before = arrest.getUTCMonth() < birth.getUTCMonth()
      || (arrest.getUTCMonth() === birth.getUTCMonth() && arrest.getUTCDate() < birth.getUTCDate());
    if (before) age -= 1;
    return age < 18;
  }
  return typeof person?.age === "number" ? person.age < 18 : false;
}

/** Can this rule be estimated on the device? */
export function plainHours(rule) {
  return rule.kind === "deadline" && (rule.trigger || []).includes("arrest")
    && typeof rule.within_hours === "number" && !rule.limit_by && !rule.calendar;
}

const PLACE_KEYS = ["facility_id", "to_facility_id"];

/** Does `event` happen at a facility of `country` (and of one of `kinds`)? As the server:
 * an event with no place belongs to the record; an unknown facility is no evidence. */
function inJurisdiction(event, country, kinds, facilities) {
  const id = PLACE_KEYS.map((k) => event.details?.[k]).find(Boolean);
  if (!id) return true;
  const place = facilities.get(String(id));
  if (!place) return false;
  return (!country || (place.country || "").toUpperCase() === country.toUpperCase())
    && (!kinds?.length || kinds.includes(place.kind));
}

/** Where a rule's clock starts (ms): the first `start.event` after the arrest in the rule
 * set's country, capped at arrest + cap_hours; the arrest when none is recorded. */
export function clockStart(rule, country, arrestMs, events, facilities) {
  const spec = rule.start;
  if (!spec) return arrestMs;
  const first = (events || [])
    .filter((e) => e.type === spec.event && new Date(e.occurred_at).getTime() >= arrestMs
      && inJurisdiction(e, country, spec.facility_kinds, facilities))
    .map((e) => new Date(e.occurred_at).getTime()).sort((a, b) => a - b)[0];
  if (first === undefined) return arrestMs;
  const cap = typeof spec.cap_hours === "number" ? arrestMs + spec.cap_hours * HOUR : Infinity;
  return Math.min(first, cap);
}

/** Estimated safeguards of a local detention: [{rule, safeguard, due_at, citation, confidence,
 * estimate}]. `events` are the record's (stored and unsent); `facilities` maps id → facility. */
export function estimate(detention, facility, ruleSets, events = [], facilities = new Map()) {
  if (!detention?.arrested_at || !ruleSets) return [];
  // As the server resolves it: the facility's rule set, else its country's own, else intl.
  const own = ruleSets.find((set) => set.code !== "intl" && (set.country || "").toUpperCase() === facility?.country);
  const codes = new Set(["intl", facility?.jurisdiction || own?.code || "intl"]);
  const now = Date.now();
  const juvenile = juvenileAt(detention.person, detention.arrested_at);
  const start = new Date(detention.arrested_at).getTime();
  const out = [];
  for (const set of ruleSets) {
    if (!codes.has(set.code)) continue;
    for (const rule of set.rules) {
      if (!plainHours(rule)) continue;
      if (rule.applies_to !== "all" && rule.applies_to !== (juvenile ? "juvenile" : "adult")) continue;
      const hours = rule.within_hours + (rule.within_hours === 0 ? (rule.grace_hours ?? 1) : 0);
      const due = clockStart(rule, set.country, start, events, facilities) + hours * HOUR;
      out.push({ rule: rule.id, safeguard: rule.safeguard, status: due < now ? "overdue" : "pending",
        due_at: new Date(due).toISOString(), citation: rule.citation,
        confidence: rule.confidence, basis: rule.basis, estimate: true });
    }
  }
  return out.sort((a, b) => a.due_at.localeCompare(b.due_at));
}

/** The next pending deadline among safeguards (server's or estimated), or null. */
export function nextDue(safeguards) {
  const due = (safeguards || []).filter((s) => ["pending", "overdue"].includes(s.status) && s.due_at)
    .map((s) => s.due_at).sort();
  return due[0] || null;
}
