"""The access package proves the person's consent events are in the signed log (R16, R45)."""

import json

import pytest

from audit.offline import main as offline_main
from audit.offline import verify_export
from audit.services import audit_verifier_key
from dsr.services.export import package_json, subject_package

pytestmark = pytest.mark.django_db


def test_r45_consent_event_inclusion_verifies_from_the_access_package_alone(dw, tmp_path):
    package = json.loads(package_json(subject_package(subject=dw.subject)))

    proofs = package["audit_proofs"]
    entries = [json.loads(event["entry"]) for event in proofs["events"]]
    assert "consent.given" in [entry[6] for entry in entries]
    assert {entry[9] for entry in entries} == {str(dw.subject.pseudonym)}
    assert proofs["inclusion"] and proofs["checkpoint"]
    # The package and the site's published key are all the person needs.
    assert verify_export(package, audit_verifier_key()).ok
    (tmp_path / "package.json").write_bytes(package_json(subject_package(subject=dw.subject)))
    (tmp_path / "key").write_text(audit_verifier_key())
    argv = ["--export", str(tmp_path / "package.json"), "--key", str(tmp_path / "key")]
    assert offline_main(argv) == 0


def test_a_changed_consent_entry_in_the_package_fails_verification(dw):
    package = json.loads(package_json(subject_package(subject=dw.subject)))
    event = package["audit_proofs"]["events"][0]
    event["entry"] = event["entry"].replace("consent.", "consent.forged_")

    outcome = verify_export(package, audit_verifier_key())

    assert not outcome.ok
    assert "not proven" in outcome.problems[0]
