import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from tenants.models import Membership, Organization

pytestmark = pytest.mark.django_db


def test_create_organization_command(db):
    out = io.StringIO()
    call_command(
        "create_organization",
        "--name",
        "Metro",
        "--slug",
        "metro",
        "--owner-email",
        "boss@metro.test",
        stdout=out,
    )
    org = Organization.objects.get(slug="metro")
    assert Membership.objects.get(organization=org).role == "owner"
    assert out.getvalue().strip().splitlines()[-1] == "metro"


def test_create_organization_command_refuses_a_taken_slug(world):
    with pytest.raises(CommandError, match="already taken"):
        call_command(
            "create_organization", "--name", "X", "--slug", "acme", "--owner-email", "a@b.test"
        )


def test_create_api_key_prints_the_working_key_alone_on_its_last_line(world):
    out = io.StringIO()
    call_command("create_api_key", "--org", "acme", "--role", "auditor", "--name", "ci", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    assert key.startswith("fcp_") and " " not in key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/audit-events/").status_code == 200


def test_create_api_key_for_unknown_organization_fails_clearly(db):
    with pytest.raises(CommandError, match="no organization with slug 'ghost'"):
        call_command("create_api_key", "--org", "ghost", "--role", "owner")


def test_seed_demo_is_idempotent(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")  # the demo stores a signage photo
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    org = Organization.objects.get(slug="demo")
    assert Membership.objects.filter(organization=org).count() == 4
