"""R33 (access control, authorisation management): an organization cannot take over the staff
account of a person who works for another organization.

The attack reported: with organization B's owner key, ``POST /api/v1/members/`` naming A's owner
with a password of B's choosing rewrote that password. Here B tries it every way it can.
"""

import pytest
from django.test import Client

from audit.models import AuditEvent
from tenants.models import Invitation, Membership

pytestmark = pytest.mark.django_db

ATTACKER_PASSWORD = "attacker-chosen-password-1"


def _password_hashes(*users):
    for user in users:
        user.refresh_from_db()
    return [user.password for user in users]


def _signs_in(username: str, password: str) -> bool:
    return Client().login(username=username, password=password)


def test_r33_member_request_with_password_by_api_key_changes_no_account(
    world, api_key_client, commit
):
    before = _password_hashes(world.owner, world.dpo)
    client = api_key_client(world.outsider_org, "owner")
    for victim in ("owner@acme.test", "dpo@acme.test"):
        with commit():
            response = client.post(
                "/api/v1/members/",
                {"email": victim, "role": "auditor", "password": ATTACKER_PASSWORD},
                format="json",
            )
        assert response.status_code == 405
        assert not _signs_in(victim, ATTACKER_PASSWORD)
    assert _password_hashes(world.owner, world.dpo) == before
    assert not Membership.objects.filter(organization=world.outsider_org, user=world.owner)


def test_r33_invitation_with_password_by_api_key_changes_no_account_and_tells_a(
    world, api_key_client, commit, mailoutbox
):
    before = _password_hashes(world.owner)
    client = api_key_client(world.outsider_org, "owner")
    with commit():
        response = client.post(
            "/api/v1/invitations/",
            {"email": "OWNER@acme.test", "role": "auditor", "password": ATTACKER_PASSWORD},
            format="json",
        )
    assert response.status_code == 201
    # The answer carries no link: only the mailbox of the address gets it.
    invitation = Invitation.objects.get()
    assert set(response.json()) == {
        "id",
        "email",
        "role",
        "state",
        "created_at",
        "expires_at",
        "accepted_at",
    }
    assert [m.to for m in mailoutbox] == [["OWNER@acme.test"]]
    assert _password_hashes(world.owner) == before
    assert not _signs_in("owner@acme.test", ATTACKER_PASSWORD)
    assert not Membership.objects.filter(organization=world.outsider_org, user=world.owner)
    # A sees the attempt on its owner in its own audit trail.
    seen = AuditEvent.objects.get(organization=world.org, action="account.invited_elsewhere")
    assert seen.details == {"user_id": world.owner.pk, "organization": "other", "role": "auditor"}
    assert invitation.state == "open"


def test_r33_member_form_of_the_panel_changes_no_account(world, panel_as, commit):
    before = _password_hashes(world.owner)
    with commit():
        response = panel_as(world.outsider).post(
            "/o/other/members/",
            {"email": "owner@acme.test", "role": "auditor", "password": ATTACKER_PASSWORD},
        )
    assert response.status_code == 302
    assert _password_hashes(world.owner) == before
    assert not _signs_in("owner@acme.test", ATTACKER_PASSWORD)
    assert not Membership.objects.filter(organization=world.outsider_org, user=world.owner)
    assert AuditEvent.objects.filter(
        organization=world.org, action="account.invited_elsewhere"
    ).exists()
    # Signed in as A's owner with B's password: nothing of A opens.
    attacker = Client()
    attacker.post(
        "/accounts/login/", {"username": "owner@acme.test", "password": ATTACKER_PASSWORD}
    )
    assert attacker.get("/o/acme/").status_code == 302  # back to the sign-in page


def test_r33_the_inviter_cannot_accept_for_the_person(world, panel_as, commit, mailed_link):
    with commit():
        panel_as(world.outsider).post(
            "/o/other/members/", {"email": "owner@acme.test", "role": "auditor"}
        )
    link = mailed_link("owner@acme.test")
    # Even with the link in hand, B's owner is not A's owner.
    page = panel_as(world.outsider).post(link)
    assert page.status_code == 403
    assert "sent to another address" in page.content.decode()
    # Anonymous, the page asks to sign in; it sets no password for an existing account.
    anonymous = Client()
    anonymous.post(link, {"password1": ATTACKER_PASSWORD, "password2": ATTACKER_PASSWORD})
    assert not _signs_in("owner@acme.test", ATTACKER_PASSWORD)
    assert not Membership.objects.filter(organization=world.outsider_org, user=world.owner)


def test_r33_no_api_or_form_field_sets_a_password(world, api_as):
    schema = api_as(world.owner).get("/api/v1/schema/?format=json").json()
    fields = {
        name
        for component in schema["components"]["schemas"].values()
        for name in component.get("properties", {})
    }
    assert not {name for name in fields if "password" in name}
