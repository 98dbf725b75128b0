"""The organization's separation-of-duties settings: owner-editable, API and panel, audited."""

import pytest

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

ORG = "/api/v1/organization/"
SETTINGS = ("separate_consent_and_enrollment", "personal_data_for_all_roles")


def test_both_settings_are_off_by_default_and_shown_by_the_api(world, api_as):
    body = api_as(world.auditor).get(ORG).json()
    assert {name: body[name] for name in SETTINGS} == dict.fromkeys(SETTINGS, False)


def test_the_owner_turns_them_on_through_the_api_and_it_is_audited(world, api_as):
    response = api_as(world.owner).patch(ORG, dict.fromkeys(SETTINGS, True), format="json")

    assert response.status_code == 200
    assert all(response.json()[name] is True for name in SETTINGS)
    world.org.refresh_from_db()
    assert world.org.separate_consent_and_enrollment and world.org.personal_data_for_all_roles
    event = AuditEvent.objects.filter(organization=world.org, action="organization.updated").get()
    assert event.details["fields"] == sorted(SETTINGS)


@pytest.mark.parametrize("role", ["dpo", "operator", "auditor"])
def test_only_the_owner_changes_them(world, api_as, role):
    response = api_as(world.user(role)).patch(
        ORG, {"personal_data_for_all_roles": True}, format="json"
    )
    assert response.status_code == 403
    world.org.refresh_from_db()
    assert world.org.personal_data_for_all_roles is False


def test_the_owner_sets_them_on_the_panels_organization_page(world, panel_as):
    client = panel_as(world.owner)
    page = client.get("/o/acme/settings/").content.decode()
    assert 'name="separate_consent_and_enrollment"' in page
    assert 'name="personal_data_for_all_roles"' in page

    saved = client.post(
        "/o/acme/settings/",
        {"name": "Acme Security", "jurisdiction": "CN", "separate_consent_and_enrollment": "on"},
    )

    assert saved.status_code == 302
    world.org.refresh_from_db()
    assert world.org.separate_consent_and_enrollment is True
    assert world.org.personal_data_for_all_roles is False
    event = AuditEvent.objects.filter(organization=world.org, action="organization.updated").get()
    # (The factory's other details were left out of the form, so they changed too.)
    assert "separate_consent_and_enrollment" in event.details["fields"]
    assert "personal_data_for_all_roles" not in event.details["fields"]
