"""The consent side of R25 and R26, and enrollment refusals naming the right rule (R17, R18):
recipients come from the register, a transfer abroad is its own consent, the notice and the
receipt say where the data goes, and enrollment refuses what the consent does not cover."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consent.models import Consent
from consent.selectors import consent_active_for
from consent.services import Recipient
from governance.residency import TransferRefused
from recognition.errors import EnrollmentRefused
from recognition.services.enrollment import enrollment_check
from recognition.services.jobs import recognition_job_check
from tenants.errors import RuleViolation
from tests.factories import RecipientFactory, SubjectFactory, TransferBasisFactory
from tests.recognition.conftest import make_rec_world

pytestmark = pytest.mark.django_db


def _receipt_body(receipt) -> dict:
    return json.loads(receipt.body)


@pytest.fixture
def abroad(world):
    """An active central-storage site in the PRC whose matching runs in Hong Kong."""
    rec = make_rec_world(world)
    rec.deployment.processing_location = "HK"
    rec.deployment.save()
    return rec


def _check(rec, subject):
    enrollment_check(
        organization=rec.org, deployment=rec.deployment, purpose=rec.purpose, subject=subject
    )


def test_r26_enrollment_refused_at_a_site_abroad_without_legal_basis(abroad):
    subject = abroad.subject("Li")
    abroad.consent(subject, deployment=abroad.deployment, cross_border=True)
    with pytest.raises(TransferRefused, match="R26") as refused:
        _check(abroad, subject)
    assert refused.value.status == 422 and refused.value.details[0]["rule"] == "R26"
    assert refused.value.details[0]["fix_url"]


def test_r26_enrollment_refused_without_the_persons_consent_to_the_transfer(abroad):
    TransferBasisFactory(deployment=abroad.deployment)
    subject = abroad.subject("Li")
    abroad.consent(subject, deployment=abroad.deployment)  # no cross_border item
    with pytest.raises(TransferRefused, match="PIPL Art. 39"):
        _check(abroad, subject)
    # The same consent is not usable there for matching either (usable_q, the one rule).
    assert not consent_active_for(
        subject=subject, purpose=abroad.purpose, deployment=abroad.deployment
    )


def test_r26_enrollment_allowed_with_basis_and_transfer_consent(abroad):
    TransferBasisFactory(deployment=abroad.deployment)
    subject = abroad.subject("Li")
    abroad.consent(subject, deployment=abroad.deployment, cross_border=True)
    _check(abroad, subject)


def test_r26_api_enrollment_refusal_is_422_with_code_message_details(abroad, api_as, faces):
    subject = abroad.subject("Li")
    abroad.consent(subject, deployment=abroad.deployment, cross_border=True)
    response = api_as(abroad.world.owner, "acme").post(
        "/api/v1/enrollments/",
        {
            "deployment": abroad.deployment.pk,
            "purpose": abroad.purpose.pk,
            "subject": str(subject.pseudonym),
            "image": SimpleUploadedFile(
                "face.jpg", faces.read("obama.jpg"), content_type="image/jpeg"
            ),
        },
        format="multipart",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "transfer_not_allowed" and "R26" in body["message"]
    assert body["details"][0]["rule"] == "R26"


def test_r26_receipt_states_locations_and_the_transfer_consent(abroad):
    TransferBasisFactory(deployment=abroad.deployment, reference="SC-77")
    subject = abroad.subject("Li")
    consent = abroad.consent(subject, deployment=abroad.deployment, cross_border=True)
    body = _receipt_body(consent.receipts.get())
    assert body["extensions"]["items"]["crossBorderTransfer"] is True
    residency = body["extensions"]["residency"]
    assert residency["crossBorder"] is True and residency["processedIn"] == ["HK"]
    assert residency["transfers"][0]["legalBasis"] == "standard_contract"
    assert residency["transfers"][0]["reference"] == "SC-77"
    assert body["iso27560"]["processing"]["processingLocation"] == ["HK"]


def test_r26_public_notice_states_the_transfer_and_asks_for_it_separately(abroad, client):
    TransferBasisFactory(deployment=abroad.deployment)
    url = reverse("consent:notice", args=["acme", abroad.purpose.pk])
    page = client.get(f"{url}?d={abroad.deployment.pk}").content.decode()
    assert 'id="cross-border"' in page and "Hong Kong SAR" in page
    assert 'name="i-cross_border"' in page
    home = client.get(url).content.decode()
    # Without a site, the purpose's sites are listed: this one transfers, so it is said too.
    assert 'id="cross-border"' in home
    data = {
        "action": "accept",
        "p-display_name": "Li Lei",
        "p-email": "li@example.test",
        "p-date_of_birth": "1990-01-01",
        "i-central_storage": "yes",
        "i-cross_border": "yes",
    }
    assert client.post(f"{url}?d={abroad.deployment.pk}", data).status_code == 302
    assert Consent.objects.get(deployment=abroad.deployment).cross_border is True


def test_r26_recipient_abroad_needs_a_basis_and_the_transfer_consent(cw):
    overseas = RecipientFactory(organization=cw.org, name="Overseas Analytics", location="SG")
    with pytest.raises(TransferRefused, match="no legal basis"):
        cw.grant(recipients=[Recipient("Overseas Analytics", True)], cross_border=True)
    TransferBasisFactory(recipient=overseas)
    with pytest.raises(TransferRefused, match="PIPL Art. 39"):
        cw.grant(recipients=[Recipient("Overseas Analytics", True)])
    consent, receipt = cw.grant(
        recipients=[Recipient("Overseas Analytics", True)], cross_border=True
    )
    named = consent.recipients.get()
    assert named.location == "SG" and named.register_entry == overseas
    assert _receipt_body(receipt)["extensions"]["items"]["thirdPartyRecipients"] == [
        {"name": "Overseas Analytics", "granted": True, "location": "SG"}
    ]


def test_r25_consent_names_only_registered_complete_recipients(cw):
    with pytest.raises(RuleViolation, match="R25") as unregistered:
        cw.grant(recipients=[Recipient("Nobody Ltd", True)])
    assert unregistered.value.code == "recipient_unregistered"
    RecipientFactory(organization=cw.org, name="Legacy Co", contract="")
    with pytest.raises(RuleViolation, match="R25") as incomplete:
        cw.grant(recipients=[Recipient("Legacy Co", False)])
    assert incomplete.value.code == "recipient_incomplete"
    # Another organization's register is not ours.
    RecipientFactory(organization=cw.org.__class__.objects.get(slug="other"), name="Theirs")
    with pytest.raises(RuleViolation, match="Not registered: Theirs"):
        cw.grant(recipients=[Recipient("Theirs", True)])


def test_r25_what_the_person_is_told_comes_from_the_register(cw):
    RecipientFactory(
        organization=cw.org, name="Gate Vendor Ltd", purpose="Gate upkeep", contact="d@v.example"
    )
    consent, _receipt = cw.grant(recipients=[Recipient("Gate Vendor Ltd", True)])
    named = consent.recipients.get()
    assert (named.purpose, named.contact, named.location) == ("Gate upkeep", "d@v.example", "CN")


def test_r17_enrollment_refusal_at_an_eu_site_names_r17(world):
    rec = make_rec_world(world)
    rec.deployment.jurisdiction = "EU"
    rec.deployment.save()
    subject = SubjectFactory(organization=rec.org)
    rec.consent(subject)  # separate consent: the profile's kind, not explicit consent
    with pytest.raises(EnrollmentRefused, match=r"\(R17\)") as refused:
        _check(rec, subject)
    assert refused.value.code == "consent_required"
    assert refused.value.details[0]["rule"] == "R17"
    assert "R12" not in refused.value.message


def test_r18_enrollment_refusal_at_an_illinois_site_names_r18(world):
    rec = make_rec_world(world)
    rec.deployment.jurisdiction = "US-IL"
    rec.deployment.save()
    subject = SubjectFactory(organization=rec.org)
    rec.consent(subject)
    with pytest.raises(EnrollmentRefused, match=r"written release .*\(R18\)") as refused:
        _check(rec, subject)
    assert refused.value.details[0]["rule"] == "R18"
    assert "R12" not in refused.value.message


def test_r12_enrollment_refusal_at_a_chinese_site_still_names_r12(world):
    rec = make_rec_world(world)
    subject = SubjectFactory(organization=rec.org)
    with pytest.raises(EnrollmentRefused, match=r"\(R12\)") as refused:
        _check(rec, subject)
    assert refused.value.details[0]["rule"] == "R12"


def test_r26_panel_records_the_transfer_consent_at_the_desk(abroad, panel_as):
    TransferBasisFactory(deployment=abroad.deployment)
    subject = abroad.subject("Li", date_of_birth="1990-01-01")
    url = f"/o/acme/subjects/{subject.pseudonym}/consent/"
    owner = panel_as(abroad.world.owner)
    assert 'name="cross_border"' in owner.get(url).content.decode()
    response = owner.post(
        url,
        {
            "purpose": abroad.purpose.pk,
            "deployment": abroad.deployment.pk,
            "language": "en",
            "kind": "written",
            "channel": "paper",
            "central_storage": "yes",
            "raw_images": "no",
            "cross_border": "yes",
            "signed_document": SimpleUploadedFile("signed.pdf", b"%PDF-1.4 signed"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Consent.objects.get(subject=subject).cross_border is True
    _check(abroad, subject)


def test_r26_no_recognition_job_runs_at_a_site_abroad_without_legal_basis(abroad):
    def check():
        recognition_job_check(
            organization=abroad.org,
            deployment=abroad.deployment,
            purpose=abroad.purpose,
            mode="identify",
        )

    with pytest.raises(TransferRefused, match="R26"):
        check()
    TransferBasisFactory(deployment=abroad.deployment)
    check()


def test_r26_the_site_page_says_where_its_data_goes(abroad, client):
    url = reverse("consent:deployment", args=["acme", abroad.deployment.pk])
    page = client.get(url).content.decode()
    assert 'id="cross-border"' in page and "processed in Hong Kong SAR" in page
    abroad.deployment.processing_location = "CN"
    abroad.deployment.save()
    assert 'id="cross-border"' not in client.get(url).content.decode()
