"""R17, R18, R19: the deployment's jurisdiction and storage mode decide which consent is valid.

The organization (Acme) has a Chinese profile; its sites in Illinois and the EU are under BIPA
and the GDPR, whatever the profile says.
"""

import json

import pytest

from consent.jurisdiction import ALL_KINDS, KINDS_BY_JURISDICTION
from consent.models import Consent
from consent.selectors import consent_active_for
from governance.models import Deployment, DeploymentPurpose
from tenants.errors import RuleViolation
from tests.factories import DeploymentFactory

pytestmark = pytest.mark.django_db


def _site(cw, jurisdiction: str, **fields) -> Deployment:
    site = DeploymentFactory(
        organization=cw.org, status="active", name=f"{jurisdiction} site", **fields
    )
    site.jurisdiction = jurisdiction
    site.save()
    DeploymentPurpose.objects.create(deployment=site, purpose=cw.purpose)
    return site


def _body(cw, **overrides):
    return {
        "subject": str(cw.subject.pseudonym),
        "purpose_version": cw.version.pk,
        "notice": cw.notice.pk,
        "kind": "separate",
        "channel": "kiosk",
        "consent_ui_version": "kiosk-3",
        "face_processing": True,
        "central_storage": False,
        "raw_images": False,
    } | overrides


def test_every_kind_named_per_jurisdiction_is_a_consent_kind():
    assert set(Consent.Kind.values) == ALL_KINDS
    assert all(kinds <= ALL_KINDS for kinds in KINDS_BY_JURISDICTION.values())


def test_R18_illinois_deployment_of_a_chinese_organization_asks_for_a_written_release(cw):
    assert cw.org.jurisdiction == "CN"
    illinois = _site(cw, "US-IL")

    with pytest.raises(RuleViolation, match=r"jurisdiction \(US-IL\)") as raised:
        cw.grant(deployment=illinois, kind="separate")
    (detail,) = raised.value.details
    assert detail["rule"] == "R18" and detail["allowed"] == ["bipa_written_release", "guardian"]
    assert not Consent.objects.exists()

    with pytest.raises(Exception, match="R18"):
        cw.grant(deployment=illinois, kind="bipa_written_release")  # unsigned

    consent, receipt = cw.grant(
        deployment=illinois, kind="bipa_written_release", e_signature="Ann Example"
    )
    statement = json.loads(receipt.body)["extensions"]["consentStatement"]
    assert statement["type"].startswith("BIPA written release")
    assert statement["purpose"] == cw.version.description
    assert statement["termDays"] == cw.version.retention_days
    assert statement["signature"] == "Ann Example"
    assert cw.version.description in statement["text"]
    # In the language of the notice the person read (English or Chinese).
    days = cw.version.retention_days
    assert f"{days} days" in statement["text"] or f"{days}天" in statement["text"]
    body = json.loads(receipt.body)
    assert body["jurisdiction"] == "US-IL"
    assert body["iso27560"]["processing"]["lawfulBasis"].startswith("BIPA")
    assert consent_active_for(subject=cw.subject, purpose=cw.purpose, deployment=illinois)


def test_R18_a_plain_consent_of_the_organization_never_covers_its_illinois_site(cw):
    illinois = _site(cw, "US-IL")
    cw.grant(kind="separate")  # unscoped, under the Chinese profile

    assert consent_active_for(subject=cw.subject, purpose=cw.purpose, deployment=cw.deployment)
    assert not consent_active_for(subject=cw.subject, purpose=cw.purpose, deployment=illinois)


def test_R18_the_api_refuses_a_separate_consent_at_an_illinois_site(cw, world, api_as):
    illinois = _site(cw, "US-IL")
    client = api_as(world.dpo)

    refused = client.post("/api/v1/consents/", _body(cw, deployment=illinois.pk), format="json")

    assert refused.status_code == 422
    assert refused.json()["details"][0]["rule"] == "R18"
    signed = client.post(
        "/api/v1/consents/",
        _body(cw, deployment=illinois.pk, kind="bipa_written_release", e_signature="Ann E."),
        format="json",
    )
    assert signed.status_code == 201, signed.json()


