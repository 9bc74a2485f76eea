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
# person.groups: the contract's list and what the safeguards and statistics need. Closed, so
# no token typed by a client (a name, a phone number) can reach a research export.
PERSON_GROUPS = ("minority", "political", "lgbti", "disability", "foreign_national",
                 "indigenous", "migrant", "refugee", "asylum_seeker", "stateless",
                 "human_rights_defender", "journalist", "child_soldier", "pregnant",
                 "elderly", "homeless", "sex_worker", "drug_user", "mental_health",
                 "religious_minority", "trade_unionist")

EVENT_SOURCES = ("monitor_observation", "custody_register", "detainee", "lawyer", "family",
                 "official", "medical_record", "other")
EVENT_TYPES = (
    "arrest", "arrival", "rights_notified", "lawyer_requested", "lawyer_access", "interrogation",
    "family_notified", "family_contact", "medical_exam", "judicial_appearance",
    "detention_extended", "detention_review", "transfer", "confession", "ill_treatment_alleged",
    "release", "death_in_custody",
    # Extensions needed by national rules (RULES.md, "What a custody record must hold").
    "registry_entry", "social_welfare_notified", "lawyer_delay_authorised",
    "family_delay_authorised", "charge", "family_notification_requested",
    # After custody (issue 15): the complaint, the investigation, the trial.
    "complaint_filed", "investigation_opened", "forensic_report", "prosecution_opened",
    "case_closed", "evidence_ruling", "charge_filed")
# Accountability events: allowed before or after release ("nothing after release" is for
# custody events only); a released detainee's record stays open for them until `case_closed`.
ACCOUNTABILITY_EVENT_TYPES = ("complaint_filed", "investigation_opened", "forensic_report",
                              "prosecution_opened", "case_closed", "evidence_ruling",
                              "charge_filed")
COMPLAINT_BY = ("detainee", "family", "lawyer", "ngo", "other")
COMPLAINT_TO = ("prosecutor", "court", "ombudsman", "nhri", "police_internal", "other")
FORENSIC_EXAMINERS = ("independent", "facility", "state_forensic")
# The Istanbul Protocol's (2022) five-level scale of consistency, para 418.
FORENSIC_CONSISTENCY = ("not_consistent", "consistent", "highly_consistent", "typical_of",
                        "diagnostic_of")
CASE_OUTCOMES = ("conviction", "acquittal", "dismissed", "no_charges", "other")
# Also accepted after release: an allegation, and a hearing (the detainee may tell a trial
# judge of ill-treatment after release on bail); derived custody state ignores both.
AFTER_RELEASE_EVENT_TYPES = ACCOUNTABILITY_EVENT_TYPES + ("ill_treatment_alleged",
                                                          "judicial_appearance")

SAFEGUARDS = ("lawyer_access", "lawyer_at_interrogation", "family_notification",
              "medical_examination", "judicial_review", "custody_limit", "detention_review",
              "confession_safeguards", "ill_treatment_response",
              # After custody (issue 15).
              "investigation", "confession_exclusion")
# What a rule's figure rests on: the law, a monitoring body's standard, or only this tool's
# own alert threshold where the law gives no figure (never presented as law).
RULE_BASES = ("law", "standard", "threshold")
# Which record a rule watches: custody (ends at release or death) or accountability (the
# complaint, investigation and trial; ends at `case_closed`).
RULE_TRACKS = ("custody", "accountability")
RULE_CALENDARS = ("court_days", "working_days")
RULE_KINDS = ("deadline", "condition", "recurring")
RULE_APPLIES = ("all", "juvenile", "adult")
SEVERITIES = ("high", "medium")
CONFIDENCES = ("H", "M", "L", "H/M", "M/L")
OUTCOME_STATUSES = ("met", "met_late", "pending", "overdue", "violated", "not_applicable")

FLAG_STATUSES = ("open", "acknowledged", "resolved")
DELIVERY_STATUSES = ("pending", "delivered", "failed")

# Evidence attachments (issue 14).
ATTACHMENT_KINDS = ("photo", "medico_legal_report", "custody_register", "document", "audio")
ATTACHMENT_STATUSES = ("uploading", "complete")
# Declared content types accepted, each with the types a signature check may find for it
# (an Ogg Opus file is an Ogg file; an M4A is an ISO base-media file, some say "mp4").
ATTACHMENT_CONTENT_TYPES = {
    "image/jpeg": ("image/jpeg",), "image/png": ("image/png",), "image/webp": ("image/webp",),
    "image/heic": ("image/heic",), "application/pdf": ("application/pdf",),
    "audio/mpeg": ("audio/mpeg",), "audio/mp4": ("audio/mp4", "video/mp4"),
    "audio/ogg": ("audio/ogg",), "audio/opus": ("audio/ogg",),
}
