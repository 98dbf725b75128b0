"""Notices (R9): all fields required to publish, immutable once published, hashed."""

import pytest

from governance.models import Notice
from governance.selectors import notice_published_for
from governance.services import notice_create, notice_publish, notice_update, purpose_update
from governance.services.notices import notice_content_hash, notice_suggested_content
from tenants.errors import Conflict, RuleViolation
from tests.factories import NoticeFactory, PurposeFactory

pytestmark = pytest.mark.django_db


def test_r9_publishing_requires_every_field(world, actor):
    version = PurposeFactory(organization=world.org).current_version
    notice = notice_create(
        organization=world.org,
        actor=actor,
        purpose_version=version,
        language="zh-hans",
        controller_name="Acme",
    )
    with pytest.raises(RuleViolation) as exc:
        notice_publish(notice=notice, actor=actor)
    missing = {d["field"] for d in exc.value.details}
    assert missing == set(Notice.CONTENT_FIELDS) - {"controller_name"}
    assert all(d["rule"] == "R9" for d in exc.value.details)
    notice.refresh_from_db()
    assert notice.status == "draft" and notice.content_hash == ""


def test_r9_published_notice_has_a_hash_and_is_found(world, actor):
    notice = NoticeFactory(purpose_version=PurposeFactory(organization=world.org).current_version)
    notice_publish(notice=notice, actor=actor)
    notice.refresh_from_db()
    assert notice.content_hash == notice_content_hash(notice) and len(notice.content_hash) == 64
    assert notice_published_for(purpose_version=notice.purpose_version, language="en") == notice
    assert notice_published_for(purpose_version=notice.purpose_version, language="zh-hans") is None


def test_r9_published_notice_cannot_be_edited(world, actor, api_as):
    notice = NoticeFactory(purpose_version=PurposeFactory(organization=world.org).current_version)
    notice_publish(notice=notice, actor=actor)
    with pytest.raises(Conflict, match="immutable"):
        notice_update(notice=notice, actor=actor, purpose_text="Something else")
    response = api_as(world.owner).patch(
        f"/api/v1/notices/{notice.pk}/", {"purpose_text": "Changed"}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "immutable"
    response = api_as(world.owner).delete(f"/api/v1/notices/{notice.pk}/")
    assert response.status_code == 409
    notice.refresh_from_db()
    assert notice.purpose_text == "Opening the office gate."


def test_only_one_published_notice_per_version_and_language(world, actor):
    version = PurposeFactory(organization=world.org).current_version
    notice_publish(notice=NoticeFactory(purpose_version=version), actor=actor)
    second = NoticeFactory(purpose_version=version)
    with pytest.raises(Conflict, match="already published"):
        notice_publish(notice=second, actor=actor)
    second.refresh_from_db()
    assert second.status == "draft"


def test_notice_for_a_superseded_version_cannot_be_published(world, actor):
    purpose = PurposeFactory(organization=world.org)
    notice = NoticeFactory(purpose_version=purpose.current_version)
    purpose_update(purpose=purpose, actor=actor, retention_days=7)
    with pytest.raises(Conflict, match="superseded"):
        notice_publish(notice=notice, actor=actor)


def test_suggested_content_fills_from_organization_and_version(world):
    version = PurposeFactory(organization=world.org).current_version
    content = notice_suggested_content(organization=world.org, purpose_version=version)
    assert content["controller_name"] == "Acme Security"
    assert "30" in content["retention_text"]
    assert "badge and PIN" in content["alternative_text"]


def test_api_create_and_publish(world, api_as):
    version = PurposeFactory(organization=world.org).current_version
    fields = {f: "text" for f in Notice.CONTENT_FIELDS}
    client = api_as(world.dpo)
    response = client.post(
        "/api/v1/notices/",
        {"purpose_version": version.pk, "language": "en", **fields},
        format="json",
    )
    assert response.status_code == 201, response.json()
    response = client.post(f"/api/v1/notices/{response.json()['id']}/publish/")
    assert response.status_code == 200
    assert response.json()["status"] == "published" and response.json()["content_hash"]


def test_r33_api_notice_for_another_orgs_purpose_version_is_400(world, api_as):
    version = PurposeFactory(organization=world.outsider_org).current_version
    response = api_as(world.owner).post(
        "/api/v1/notices/", {"purpose_version": version.pk, "language": "en"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["details"]["field"] == "purpose_version"
    assert not Notice.objects.exists()
