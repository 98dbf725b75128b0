import pytest
from rest_framework.test import APIClient

from audit.models import AuditEvent
from tenants.models import ApiKey, Invitation, Membership

pytestmark = pytest.mark.django_db


def test_owner_reads_own_organization(world, api_as):
    response = api_as(world.owner).get("/api/v1/organization/")
    assert response.status_code == 200
    assert response.json()["slug"] == "acme"


def test_api_key_authenticates_for_its_own_organization_only(world, api_key_client):
    client = api_key_client(world.org, "auditor")
    assert client.get("/api/v1/organization/").json()["slug"] == "acme"
    client.credentials(
        HTTP_AUTHORIZATION=client._credentials["HTTP_AUTHORIZATION"], HTTP_X_ORGANIZATION="other"
    )
    assert client.get("/api/v1/organization/").status_code == 404


def test_api_key_records_last_use(world, api_key_client):
    client = api_key_client(world.org, "auditor")
    assert client.api_key.last_used_at is None
    client.get("/api/v1/organization/")
    client.api_key.refresh_from_db()
    assert client.api_key.last_used_at is not None


def test_revoked_api_key_is_refused_on_the_very_next_request(world, api_key_client, api_as):
    client = api_key_client(world.org, "owner")
    assert client.get("/api/v1/organization/").status_code == 200
    revoke = api_as(world.owner).post(f"/api/v1/api-keys/{client.api_key.pk}/revoke/")
    assert revoke.status_code == 200
    response = client.get("/api/v1/organization/")
    assert response.status_code == 401
    assert response.json() == {
        "code": "authentication_failed",
        "message": "This API key has been revoked.",
        "details": None,
    }


def test_unknown_and_malformed_keys_get_clear_401s(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer nope")
    assert client.get("/api/v1/organization/").json()["message"] == "Unknown API key."
    client.credentials(HTTP_AUTHORIZATION="Bearer a b")
    assert "Malformed" in client.get("/api/v1/organization/").json()["message"]


def test_unauthenticated_request_gets_401_in_error_format(db):
    response = APIClient().get("/api/v1/members/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_created_key_is_shown_once_and_works(world, api_as):
    response = api_as(world.owner).post(
        "/api/v1/api-keys/", {"name": "door", "role": "operator"}, format="json"
    )
    assert response.status_code == 201
    secret = response.json()["key"]
    listing = api_as(world.owner).get("/api/v1/api-keys/").json()["results"]
    assert all("key" not in row for row in listing)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/organization/").status_code == 200
    # An operator key has no right to members
    assert client.get("/api/v1/members/").status_code == 403


def test_bad_invitation_input_gets_400_naming_the_field_and_changes_nothing(world, api_as):
    before = Membership.objects.count()
    response = api_as(world.owner).post(
        "/api/v1/invitations/", {"email": "not-an-email", "role": "wizard"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"].startswith("Invalid input: email:")
    assert set(body["details"]) == {"email", "role"}
    assert Membership.objects.count() == before
    assert not Invitation.objects.exists()


def test_demoting_last_owner_through_api_is_409(world, api_as):
    owner = Membership.objects.get(organization=world.org, user=world.owner)
    response = api_as(world.owner).patch(
        f"/api/v1/members/{owner.pk}/", {"role": "dpo"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "last_owner"


def test_person_in_several_organizations_must_name_one(world, api_as):
    Membership.objects.create(organization=world.outsider_org, user=world.dpo, role="auditor")
    response = api_as(world.dpo).get("/api/v1/organization/")
    assert response.status_code == 400
    assert "X-Organization" in response.json()["message"]
    named = api_as(world.dpo, org_slug="other").get("/api/v1/organization/")
    assert named.json()["slug"] == "other"


def test_service_users_of_api_keys_are_flagged_in_member_list(world, api_as, api_key_client):
    api_key_client(world.org, "operator")
    rows = api_as(world.owner).get("/api/v1/members/").json()["results"]
    assert sum(row["is_api_key"] for row in rows) == 1
    assert ApiKey.objects.count() == 1


def test_audit_events_filter_by_action_prefix(world, api_as, api_key_client):
    api_key_client(world.org, "operator")
    rows = api_as(world.auditor).get("/api/v1/audit-events/?action_prefix=api_key.").json()
    assert [row["action"] for row in rows["results"]] == ["api_key.created"]
    assert AuditEvent.objects.filter(organization=world.org).count() >= 1
