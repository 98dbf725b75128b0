"""The schema is usable by a tool we do not control (issue 18): openapi-python-client generates a
Python client from the live schema, and the whole story runs through it with no hand-written
HTTP, against the live server with its tasks run inline.

Offline: the generator reads the schema from a file and writes a package with no metadata
(``--meta none``), no formatter hooks, nothing fetched.
"""

import importlib
import io
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command

from audit.actors import Actor
from tenants.services import api_key_create

PACKAGE = "portal_generated_client"
# openapi-python-client has no model for a binary download other than octet-stream: the ZIP
# downloads (filing packs, the termination package) are left out of the client. Nothing else.
ACCEPTED_WARNINGS = ("Unsupported content_type application/zip",)


@pytest.fixture(scope="module")
def client_package(tmp_path_factory, django_db_blocker):
    """Generate the client from the schema the server serves; import and return it."""
    root = tmp_path_factory.mktemp("generated")
    schema = root / "schema.yaml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--file", str(schema))
    config = root / "config.yaml"
    config.write_text(f"package_name_override: {PACKAGE}\npost_hooks: []\n")
    generator = Path(sys.executable).with_name("openapi-python-client")
    done = subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            str(schema),
            "--meta",
            "none",
            "--config",
            str(config),
            "--output-path",
            str(root / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    warnings = [block for block in done.stdout.split("WARNING")[1:]]
    refused = [w for w in warnings if not any(ok in w for ok in ACCEPTED_WARNINGS)]
    assert refused == [], "\n".join(refused)
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _op(package, tag: str, operation: str):
    return importlib.import_module(f"{package.__name__}.api.{tag}.{operation}")


def _wait(fetch, done, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


@pytest.mark.django_db(transaction=True)
def test_the_whole_story_through_a_generated_client(
    client_package, live_server, eager, world, faces
):
    pc = client_package
    m = importlib.import_module(f"{pc.__name__}.models")
    types = importlib.import_module(f"{pc.__name__}.types")

    def client(role):
        _key, secret = api_key_create(
            organization=world.org, actor=Actor.system("test"), name=f"{role} system", role=role
        )
        return pc.AuthenticatedClient(
            base_url=live_server.url, token=secret, raise_on_unexpected_status=True
        )

    owner, dpo = client("owner"), client("dpo")

    def call(tag, operation, on=owner, **kwargs):
        return _op(pc, tag, operation).sync_detailed(client=on, **kwargs)

    def photo(name):
        return types.File(
            payload=io.BytesIO(faces.read(name)), file_name=name, mime_type="image/jpeg"
        )

    # Governance: a deployment from a template, its checklist completed, activated.
    made = call(
        "deployments",
        "deployments_from_template_create",
        body=m.FromTemplateInputRequest(
            template=m.TemplateEnum.STAFF_ACCESS_CONTROL,
            name="HQ staff entrance",
            address="1 Test Road, Shanghai",
            province="Shanghai",
        ),
        idempotency_key=str(uuid.uuid4()),
    )
    assert made.status_code == 201, made.content
    made = made.parsed
    todo = {fix.operation for item in made.checklist.items for fix in item.fixes}
    assert todo == {"notices_publish_create", "assessments_sign_off_create"}
    assert call("notices", "notices_publish_create", id=made.notice).status_code == 200
    # R27: the DPO signs off what the owner's system wrote.
    signed = call("assessments", "assessments_sign_off_create", on=dpo, id=made.assessment)
    assert signed.status_code == 200, signed.content
    checklist = call("deployments", "deployments_checklist_retrieve", id=made.deployment).parsed
    assert checklist.ready is True
    active = call("deployments", "deployments_activate_create", id=made.deployment)
    assert active.parsed.status.value == "active"

    # Consent: a subject, their separate consent with central storage.
    subject = call(
        "subjects",
        "subjects_create",
        body=m.SubjectInputRequest(display_name="Barack", age_bracket=m.AgeBracketEnum.VALUE_3),
    ).parsed
    granted = call(
        "consents",
        "consents_create",
        body=m.ConsentGrantInputRequest(
            subject=subject.pseudonym,
            purpose_version=made.purpose_version,
            notice=made.notice,
            kind=m.ConsentKindEnum.SEPARATE,
            channel=m.ConsentChannelEnum.API,
            consent_ui_version="gate-1",
            face_processing=True,
            central_storage=True,
            raw_images=False,
        ),
    )
    assert granted.status_code == 201, granted.content
    consent = granted.parsed.consent

    # Recognition: enroll a face, then identify it in another photo.
    enrolled = call(
        "enrollments",
        "enrollments_create",
        body=m.EnrollmentInputRequest(
            deployment=made.deployment,
            purpose=made.purpose,
            subject=subject.pseudonym,
            image=photo("obama.jpg"),
        ),
        idempotency_key=str(uuid.uuid4()),
    )
    assert enrolled.status_code == 202, enrolled.content
    enrollment = _wait(
        lambda: (
            call("enrollments", "enrollments_retrieve", public_id=str(enrolled.parsed.id)).parsed
        ),
        lambda e: e.status.value not in ("queued", "processing"),
    )
    assert enrollment.status.value == "succeeded", enrollment
    queued = call(
        "recognition_jobs",
        "recognition_jobs_create",
        body=m.JobInputRequest(
            deployment=made.deployment,
            purpose=made.purpose,
            mode=m.JobInputModeEnum.IDENTIFY,
            images=[photo("obama2.jpg")],
        ),
        idempotency_key=str(uuid.uuid4()),
    )
    assert queued.status_code == 202, queued.content
    job = _wait(
        lambda: (
            call(
                "recognition_jobs", "recognition_jobs_retrieve", public_id=str(queued.parsed.id)
            ).parsed
        ),
        lambda j: j.status.value in ("succeeded", "failed"),
    )
    assert job.status.value == "succeeded", job
    assert [r.identity for r in job.results] == [str(subject.pseudonym)]

    # Withdrawal, then erasure through a data-subject request.
    withdrawn = call(
        "consents",
        "consents_withdraw_create",
        id=consent.id,
        body=m.ConsentWithdrawInputRequest(channel=m.ConsentChannelEnum.API),
    )
    assert withdrawn.parsed.consent.state.value == "withdrawn"
    filed = call(
        "data_requests",
        "data_requests_create",
        on=dpo,
        body=m.DsrFileInputRequest(
            subject=subject.pseudonym,
            kind=m.DataRequestKindEnum.ERASURE,
            identity_check="Known employee, badge seen",
        ),
        idempotency_key=str(uuid.uuid4()),
    )
    assert filed.status_code == 201, filed.content
    done = call(
        "data_requests",
        "data_requests_complete_create",
        on=dpo,
        id=filed.parsed.id,
        body=m.DsrCompleteInputRequest(),
    )
    assert done.status_code == 200, done.content
    assert done.parsed.status.value == "completed"
    assert done.parsed.verification_report.to_dict()["passed"] is True
