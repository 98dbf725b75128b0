"""Going live in few calls (issue 18): a deployment from a template, and a checklist of what is
left before activation that names the API calls meeting each rule."""

import re

import pytest
import yaml
from django.core.management import call_command

from audit.models import AuditEvent
from governance.checklist import deployment_checklist
from governance.models import Assessment, Deployment, DeploymentPurpose, Notice, Purpose
from tests.factories import DeploymentFactory, PurposeFactory

pytestmark = pytest.mark.django_db

BODY = {
    "template": "staff_access_control",
    "name": "HQ staff entrance",
    "address": "1 Test Road, Shanghai",
    "province": "Shanghai",
    "devices": [{"identifier": "GATE-01", "kind": "access_gate", "location": "Left lane"}],
}


@pytest.fixture
def owner(world, api_key_client):
    return api_key_client(world.org, "owner")


@pytest.fixture
def dpo(world, api_key_client):
    return api_key_client(world.org, "dpo")


def _from_template(client, **changes):
    return client.post("/api/v1/deployments/from-template/", BODY | changes, format="json")


def test_from_template_creates_a_draft_with_purpose_notice_and_assessment_drafts(world, owner):
    response = _from_template(owner)

    assert response.status_code == 201, response.content
    body = response.json()
    deployment = Deployment.objects.get(pk=body["deployment"])
    assert deployment.organization == world.org
    assert deployment.status == Deployment.Status.DRAFT
    assert deployment.storage_mode == "central" and deployment.central_storage_reason
    assert response.headers["Location"].endswith(f"/api/v1/deployments/{deployment.pk}/")
    assert list(deployment.devices.values_list("identifier", flat=True)) == ["GATE-01"]
    purpose = Purpose.objects.get(pk=body["purpose"])
    assert purpose.kind == "access_control"
    assert DeploymentPurpose.objects.filter(deployment=deployment, purpose=purpose).exists()
    notice = Notice.objects.get(pk=body["notice"])
    assert notice.status == Notice.Status.DRAFT and notice.language == "en"
    assert notice.controller_name == world.org.name
    assert all(getattr(notice, f).strip() for f in Notice.CONTENT_FIELDS)
    assessment = Assessment.objects.get(pk=body["assessment"])
    assert assessment.status == Assessment.Status.DRAFT
    assert set(assessment.purpose_versions.all()) == {purpose.current_version}
    # Every step went through its service and is audited.
    actions = set(
        AuditEvent.objects.filter(organization_id=world.org.pk).values_list("action", flat=True)
    )
    assert {
        "deployment.created",
        "purpose.created",
        "deployment.purpose_attached",
        "notice.created",
        "assessment.created",
    } <= actions


def test_the_checklist_says_what_is_left_in_api_terms(world, owner):
    body = _from_template(owner).json()
    checklist = body["checklist"]

    assert checklist["ready"] is False
    assert checklist == owner.get(f"/api/v1/deployments/{body['deployment']}/checklist/").json()
    fixes = {item["rule"]: item["fixes"] for item in checklist["items"]}
    assert set(fixes) == {"R9", "R27"}
    assert fixes["R9"] == [
        {
            "operation": "notices_publish_create",
            "method": "POST",
            "path": f"/api/v1/notices/{body['notice']}/publish/",
            "fields": [],
            "note": "",
        }
    ]
    assert fixes["R27"][0]["operation"] == "assessments_sign_off_create"
    assert fixes["R27"][0]["path"] == f"/api/v1/assessments/{body['assessment']}/sign-off/"
    assert checklist["activate"]["path"] == f"/api/v1/deployments/{body['deployment']}/activate/"


def test_go_live_in_four_calls(world, owner, dpo):
    body = _from_template(owner).json()
    calls = 1
    for item in body["checklist"]["items"]:
        for fix in item["fixes"]:
            # R27: the DPO signs off what the owner's key wrote.
            client = dpo if fix["operation"] == "assessments_sign_off_create" else owner
            response = client.generic(fix["method"], fix["path"], "{}", "application/json")
            assert response.status_code == 200, response.content
            calls += 1
    checklist = owner.get(f"/api/v1/deployments/{body['deployment']}/checklist/").json()
    assert checklist["ready"] is True and checklist["items"] == []

    response = owner.post(checklist["activate"]["path"])
    calls += 1
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "active"
    assert calls == 4


