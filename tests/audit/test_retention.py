from datetime import timedelta

import pytest
from django.utils import timezone

from audit.actors import Actor
from audit.models import AuditChainHead, AuditEvent, AuditPending
from audit.services import audit_purge_expired, audit_seal_pending, audit_verify
from audit.services.recording import EventSpec, _build  # noqa: I001

pytestmark = pytest.mark.django_db


def _old_events(org, ages_in_days):
    """Insert sealed events created ``age`` days ago (as if written back then)."""
    now = timezone.now()
    for age in ages_in_days:
        event = _build(org.pk, Actor.system(), EventSpec("old.event", details={"age": age}))
        event.created_at = now - timedelta(days=age)
        event.save()
        AuditPending.objects.create(event=event, organization_id_copy=org.pk)
    audit_seal_pending(organization_id=org.pk)


def test_purge_removes_only_events_past_three_years_and_chain_still_verifies(world):
    _old_events(world.org, [1200, 1150, 1100, 900, 10])
    removed = audit_purge_expired(organization_id=world.org.pk)
    assert removed == 3
    remaining = sorted(
        AuditEvent.objects.filter(organization=world.org, action="old.event").values_list(
            "details__age", flat=True
        )
    )
    assert remaining == [10, 900]
    audit_seal_pending(organization_id=world.org.pk)
    report = audit_verify(organization_id=world.org.pk)
    assert report.ok, report.message
    assert AuditChainHead.objects.get(organization=world.org).anchor_seq == 3
    purge = AuditEvent.objects.get(organization=world.org, action="audit.purged")
    assert purge.details["through_seq"] == 3


def test_retention_setting_cannot_shorten_the_three_year_minimum(world, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    _old_events(world.org, [400, 200])
    assert audit_purge_expired(organization_id=world.org.pk) == 0
    assert AuditEvent.objects.filter(action="old.event").count() == 2


def test_purge_keeps_a_younger_event_sealed_before_an_older_one(world):
    # The chain is cut only as a contiguous prefix: an old event sealed after a young one stays.
    _old_events(world.org, [1200, 20, 1300])
    assert audit_purge_expired(organization_id=world.org.pk) == 1
    audit_seal_pending(organization_id=world.org.pk)
    assert audit_verify(organization_id=world.org.pk).ok


def test_daily_purge_task_purges_every_organization(world):
    from audit.tasks import purge_expired

    _old_events(world.org, [1200])
    _old_events(world.outsider_org, [1300, 1250])
    assert purge_expired() == 3
