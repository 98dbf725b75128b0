"""R5 (FRM Art. 11), R32 (GDPR Art. 35(3)(b)) and R38 (FRM Art. 15), named in tests (issue 17).

R5: the national identity authentication service is encouraged, not required: each deployment
records its verification channel, the filing pack states it, and the compliance view counts it.
R38: the filing pack carries what FRM Art. 15 asks a filing to state, and the compliance view
says what the pack still lacks.
R32: an EU deployment processes biometrics at scale only after an impact assessment covering a
DPIA's content is signed off; the CAC-only exemptions of R1 never lift that gate.
"""

import io
import json
import zipfile

import pytest

from governance.compliance import organization_compliance
from governance.filing import filing_evaluate, filing_profile_update
from governance.filing_pack import filing_pack_build
from governance.models import Assessment
from governance.rulebook import State
from governance.services.deployments import deployment_activate, deployment_update
from tenants.errors import ApplicationError, RuleViolation
from tests.governance.conftest import make_ready

pytestmark = pytest.mark.django_db


def test_R5_verification_channel_is_recorded_and_stated_in_the_filing_pack(world, actor):
    deployment = make_ready(world.org)
    deployment_update(deployment=deployment, actor=actor, verification_channel="national_db")

    pack = zipfile.ZipFile(io.BytesIO(filing_pack_build(organization=world.org, actor=actor)))
    name = next(n for n in pack.namelist() if n.endswith("deployments.json"))
    (row,) = json.loads(pack.read(name))
    assert row["verification_channel"] == "national_db"

    r5 = next(
        r for r in organization_compliance(organization=world.org)["rules"] if r.rule.id == "R5"
    )
    assert r5.result.state == State.MET and "1 of 1" in r5.result.message


def test_R5_the_channel_is_one_of_the_declared_kinds(world, actor, api_as):
    deployment = make_ready(world.org)
    with pytest.raises(ApplicationError, match="verification_channel"):
        deployment_update(deployment=deployment, actor=actor, verification_channel="face_db")
    response = api_as(world.owner).patch(
        f"/api/v1/deployments/{deployment.pk}/", {"verification_channel": "face_db"}, format="json"
    )
    assert response.status_code == 400
    deployment.refresh_from_db()
    assert deployment.verification_channel == "tenant_gallery"


def test_R32_an_eu_deployment_is_not_activated_without_a_signed_off_assessment(world, actor):
    deployment = make_ready(world.org, jurisdiction="EU")
    Assessment.objects.filter(deployment=deployment).delete()
    with pytest.raises(RuleViolation, match="cannot be activated") as refused:
        deployment_activate(deployment=deployment, actor=actor)
    assert [d["rule"] for d in refused.value.details] == ["R27"]

    r32 = next(
        r for r in organization_compliance(organization=world.org)["rules"] if r.rule.id == "R32"
    )
    assert r32.result.state == State.PARTLY and deployment.name in r32.result.message


def test_R38_filing_pack_states_what_a_filing_must_state(world, actor):
    make_ready(world.org)
    filing_profile_update(
        organization=world.org,
        actor=actor,
        security_measures="Templates encrypted per organization",
        processing_rules="Faces are matched only at the gate",
        operating_procedures="Staff check every refusal",
    )
    pack = zipfile.ZipFile(io.BytesIO(filing_pack_build(organization=world.org, actor=actor)))
    files = {name.rsplit("/", 1)[-1]: name for name in pack.namelist()}

    def read(name):
        return json.loads(pack.read(files[name]))

    # Basic information of the processor; purpose and method; storage count and security
    # measures; processing rules and operating procedures; the impact assessment.
    assert read("organization.json")["unified_social_credit_code"]
    (version,) = read("purposes.json")[0]["versions"]
    assert version["method"] and version["description"]
    assert "stored_individuals" in read("counts.json")
    measures = read("security_measures.json")
    assert measures["security_measures"] == "Templates encrypted per organization"
    assert measures["processing_rules"] and measures["operating_procedures"]
    assert read("assessments.json")


def test_R38_compliance_view_names_what_the_pack_lacks_once_a_filing_is_due(world, actor, settings):
    settings.FILING_THRESHOLD = 10
    filing_evaluate(organization=world.org, stored_count=12, actor=actor)
    r38 = next(
        r for r in organization_compliance(organization=world.org)["rules"] if r.rule.id == "R38"
    )
    assert r38.result.state == State.UNMET
    assert "security measures" in r38.result.message
    assert r38.result.fix_url.endswith("/filings/")
