"""The incident register (R34) and its effect on assessments (R29)."""

import pytest

from governance.models import Deployment, Incident
from governance.services import (
    deployment_activate,
    incident_close,
    incident_create,
    incident_record_notification,
    incident_update,
)
from tenants.errors import ApplicationError, Conflict, UnknownReference
from tests.factories import IncidentFactory
from tests.governance.conftest import make_ready

pytestmark = pytest.mark.django_db

FIELDS = {
    "title": "Gallery export leaked",
    "data_types": "Face templates and names",
    "cause": "A misconfigured backup bucket",
    "possible_harm": "Impersonation at the gate",
    "remedial_measures": "Bucket closed, templates re-enrolled",
    "individual_steps": "Re-enroll at reception; watch for unknown entries",
    "contact": "pi@acme.test, +86 21 5555 0000",
}


def test_r34_incident_records_every_art57_field(world, actor):
    incident, stale = incident_create(
        organization=world.org, actor=actor, severity="minor", affected_count=12, **FIELDS
    )
    for field, value in FIELDS.items():
        assert getattr(incident, field) == value
    assert stale == [] and incident.status == "open"


def test_r34_missing_notification_fields_create_nothing(world, actor, api_as):
    with pytest.raises(ApplicationError, match="possible harm"):
        incident_create(
            organization=world.org, actor=actor, severity="minor", **{**FIELDS, "possible_harm": ""}
        )
    response = api_as(world.owner).post(
        "/api/v1/incidents/", {"title": "x", "severity": "major"}, format="json"
    )
    assert response.status_code == 400
    assert not Incident.objects.exists()


def test_r34_major_incident_makes_assessment_stale_and_suspends_nothing(world, actor):
    deployment = make_ready(world.org)
    deployment_activate(deployment=deployment, actor=actor)
    incident, stale = incident_create(
        organization=world.org, actor=actor, severity="major", deployment=deployment, **FIELDS
    )
    assessment = deployment.assessments.get()
    assert stale == [assessment.pk]
    assessment.refresh_from_db()
    assert assessment.status == "stale" and "Major incident" in assessment.stale_reason
    assert Deployment.objects.get(pk=deployment.pk).status == "active"


def test_raising_severity_to_major_makes_assessments_stale(world, actor):
    deployment = make_ready(world.org)
    incident = IncidentFactory(organization=world.org, deployment=deployment)
    _incident, stale = incident_update(incident=incident, actor=actor, severity="major")
    assert stale == [deployment.assessments.get().pk]


def test_notification_and_closing(world, actor):
    incident = IncidentFactory(organization=world.org)
    incident_record_notification(incident=incident, actor=actor, authorities=True)
    incident = incident_close(incident=incident, actor=actor)
    assert incident.authorities_notified_at and incident.individuals_notified_at is None
    with pytest.raises(Conflict):
        incident_update(incident=incident, actor=actor, title="new")


def test_api_major_incident_reports_stale_assessments(world, api_as):
    deployment = make_ready(world.org)
    response = api_as(world.dpo).post(
        "/api/v1/incidents/",
        {**FIELDS, "severity": "major", "deployment": deployment.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["stale_assessments"] == [deployment.assessments.get().pk]


# --- R33: an incident cites only its own organization's subjects and deployments -------------


def test_r33_incident_cannot_cite_another_organizations_subject(world, actor):
    from tests.factories import SubjectFactory

    mine = SubjectFactory(organization=world.org)
    theirs = SubjectFactory(organization=world.outsider_org)
    never = "00000000-0000-4000-8000-000000000000"
    with pytest.raises(UnknownReference, match="affected_subjects") as refused:
        incident_create(
            organization=world.org,
            actor=actor,
            severity="minor",
            affected_subjects=[str(mine.pseudonym), str(theirs.pseudonym), never, "nonsense"],
            **FIELDS,
        )
    # The other organization's pseudonym is refused exactly like one that never existed.
    assert refused.value.details == {
        "field": "affected_subjects",
        "values": [str(theirs.pseudonym), never, "nonsense"],
    }
    assert not Incident.objects.exists()


def test_r33_incident_update_cannot_cite_another_organizations_subject(world, actor):
    from tests.factories import SubjectFactory

    incident = IncidentFactory(organization=world.org, affected_subjects=[])
    theirs = SubjectFactory(organization=world.outsider_org)
    with pytest.raises(UnknownReference, match="affected_subjects"):
        incident_update(incident=incident, actor=actor, affected_subjects=[str(theirs.pseudonym)])
    incident.refresh_from_db()
    assert incident.affected_subjects == []


def test_r33_incident_stores_its_own_subjects_once_in_canonical_form(world, actor):
    from tests.factories import SubjectFactory

    mine = SubjectFactory(organization=world.org)
    cited = str(mine.pseudonym)
    incident, _stale = incident_create(
        organization=world.org,
        actor=actor,
        severity="minor",
        affected_subjects=[cited.upper(), cited],
        **FIELDS,
    )
    assert incident.affected_subjects == [cited]


def test_r33_api_incident_with_another_organizations_subject_is_400_naming_it(world, api_as):
    from tests.factories import SubjectFactory

    theirs = SubjectFactory(organization=world.outsider_org)
    body = {**FIELDS, "severity": "minor", "affected_subjects": [str(theirs.pseudonym)]}
    response = api_as(world.owner).post("/api/v1/incidents/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_reference"
    assert str(theirs.pseudonym) in response.json()["message"]
    assert response.json()["message"].startswith("affected_subjects: ")
    assert not Incident.objects.exists()


def test_r33_incident_cannot_name_another_organizations_deployment(world, actor):
    from tests.factories import DeploymentFactory

    theirs = DeploymentFactory(organization=world.outsider_org)
    with pytest.raises(UnknownReference, match="deployment"):
        incident_create(
            organization=world.org, actor=actor, severity="minor", deployment=theirs, **FIELDS
        )
