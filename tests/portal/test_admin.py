"""Django's admin for platform staff (issue 19): every model, read only, behind a second factor,
personal data one organization at a time and audited, actions through the services."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from tenants.models import ApiKey
from tests.factories import SubjectFactory

pytestmark = pytest.mark.django_db

APPS = ("tenants", "audit", "outbox", "governance", "consent", "recognition", "dsr")


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user(
        "platform@example.org", "platform@example.org", "pw-platform-1", is_staff=True
    )


def _signed_in(user, *, second_factor=True) -> Client:
    client = Client()
    client.force_login(user)
    if second_factor:
        device = TOTPDevice.objects.create(user=user, name="admin", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _url(model, view="changelist", *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_model_of_the_product_is_in_the_admin():
    missing = [
        model._meta.label
        for label in APPS
        for model in apps.get_app_config(label).get_models()
        if not admin.site.is_registered(model)
    ]
    assert missing == []


def test_the_admin_asks_staff_for_a_second_factor_and_refuses_everyone_else(world, staff):
    anonymous = Client().get("/admin/", follow=True)
    assert anonymous.redirect_chain[-1][0].startswith(reverse("login"))
    no_factor = _signed_in(staff, second_factor=False).get("/admin/", follow=True)
    assert no_factor.redirect_chain[-1][0].startswith(reverse("second_factor_setup"))
    owner = _signed_in(world.owner)
    assert owner.get("/admin/", follow=True).status_code == 403
    assert _signed_in(staff).get("/admin/").status_code == 200


def test_every_list_and_object_page_opens_read_only(world, staff):
    SubjectFactory(organization=world.org)
    client = _signed_in(staff)
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            scoped = any(f.name == "organization" for f in model._meta.fields)
            query = {"organization__id__exact": world.org.pk} if scoped else {}
            listing = client.get(_url(model), query)
            assert listing.status_code == 200, model._meta.label
            assert client.get(_url(model, "add")).status_code == 403, model._meta.label
            row = model.objects.first()
            if row is not None:
                page = client.get(_url(model, "change", row.pk))
                assert page.status_code == 200, model._meta.label
                assert b'name="_save"' not in page.content, model._meta.label
                assert client.post(_url(model, "delete", row.pk)).status_code == 403


def test_personal_data_is_listed_one_organization_at_a_time_and_audited(world, staff):
    subject = SubjectFactory(organization=world.org, display_name="Wang Fang")
    SubjectFactory(organization=world.outsider_org, display_name="Li Lei")
    client = _signed_in(staff)
    from consent.models import Subject

    assert b"Wang Fang" not in client.get(_url(Subject)).content
    assert not AuditEvent.objects.filter(action="admin.viewed").exists()
    listing = client.get(_url(Subject), {"organization__id__exact": world.org.pk})
    assert b"Wang Fang" in listing.content and b"Li Lei" not in listing.content
    client.get(_url(Subject, "change", subject.pk))
    events = AuditEvent.objects.filter(action="admin.viewed").order_by("pk")
    assert [(e.organization_id, e.details["view"]) for e in events] == [
        (world.org.pk, "list"),
        (world.org.pk, "object"),
    ]
    assert events[0].actor_label == staff.email


def test_secrets_are_never_shown_and_keys_are_revoked_through_the_service(
    world, staff, api_key_client
):
    key = api_key_client(world.org, role="operator").api_key
    client = _signed_in(staff)
    page = client.get(_url(ApiKey, "change", key.pk))
    assert page.status_code == 200
    assert key.key_hash.encode() not in page.content
    response = client.post(
        _url(ApiKey), {"action": "revoke_keys", "_selected_action": [key.pk]}, follow=True
    )
    assert response.status_code == 200
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_key.revoked", target_id=str(key.pk)).exists()
