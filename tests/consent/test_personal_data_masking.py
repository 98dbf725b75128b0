"""Personal data only as far as the task needs (issue 15; PIPL Art. 6, R33 least privilege).

Operators and auditors see subjects by pseudonym unless the organization shows them names,
contacts and birth dates; owners and DPOs see them. Every read stays audited (R31).
"""

import datetime

import pytest

from audit.models import AuditEvent
from consent.models import Consent
from tests.factories import SubjectFactory

pytestmark = pytest.mark.django_db

PERSONAL = {"display_name", "email", "phone", "date_of_birth"}


@pytest.fixture
def ann(world):
    return SubjectFactory(
        organization=world.org,
        display_name="Ann Example",
        email="ann@example.test",
        phone="+86 555 0101",
        date_of_birth=datetime.date(1990, 5, 17),
        external_ref="badge-7",
    )


def _show_all(org):
    org.personal_data_for_all_roles = True
    org.save(update_fields=["personal_data_for_all_roles"])


@pytest.mark.parametrize("role", ["operator", "auditor"])
def test_operators_and_auditors_see_pseudonyms_by_default(world, api_as, ann, role):
    client = api_as(world.user(role))
    detail = client.get(f"/api/v1/subjects/{ann.pseudonym}/").json()
    listed = client.get("/api/v1/subjects/").json()["results"][0]
    for body in (detail, listed):
        assert body["pseudonym"] == str(ann.pseudonym)
        assert body["personal_data_hidden"] is True
        assert (body["display_name"], body["email"], body["phone"]) == ("", "", "")
        assert body["date_of_birth"] is None
        # What their work needs stays: the reference, the age bracket (R15), the choice (R3).
        assert body["external_ref"] == "badge-7"
        assert body["age_bracket"] == "18_plus"


@pytest.mark.parametrize("role", ["owner", "dpo"])
def test_owners_and_dpos_see_personal_data(world, api_as, ann, role):
    body = api_as(world.user(role)).get(f"/api/v1/subjects/{ann.pseudonym}/").json()
    assert body["personal_data_hidden"] is False
    assert body["display_name"] == "Ann Example"
    assert body["email"] == "ann@example.test"
    assert body["phone"] == "+86 555 0101"
    assert body["date_of_birth"] == "1990-05-17"


@pytest.mark.parametrize("role", ["operator", "auditor"])
def test_the_organization_can_show_personal_data_to_every_role(world, api_as, ann, role):
    _show_all(world.org)
    body = api_as(world.user(role)).get(f"/api/v1/subjects/{ann.pseudonym}/").json()
    assert body["personal_data_hidden"] is False
    assert body["display_name"] == "Ann Example"


def test_an_api_key_of_an_operator_sees_pseudonyms(world, api_key_client, ann):
    body = api_key_client(world.org, "operator").get(f"/api/v1/subjects/{ann.pseudonym}/").json()
    assert body["display_name"] == "" and body["personal_data_hidden"] is True


def test_an_operator_creating_a_subject_gets_the_pseudonym_back(world, api_as):
    response = api_as(world.operator).post(
        "/api/v1/subjects/",
        {"display_name": "Bo", "email": "bo@example.test", "date_of_birth": "1980-01-01"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["display_name"] == "" and body["personal_data_hidden"] is True
    assert body["pseudonym"]


def test_a_masked_reader_cannot_search_by_name_or_e_mail(world, api_as, ann):
    operator = api_as(world.operator)
    assert operator.get("/api/v1/subjects/", {"search": "Ann"}).json()["count"] == 0
    assert operator.get("/api/v1/subjects/", {"search": "ann@example.test"}).json()["count"] == 0
    assert operator.get("/api/v1/subjects/", {"search": "badge-7"}).json()["count"] == 1
    owner = api_as(world.owner)
    assert owner.get("/api/v1/subjects/", {"search": "Ann"}).json()["count"] == 1


def test_r31_reads_stay_audited_and_say_whether_personal_data_was_shown(world, api_as, ann):
    api_as(world.operator).get(f"/api/v1/subjects/{ann.pseudonym}/")
    api_as(world.dpo).get(f"/api/v1/subjects/{ann.pseudonym}/")
    events = AuditEvent.objects.filter(
        action="subject.viewed", subject_pseudonym=str(ann.pseudonym)
    )
    shown = {event.actor_label: event.details["personal_data"] for event in events}
    assert len(shown) == 2
    assert sorted(shown.values()) == [False, True]


def test_a_guardian_s_name_and_evidence_are_masked_like_the_subject_s(cw, world, api_as):
    from consent.services import Evidence, Guardian, consent_grant
    from tests.factories import MinorDataRulesFactory

    child = SubjectFactory(
        organization=cw.org, date_of_birth=datetime.date.today().replace(year=2020)
    )
    MinorDataRulesFactory(organization=cw.org)
    consent, _receipt = consent_grant(
        subject=child,
        purpose_version=cw.version,
        notice=cw.notice,
        actor=cw.actor,
        evidence=Evidence(channel="paper", consent_ui_version="paper-1"),
        kind=Consent.Kind.GUARDIAN,
        guardian=Guardian("Wang Fang", "mother", "ID card", "desk log 7"),
    )
    url = f"/api/v1/consents/{consent.public_id}/"
    masked = api_as(world.operator).get(url).json()["guardian"]
    assert masked == {
        "name": "",
        "relationship": "mother",
        "verification": "ID card",
        "evidence": "",
    }
    shown = api_as(world.dpo).get(url).json()["guardian"]
    assert shown["name"] == "Wang Fang" and shown["evidence"] == "desk log 7"


# --- The panel ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["operator", "auditor"])
def test_panel_lists_and_details_show_pseudonyms_to_operators_and_auditors(
    world, panel_as, ann, role
):
    client = panel_as(world.user(role))
    for url in (
        "/o/acme/subjects/",
        f"/o/acme/subjects/{ann.pseudonym}/",
    ):
        html = client.get(url).content.decode()
        assert str(ann.pseudonym) in html
        for value in ("Ann Example", "ann@example.test", "555 0101", "1990-05-17"):
            assert value not in html, (url, value)


def test_panel_shows_personal_data_to_owners(world, panel_as, ann):
    html = panel_as(world.owner).get(f"/o/acme/subjects/{ann.pseudonym}/").content.decode()
    assert "Ann Example" in html and "ann@example.test" in html and "1990-05-17" in html


def test_panel_consent_list_names_subjects_only_to_those_who_see_them(cw, world, panel_as):
    consent_subject = cw.subject
    from consent.services import Evidence, consent_grant

    consent_grant(
        subject=consent_subject,
        purpose_version=cw.version,
        notice=cw.notice,
        actor=cw.actor,
        evidence=Evidence(channel="paper", consent_ui_version="paper-1"),
    )
    name = consent_subject.display_name
    operator_html = panel_as(world.operator).get("/o/acme/consents/").content.decode()
    assert name not in operator_html and str(consent_subject.pseudonym) in operator_html
    before = AuditEvent.objects.filter(action="subject.listed").count()
    owner_html = panel_as(world.owner).get("/o/acme/consents/").content.decode()
    assert name in owner_html
    # Naming them is a read of their data (R31), audited like the subject list.
    listed = AuditEvent.objects.filter(action="subject.listed").order_by("-pk")
    assert listed.count() == before + 1
    assert listed.first().details["personal_data"] is True
