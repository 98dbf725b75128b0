"""Reads of the audit trail."""

from audit.hashing import SEALED_FIELDS
from audit.models import AuditChainHead, AuditEvent

# What the log viewer's API and CSV export show of an event: its sealed content (the
# organization is implicit), its place in the chain and its hash.
EXPORT_COLUMNS = ("id", "seq", *SEALED_FIELDS[2:], "hash")


def audit_events_for_org(*, organization):
    """Return the organization's events, newest first, with their seals."""
    return AuditEvent.objects.for_org(organization).select_related("seal").order_by("-id")


def audit_chain_state(*, organization_id: int) -> AuditChainHead:
    """Return the chain head with the outcome of its last verification."""
    head, _ = AuditChainHead.objects.get_or_create(organization_id=organization_id)
    return head
