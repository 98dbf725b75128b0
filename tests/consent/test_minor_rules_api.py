"""Minor-data rules (R15) refuse an address longer than the column with 400 (issue 15, fuzzing)."""

import pytest

from consent.models import MinorDataRules

pytestmark = pytest.mark.django_db


def test_minor_rules_url_over_200_characters_is_a_400_naming_the_field(world, api_as):
    url = "https://rules.example/" + "a" * 190
    response = api_as(world.owner).post(
        "/api/v1/minor-rules/", {"title": "Children", "body": "Guardian only.", "url": url}
    )
    assert response.status_code == 400
    assert "url" in response.json()["details"]
    assert not MinorDataRules.objects.exists()


def test_minor_rules_url_of_200_characters_is_kept(world, api_as):
    url = "https://rules.example/" + "a" * 178
    response = api_as(world.owner).post(
        "/api/v1/minor-rules/", {"title": "Children", "body": "Guardian only.", "url": url}
    )
    assert response.status_code == 201, response.json()
    assert MinorDataRules.objects.get().url == url
