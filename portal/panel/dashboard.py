"""The figures the dashboard shows, each from the selector of the app that owns it."""

from datetime import timedelta

from django.utils import timezone

from audit.selectors import audit_chain_state, audit_events_for_org
from consent.selectors import consent_figures
from dsr.selectors import dsr_figures
from governance.filing import filing_threshold, stored_individuals_count
from governance.filing_warnings import filing_alerts_live
from governance.selectors import filings_pending
from recognition.selectors import recognition_figures
from tenants import roles
from tenants.selectors import api_keys_for_org, human_memberships_for_org


def dashboard_figures(*, organization, user) -> dict:
    """Return the dashboard's figures that ``user`` may see in ``organization``."""
    figures = {"members": human_memberships_for_org(organization=organization).count()}
    if user.has_perm(roles.MANAGE_API_KEYS, organization):
        figures["active_api_keys"] = api_keys_for_org(organization=organization).active().count()
    if user.has_perm(roles.VIEW_AUDIT, organization):
        events = audit_events_for_org(organization=organization)
        figures["audit_events_24h"] = events.filter(
            created_at__gte=timezone.now() - timedelta(hours=24)
        ).count()
        figures["chain"] = audit_chain_state(organization_id=organization.pk)
    if user.has_perm(roles.VIEW_GOVERNANCE, organization):
        # R35: the stored-individual count against the filing threshold, and what is due.
        figures["stored_individuals"] = stored_individuals_count(organization=organization)
        figures["filing_threshold"] = filing_threshold()
        figures["pending_filings"] = list(
            filings_pending(organization=organization).filter(status="open")[:5]
        )
        # R35: the 80% and 90% warnings, where the people who must file look.
        figures["filing_alerts"] = filing_alerts_live(
            organization=organization, threshold=figures["filing_threshold"]
        )
    if user.has_perm(roles.VIEW_SUBJECTS, organization):
        figures.update(consent_figures(organization=organization))
    if user.has_perm(roles.VIEW_GOVERNANCE, organization):
        figures.update(recognition_figures(organization=organization))
    if user.has_perm(roles.HANDLE_REQUESTS, organization):
        # R50: open requests, and those near or past their deadline.
        figures.update(dsr_figures(organization=organization))
    return figures
