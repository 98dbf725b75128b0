"""Every panel page and API route so far, tried as each role and as the outsider.

A member whose role lacks the permission gets 403; someone from another organization gets 404,
so the existence of another tenant's objects is never confirmed.
"""

import pytest

from audit.actors import Actor
from audit.models import AuditEvent
from tenants.models import ApiKey, Membership
from tenants.services import invitation_create

pytestmark = pytest.mark.django_db

ALL = {"owner", "dpo", "operator", "auditor"}
READERS = {"owner", "dpo", "auditor"}
OWNER = {"owner"}


@pytest.fixture
def objects(world, api_key_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        key = api_key_client(world.org, "operator").api_key
    return {
        "membership": Membership.objects.get(organization=world.org, user=world.auditor).pk,
        "key": key.pk,
        "event": AuditEvent.objects.filter(organization=world.org).latest("id").pk,
        "invitation": invitation_create(
            organization=world.org, actor=Actor.system("test"), email="new@acme.test", role="dpo"
        ).pk,
    }


PANEL_PAGES = [
    ("/o/acme/", ALL),
    ("/o/acme/settings/", OWNER),
    ("/o/acme/members/", READERS),
    ("/o/acme/api-keys/", OWNER),
    ("/o/acme/api-keys/compreface/", OWNER),
    ("/o/acme/audit/", READERS),
    ("/o/acme/audit/export.csv", READERS),
]


@pytest.mark.parametrize("role", sorted(ALL))
@pytest.mark.parametrize(("url", "allowed"), PANEL_PAGES)
def test_panel_page_answers_each_role_as_its_permissions_say(world, panel_as, role, url, allowed):
    response = panel_as(world.user(role)).get(url)
    assert response.status_code == (200 if role in allowed else 403)


@pytest.mark.parametrize(("url", "allowed"), PANEL_PAGES)
def test_panel_page_of_another_organization_is_not_found(world, panel_as, url, allowed):
    assert panel_as(world.outsider).get(url).status_code == 404


PANEL_ACTIONS = [
    ("/o/acme/members/{membership}/role/", {"role": "dpo"}, OWNER),
    ("/o/acme/members/{membership}/remove/", {}, OWNER),
    ("/o/acme/api-keys/{key}/revoke/", {}, OWNER),
    ("/o/acme/invitations/{invitation}/revoke/", {}, OWNER),
    ("/o/acme/audit/verify/", {}, READERS),
]


@pytest.mark.parametrize("role", sorted(ALL))
@pytest.mark.parametrize(("url", "data", "allowed"), PANEL_ACTIONS)
def test_panel_action_answers_each_role(world, objects, panel_as, role, url, data, allowed):
    response = panel_as(world.user(role)).post(url.format(**objects), data)
    assert response.status_code == (302 if role in allowed else 403)


@pytest.mark.parametrize(("url", "data", "allowed"), PANEL_ACTIONS)
def test_panel_action_on_another_organization_is_not_found_and_changes_nothing(
    world, objects, panel_as, url, data, allowed
):
    response = panel_as(world.outsider).post(url.format(**objects), data)
    assert response.status_code == 404
    assert Membership.objects.get(pk=objects["membership"]).role == "auditor"
    assert ApiKey.objects.get(pk=objects["key"]).revoked_at is None


API_ROUTES = [
    ("get", "/api/v1/organization/", None, ALL, 200),
    ("patch", "/api/v1/organization/", {"province": "Zhejiang"}, OWNER, 200),
    ("get", "/api/v1/members/", None, READERS, 200),
    ("get", "/api/v1/members/{membership}/", None, READERS, 200),
    ("post", "/api/v1/invitations/", {"email": "new@acme.test", "role": "auditor"}, OWNER, 201),
    ("get", "/api/v1/invitations/", None, OWNER, 200),
    ("get", "/api/v1/invitations/{invitation}/", None, OWNER, 200),
    ("post", "/api/v1/invitations/{invitation}/revoke/", None, OWNER, 200),
    ("patch", "/api/v1/members/{membership}/", {"role": "dpo"}, OWNER, 200),
    ("delete", "/api/v1/members/{membership}/", None, OWNER, 204),
    ("get", "/api/v1/api-keys/", None, OWNER, 200),
    ("get", "/api/v1/api-keys/{key}/", None, OWNER, 200),
    ("post", "/api/v1/api-keys/", {"name": "k", "role": "operator"}, OWNER, 201),
    ("post", "/api/v1/api-keys/{key}/revoke/", None, OWNER, 200),
    ("get", "/api/v1/audit-events/", None, READERS, 200),
    ("get", "/api/v1/audit-events/{event}/", None, READERS, 200),
    ("get", "/api/v1/audit-events/chain/", None, READERS, 200),
    ("post", "/api/v1/audit-events/verify/", None, READERS, 200),
]


@pytest.mark.parametrize("role", sorted(ALL))
@pytest.mark.parametrize(("method", "url", "data", "allowed", "ok"), API_ROUTES)
def test_api_route_answers_each_role(world, objects, api_as, role, method, url, data, allowed, ok):
    client = api_as(world.user(role))
    response = getattr(client, method)(url.format(**objects), data, format="json")
    expected = ok if role in allowed else 403
    assert response.status_code == expected, response.content
    if expected == 403:
        assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize(("method", "url", "data", "allowed", "ok"), API_ROUTES)
def test_api_route_naming_another_organization_is_not_found(
    world, objects, api_as, method, url, data, allowed, ok
):
    client = api_as(world.outsider, org_slug="acme")
    response = getattr(client, method)(url.format(**objects), data, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("url", [r[1] for r in API_ROUTES if "{" in r[1] and r[0] == "get"])
def test_api_object_of_another_organization_is_not_found_from_own_organization(
    world, objects, api_as, url
):
    response = api_as(world.outsider).get(url.format(**objects))
    assert response.status_code == 404


def test_api_list_never_shows_another_organizations_rows(world, objects, api_as):
    members = api_as(world.outsider).get("/api/v1/members/").json()["results"]
    assert {m["email"] for m in members} == {"owner@other.test"}
    events = api_as(world.outsider).get("/api/v1/audit-events/").json()["results"]
    assert all(e["id"] != objects["event"] for e in events)
