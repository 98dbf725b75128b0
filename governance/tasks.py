"""Celery adapters for governance: take ids, re-fetch, call the service."""

from celery import shared_task

from audit.actors import Actor
from governance.filing import filing_evaluate, stored_individuals_count
from governance.services.signage import deployments_flag_stale_signage
from tenants.models import Organization


@shared_task(
    name="governance.evaluate_filings",
    acks_late=True,
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=5,
)
def evaluate_filings(organization_id: int) -> int | None:
    """Count the organization's stored individuals and open a filing if a threshold is reached.

    Return the id of the filing opened now, or None.
    """
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return None
    filing = filing_evaluate(
        organization=organization,
        stored_count=stored_individuals_count(organization=organization),
        actor=Actor.system("filing evaluation"),
    )
    return filing.pk if filing else None


@shared_task(name="governance.evaluate_all_filings", acks_late=True)
def evaluate_all_filings() -> int:
    """Fan out one evaluation per organization (the beat entry); return how many were queued."""
    ids = list(Organization.objects.values_list("pk", flat=True))
    for pk in ids:
        evaluate_filings.delay(pk)
    return len(ids)


@shared_task(name="governance.flag_stale_signage", acks_late=True, max_retries=3)
def flag_stale_signage() -> int:
    """Flag public-place signage due for re-attestation (R6). Daily; return how many."""
    return deployments_flag_stale_signage()
