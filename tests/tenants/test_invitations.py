"""Invitations end to end: offered by an organization, accepted by the person as themselves."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from audit.actors import Actor
from audit.models import AuditEvent
from tenants.errors import Conflict, NotFound
from tenants.models import Invitation, Membership
from tenants.services import invitation_create, invitation_revoke
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")
NEW_PASSWORD = "my-own-chosen-password-9"


def _actions(org):
    return list(AuditEvent.objects.filter(organization=org).values_list("action", flat=True))


def test_r33_new_address_sets_its_own_password_and_joins(world, panel_as, commit, mailed_link):
    with commit():
        panel_as(world.owner).post("/o/acme/members/", {"email": "New@acme.test", "role": "dpo"})
    link = mailed_link("New@acme.test")
    person = Client()
    page = person.get(link)
    assert "Choose a password" in page.content.decode()
    mismatch = person.post(link, {"password1": NEW_PASSWORD, "password2": "other-one-123"})
    assert mismatch.status_code == 400
    assert "The two passwords differ." in mismatch.content.decode()
    weak = person.post(link, {"password1": "12345678", "password2": "12345678"})
    assert weak.status_code == 400
    assert "too common" in weak.content.decode()
    assert not Membership.objects.filter(user__email__iexact="new@acme.test").exists()
    done = person.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    # Signed in as the new member, who as a DPO sets up a second factor before anything else.
    held = person.get("/o/acme/")
    assert held.url == "/accounts/second-factor/setup/?next=%2Fo%2Facme%2F"
    membership = Membership.objects.get(organization=world.org, user__email="New@acme.test")
    assert membership.role == "dpo"
    assert Client().login(username="new@acme.test", password=NEW_PASSWORD)
    assert {"invitation.created", "membership.added", "invitation.accepted"} <= set(
        _actions(world.org)
    )
    # The link worked once.
    assert Client().get(link).status_code == 404


def test_r33_existing_account_accepts_signed_in_and_keeps_its_password(
    world, panel_as, commit, mailed_link, set_up_second_factor
):
    before = world.outsider.password
    with commit():
        panel_as(world.owner).post(
            "/o/acme/members/", {"email": "owner@other.test", "role": "auditor"}
        )
    link = mailed_link("owner@other.test")
    anonymous = Client().get(link).content.decode()
    assert "Sign in to accept" in anonymous
    assert "Choose a password" not in anonymous
    person = Client()
    signed_in = person.post(
        f"/accounts/login/?next={link}",
        {"username": "owner@other.test", "password": PASSWORD, "next": link},
    )
    # An owner elsewhere: the password, then a second factor, then the invitation.
    assert signed_in.url == f"/accounts/second-factor/setup/?{urlencode({'next': link})}"
    done, _ = set_up_second_factor(person, world.outsider, link)
    assert done.context["next"] == link
    assert person.post(link).status_code == 302
    world.outsider.refresh_from_db()
    assert world.outsider.password == before
    assert Membership.objects.get(organization=world.org, user=world.outsider).role == "auditor"
    # Both organizations hold the story: A invited and took them in, B saw its owner join A.
    assert {"invitation.created", "membership.added", "invitation.accepted"} <= set(
        _actions(world.org)
    )
    assert {"account.invited_elsewhere", "account.joined_organization"} <= set(
        _actions(world.outsider_org)
    )


def test_inviting_a_member_again_is_a_conflict(world):
    with pytest.raises(Conflict, match="already a member"):
        invitation_create(organization=world.org, actor=ACTOR, email="DPO@acme.test", role="dpo")


def test_a_new_invitation_replaces_the_open_one(world, commit, mailed_link, mailoutbox):
    with commit():
        first = invitation_create(organization=world.org, actor=ACTOR, email="a@x.test", role="dpo")
    old_link = mailed_link("a@x.test")
    with commit():
        invitation_create(organization=world.org, actor=ACTOR, email="A@x.test", role="auditor")
    first.refresh_from_db()
    assert first.state == "revoked"
    assert Client().get(old_link).status_code == 404
    assert Client().get(mailed_link("A@x.test")).status_code == 200
    assert Invitation.objects.open().get().role == "auditor"


def test_expired_and_withdrawn_links_are_refused(world, commit, mailed_link):
    with commit():
        invitation = invitation_create(
            organization=world.org, actor=ACTOR, email="late@x.test", role="dpo"
        )
    link = mailed_link("late@x.test")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(1))
    page = Client().post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert page.status_code == 404
    assert "not valid" in page.content.decode()
    with pytest.raises(Conflict, match="expired"):
        invitation_revoke(invitation=invitation, actor=ACTOR)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() + timedelta(1))
    invitation_revoke(invitation=invitation, actor=ACTOR)
    assert Client().get(link).status_code == 404
    assert not Membership.objects.filter(user__email="late@x.test").exists()


def test_invitation_api_lists_and_withdraws(world, api_as, commit):
    client = api_as(world.owner)
    with commit():
        created = client.post(
            "/api/v1/invitations/", {"email": "n@x.test", "role": "operator"}, format="json"
        ).json()
    assert created["state"] == "open"
    assert [row["email"] for row in client.get("/api/v1/invitations/").json()["results"]] == [
        "n@x.test"
    ]
    revoked = client.post(f"/api/v1/invitations/{created['id']}/revoke/")
    assert revoked.json()["state"] == "revoked"
    again = client.post(f"/api/v1/invitations/{created['id']}/revoke/")
    assert again.status_code == 409
    assert again.json()["code"] == "invitation_revoked"


def test_another_organizations_invitation_is_not_found(world, api_as):
    invitation = invitation_create(
        organization=world.org, actor=ACTOR, email="n@x.test", role="operator"
    )
    outsider = api_as(world.outsider)
    assert outsider.get(f"/api/v1/invitations/{invitation.pk}/").status_code == 404
    assert outsider.post(f"/api/v1/invitations/{invitation.pk}/revoke/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.state == "open"


def test_service_never_accepts_an_unknown_token(world):
    from tenants.services import invitation_accept

    with pytest.raises(NotFound, match="not valid"):
        invitation_accept(token="nope", user=world.owner, actor=ACTOR)
