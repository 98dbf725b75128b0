"""Audit events name their target as the API does, and filter by it (issue 18).

The stored target stays the sealed value (``consent:<row id>``); the API derives the public id
when it reads the event, so the hash chain is untouched and still verifies.
"""

import pytest

from audit.actors import Actor
from audit.models import AuditEvent
from audit.services import audit_record
from tests.recognition.conftest import make_rec_world

pytestmark = pytest.mark.django_db

URL = "/api/v1/audit-events/"


@pytest.fixture
def two_consents(world):
    rec = make_rec_world(world)
    ann, bo = rec.subject("Ann"), rec.subject("Bo")
    return rec, (ann, rec.consent(ann)), (bo, rec.consent(bo))


def _events(client, **params):
    response = client.get(URL, {"page_size": 200, **params})
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_consent_events_show_the_consents_uuid_and_filter_by_it(world, api_as, two_consents):
    _rec, (_ann, consent), (_bo, other) = two_consents
    client = api_as(world.owner)
    events = _events(client, target=str(consent.public_id))
    assert events
    assert {e["target"]["type"] for e in events} == {"consent"}
    assert {e["target"]["id"] for e in events} == {str(consent.public_id)}
    # The sealed values are unchanged: the row id, as recorded.
    assert {e["target_id"] for e in events} == {str(consent.pk)}
    other_ids = {e["id"] for e in _events(client, target=str(other.public_id))}
    assert other_ids and not other_ids & {e["id"] for e in events}


def test_subject_events_show_the_pseudonym_and_filter_by_it(world, api_as, two_consents):
    _rec, (ann, _consent), _other = two_consents
    audit_record(
        organization_id=world.org.pk,
        actor=Actor.system("test"),
        action="subject.updated",
        target_type="subject",
        target_id=ann.pk,
    )
    events = _events(api_as(world.owner), target=str(ann.pseudonym))
    assert "subject.updated" in {e["action"] for e in events}
    assert {(e["target"]["type"], e["target"]["id"]) for e in events} == {
        ("subject", str(ann.pseudonym))
    }


def test_targets_already_public_are_shown_and_filtered_as_stored(world, api_as, two_consents):
    rec, *_ = two_consents
    audit_record(
        organization_id=world.org.pk,
        actor=Actor.system("test"),
        action="deployment.suspended",
        target_type="deployment",
        target_id=rec.deployment.pk,
    )
    events = _events(api_as(world.owner), target=str(rec.deployment.pk), target_type="deployment")
    assert [e["target"] for e in events] == [{"type": "deployment", "id": str(rec.deployment.pk)}]


def test_another_organizations_consent_names_nothing(world, api_as, two_consents):
    _rec, (_ann, consent), _other = two_consents
    assert _events(api_as(world.outsider), target=str(consent.public_id)) == []


def test_reading_targets_leaves_the_chain_verifiable(world, api_as, two_consents):
    client = api_as(world.owner)
    before = list(AuditEvent.objects.values_list("pk", "target_type", "target_id"))
    _events(client)
    report = client.post(f"{URL}verify/").json()
    assert report["ok"] is True and report["checked"] >= len(before)
    after = AuditEvent.objects.filter(pk__in=[pk for pk, *_ in before])
    assert sorted(after.values_list("pk", "target_type", "target_id")) == sorted(before)


def test_an_overlong_target_is_a_400(world, api_as):
    response = api_as(world.owner).get(URL, {"target": "x" * 65})
    assert response.status_code == 400 and "target" in response.json()["details"]
