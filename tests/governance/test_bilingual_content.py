"""What an organization writes exists per language; a notice publishes only in a language it has.

The purpose's name and its alternatives have a Simplified Chinese twin; pages show their own
language's text and fall back to the other; a zh-hans notice refuses to publish while the
purpose's Chinese texts are missing, naming each field, in the service, the API and the panel.
"""

import pytest
from django.urls import reverse
from django.utils import translation

from governance.models import Notice
from governance.services import deployment_activate, notice_publish, purpose_update
from tenants.errors import RuleViolation
from tests.factories import NoticeFactory, PurposeFactory
from tests.governance.conftest import make_ready

pytestmark = pytest.mark.django_db


def _untranslated_purpose(org):
    purpose = PurposeFactory(organization=org, name="Staff access control")
    purpose.name_zh_hans = ""
    purpose.alternatives_zh_hans = []
    purpose.save()
    return purpose


def test_a_chinese_notice_is_refused_while_the_purpose_has_no_chinese_name(world, actor):
    purpose = _untranslated_purpose(world.org)
    notice = NoticeFactory(purpose_version=purpose.current_version, language="zh-hans")
    with pytest.raises(RuleViolation) as refused:
        notice_publish(notice=notice, actor=actor)
    fields = {d["field"] for d in refused.value.details}
    assert fields == {"name_zh_hans", "alternatives_zh_hans"}
    assert all(d["rule"] == "R9" for d in refused.value.details)
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DRAFT


def test_the_english_notice_needs_no_chinese_text(world, actor):
    purpose = _untranslated_purpose(world.org)
    notice = NoticeFactory(purpose_version=purpose.current_version, language="en")
    assert notice_publish(notice=notice, actor=actor).status == Notice.Status.PUBLISHED


def test_translating_the_purpose_is_not_a_new_version_and_lets_the_notice_publish(world, actor):
    purpose = _untranslated_purpose(world.org)
    version = purpose.current_version
    purpose_update(
        purpose=purpose,
        actor=actor,
        name_zh_hans="员工门禁",
        alternatives_zh_hans=["工牌加 PIN 码", "前台人工核验"],
    )
    purpose.refresh_from_db()
    assert purpose.current_version_id == version.pk
    notice = NoticeFactory(purpose_version=version, language="zh-hans")
    assert notice_publish(notice=notice, actor=actor).status == Notice.Status.PUBLISHED
    with translation.override("zh-hans"):
        assert str(purpose) == "员工门禁"
        assert version.local_alternatives == ["工牌加 PIN 码", "前台人工核验"]
    with translation.override("en"):
        assert str(purpose) == "Staff access control"
        assert version.local_alternatives == version.alternatives


def test_half_translated_alternatives_are_refused_and_never_shown(world, actor):
    purpose = _untranslated_purpose(world.org)
    purpose_update(
        purpose=purpose, actor=actor, name_zh_hans="员工门禁", alternatives_zh_hans=["工牌"]
    )
    notice = NoticeFactory(purpose_version=purpose.current_version, language="zh-hans")
    with pytest.raises(RuleViolation) as refused:
        notice_publish(notice=notice, actor=actor)
    assert [d["field"] for d in refused.value.details] == ["alternatives_zh_hans"]
    with translation.override("zh-hans"):
        assert purpose.current_version.local_alternatives == purpose.current_version.alternatives


def test_the_api_refuses_publication_naming_the_missing_field_then_takes_both_languages(
    world, api_as
):
    purpose = _untranslated_purpose(world.org)
    notice = NoticeFactory(purpose_version=purpose.current_version, language="zh-hans")
    client = api_as(world.owner)
    refused = client.post(f"/api/v1/notices/{notice.pk}/publish/", format="json")
    assert refused.status_code == 422, refused.content
    body = refused.json()
    assert body["code"] == "rules_unmet"
    assert {d["field"] for d in body["details"]} == {"name_zh_hans", "alternatives_zh_hans"}
    patched = client.patch(
        f"/api/v1/purposes/{purpose.pk}/",
        {"name_zh_hans": "员工门禁", "alternatives_zh_hans": ["工牌加 PIN 码", "前台人工核验"]},
        format="json",
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["name_zh_hans"] == "员工门禁"
    published = client.post(f"/api/v1/notices/{notice.pk}/publish/", format="json")
    assert published.status_code == 200, published.content


def test_the_panel_form_saves_both_languages(world, panel_as):
    purpose = _untranslated_purpose(world.org)
    url = reverse("panel:gov_purpose_edit", args=[world.org.slug, purpose.pk])
    client = panel_as(world.owner)
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data |= {"name_zh_hans": "员工门禁", "alternatives_zh_hans": "工牌加 PIN 码\n前台人工核验"}
    for name in ("fr_necessary_for_service", "significant_effect", "human_review"):
        if not data.get(name):
            data.pop(name, None)
    data.pop("keep_raw_images_allowed", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    purpose.refresh_from_db()
    assert purpose.name_zh_hans == "员工门禁"
    assert purpose.alternatives_zh_hans == ["工牌加 PIN 码", "前台人工核验"]


def test_the_chinese_notice_page_shows_the_chinese_names(world, actor, client):
    deployment = make_ready(world.org, name="Head office")
    deployment_activate(deployment=deployment, actor=actor)
    deployment.name_zh_hans = "总部"
    deployment.save()
    purpose = deployment.purposes.get()
    purpose.name, purpose.name_zh_hans = "Staff access control", "员工门禁"
    purpose.save()
    notice_publish(
        notice=NoticeFactory(purpose_version=purpose.current_version, language="zh-hans"),
        actor=actor,
    )
    url = reverse("consent:notice", args=[world.org.slug, purpose.pk])
    client.cookies["django_language"] = "zh-hans"
    page = client.get(f"{url}?d={deployment.pk}").content.decode()
    assert "人脸识别：员工门禁" in page
    assert "Staff access control" not in page
    assert "总部" in page
    assert "工牌加 PIN 码" in page


def test_the_api_takes_a_deployment_in_both_languages(world, api_as):
    response = api_as(world.owner).post(
        "/api/v1/deployments/",
        {
            "name": "Head office",
            "name_zh_hans": "总部",
            "address": "2 Gate Road, Shanghai",
            "address_zh_hans": "上海市大门路 2 号",
            "province": "Shanghai",
            "place_type": "workplace",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name_zh_hans"], body["address_zh_hans"]) == ("总部", "上海市大门路 2 号")


def test_the_panel_says_which_chinese_text_is_missing(world, panel_as):
    purpose = _untranslated_purpose(world.org)
    notice = NoticeFactory(purpose_version=purpose.current_version, language="zh-hans")
    url = reverse("panel:gov_notice_publish", args=[world.org.slug, notice.pk])
    page = panel_as(world.owner).post(url, follow=True).content.decode()
    assert "Give the purpose&#x27;s name in Simplified Chinese (Staff access control)." in page
    assert "Give each non-biometric alternative in Simplified Chinese" in page
