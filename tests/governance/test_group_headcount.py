"""R39: a group's headcount, declared by both owners, summed; the operator's position uncertain."""

import pytest
from django.urls import reverse

from audit.actors import Actor
from governance.compliance import organization_compliance
from governance.filing import filing_profile_update
from governance.filing_group import filing_group
from governance.models import FilingProfile
from governance.rulebook import State
from tenants.errors import ApplicationError
from tests.portal.test_row_level_security import _as, app_role  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

COUNTS = {"acme": 70_000, "other": 40_000}


def COUNTER(*, organization):
    return COUNTS.get(organization.slug, 0)


@pytest.fixture(autouse=True)
def counter(settings):
    settings.GOVERNANCE_STORED_INDIVIDUALS_COUNTER = f"{__name__}.COUNTER"


def _r39(org):
    rows = {row.rule.id: row for row in organization_compliance(organization=org)["rules"]}
    return rows["R39"].result


def _declare(org, **changes):
    filing_profile_update(organization=org, actor=Actor.system("test"), **changes)


def test_R39_without_a_group_the_own_count_stands_and_the_operator_is_uncertain(world):
    result = _r39(world.org)
    assert result.state == State.MET
    assert "Uncertain" in result.message
    assert filing_group(organization=world.org) is None


def test_R39_group_counts_an_affiliate_only_when_both_owners_declared_it(world):
    _declare(world.org, group_affiliates="other\n")
    group = filing_group(organization=world.org)
    assert group["total"] == 70_000 and group["unconfirmed"] == ["other"]
    result = _r39(world.org)
    assert result.state == State.PARTLY and "Not confirmed" in result.message
    _declare(world.outsider_org, group_parent="acme")
    group = filing_group(organization=world.org)
    assert [org.slug for org, _count in group["members"]] == ["acme", "other"]
    assert group["total"] == 110_000 and group["unconfirmed"] == []
    result = _r39(world.org)
    assert result.state == State.PARTLY
    assert "110000" in result.message and "twice" in result.message
    assert "Uncertain" in result.message
    # The affiliate sees the same confirmed group.
    assert filing_group(organization=world.outsider_org)["total"] == 110_000


def test_R39_a_parent_claim_the_parent_never_confirmed_counts_nobody_else(world):
    _declare(world.outsider_org, group_parent="acme")
    group = filing_group(organization=world.outsider_org)
    assert group["total"] == 40_000 and group["unconfirmed"] == ["acme"]
    assert [org.slug for org, _count in group["members"]] == ["other"]
    assert group["parent"] is None
    assert "Acme" not in _r39(world.outsider_org).message


def test_R39_an_organization_cannot_be_its_own_parent(world):
    with pytest.raises(ApplicationError):
        _declare(world.org, group_parent="acme")


def test_R39_filing_page_shows_the_group_and_its_sum(world, panel_as):
    _declare(world.org, group_affiliates="other")
    _declare(world.outsider_org, group_parent="acme")
    page = panel_as(world.owner).get(reverse("panel:gov_filings", args=["acme"]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Other Corp" in text and "110000" in text.replace(",", "")
    assert "Uncertain" in text and "upper bound" in text


def test_R39_under_row_level_security_the_confirmed_affiliate_is_read_and_the_wall_restored(
    world,
    app_role,  # noqa: F811
):
    _declare(world.org, group_affiliates="other")
    _declare(world.outsider_org, group_parent="acme")
    with _as(app_role, world.org.pk):
        group = filing_group(organization=world.org)
        assert group["total"] == 110_000 and group["unconfirmed"] == []
        # Only inside filing_group is the wall lowered: afterwards acme sees its own row only.
        assert list(FilingProfile.objects.values_list("organization__slug", flat=True)) == ["acme"]
