"""Compliance alerts in the organization's languages (tenants/alerts.py)."""

import pytest
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tenants.alerts import alert_languages, alert_send

pytestmark = pytest.mark.django_db


def _render() -> tuple[str, str]:
    return f"[{get_language()}] {_('Active')}", f"body in {get_language()}: {_('Active')}"


def test_china_profile_alert_is_chinese_first_then_english_to_dpos_and_owners(world, mailoutbox):
    assert world.org.jurisdiction == "CN"

    assert alert_send(organization=world.org, render=_render)

    (message,) = mailoutbox
    assert set(message.to) == {world.owner.email, world.dpo.email}
    assert message.subject == "[zh-hans] 有效 / [en] Active"
    chinese, english = message.body.split("----------")
    assert "body in zh-hans: 有效" in chinese and "body in en: Active" in english


@pytest.mark.parametrize("jurisdiction", ["EU", "US-IL"])
def test_other_profiles_get_english_alerts(world, mailoutbox, jurisdiction):
    world.org.jurisdiction = jurisdiction
    world.org.save()

    alert_send(organization=world.org, render=_render)

    assert alert_languages(world.org) == ["en"]
    assert mailoutbox[0].subject == "[en] Active"


def test_no_alert_when_nobody_is_responsible(world, mailoutbox):
    world.org.memberships.filter(role__in=["owner", "dpo"]).delete()

    assert not alert_send(organization=world.org, render=_render)
    assert mailoutbox == []
