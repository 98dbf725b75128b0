"""Periodic tasks that join several apps: the daily audit-checkpoint digest (issue 16)."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditCheckpoint
from audit.services import audit_latest_checkpoint, audit_verifier_key
from tenants.alerts import alert_send
from tenants.models import Organization


@shared_task(name="portal.audit_checkpoint_digest", acks_late=True, ignore_result=True)
def audit_checkpoint_digest() -> int:
    """Mail each organization whose log grew in the last day its latest signed checkpoint.

    The owners and DPOs then hold a copy outside our database: a later rewrite of the log no
    longer matches it (docs/audit.md). Return how many organizations were mailed.
    """
    since = timezone.now() - timedelta(days=1, minutes=5)
    org_ids = (
        AuditCheckpoint.objects.filter(created_at__gte=since)
        .values_list("organization_id", flat=True)
        .distinct()
    )
    sent = 0
    for organization in Organization.objects.filter(pk__in=list(org_ids)):
        checkpoint = audit_latest_checkpoint(organization_id=organization.pk)
        if checkpoint is None:
            continue
        link = f"{settings.PUBLIC_BASE_URL}/o/{organization.slug}/audit/checkpoint/"

        def render(checkpoint=checkpoint, link=link):
            subject = _("Audit checkpoint: %(count)s events") % {"count": checkpoint.tree_size}
            body = _(
                "Keep this signed checkpoint of your organization's audit log. Anyone can later "
                "check the log against it offline (python -m audit.offline); a log rewritten "
                "after today will not match it.\n\n%(note)s\nVerifier key: %(key)s\n\n"
                "Latest checkpoint and export: %(link)s"
            ) % {"note": checkpoint.note, "key": audit_verifier_key(), "link": link}
            return subject, body

        if alert_send(organization=organization, render=render):
            sent += 1
    return sent
