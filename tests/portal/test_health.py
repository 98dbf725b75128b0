import pytest

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_reports_unreachable_broker_with_503(client, monkeypatch):
    from celery import Celery

    monkeypatch.setattr(
        "portal.health.celery_app", Celery(broker="redis://127.0.0.1:1/0", set_as_current=False)
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"].startswith("error:")
