"""Database models; importing this package registers every table."""
from monitor.models.accounts import LoginFailure, Organization, RevokedToken, User
from monitor.models.attachments import Attachment, AttachmentChunk
from monitor.models.audit import AuditEntry
from monitor.models.custody import CustodyEvent, Detention, Facility, Person
from monitor.models.flags import Counter, Flag, FlagExit, SweepState
from monitor.models.visits import Visit
from monitor.models.webhooks import Webhook, WebhookDelivery

__all__ = [
    "Attachment", "AttachmentChunk", "AuditEntry", "Counter", "FlagExit", "CustodyEvent", "Detention",
    "Facility", "Flag", "LoginFailure",
    "Organization", "Person", "RevokedToken", "SweepState", "User", "Visit", "Webhook", "WebhookDelivery",
]
