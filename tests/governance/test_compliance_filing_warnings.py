"""R35: the 80% and 90% filing warnings reach people: dashboard, compliance view, one mail each."""

import pytest
from django.urls import reverse

from audit.actors import Actor
from audit.models import AuditEvent
from governance.filing import filing_evaluate
from governance.models import FilingAlert
from governance.tasks import evaluate_filings

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("test")


class Counter:
    value = 0

    def __call__(self, *, organization):
        return self.value


COUNTER = Counter()


@pytest.fixture(autouse=True)
def threshold(settings):
    settings.FILING_THRESHOLD = 100
    settings.FILING_WARNING_RATIOS = [0.8, 0.9]
    settings.GOVERNANCE_STORED_INDIVIDUALS_COUNTER = f"{__name__}.COUNTER"
    COUNTER.value = 0
    return 100


def _evaluate(world, count, capture):
    with capture(execute=True):
        filing_evaluate(organization=world.org, stored_count=count, actor=ACTOR)


def test_R35_each_warning_level_is_mailed_once_to_the_owner_and_dpo(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    _evaluate(world, 85, django_capture_on_commit_callbacks)
    (first,) = mailoutbox
    assert set(first.to) == {world.owner.email, world.dpo.email}
    assert "80%" in first.subject and "85 individuals stored reached 80%" in first.body
    assert "/o/acme/filings/" in first.body
    alert = FilingAlert.objects.get(organization=world.org, level=0.8)
    assert alert.mailed_at is not None

    # The same level again (the daily beat, a manual run) mails nobody.
    _evaluate(world, 86, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1

    # 90% is a new level: one mail, about it alone.
    _evaluate(world, 93, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 2
    assert "90%" in mailoutbox[1].subject and "reached 80%" not in mailoutbox[1].body
    _evaluate(world, 95, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 2
    assert FilingAlert.objects.filter(organization=world.org, mailed_at__isnull=True).count() == 0
    assert (
        AuditEvent.objects.filter(organization=world.org, action="filing.warning_mailed").count()
        == 2
    )


def test_R35_two_levels_reached_at_once_make_one_mail(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    _evaluate(world, 95, django_capture_on_commit_callbacks)
    (mail,) = mailoutbox
    assert "reached 80%" in mail.body and "reached 90%" in mail.body


def test_R35_warning_is_kept_for_mail_until_someone_is_responsible(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    responsible = list(world.org.memberships.filter(role__in=["owner", "dpo"]))
    world.org.memberships.filter(role__in=["owner", "dpo"]).update(role="auditor")
    _evaluate(world, 85, django_capture_on_commit_callbacks)
    assert mailoutbox == []
    assert FilingAlert.objects.get(organization=world.org).mailed_at is None

    for membership in responsible:
        world.org.memberships.filter(pk=membership.pk).update(role=membership.role)
    _evaluate(world, 85, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1


def test_R35_a_level_crossed_again_after_falling_back_is_mailed_again(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    _evaluate(world, 85, django_capture_on_commit_callbacks)
    _evaluate(world, 50, django_capture_on_commit_callbacks)  # people deleted: the level clears
    _evaluate(world, 81, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 2


def test_R35_the_beat_task_mails_the_warning(world, mailoutbox, django_capture_on_commit_callbacks):
    COUNTER.value = 82
    with django_capture_on_commit_callbacks(execute=True):
        evaluate_filings(world.org.pk)
    assert len(mailoutbox) == 1 and "82 individuals" in mailoutbox[0].body


def test_R35_warnings_show_on_the_dashboard_and_the_compliance_view(
    world, panel_as, api_as, django_capture_on_commit_callbacks
):
    COUNTER.value = 91
    _evaluate(world, 91, django_capture_on_commit_callbacks)

    dashboard = panel_as(world.dpo).get(reverse("panel:dashboard", kwargs={"org_slug": "acme"}))
    text = dashboard.content.decode()
    assert "Filing with the provincial CAC is approaching (R35)" in text
    assert "91 individuals stored: 80% of the filing threshold (100)." in text
    assert "91 individuals stored: 90% of the filing threshold (100)." in text

    page = panel_as(world.auditor).get(reverse("panel:gov_compliance", kwargs={"org_slug": "acme"}))
    text = page.content.decode()
    assert "Filing with the provincial CAC is approaching (R35)" in text
    assert "91 individuals stored reached 90% of the filing threshold" in text  # the R35 row

    body = api_as(world.auditor).get("/api/v1/compliance/").json()
    assert [w["level"] for w in body["filing_warnings"]] == [0.8, 0.9]
    r35 = next(r for r in body["rules"] if r["rule"] == "R35")
    # A warning is no breach: the row stays met, and says what is coming.
    assert r35["state"] == "met" and "reached 90%" in r35["message"]


def test_R35_no_warning_below_the_first_level(world, panel_as, django_capture_on_commit_callbacks):
    _evaluate(world, 79, django_capture_on_commit_callbacks)
    dashboard = panel_as(world.dpo).get(reverse("panel:dashboard", kwargs={"org_slug": "acme"}))
    assert "approaching (R35)" not in dashboard.content.decode()