def test_a_notice_text_the_organization_lacks_is_named_before_publishing(world, owner):
    world.org.contact_email = world.org.pi_contact_email = world.org.contact_phone = ""
    world.org.save()
    body = _from_template(owner).json()

    fixes = {item["rule"]: item["fixes"] for item in body["checklist"]["items"]}
    assert fixes["R9"][0] == {
        "operation": "notices_partial_update",
        "method": "PATCH",
        "path": f"/api/v1/notices/{body['notice']}/",
        "fields": ["controller_contact"],
        "note": "",
    }
    assert fixes["R9"][1]["operation"] == "notices_publish_create"


def test_an_existing_purpose_is_attached_instead_of_a_new_one(world, owner):
    purpose = PurposeFactory(organization=world.org, kind="verify_1to1")
    body = _from_template(owner, template="visitor_verification", purpose=purpose.pk).json()

    assert body["purpose"] == purpose.pk
    assert Purpose.objects.for_org(world.org).count() == 1
    assert Notice.objects.get(pk=body["notice"]).purpose_version == purpose.current_version


def test_a_purpose_of_another_organization_is_an_unknown_reference(world, owner):
    theirs = PurposeFactory(organization=world.outsider_org)
    response = _from_template(owner, purpose=theirs.pk)

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_reference"
    assert not Deployment.objects.for_org(world.org).exists()


def test_a_refusal_half_way_leaves_nothing_behind(world, owner):
    twice = [{"identifier": "GATE-01", "kind": "access_gate"}] * 2
    response = _from_template(owner, devices=twice)

    assert response.status_code == 409
    assert not Deployment.objects.for_org(world.org).exists()
    assert not Purpose.objects.for_org(world.org).exists()


def test_an_unknown_template_is_a_400(owner):
    response = _from_template(owner, template="lobby_cctv")

    assert response.status_code == 400
    assert response.json()["details"]["template"]


def test_the_templates_are_listed(owner):
    keys = [t["key"] for t in owner.get("/api/v1/deployments/templates/").json()]

    assert keys == ["staff_access_control", "visitor_verification"]


def test_an_auditor_may_read_the_checklist_but_not_create(world, api_key_client, owner):
    auditor = api_key_client(world.org, "auditor")
    deployment = _from_template(owner).json()["deployment"]

    assert auditor.get(f"/api/v1/deployments/{deployment}/checklist/").status_code == 200
    assert _from_template(auditor).status_code == 403


def test_another_organizations_checklist_is_a_404(world, api_key_client, owner):
    deployment = _from_template(owner).json()["deployment"]
    outsider = api_key_client(world.outsider_org, "owner")

    assert outsider.get(f"/api/v1/deployments/{deployment}/checklist/").status_code == 404


@pytest.fixture(scope="module")
def operations(tmp_path_factory, django_db_blocker):
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--file", str(path))
    schema = yaml.safe_load(path.read_text())
    return {
        op["operationId"]: (method.upper(), re.sub(r"\{[^}]+\}", "[^/]+", url))
        for url, item in schema["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "operationId" in op
    }


def _assert_in_schema(fix: dict, operations: dict) -> None:
    method, pattern = operations[fix["operation"]]
    assert fix["method"] == method, fix
    assert re.fullmatch(pattern, fix["path"]), fix


@pytest.mark.parametrize(
    "fields",
    [
        {"place_type": "public_place", "storage_mode": "central"},
        {"place_type": "public_toilet"},
        {"place_type": "workplace", "storage_mode": "central", "central_storage_reason": ""},
    ],
)
def test_every_fix_names_an_operation_of_the_schema(world, operations, fields):
    bare = DeploymentFactory(organization=world.org, **fields)
    purpose = PurposeFactory(organization=world.org, version__retention_days=0)
    with_purpose = DeploymentFactory(organization=world.org, **fields)
    DeploymentPurpose.objects.create(deployment=with_purpose, purpose=purpose)

    for deployment in (bare, with_purpose):
        checklist = deployment_checklist(deployment)
        assert checklist.items
        _assert_in_schema(vars(checklist.activate), operations)
        for item in checklist.items:
            assert item.fixes, item.rule
            for fix in item.fixes:
                _assert_in_schema(vars(fix), operations)
