"""An API key's principal remembered by a web process (tenants.principal_cache, issue 15 P7):
whatever changes what a key may do ends the memory at once, here and in other processes."""

import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from audit.actors import Actor
from tenants import principal_cache
from tenants.models import ApiKey, Membership
from tenants.services import api_key_revoke, membership_change_role

pytestmark = pytest.mark.django_db

MEMBERS = reverse("api:member-list")
AUDIT = reverse("api:audit-event-list")


@pytest.fixture(autouse=True)
def remembered(settings, monkeypatch):
    settings.API_PRINCIPAL_CACHE_SECONDS = 300
    # A generation of this test's own: another process on the same Redis (a worker, another
    # test run) raising the shared one would end the entries these tests rely on.
    monkeypatch.setattr(principal_cache, "GENERATION_KEY", f"test-generation:{uuid.uuid4()}")
    principal_cache._entries.clear()


@pytest.fixture
def owner_key(world, api_key_client):
    client = api_key_client(world.org, role="owner")
    assert client.get(MEMBERS).status_code == 200  # the principal is remembered from here on
    return client


def test_a_revoked_key_is_refused_at_its_next_request(owner_key):
    api_key_revoke(api_key=owner_key.api_key, actor=Actor.system("test"))
    response = owner_key.get(MEMBERS)
    assert response.status_code == 401
    assert response.json()["message"] == "This API key has been revoked."


def test_a_changed_role_takes_effect_at_the_next_request(world, api_key_client):
    key = api_key_client(world.org, role="operator")
    assert key.get(MEMBERS).status_code == 403  # remembered as an operator
    membership = Membership.objects.get(user=key.api_key.user, organization=world.org)
    membership_change_role(membership=membership, actor=Actor.system("test"), role="owner")
    assert key.get(MEMBERS).status_code == 200


def test_a_lowered_role_takes_effect_at_the_next_request(world, api_key_client):
    key = api_key_client(world.org, role="auditor")
    assert key.get(AUDIT).status_code == 200  # remembered as an auditor
    membership = Membership.objects.get(user=key.api_key.user, organization=world.org)
    membership_change_role(membership=membership, actor=Actor.system("test"), role="operator")
    assert key.get(AUDIT).status_code == 403


def test_another_process_change_ends_the_entry_through_the_shared_generation(owner_key):
    # A bulk update sends no signal: this process still holds the entry (the memory is real)...
    ApiKey.objects.filter(pk=owner_key.api_key.pk).update(revoked_at=timezone.now())
    assert owner_key.get(MEMBERS).status_code == 200
    # ...until the generation moves, as principals_changed in any other process moves it.
    try:
        cache.incr(principal_cache.GENERATION_KEY)
    except ValueError:
        cache.set(principal_cache.GENERATION_KEY, 1, timeout=None)
    assert owner_key.get(MEMBERS).status_code == 401


def test_an_entry_lives_no_longer_than_the_setting(settings, owner_key):
    settings.API_PRINCIPAL_CACHE_SECONDS = 0
    ApiKey.objects.filter(pk=owner_key.api_key.pk).update(revoked_at=timezone.now())
    assert owner_key.get(MEMBERS).status_code == 401


def test_without_the_cache_every_request_reads_the_database(monkeypatch, owner_key):
    def unavailable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(principal_cache.cache, "get", unavailable)
    assert owner_key.get(MEMBERS).status_code == 200
    ApiKey.objects.filter(pk=owner_key.api_key.pk).update(revoked_at=timezone.now())
    assert owner_key.get(MEMBERS).status_code == 401


def test_what_one_request_sets_on_its_key_stays_with_that_request(owner_key):
    key_hash = next(iter(principal_cache._entries))
    first = principal_cache.api_key_principal(key_hash, lambda: None)
    first.name = "changed by one request"
    first.user.first_name = "changed too"
    second = principal_cache.api_key_principal(key_hash, lambda: None)
    assert second.name != "changed by one request"
    assert second.user.first_name != "changed too"
