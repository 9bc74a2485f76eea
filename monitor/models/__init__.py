"""Database models; importing this package registers every table."""
from monitor.models.accounts import LoginFailure, Organization, RevokedToken, User
from monitor.models.attachments import Attachment, AttachmentChunk
from monitor.models.audit import AuditEntry
from monitor.models.custody import CustodyEvent, Detention, Facility, Person
from monitor.models.flags import Counter, Flag, FlagExit, SweepState
from monitor.models.research import AccountabilityFact, ComplianceCount, ComplianceSize, SafeguardFact
from monitor.models.visits import Visit
from monitor.models.webhooks import Webhook, WebhookDelivery

__all__ = [
    "AccountabilityFact", "Attachment", "AttachmentChunk", "AuditEntry", "ComplianceCount", "ComplianceSize", "Counter",
    "CustodyEvent", "Detention", "Facility", "Flag", "FlagExit", "LoginFailure", "Organization",
    "Person", "RevokedToken", "SafeguardFact", "SweepState", "User", "Visit", "Webhook",
    "WebhookDelivery",
]
