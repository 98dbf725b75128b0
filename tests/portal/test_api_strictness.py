"""What fuzzing the API found, pinned one by one (issue 15): each answers 400, 404 or in schema."""

import pytest

pytestmark = pytest.mark.django_db


def test_json_body_must_use_json_types(world, api_as):
    client = api_as(world.owner)
    response = client.post("/api/v1/api-keys/", {"name": 0, "role": "owner"}, format="json")
    assert response.status_code == 400 and "name" in response.json()["details"]
    # A form can only send strings, and still may.
    response = client.post("/api/v1/api-keys/", {"name": "0", "role": "owner"})
    assert response.status_code == 201


@pytest.mark.parametrize("query", ["page=", "page=abc", "page_size=0", "page_size=x&page_size=2"])
def test_pagination_parameters_must_be_positive_integers(world, api_as, query):
    response = api_as(world.owner).get(f"/api/v1/members/?{query}")
    assert response.status_code == 400
    assert set(response.json()["details"]) <= {"page", "page_size"}


def test_empty_typed_filter_is_refused_but_empty_text_filter_is_not(world, api_as):
    client = api_as(world.owner)
    response = client.get("/api/v1/audit-events/?until=")
    assert response.status_code == 400 and "until" in response.json()["details"]
    assert client.get("/api/v1/audit-events/?action=").status_code == 200


def test_webhook_endpoint_not_set_is_a_404_in_the_error_shape(world, api_as):
    response = api_as(world.owner).get("/api/v1/webhook-endpoint/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("body", ["", "[1, 2]", '"text"'])
def test_receipt_verification_needs_a_json_object(client, body):
    response = client.post("/api/v1/receipts/verify/", body, content_type="application/json")
    assert response.status_code == 400


def test_patch_member_without_a_role_changes_nothing(world, api_as):
    from tenants.models import Membership

    membership = Membership.objects.get(organization=world.org, user=world.dpo)
    response = api_as(world.owner).patch(f"/api/v1/members/{membership.pk}/", {}, format="json")
    assert response.status_code == 200 and response.json()["role"] == "dpo"


def test_schema_lists_error_answers_and_unpaginated_actions():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    receipts = schema["paths"]["/api/v1/consents/{id}/receipts/"]["get"]
    assert receipts["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
    assert {"400", "401", "403", "404"} <= set(receipts["responses"])
    jobs = schema["paths"]["/api/v1/recognition-jobs/"]["post"]["requestBody"]["content"]
    assert list(jobs) == ["multipart/form-data"]
    subjects = schema["paths"]["/api/v1/subjects/"]["post"]["requestBody"]["content"]
    assert list(subjects) == ["application/json"]
