"""Every unmet compliance row names the API call that fixes it, beside the panel page (issue 18).

A client that connects an HR system or a gate never sees the panel: a row with a Fix link and
no API operation would leave it without a way forward. The world below leaves as many rules
unmet as one organization can; each such row's ``fix`` must be an operation of the live schema
with that method and path, and its field one of the operation's body fields.
"""

import datetime

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from governance.models import Complaint, Filing
from tests.factories import (
    DataRequestFactory,
    DeploymentFactory,
    IncidentFactory,
    RecipientFactory,
    SubjectFactory,
)
from tests.portal.openapi_lookup import body_fields, operation_at

# Rows whose fix no API call can make, each with why.
NO_API_CALL = {
    # Data stored after a completed termination run: only erasing those subjects one by one
    # fixes it, which the message names; there is no single call.
    "R51": "personal data stored after the termination run",
}


@pytest.fixture(scope="module")
def openapi():
    return SchemaGenerator().get_schema(request=None, public=True)


def _everything_unmet(org):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    public = DeploymentFactory(organization=org, place_type="public_place")
    DeploymentFactory(organization=org, storage_location="SG", processing_location="SG")
    RecipientFactory(organization=org, location="US")
    IncidentFactory(organization=org, severity="major")
    Complaint.objects.create(
        organization=org, deployment=public, message="Filmed at the gate", deadline=yesterday
    )
    DataRequestFactory(
        subject=SubjectFactory(organization=org),
        due_at=timezone.now() - datetime.timedelta(days=2),
    )
    Filing.objects.create(
        organization=org,
        kind=Filing.Kind.INITIAL,
        trigger_date=yesterday - datetime.timedelta(days=40),
        deadline=yesterday,
    )


def test_every_unmet_compliance_row_names_its_api_call(world, api_as, openapi):
    _everything_unmet(world.org)

    rows = api_as(world.dpo).get("/api/v1/compliance/").json()["rules"]

    open_rows = [r for r in rows if r["state"] in ("unmet", "partly") and r["fix_url"]]
    unmet = {r["rule"] for r in open_rows}
    # The world above reaches each of these rows (R51: no entrustment contract is recorded).
    assert {"R6", "R26", "R34", "R35", "R38", "R50", "R51", "R52"} <= unmet, unmet
    for row in open_rows:
        fix = row["fix"]
        if fix is None:
            assert NO_API_CALL.get(row["rule"], "\0") in row["message"], row
            continue
        operation = operation_at(openapi, fix["method"], fix["path"])
        assert operation is not None, row
        assert operation["operationId"] == fix["operation"], row
        if fix["field"]:
            assert fix["field"] in body_fields(openapi, operation), row
