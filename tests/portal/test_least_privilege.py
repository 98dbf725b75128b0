"""New members and API keys start with the least privileged role (R33: least privilege)."""

import re

import pytest
from django.urls import reverse

from tenants.models import ApiKey, Invitation

pytestmark = pytest.mark.django_db


def _selected_role(html: str) -> str:
    select = re.search(r'<select name="role"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.search(r'<option value="(\w+)"[^>]*selected', select).group(1)


@pytest.mark.parametrize("page", ["members", "api_keys"])
def test_r33_role_defaults_to_auditor_on_new_grants(world, panel_as, page):
    html = panel_as(world.owner).get(reverse(f"panel:{page}", args=[world.org.slug])).content
    assert _selected_role(html.decode()) == "auditor"


def test_r33_api_creates_keys_and_invitations_as_auditor_when_no_role_is_named(world, api_as):
    client = api_as(world.owner)
    response = client.post("/api/v1/api-keys/", {"name": "door"}, format="json")
    assert response.status_code == 201, response.json()
    assert ApiKey.objects.get(name="door").role == "auditor"
    response = client.post("/api/v1/invitations/", {"email": "new@example.org"}, format="json")
    assert response.status_code == 201, response.json()
    assert Invitation.objects.get(email="new@example.org").role == "auditor"
