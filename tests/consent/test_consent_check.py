"""GET /api/v1/consent-check/: a gate asks whether a usable consent covers a person here (R12, R13).

The answer is consent's one rule, read fresh; the caller needs RUN_JOB on the deployment; every
check is audited; another organization's references are refused like ones that never existed.
"""

import uuid

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from consent.models import Consent
from consent.services import consent_restrict, consent_withdraw
from governance.models import DeploymentPurpose
from governance.services.deployments import deployment_grant_operator, deployment_revoke_operator
from tests.factories import DeploymentFactory, PurposeFactory, SubjectFactory

pytestmark = pytest.mark.django_db

URL = reverse("api:consent-check")


@pytest.fixture
def gate(cw, api_key_client):
    """An operator's key granted RUN_JOB on the deployment, as a gate's key is."""
    client = api_key_client(cw.org, role="operator")
    deployment_grant_operator(
        deployment=cw.deployment, user=client.api_key.user, actor=cw.actor, perms=["run_job"]
    )
    return client


def _ask(client, cw, subject=None, deployment=None, purpose=None):
    return client.get(
        URL,
        {
            "deployment": (deployment or cw.deployment).pk,
            "purpose": (purpose or cw.purpose).pk,
            "subject": str((subject or cw.subject).pseudonym),
        },
    )


def test_r12_usable_consent_answers_yes_and_the_check_is_audited(cw, gate):
    cw.grant()
    response = _ask(gate, cw)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["usable"] is True
    assert body["subject"] == str(cw.subject.pseudonym)
    assert (body["deployment"], body["purpose"]) == (cw.deployment.pk, cw.purpose.pk)
    event = AuditEvent.objects.get(action="consent.checked")
    assert event.subject_pseudonym == str(cw.subject.pseudonym)
    assert event.actor_type == "api_key"
    assert event.details == {
        "deployment_id": cw.deployment.pk,
        "purpose_id": cw.purpose.pk,
        "usable": True,
    }


def test_r13_withdrawn_consent_answers_no_from_the_withdrawal_on(cw, gate):
    consent, _receipt = cw.grant()
    assert _ask(gate, cw).json()["usable"] is True
    consent_withdraw(consent=consent, actor=cw.actor, channel="api")
    assert _ask(gate, cw).json()["usable"] is False
    assert list(
        AuditEvent.objects.filter(action="consent.checked")
        .order_by("pk")
        .values_list("details__usable", flat=True)
    ) == [True, False]


def test_no_consent_or_a_restricted_one_answers_no(cw, gate):
    assert _ask(gate, cw).json()["usable"] is False
    consent, _receipt = cw.grant()
    consent_restrict(consent=consent, actor=cw.actor, reason="Access request pending")
    assert _ask(gate, cw).json()["usable"] is False


def test_consent_scoped_to_another_deployment_does_not_cover_this_one(cw, gate):
    elsewhere = DeploymentFactory(organization=cw.org, status="active", name="Warehouse")
    DeploymentPurpose.objects.create(deployment=elsewhere, purpose=cw.purpose)
    cw.grant(deployment=elsewhere)
    assert Consent.objects.get(subject=cw.subject).deployment_id == elsewhere.pk
    assert _ask(gate, cw).json()["usable"] is False


def test_r11_consent_for_a_superseded_purpose_version_answers_no(cw, gate):
    from tests.factories import PurposeVersionFactory

    cw.grant()
    cw.purpose.current_version = PurposeVersionFactory(purpose=cw.purpose, version=2)
    cw.purpose.save(update_fields=["current_version"])
    assert _ask(gate, cw).json()["usable"] is False


def test_operator_without_a_grant_on_the_deployment_is_refused(cw, api_key_client):
    cw.grant()
    response = _ask(api_key_client(cw.org, role="operator"), cw)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not AuditEvent.objects.filter(action="consent.checked").exists()


def test_owner_may_ask_on_any_deployment_of_the_organization(cw, api_key_client):
    cw.grant()
    response = _ask(api_key_client(cw.org, role="owner"), cw)
    assert response.status_code == 200 and response.json()["usable"] is True


@pytest.mark.parametrize("field", ["subject", "deployment", "purpose"])
def test_r33_another_organizations_reference_is_refused_like_a_missing_one(cw, gate, world, field):
    theirs = {
        "subject": SubjectFactory(organization=world.outsider_org),
        "deployment": DeploymentFactory(organization=world.outsider_org, status="active"),
        "purpose": PurposeFactory(organization=world.outsider_org),
    }[field]
    response = _ask(gate, cw, **{field: theirs})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "unknown_reference" and body["details"]["field"] == field
    params = {"deployment": cw.deployment.pk, "purpose": cw.purpose.pk}
    params["subject"] = str(cw.subject.pseudonym)
    params[field] = str(uuid.uuid4()) if field == "subject" else 999_999_999
    never = gate.get(URL, params)
    assert never.status_code == 400 and never.json()["code"] == "unknown_reference"


def test_missing_or_malformed_parameters_are_a_400_naming_them(gate, cw):
    response = gate.get(URL, {"deployment": cw.deployment.pk, "subject": "not-a-uuid"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["details"]) == {"purpose", "subject"}


def test_a_request_without_credentials_is_refused(client, cw):
    response = client.get(URL, {"deployment": 1, "purpose": 1, "subject": str(uuid.uuid4())})
    assert response.status_code in (401, 403)


def test_the_schema_documents_the_operation_and_its_parameters():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/consent-check/"]["get"]
    params = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
    assert {"deployment", "purpose", "subject"} <= set(params)
    assert all(params[name]["required"] for name in ("deployment", "purpose", "subject"))
    assert "200" in operation["responses"] and "400" in operation["responses"]


def test_a_removed_grant_refuses_the_next_check_of_a_remembered_key(settings, cw, gate):
    settings.API_PRINCIPAL_CACHE_SECONDS = 300
    cw.grant()
    assert _ask(gate, cw).json()["usable"] is True
    deployment_revoke_operator(
        deployment=cw.deployment, user=gate.api_key.user, actor=cw.actor, perms=["run_job"]
    )
    assert _ask(gate, cw).status_code == 403


def test_r13_a_withdrawal_answers_no_at_once_on_the_prepared_query(cw, gate):
    consent, _receipt = cw.grant()
    for _ in range(2):  # the second answer comes from the query compiled for the first
        assert _ask(gate, cw).json()["usable"] is True
    consent_withdraw(consent=consent, actor=cw.actor, channel="api")
    assert _ask(gate, cw).json()["usable"] is False
