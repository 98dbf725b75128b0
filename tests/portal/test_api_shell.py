import pytest

pytestmark = pytest.mark.django_db


def test_openapi_schema_lists_the_routes(world, api_as):
    response = api_as(world.owner).get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for route in [
        "/api/v1/organization/",
        "/api/v1/members/",
        "/api/v1/invitations/",
        "/api/v1/invitations/{id}/revoke/",
        "/api/v1/api-keys/{id}/revoke/",
        "/api/v1/audit-events/",
        "/api/v1/audit-events/verify/",
    ]:
        assert route in paths


def test_interactive_docs_load_their_assets_from_this_server(world, client, panel_as):
    page = panel_as(world.owner).get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()
    asset = next(
        part.split('"')[0] for part in html.split('src="')[1:] if "swagger-ui-bundle" in part
    )
    assert client.get(asset).status_code == 200


def test_unknown_api_route_answers_json_404(world, api_as):
    response = api_as(world.owner).get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_request_id_is_echoed_and_recorded(world, api_as):
    client = api_as(world.owner)
    response = client.post(
        "/api/v1/api-keys/",
        {"name": "k", "role": "auditor"},
        format="json",
        HTTP_X_REQUEST_ID="trace-42",
    )
    assert response["X-Request-ID"] == "trace-42"
    from audit.models import AuditEvent

    event = AuditEvent.objects.get(action="api_key.created")
    assert event.request_id == "trace-42"
    assert event.actor_label == "owner@acme.test"


def test_pagination_and_page_size(world, api_as):
    from audit.actors import Actor
    from audit.services import audit_record

    for i in range(7):
        audit_record(organization_id=world.org.pk, actor=Actor.system(), action=f"p.{i}")
    body = api_as(world.owner).get("/api/v1/audit-events/?page_size=3").json()
    assert body["count"] == 7
    assert len(body["results"]) == 3
    assert body["next"]
