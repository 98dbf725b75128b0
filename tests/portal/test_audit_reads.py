"""Reading the audit log is itself audited, and its checkpoints and exports are downloadable.

R31: read access to the record of processing is recorded, as one event per query (issue 16).
"""

import pytest
from django.urls import reverse

from audit.actors import Actor
from audit.models import AuditEvent
from audit.offline import verify_export
from audit.services import audit_record, audit_seal_pending, audit_verifier_key
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(world):
    for i in range(60):
        audit_record(organization_id=world.org.pk, actor=Actor.system(), action=f"t.{i}")
    audit_seal_pending()


def _viewed(org):
    return AuditEvent.objects.filter(organization=org, action="audit.viewed")


def test_r31_reading_the_log_in_the_panel_writes_one_event_per_page(world, logged, client):
    sign_in(client, world.auditor)

    response = client.get(reverse("panel:audit", args=[world.org.slug]))

    assert response.status_code == 200
    (event,) = _viewed(world.org)
    assert event.actor_label and event.details["rows"] == 50


def test_r31_reading_the_log_through_the_api_writes_one_event_per_request(
    world, logged, api_key_client
):
    client = api_key_client(world.org, "auditor")

    response = client.get("/api/v1/audit-events/", {"action_prefix": "t."})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 50
    (event,) = _viewed(world.org)
    assert event.details["query"] == {"action_prefix": "t."}


def test_checkpoint_and_verifiable_export_download_and_verify_offline(world, logged, client):
    sign_in(client, world.auditor)
    checkpoint = client.get(reverse("panel:audit_checkpoint", args=[world.org.slug]))
    key = client.get(reverse("panel:audit_verifier_key", args=[world.org.slug]))
    audit_record(organization_id=world.org.pk, actor=Actor.system(), action="t.later")

    export = client.get(reverse("panel:audit_verifiable_export", args=[world.org.slug]))

    assert checkpoint.status_code == export.status_code == 200
    assert key.content.decode().strip() == audit_verifier_key()
    outcome = verify_export(export.json(), key.content.decode(), [checkpoint.content.decode()])
    assert outcome.ok, outcome.problems
    assert AuditEvent.objects.filter(organization=world.org, action="audit.exported").count() == 1


def test_api_partial_export_proves_single_events(world, logged, api_key_client):
    client = api_key_client(world.org, "auditor")
    first = client.get("/api/v1/audit-events/checkpoint/").json()
    wanted = list(
        AuditEvent.objects.filter(organization=world.org, action="t.3").values_list("pk", flat=True)
    )

    response = client.get(
        "/api/v1/audit-events/verifiable-export/",
        {"event": wanted, "consistency_from": first["tree_size"]},
    )

    bundle = response.json()
    assert [e["event_id"] for e in bundle["events"]] == wanted
    outcome = verify_export(bundle, first["verifier_key"], [first["note"]])
    assert outcome.ok, outcome.problems


def test_outsiders_get_404_for_checkpoints_and_exports(world, logged, client):
    sign_in(client, world.outsider)
    for name in ("panel:audit_checkpoint", "panel:audit_verifiable_export"):
        assert client.get(reverse(name, args=[world.org.slug])).status_code == 404
