"""What may be shown to whom: every stored field is structured or free text, written once.

SHOWN     structured (closed lists, numbers, times, ids of records): stored in clear and may
          reach partners (in their countries) and researchers (pseudonymised, grouped).
INTERNAL  structured or operational (user ids, fingerprints, hashes, counters, accounts,
          delivery state): stored in clear, never shown to partners or researchers.
SEALED    free text and identities (names, notes, grounds, who arrested, what was alleged):
          encrypted at rest with DATA_KEY, opened only for roles that see identities.

Account and operational text (emails, organisation names, webhook URLs, audit details,
delivery errors) is INTERNAL: it is looked up in clear (login, unique names, delivery),
is about the monitor's own users, and only admins read it. tests/test_disclosure.py walks
every model column against COLUMNS and every partner and researcher answer against it.
"""

SHOWN, INTERNAL, SEALED = "shown", "internal", "sealed"

COLUMNS = {
    "facilities": {"id": SHOWN, "name": SHOWN, "kind": SHOWN, "country": SHOWN, "timezone": SHOWN,
                   "jurisdiction": SHOWN, "court_within_40km": SHOWN, "created_at": SHOWN,
                   "fingerprint": INTERNAL, "recorded_by": INTERNAL},
    "persons": {"id": INTERNAL, "identity_enc": SEALED, "sex": SHOWN, "age": SHOWN,
                "groups": SHOWN, "created_at": INTERNAL},
    "detentions": {"id": SHOWN, "person_id": INTERNAL, "facility_id": SHOWN,
                   "current_facility_id": SHOWN, "country": SHOWN, "arrested_at": SHOWN,
                   "private_enc": SEALED, "juvenile": SHOWN, "age_at_arrest": SHOWN,
                   "offence_gravity": SHOWN, "organised_crime": SHOWN, "capital_offence": SHOWN,
                   "status": SHOWN, "ended_at": SHOWN, "next_due_at": INTERNAL, "outcomes": SHOWN,
                   "fingerprint": INTERNAL, "received_at": SHOWN, "recorded_by": INTERNAL,
                   "created_at": INTERNAL, "updated_at": SHOWN},
    "custody_events": {"id": SHOWN, "detention_id": SHOWN, "type": SHOWN, "occurred_at": SHOWN,
                       "source": SHOWN, "details": SHOWN, "private_enc": SEALED,
                       "fingerprint": INTERNAL, "received_at": SHOWN, "recorded_by": INTERNAL},
    "visits": {"id": INTERNAL, "facility_id": INTERNAL, "country": INTERNAL, "started_at": INTERNAL,
               "ended_at": INTERNAL, "access": INTERNAL, "register_checked": INTERNAL,
               "detainees_interviewed": INTERNAL, "summary_enc": SEALED, "fingerprint": INTERNAL,
               "received_at": INTERNAL, "recorded_by": INTERNAL, "created_at": INTERNAL},
    "visit_detentions": {"visit_id": INTERNAL, "detention_id": INTERNAL},
    "flags": {"id": SHOWN, "detention_id": SHOWN, "rule": SHOWN, "safeguard": SHOWN,
              "severity": SHOWN, "country": SHOWN, "facility_id": SHOWN, "status": SHOWN,
              "resolution": SHOWN, "breach": INTERNAL, "due_at": SHOWN, "raised_at": SHOWN,
              "updated_at": SHOWN, "note_enc": SEALED, "acted_by": INTERNAL,
              "change_seq": INTERNAL},
    "flag_exits": {"id": INTERNAL, "flag_id": SHOWN, "country": SHOWN, "to_country": INTERNAL,
                   "status": SHOWN, "safeguard": SHOWN, "severity": SHOWN, "view": SHOWN,
                   "change_seq": INTERNAL},
    "attachments": {"id": SHOWN, "detention_id": SHOWN, "event_id": SHOWN, "kind": SHOWN,
                    "content_type": SHOWN, "size": SHOWN, "sha256": INTERNAL,
                    "description_enc": SEALED, "key_enc": SEALED, "status": SHOWN,
                    "received": INTERNAL, "chunks": INTERNAL, "keep_metadata": INTERNAL,
                    "gps_present": INTERNAL, "fingerprint": INTERNAL, "uploaded_by": INTERNAL,
                    "received_at": SHOWN, "completed_at": SHOWN, "active_at": INTERNAL},
    "attachment_chunks": {"attachment_id": INTERNAL, "idx": INTERNAL, "start": INTERNAL,
                          "data": SEALED},
    "organizations": {"id": INTERNAL, "name": INTERNAL, "created_at": INTERNAL},
    "users": {"id": INTERNAL, "email": INTERNAL, "password_hash": INTERNAL, "role": INTERNAL,
              "countries": INTERNAL, "organization_id": INTERNAL, "active": INTERNAL,
              "token_generation": INTERNAL, "created_at": INTERNAL, "updated_at": INTERNAL},
    "revoked_tokens": {"jti": INTERNAL, "user_id": INTERNAL, "expires_at": INTERNAL,
                       "revoked_at": INTERNAL},
    "login_failures": {"key": INTERNAL, "failures": INTERNAL, "window_started_at": INTERNAL,
                       "locked_until": INTERNAL},
    "audit_log": {"seq": INTERNAL, "at": INTERNAL, "actor_id": INTERNAL, "actor_role": INTERNAL,
                  "action": INTERNAL, "target_type": INTERNAL, "target_id": INTERNAL,
                  "address": INTERNAL, "detail": INTERNAL, "prev_hash": INTERNAL, "hash": INTERNAL},
    "webhooks": {"id": INTERNAL, "organization_id": INTERNAL, "url": INTERNAL,
                 "secret_enc": SEALED, "countries": INTERNAL, "active": INTERNAL,
                 "created_at": INTERNAL, "fingerprint": INTERNAL},
    "webhook_deliveries": {"id": INTERNAL, "webhook_id": INTERNAL, "flag_id": INTERNAL,
                           "change_seq": INTERNAL, "payload": SHOWN, "status": INTERNAL,
                           "attempts": INTERNAL, "next_attempt_at": INTERNAL,
                           "last_status": INTERNAL, "last_error": INTERNAL,
                           "created_at": INTERNAL, "delivered_at": INTERNAL},
    "counters": {"name": INTERNAL, "value": INTERNAL},
    # What statistics count (derived from the detentions' shown fields; read only as sums).
    "safeguard_facts": {"safeguard": SHOWN, "bucket": SHOWN, "detention_id": SHOWN, "status": SHOWN,
                        "met_centi": SHOWN, "country": SHOWN, "facility_id": SHOWN, "month": SHOWN,
                        "arrested_at": SHOWN},
    "compliance_counts": {"id": INTERNAL, "country": SHOWN, "facility_id": SHOWN, "month": SHOWN,
                          "safeguard": SHOWN, "status": SHOWN, "bucket": SHOWN, "n": SHOWN},
    "compliance_sizes": {"id": INTERNAL, "country": SHOWN, "facility_id": SHOWN, "month": SHOWN,
                         "n": SHOWN},
    "accountability_facts": {"detention_id": SHOWN, "alleged_at": SHOWN, "complaint": SHOWN,
                             "investigated_at": SHOWN, "prosecution": SHOWN, "conviction": SHOWN,
                             "admitted_at": SHOWN},
    "sweep_state": {"name": INTERNAL, "holder": INTERNAL, "lease_until": INTERNAL,
                    "last_sweep_at": INTERNAL, "last_result": INTERNAL},
}

# Event details typed as free text (any Text field of a details schema): sealed with the
# event's notes, shown only to identity readers. Every other detail is from a closed list,
# a boolean, a number, a time or a record id, kept in clear for the rules.
FREE_TEXT_DETAILS = frozenset({
    "lawyer_name", "relationship", "authority", "reviewer", "alleged_by", "methods",
    "body", "findings"})

# Response keys that never reach a partner or researcher, whatever the endpoint: the
# sealed fields' clear names, and internal columns. (A person's name shares its key with a
# facility's; the planted-text walk of the test catches it.)
NEVER_SHOWN_KEYS = frozenset({
    "birth_date", "grounds", "notes", "arresting_authority", "note", "reason",
    "summary", "description", "recorded_by", "acted_by", "uploaded_by", "fingerprint",
    "change_seq", "to_country", "password_hash", "email"} | FREE_TEXT_DETAILS)
