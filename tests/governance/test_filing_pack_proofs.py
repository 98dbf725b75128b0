"""The filing pack carries inclusion proofs of its governance audit events (R52, issue 16)."""

import io
import json
import zipfile

import pytest

from audit.offline import verify_export
from audit.services import audit_verifier_key
from governance.filing import filing_profile_update
from governance.filing_pack import filing_pack_build

pytestmark = pytest.mark.django_db


def test_r52_filing_pack_audit_events_verify_offline(world, actor):
    filing_profile_update(organization=world.org, actor=actor, security_measures="Encryption")

    archive = zipfile.ZipFile(io.BytesIO(filing_pack_build(organization=world.org, actor=actor)))

    proofs = json.loads(archive.read("audit_proofs.json"))
    actions = [json.loads(event["entry"])[6] for event in proofs["events"]]
    assert "filing_profile.updated" in actions
    outcome = verify_export(proofs, audit_verifier_key())
    assert outcome.ok, outcome.problems
    assert "audit_proofs.json" in json.loads(archive.read("manifest.json"))
