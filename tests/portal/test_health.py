import pytest

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.fixture
def broker_down(monkeypatch):
    from celery import Celery

    monkeypatch.setattr(
        "portal.health.celery_app", Celery(broker="redis://127.0.0.1:1/0", set_as_current=False)
    )


def test_healthz_answers_503_and_status_only_when_the_broker_is_down(client, broker_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    # No error text, class name or broker address for an anonymous caller (issue 15).
    assert response.json() == {"status": "error"}
    assert b"127.0.0.1" not in response.content and b"Error" not in response.content


def test_healthz_details_for_signed_in_platform_staff(client, broker_down):
    from tests.factories import UserFactory

    staff = UserFactory(username="ops@platform.test", is_staff=True)
    client.force_login(staff)
    body = client.get("/healthz").json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error:")


def test_healthz_keeps_details_from_organization_staff_who_are_not_platform_staff(
    world, panel_as, broker_down
):
    assert panel_as(world.owner).get("/healthz").json() == {"status": "error"}
