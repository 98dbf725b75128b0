"""API rate limits per caller and per organization, per route class (portal/api/throttling.py).

Each test sets tiny limits and counts in a cache of its own (a fresh key prefix), so it neither
sees another test's counts nor slows the suite, whose own limits are out of reach.
"""

import json
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from audit.actors import Actor
from audit.models import AuditEvent
from tenants.services import organization_update

pytestmark = pytest.mark.django_db

ORG = "/api/v1/organization/"
BIG = 10_000


@pytest.fixture
def limits(settings):
    """Return ``set(read=(key, org), write=..., upload=...)``: tiny limits, fresh counters."""
    cache = dict(settings.CACHES["default"])
    cache["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {"default": cache}

    def set_limits(**classes):
        settings.API_RATE_LIMITS = {
            route_class: dict(
                zip(("key", "organization"), classes.get(route_class, (BIG, BIG)), strict=True)
            )
            for route_class in ("read", "write", "upload")
        }
        settings.API_RATE_LIMIT_CEILINGS = {
            route_class: {"key": 10 * BIG, "organization": 10 * BIG}
            for route_class in ("read", "write", "upload")
        }

    set_limits()
    return set_limits


def _refusal(response) -> dict:
    assert response.status_code == 429, response.content
    body = response.json()
    assert body["code"] == "rate_limited"
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    assert body["details"]["retry_after"] == retry_after
    return body


def test_an_api_key_over_its_read_limit_gets_429_with_retry_after(world, api_key_client, limits):
    limits(read=(3, BIG))
    client = api_key_client(world.org)

    assert [client.get(ORG).status_code for _ in range(3)] == [200, 200, 200]
    body = _refusal(client.get(ORG))

    assert body["details"] | {"retry_after": None} == {
        "scope": "key",
        "route_class": "read",
        "limit": 3,
        "window": 60,
        "retry_after": None,
    }
    assert "limit is 3 per 60 s" in body["message"]
    # Another key of the same organization has a count of its own.
    assert api_key_client(world.org).get(ORG).status_code == 200


def test_the_organization_limit_counts_every_key_of_the_organization(world, api_key_client, limits):
    limits(read=(BIG, 4))
    first, second = api_key_client(world.org), api_key_client(world.org, "auditor")

    statuses = [client.get(ORG).status_code for client in (first, second, first, second)]
    body = _refusal(first.get(ORG))

    assert statuses == [200, 200, 200, 200]
    assert body["details"]["scope"] == "organization"
    assert body["details"]["limit"] == 4
    assert _refusal(second.get(ORG))["details"]["scope"] == "organization"


def test_another_organization_is_unaffected_by_one_at_its_limit(world, api_key_client, limits):
    limits(read=(BIG, 2))
    busy, calm = api_key_client(world.org), api_key_client(world.outsider_org)
    busy.get(ORG), busy.get(ORG)

    _refusal(busy.get(ORG))

    assert [calm.get(ORG).status_code for _ in range(2)] == [200, 200]


def test_read_write_and_upload_are_counted_apart(world, api_key_client, limits):
    limits(read=(1, BIG), write=(1, BIG), upload=(1, BIG))
    client = api_key_client(world.org)

    assert client.get(ORG).status_code == 200
    assert _refusal(client.get(ORG))["details"]["route_class"] == "read"
    # Still one write, and one upload (refused for its empty body, but counted), each.
    assert client.patch(ORG, {}, format="json").status_code == 200
    assert _refusal(client.patch(ORG, {}, format="json"))["details"]["route_class"] == "write"
    assert client.post("/api/v1/enrollments/", {}).status_code == 400
    refused = _refusal(client.post("/api/v1/recognition-jobs/", {}))
    assert refused["details"]["route_class"] == "upload"


def test_a_signed_in_person_is_counted_like_a_key(world, api_as, limits):
    limits(write=(2, BIG))
    client = api_as(world.owner)

    assert [client.patch(ORG, {}, format="json").status_code for _ in range(2)] == [200, 200]

    assert _refusal(client.patch(ORG, {}, format="json"))["details"]["scope"] == "key"
    assert api_as(world.dpo).get(ORG).status_code == 200


def test_an_anonymous_caller_is_counted_by_address(db, limits):
    limits(write=(2, BIG))
    verify = "/api/v1/receipts/verify/"
    here, elsewhere = APIClient(REMOTE_ADDR="10.0.0.7"), APIClient(REMOTE_ADDR="10.0.0.8")

    assert [here.post(verify, {}, format="json").status_code for _ in range(2)] == [400, 400]

    _refusal(here.post(verify, {}, format="json"))
    assert elsewhere.post(verify, {}, format="json").status_code == 400


def test_the_count_starts_again_in_the_next_window(world, api_key_client, limits):
    limits(read=(1, BIG))
    client = api_key_client(world.org)
    start = timezone.now().replace(second=5, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(start, tick=False) as traveller:
        assert client.get(ORG).status_code == 200
        assert int(_refusal(client.get(ORG))["details"]["retry_after"]) == 55
        traveller.shift(timedelta(seconds=56))
        assert client.get(ORG).status_code == 200


def test_an_organization_override_applies_to_that_organization_only(world, api_key_client, limits):
    limits(read=(BIG, BIG))
    organization_update(
        organization=world.org, actor=Actor.system("test"), rate_limits={"read": {"key": 2}}
    )
    ours, theirs = api_key_client(world.org), api_key_client(world.outsider_org)

    assert [ours.get(ORG).status_code for _ in range(2)] == [200, 200]
    assert _refusal(ours.get(ORG))["details"]["limit"] == 2
    assert [theirs.get(ORG).status_code for _ in range(5)] == [200] * 5


def test_the_owner_sets_the_organizations_limits_through_the_api(world, api_as, limits):
    limits()
    client = api_as(world.owner)

    response = client.patch(
        ORG, {"rate_limits": {"upload": {"key": 5, "organization": 20}}}, format="json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["rate_limits"] == {"upload": {"key": 5, "organization": 20}}
    assert body["rate_limits_in_force"]["upload"] == {"key": 5, "organization": 20}
    assert body["rate_limits_in_force"]["read"] == {"key": BIG, "organization": BIG}
    assert body["rate_limits_in_force"]["window_seconds"] == 60
    world.org.refresh_from_db()
    assert world.org.rate_limits == {"upload": {"key": 5, "organization": 20}}
    event = AuditEvent.objects.filter(action="organization.updated").latest("id")
    assert event.details["rate_limits"] == {
        "from": {},
        "to": {"upload": {"key": 5, "organization": 20}},
    }
    # null (or {}) goes back to the defaults.
    cleared = client.patch(ORG, {"rate_limits": None}, format="json").json()
    assert cleared["rate_limits"] == {}


@pytest.mark.parametrize(
    ("rate_limits", "code", "field"),
    [
        ({"upload": {"key": 0}}, "invalid", "rate_limits"),
        ({"upload": {"key": "5"}}, "invalid", "rate_limits"),
        ({"uplaod": {"key": 5}}, "invalid", "rate_limits"),
        ({"upload": {"per_ip": 5}}, "invalid", "rate_limits"),
        ({"upload": {"key": 10 * BIG + 1}}, "invalid_rate_limits", "upload.key"),
    ],
)
def test_invalid_limits_are_refused_naming_the_field(
    world, api_as, limits, rate_limits, code, field
):
    limits()

    response = api_as(world.owner).patch(ORG, {"rate_limits": rate_limits}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert field in response.json()["details"]
    world.org.refresh_from_db()
    assert world.org.rate_limits == {}


def test_only_the_owner_may_change_the_limits(world, api_as, limits):
    limits()

    response = api_as(world.dpo).patch(ORG, {"rate_limits": {"read": {"key": 1}}}, format="json")

    assert response.status_code == 403
    world.org.refresh_from_db()
    assert world.org.rate_limits == {}


def test_the_owner_sets_the_limits_on_the_panels_organization_page(world, panel_as, limits):
    limits()
    client = panel_as(world.owner)
    page = client.get("/o/acme/settings/").content.decode()
    assert 'name="rate_limit_upload_key"' in page and f'placeholder="{BIG}"' in page
    form = {"name": "Acme Security", "jurisdiction": "CN"}

    saved = client.post("/o/acme/settings/", form | {"rate_limit_upload_organization": "30"})
    too_high = client.post("/o/acme/settings/", form | {"rate_limit_read_key": str(10 * BIG + 1)})

    assert saved.status_code == 302
    assert too_high.status_code == 200
    assert "rate_limit_read_key" in too_high.context["form"].errors
    world.org.refresh_from_db()
    assert world.org.rate_limits == {"upload": {"organization": 30}}


def test_a_cache_that_does_not_answer_lets_requests_through(
    world, api_key_client, limits, monkeypatch
):
    import redis
    from django.core.cache import caches

    limits(read=(1, 1))

    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(type(caches["default"]), "add", down)
    # The throttle counts through Redis itself (one script for both counts).
    monkeypatch.setattr(redis.Redis, "execute_command", down)
    client = api_key_client(world.org)

    assert [client.get(ORG).status_code for _ in range(3)] == [200, 200, 200]


def test_the_schema_documents_429_with_retry_after(world, api_as):
    schema = api_as(world.owner).get("/api/v1/schema/", {"format": "json"}).json()

    for path, operation in (("/api/v1/organization/", "get"), ("/api/v1/enrollments/", "post")):
        too_many = schema["paths"][path][operation]["responses"]["429"]
        assert too_many["headers"]["Retry-After"]["schema"]["type"] == "integer"
        # The error schema has one component per status (issue 18), its codes an enum.
        assert too_many["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error429"
        }
    assert "rate_limited" in json.dumps(schema["components"]["schemas"]["Error429"])
