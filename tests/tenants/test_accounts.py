"""A person's own password: changed by them, reset through their own mailbox, audited everywhere."""

import pytest
from django.test import Client

from audit.models import AuditEvent
from tenants.models import Membership
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-brand-new-password-7"


@pytest.fixture
def two_orgs_member(world):
    """A's DPO is also an auditor in B."""
    Membership.objects.create(organization=world.outsider_org, user=world.dpo, role="auditor")
    return world.dpo


def _events(action):
    return sorted(
        AuditEvent.objects.filter(action=action).values_list("organization__slug", flat=True)
    )


def test_r33_reset_mail_goes_to_the_person_only_and_links_to_the_public_address(
    world, two_orgs_member, mailoutbox, settings, mailed_link
):
    settings.PUBLIC_BASE_URL = "https://faces.example.org"
    # A forged Host header must not steer the link elsewhere (reset poisoning).
    response = Client().post(
        "/accounts/password/reset/", {"email": "dpo@acme.test"}, HTTP_HOST="testserver"
    )
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["dpo@acme.test"]]
    link = mailed_link("dpo@acme.test", base="https://faces.example.org")
    assert _events("account.password_reset_requested") == ["acme", "other"]
    person = Client()
    form_url = person.get(link).url  # Django swaps the token for a session-held one
    done = person.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert Client().login(username="dpo@acme.test", password=NEW_PASSWORD)
    assert not Client().login(username="dpo@acme.test", password=PASSWORD)
    assert _events("account.password_reset") == ["acme", "other"]


def test_reset_of_an_unknown_address_answers_the_same_and_sends_nothing(db, mailoutbox):
    response = Client().post("/accounts/password/reset/", {"email": "nobody@x.test"})
    assert response.status_code == 302
    assert response.url == "/accounts/password/reset/sent/"
    assert mailoutbox == []


def test_password_change_needs_the_old_one_and_is_audited_in_every_organization(
    world, two_orgs_member, panel_as
):
    client = panel_as(world.dpo)
    wrong = client.post(
        "/accounts/password/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    assert not AuditEvent.objects.filter(action="account.password_changed").exists()
    done = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert _events("account.password_changed") == ["acme", "other"]
    assert Client().login(username="dpo@acme.test", password=NEW_PASSWORD)


def test_role_change_and_removal_are_told_to_the_persons_other_organizations(
    world, two_orgs_member, api_as
):
    membership = Membership.objects.get(organization=world.org, user=world.dpo)
    client = api_as(world.owner)
    client.patch(f"/api/v1/members/{membership.pk}/", {"role": "auditor"}, format="json")
    client.delete(f"/api/v1/members/{membership.pk}/")
    seen = AuditEvent.objects.filter(organization=world.outsider_org, target_type="user")
    assert [(e.action, e.details.get("organization")) for e in seen.order_by("id")] == [
        ("account.role_changed_elsewhere", "acme"),
        ("account.left_organization", "acme"),
    ]


def test_deleting_an_api_keys_membership_revokes_the_key(world, api_as, api_key_client):
    client = api_key_client(world.org, "operator")
    membership = Membership.objects.get(user=client.api_key.user)
    assert api_as(world.owner).delete(f"/api/v1/members/{membership.pk}/").status_code == 204
    client.api_key.refresh_from_db()
    assert client.api_key.revoked_at is not None
    response = client.get("/api/v1/organization/")
    assert response.status_code == 401
    assert response.json()["message"] == "This API key has been revoked."
    assert AuditEvent.objects.filter(organization=world.org, action="api_key.revoked").exists()


def test_changing_an_api_keys_membership_role_changes_the_keys_role(world, api_as, api_key_client):
    client = api_key_client(world.org, "operator")
    membership = Membership.objects.get(user=client.api_key.user)
    api_as(world.owner).patch(f"/api/v1/members/{membership.pk}/", {"role": "auditor"})
    client.api_key.refresh_from_db()
    assert client.api_key.role == "auditor"