def test_R18_the_public_form_of_an_illinois_site_is_a_signed_written_release(cw, client):
    illinois = _site(cw, "US-IL")
    url = f"/notice/acme/p/{cw.purpose.pk}/?d={illinois.pk}"
    page = client.get(url).content.decode()
    assert "Written release (Illinois Biometric Information Privacy Act)" in page
    assert "i-e_signature" in page and "/policy/acme/retention/" in page
    person = {
        "p-display_name": "Ann Example",
        "p-email": "ann2@example.test",
        "p-date_of_birth": "1990-01-02",
        "action": "accept",
    }

    unsigned = client.post(url, person)

    assert unsigned.status_code == 400 and not Consent.objects.exists()
    signed = client.post(url, person | {"i-e_signature": "Ann Example"})
    assert signed.status_code == 302
    consent = Consent.objects.get()
    assert consent.kind == "bipa_written_release" and consent.e_signature == "Ann Example"
    assert consent.deployment == illinois


def test_R17_an_eu_site_records_explicit_consent_and_refuses_any_other_kind(cw, client):
    eu = _site(cw, "EU")
    with pytest.raises(RuleViolation) as raised:
        cw.grant(deployment=eu, kind="separate")
    assert raised.value.details[0]["rule"] == "R17"

    url = f"/notice/acme/p/{cw.purpose.pk}/?d={eu.pk}"
    page = client.get(url).content.decode()
    assert "Explicit consent (GDPR Art. 9(2)(a))" in page and "I explicitly consent" in page
    response = client.post(
        url,
        {
            "p-display_name": "Eva",
            "p-email": "eva@example.test",
            "p-date_of_birth": "1985-05-05",
            "action": "accept",
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.kind == "gdpr_explicit"
    body = json.loads(consent.receipts.get().body)
    assert body["iso27560"]["processing"]["lawfulBasis"] == "GDPR Art. 9(2)(a) (explicit consent)"
    assert body["extensions"]["consentStatement"]["text"].startswith("I explicitly consent")


def test_R17_a_site_moved_to_the_eu_no_longer_runs_on_consents_of_the_old_kind(cw):
    cw.grant(deployment=cw.deployment, kind="separate")
    assert consent_active_for(subject=cw.subject, purpose=cw.purpose, deployment=cw.deployment)

    Deployment.objects.filter(pk=cw.deployment.pk).update(jurisdiction="EU")
    cw.deployment.refresh_from_db()

    assert not consent_active_for(subject=cw.subject, purpose=cw.purpose, deployment=cw.deployment)


def test_R19_central_storage_cannot_be_granted_at_an_on_device_site(cw, world, api_as):
    assert cw.deployment.storage_mode == "on_device"
    with pytest.raises(RuleViolation, match="R19") as raised:
        cw.grant(deployment=cw.deployment, central_storage=True)
    assert raised.value.code == "storage_on_device"

    response = api_as(world.dpo).post(
        "/api/v1/consents/",
        _body(cw, deployment=cw.deployment.pk, central_storage=True),
        format="json",
    )

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "storage_on_device"
    assert body["details"][0]["rule"] == "R19"
    assert "storage mode to central" in body["details"][0]["message"]
    assert not Consent.objects.exists()
    # The same grant without the central item is fine.
    assert cw.grant(deployment=cw.deployment, central_storage=False)[0].pk


def test_R19_central_storage_is_granted_where_the_site_stores_centrally(cw):
    central = _site(cw, "CN", storage_mode="central", central_storage_reason="One gallery.")
    consent, _receipt = cw.grant(deployment=central, central_storage=True)
    assert consent.central_storage is True
