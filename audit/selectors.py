"""Reads of the audit trail."""

from audit.models import AuditChainHead, AuditEvent


def audit_events_for_org(*, organization):
    """Return the organization's events, newest first, with their seals."""
    return AuditEvent.objects.for_org(organization).select_related("seal").order_by("-id")


def audit_chain_state(*, organization_id: int) -> AuditChainHead:
    """Return the chain head with the outcome of its last verification."""
    head, _ = AuditChainHead.objects.get_or_create(organization_id=organization_id)
    return head
