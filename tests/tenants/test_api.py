import pytest

pytestmark = pytest.mark.django_db


def test_owner_reads_own_organization(world, api_as):
    response = api_as(world.owner).get("/api/v1/organization/")
    assert response.status_code == 200
    assert response.json()["slug"] == "acme"
