"""The project's one vocabulary: every closed list that models, schemas, rules and the CLI share.

Models build their check constraints from these tuples, schemas their `OneOf` validators, the
rules loader its checks. Adding an event type is one edit here, its details schema in
`schemas/events.py`, its rules and its test.
"""

ROLES = ("admin", "monitor", "partner", "researcher")

FACILITY_KINDS = ("police_station", "pretrial", "prison", "military", "immigration", "other")
DETENTION_STATUSES = ("in_custody", "released", "died")
SEXES = ("female", "male", "other", "unknown")
VISIT_ACCESS = ("full", "partial", "denied")

EVENT_SOURCES = ("monitor_observation", "custody_register", "detainee", "lawyer", "family",
                 "official", "medical_record", "other")
EVENT_TYPES = (
    "arrest", "arrival", "rights_notified", "lawyer_requested", "lawyer_access", "interrogation",
    "family_notified", "family_contact", "medical_exam", "judicial_appearance",
    "detention_extended", "detention_review", "transfer", "confession", "ill_treatment_alleged",
    "release", "death_in_custody",
    # Extensions needed by national rules (RULES.md, "What a custody record must hold").
    "registry_entry", "social_welfare_notified", "lawyer_delay_authorised",
    "family_delay_authorised", "charge", "family_notification_requested")

SAFEGUARDS = ("lawyer_access", "lawyer_at_interrogation", "family_notification",
              "medical_examination", "judicial_review", "custody_limit", "detention_review",
              "confession_safeguards", "ill_treatment_response")
RULE_KINDS = ("deadline", "condition", "recurring")
RULE_APPLIES = ("all", "juvenile", "adult")
SEVERITIES = ("high", "medium")
CONFIDENCES = ("H", "M", "L", "H/M", "M/L")
OUTCOME_STATUSES = ("met", "met_late", "pending", "overdue", "violated", "not_applicable")

FLAG_STATUSES = ("open", "acknowledged", "resolved")
DELIVERY_STATUSES = ("pending", "delivered", "failed")
