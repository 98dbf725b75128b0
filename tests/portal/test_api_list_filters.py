"""Every list of the API filters by what its schema declares, and orders as declared (issue 18).

The test reads the operations from the live OpenAPI schema, so a filter added later without a
case here fails: a filter that is accepted but ignored (``/enrollments/?subject=`` once returned
every enrollment) answers with rows it should have left out. For each declared filter the data
holds a row it must keep and a row it must drop; a wrong-typed value is a 400 naming the
parameter, never a 500 and never "no filter".
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from audit.actors import Actor
from tests.recognition.conftest import make_rec_world

pytestmark = pytest.mark.django_db

PAGING = {"page", "page_size", "ordering"}


def _schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _list_operations():
    """Return ``[(operationId, path, {param: schema})]`` of every paginated list."""
    found = []
    for path, item in _schema()["paths"].items():
        op = item.get("get")
        if not op:
            continue
        body = op["responses"].get("200", {}).get("content", {}).get("application/json", {})
        if "Paginated" not in body.get("schema", {}).get("$ref", ""):
            continue
        params = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}
        found.append((op["operationId"], path, params))
    return found


LIST_OPERATIONS = None


def list_operations():
    global LIST_OPERATIONS
    if LIST_OPERATIONS is None:
        LIST_OPERATIONS = _list_operations()
    return LIST_OPERATIONS


def _update(obj, **fields):
    type(obj).objects.filter(pk=obj.pk).update(**fields)


@pytest.fixture
def data(world, django_capture_on_commit_callbacks):
    """Two of everything in one organization, differing in every filtered field."""
    from consent.models import Consent
    from consent.services import signing_key_rotate
    from dsr.models import DataRequest, PortabilityTransfer
    from governance.models import (
        Complaint,
        Deployment,
        DeploymentPurpose,
        Filing,
        FilingDocument,
        Recipient,
        TransferBasis,
    )
    from recognition.models import Enrollment, RecognitionJob, RecognitionResult
    from recognition.services.compreface import compreface_key_create
    from tenants.services.api_keys import api_key_create
    from tenants.services.invitations import invitation_create
    from tests.factories import (
        AssessmentFactory,
        DataRequestFactory,
        DeploymentFactory,
        IncidentFactory,
        MinorDataRulesFactory,
        NoticeFactory,
        PurposeFactory,
        SubjectFactory,
    )

    org = world.org
    actor = Actor.system("test")
    rec = make_rec_world(world)
    d1 = rec.deployment
    d2 = DeploymentFactory(
        organization=org,
        name="Lab",
        place_type="private_premises",
        processing_kind="rd_training",
        jurisdiction="EU",
        storage_mode="on_device",
    )
    p1 = rec.purpose
    p2 = PurposeFactory(organization=org, name="Attendance", kind="attendance")
    DeploymentPurpose.objects.create(deployment=d1, purpose=p2)
    n2 = NoticeFactory(purpose_version=p2.current_version, organization=org, language="zh-hans")
    AssessmentFactory(deployment=d2)

    s1 = SubjectFactory(organization=org, external_ref="EMP-1", choice="face")
    s2 = SubjectFactory(organization=org, external_ref="EMP-2", age_bracket="14_17")
    c1 = rec.consent(s1)
    c2 = rec.consent(s2)
    _update(c2, kind="written", state="withdrawn", purpose=p2, purpose_version=p2.current_version)
    _update(c1, deployment=d1)
    _update(s2, choice="alternative")

    def enrollment(subject, **fields):
        return Enrollment.objects.create(
            organization=org,
            deployment=fields.pop("deployment", d1),
            purpose=fields.pop("purpose", p1),
            purpose_version=p1.current_version,
            subject=subject,
            subject_pseudonym=subject.pseudonym,
            actor_type="system",
            **fields,
        )

    enrollment(s1)
    enrollment(s2, deployment=d2, purpose=p2, status="failed", template_state="erased")

    def job(**fields):
        return RecognitionJob.objects.create(
            organization=org,
            deployment=fields.pop("deployment", d1),
            purpose=fields.pop("purpose", p1),
            purpose_version=p1.current_version,
            actor_type="system",
            match_threshold=0.5,
            **fields,
        )

    j1 = job(mode="identify")
    j2 = job(mode="verify", deployment=d2, purpose=p2, status="succeeded")
    for j, decision in ((j1, "named"), (j2, "ambiguous")):
        RecognitionResult.objects.create(
            organization=org,
            job=j,
            image_index=0,
            face_index=0,
            box=[0, 0, 1, 1],
            decision=decision,
            review_status="pending",
        )

    r_access = DataRequestFactory(
        subject=s1, kind="access", channel="self_service", deadline_flag=""
    )
    r_erasure = DataRequestFactory(
        subject=s2, kind="erasure", channel="api", status="received", deadline_flag="overdue"
    )
    for request, delivery, location in ((r_access, "link", "CN"), (r_erasure, "import", "SG")):
        PortabilityTransfer.objects.create(
            organization=org,
            data_request=request,
            receiver_name="Next employer",
            receiver_contact="hr@next.test",
            receiver_location=location,
            delivery=delivery,
        )
    deadline = timezone.localdate() + timedelta(days=15)
    Complaint.objects.create(organization=org, deployment=d1, message="Why?", deadline=deadline)
    Complaint.objects.create(
        organization=org, deployment=d2, message="Stop.", deadline=deadline, state="closed"
    )
    IncidentFactory(organization=org, deployment=d1)
    IncidentFactory(organization=org, deployment=d2, severity="major", status="closed")
    today = timezone.localdate()
    f1 = Filing.objects.create(organization=org, kind="initial", trigger_date=today, deadline=today)
    f2 = Filing.objects.create(
        organization=org, kind="change", status="submitted", trigger_date=today, deadline=today
    )
    for filing, kind in ((f1, "commitment_letter"), (f2, "other")):
        FilingDocument.objects.create(
            organization=org, filing=filing, kind=kind, file="x.pdf", name="x.pdf", sha256="0" * 64
        )
    r1 = Recipient.objects.create(organization=org, name="Cloud", location="CN")
    r2 = Recipient.objects.create(organization=org, name="Payroll", location="SG")
    # A basis covers a deployment or a recipient, never both.
    for deployment, recipient, mechanism in (
        (d1, None, "standard_contract"),
        (None, r1, "certification"),
        (None, r2, "standard_contract"),
    ):
        TransferBasis.objects.create(
            organization=org,
            deployment=deployment,
            recipient=recipient,
            mechanism=mechanism,
            reference="ref",
            document="t.pdf",
            document_name="t.pdf",
            document_sha256="0" * 64,
        )
    MinorDataRulesFactory(organization=org, title="Rules for children")
    MinorDataRulesFactory(organization=org, title="Guardian consent")
    with django_capture_on_commit_callbacks(execute=True):
        signing_key_rotate(organization=org, actor=actor)
        signing_key_rotate(organization=org, actor=actor)
        api_key_create(organization=org, actor=actor, name="gate", role="operator")
        api_key_create(organization=org, actor=actor, name="hr", role="auditor")
        invitation_create(organization=org, actor=actor, email="a@x.test", role="operator")
        invitation_create(organization=org, actor=actor, email="b@x.test", role="dpo")
        DeploymentPurpose.objects.create(deployment=d2, purpose=p2)
        for deployment, purpose in ((d1, p1), (d2, p2)):
            compreface_key_create(
                organization=org, actor=actor, name="cf", deployment=deployment, purpose=purpose
            )
    midpoint = timezone.now()
    _update(d2, status="suspended")
    Deployment.objects.filter(pk=d2.pk)  # the update above records no event: add one
    from audit.services import audit_record

    audit_record(
        organization_id=org.pk,
        actor=Actor(Actor.USER, str(world.owner.pk), world.owner.email),
        action="deployment.suspended",
        target_type="deployment",
        target_id=d2.pk,
    )
    assert DataRequest.objects.filter(organization=org).count() == 2
    assert Consent.objects.filter(organization=org).count() == 2
    return SimpleNamespace(
        world=world,
        d1=d1,
        d2=d2,
        p1=p1,
        p2=p2,
        n2=n2,
        s1=s1,
        s2=s2,
        c1=c1,
        j1=j1,
        f1=f1,
        r1=r1,
        midpoint=midpoint,
    )


# For each list and declared filter: a value that keeps some rows and drops others.
CASES = {
    "api_keys_list": {"role": lambda d: "auditor"},
    "assessments_list": {"deployment": lambda d: d.d2.pk, "status": lambda d: "draft"},
    "audit_events_list": {
        "action": lambda d: "deployment.suspended",
        "action_prefix": lambda d: "consent.",
        "actor_id": lambda d: str(d.world.owner.pk),
        "actor_type": lambda d: "user",
        "since": lambda d: d.midpoint.isoformat(),
        "until": lambda d: d.midpoint.isoformat(),
        "subject_pseudonym": lambda d: str(d.s1.pseudonym),
        "target_id": lambda d: str(d.d2.pk),
        "target_type": lambda d: "consent",
        "target": lambda d: str(d.c1.public_id),
    },
    "compreface_keys_list": {"deployment": lambda d: d.d2.pk, "purpose": lambda d: d.p1.pk},
    "complaints_list": {"deployment": lambda d: d.d2.pk, "state": lambda d: "closed"},
    "consents_list": {
        "deployment": lambda d: d.d1.pk,
        "kind": lambda d: "written",
        "purpose": lambda d: d.p2.pk,
        "purpose_version": lambda d: d.p2.current_version_id,
        "state": lambda d: "withdrawn",
        "subject": lambda d: str(d.s1.pseudonym),
    },
    "data_requests_list": {
        "channel": lambda d: "api",
        "deadline_flag": lambda d: "overdue",
        "kind": lambda d: "erasure",
        "status": lambda d: "received",
    },
    "deployments_list": {
        "jurisdiction": lambda d: "EU",
        "place_type": lambda d: "private_premises",
        "processing_kind": lambda d: "rd_training",
        "status": lambda d: "active",
        "storage_mode": lambda d: "central",
    },
    "enrollments_list": {
        "deployment": lambda d: d.d2.pk,
        "purpose": lambda d: d.p1.pk,
        "status": lambda d: "failed",
        "subject": lambda d: str(d.s1.pseudonym),
        "template_state": lambda d: "erased",
    },
    "filing_documents_list": {"filing": lambda d: d.f1.pk, "kind": lambda d: "other"},
    "filings_list": {"kind": lambda d: "change", "status": lambda d: "open"},
    "incidents_list": {
        "deployment": lambda d: d.d1.pk,
        "severity": lambda d: "major",
        "status": lambda d: "open",
    },
    "invitations_list": {"role": lambda d: "dpo"},
    "members_list": {"role": lambda d: "auditor"},
    "minor_rules_list": {"title": lambda d: "children"},
    "notices_list": {
        "language": lambda d: "zh-hans",
        "purpose_version": lambda d: d.p1.current_version_id,
        "status": lambda d: "draft",
    },
    "portability_transfers_list": {
        "delivery": lambda d: "import",
        "receiver_location": lambda d: "CN",
    },
    "purposes_list": {"kind": lambda d: "attendance"},
    "recipients_list": {"location": lambda d: "SG"},
    "recognition_jobs_list": {
        "deployment": lambda d: d.d2.pk,
        "mode": lambda d: "identify",
        "purpose": lambda d: d.p2.pk,
        "status": lambda d: "queued",
    },
    "review_queue_list": {"job": lambda d: str(d.j1.public_id), "decision": lambda d: "ambiguous"},
    "signing_keys_list": {"active": lambda d: "true"},
    "subjects_list": {
        "age_bracket": lambda d: "14_17",
        "choice": lambda d: "alternative",
        "external_ref": lambda d: "EMP-2",
    },
    "transfer_bases_list": {
        "deployment": lambda d: d.d1.pk,
        "mechanism": lambda d: "certification",
        "recipient": lambda d: d.r1.pk,
    },
}


def _count(client, path, params=None):
    response = client.get(path, {"page_size": 200, **(params or {})})
    assert response.status_code == 200, (path, params, response.json())
    return response.json()["count"]


def test_every_declared_filter_has_a_case():
    declared = {(op, name) for op, _path, params in list_operations() for name in params} - {
        (op, name) for op, _path, _params in list_operations() for name in PAGING
    }
    covered = {(op, name) for op, names in CASES.items() for name in names}
    assert declared - covered == set(), "a list declares a filter no test checks"
    assert covered - declared == set(), "a case names a filter the schema does not declare"


def test_every_declared_filter_keeps_some_rows_and_drops_others(data, api_as):
    client = api_as(data.world.owner)
    failures = []
    for op, path, params in list_operations():
        if "{" in path:
            continue
        total = _count(client, path)
        for name in sorted(set(params) - PAGING):
            value = CASES[op][name](data)
            kept = _count(client, path, {name: value})
            if not 0 < kept < total:
                failures.append(f"{op}?{name}={value}: {kept} of {total}")
    assert failures == [], "filters accepted but not filtering:\n" + "\n".join(failures)


def _wrong_value(schema: dict) -> str | None:
    """Return a value of the wrong type for a filter, or None when any text is valid."""
    if schema.get("type") in ("integer", "number"):
        return "not-a-number"
    if schema.get("type") == "boolean":
        return "perhaps"
    if schema.get("format") in ("uuid", "date-time", "date") or "enum" in schema:
        return "not-valid"
    return None


def test_wrong_typed_filter_values_answer_400_naming_the_parameter(data, api_as):
    client = api_as(data.world.owner)
    checked = 0
    for _op, path, params in list_operations():
        for name, param in params.items():
            if name in PAGING:
                continue
            value = _wrong_value(param.get("schema", {}))
            if value is None:
                continue
            response = client.get(path, {name: value})
            assert response.status_code == 400, (path, name, response.status_code)
            assert name in response.json()["details"], (path, name, response.json())
            checked += 1
    assert checked > 40


def test_every_list_declares_its_ordering_fields_and_each_answers(data, api_as):
    client = api_as(data.world.owner)
    for op, path, params in list_operations():
        assert "ordering" in params, f"{op} offers no ordering"
        values = params["ordering"]["schema"]["items"]["enum"]
        assert values, op
        for value in values:
            assert client.get(path, {"ordering": value}).status_code == 200, (op, value)
        assert client.get(path, {"ordering": ",".join(values[:2])}).status_code == 200


@pytest.mark.parametrize("value", ["nonsense", "-display_name", "", "name,,"])
def test_unknown_ordering_is_a_400_not_silently_ignored(world, api_as, value):
    response = api_as(world.owner).get("/api/v1/subjects/", {"ordering": value})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "ordering" in response.json()["details"]


def test_ordering_orders_and_reverses(data, api_as):
    client = api_as(data.world.owner)
    names = [
        d["name"]
        for d in client.get("/api/v1/deployments/", {"ordering": "name"}).json()["results"]
    ]
    assert names == sorted(names) and len(names) == 2
    backwards = client.get("/api/v1/deployments/", {"ordering": "-name"}).json()["results"]
    assert [d["name"] for d in backwards] == names[::-1]


def test_enrollments_filtered_by_subject_name_only_that_subject(data, api_as):
    body = (
        api_as(data.world.owner)
        .get("/api/v1/enrollments/", {"subject": str(data.s1.pseudonym)})
        .json()
    )
    assert body["count"] == 1
    assert body["results"][0]["subject"] == str(data.s1.pseudonym)


def test_detail_arrays_are_declared_unpaginated_and_answer_arrays(data, api_as):
    """A detail action answering a bare array (checks, grants, receipts, versions) is declared
    as an array, takes no page or filter parameters, and answers an array."""
    schema = _schema()
    client = api_as(data.world.owner)
    ids = {
        "/api/v1/deployments/{id}/checks/": data.d1.pk,
        "/api/v1/deployments/{id}/grants/": data.d1.pk,
        "/api/v1/consents/{id}/receipts/": data.c1.public_id,
        "/api/v1/purposes/{id}/versions/": data.p1.pk,
    }
    for path, pk in ids.items():
        op = schema["paths"][path]["get"]
        declared = op["responses"]["200"]["content"]["application/json"]["schema"]
        assert declared.get("type") == "array", path
        assert not [p for p in op.get("parameters", []) if p["in"] == "query"], path
        body = client.get(path.replace("{id}", str(pk))).json()
        assert isinstance(body, list), (path, body)
