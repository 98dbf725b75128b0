"""Schemathesis over the whole API: no server error and no schema violation (issue 15).

Every operation of the OpenAPI schema is called with generated valid and invalid inputs, as the
owner API key of a seeded organization, in this process through the WSGI application (nothing
goes over the network). Only operations that remove the test's own credentials are left out:
revoking the key and deleting its membership. The budget is small and derandomized, so the run
is stable and quick; docs/reliability.md has the figures of the larger runs it stands for.

A valid input refused (positive data answered 400) counts as a violation when the refusal is
about the input's shape, which the schema should have said. Refusals the schema cannot express
are not: a reference to a row that is not the organization's (R33), or a domain rule with its
own code (a deployment that cannot be activated yet, a photo date in the future).
"""

import json
import os

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from portal.wsgi import application

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 3
EXCLUDED = {
    ("POST", "/api/v1/api-keys/{id}/revoke/"),
    ("DELETE", "/api/v1/members/{id}/"),
}
# Messages of a refusal about what a value refers to, not about its shape.
REFERENCE_MESSAGES = (
    "not found in this organization",
    "Select a valid choice",
    "does not exist",
    "Invalid pk",
)


def _openapi() -> dict:
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


# "uri" in the schema is RFC 3986; the API takes what Django's URLValidator takes: http(s) with a
# DNS host whose top-level label has two letters or more. Generate those; refusals of anything
# else are still tried by the negative cases.
schemathesis.openapi.format(
    "uri",
    st.builds(
        "https://{}.{}/{}".format,
        st.from_regex(r"\A[a-z][a-z0-9]{0,20}\Z"),
        st.sampled_from(["example", "com", "org", "cn"]),
        st.from_regex(r"\A[a-z0-9/]{0,30}\Z"),
    ),
)

schema = schemathesis.openapi.from_dict(
    _openapi(),
    config=SchemathesisConfig.from_dict(
        {
            "generation": {
                "max-examples": EXAMPLES_PER_OPERATION,
                "deterministic": True,
                # The serializers refuse NUL characters, which JSON Schema cannot say.
                "allow-x00": False,
            },
            # The coverage phase tries every boundary of every parameter: over a hundred cases
            # for some operations. The suite keeps to a few generated cases per operation;
            # docs/reliability.md records the full runs, coverage phase included.
            "phases": {"coverage": {"enabled": False}},
        }
    ),
)
schema.app = application
schema = schema.exclude(
    func=lambda ctx: (ctx.operation.method.upper(), ctx.operation.path) in EXCLUDED
)


@schemathesis.check
def valid_input_refused_for_its_shape(ctx, response, case):
    """Fail when schema-valid input is refused by field validation the schema did not state."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return None
    body = response.json()
    details = body.get("details")
    if body.get("code") != "invalid" or not isinstance(details, dict):
        return None  # a domain rule with its own code: not expressible in the schema
    text = json.dumps(details)
    if any(message in text for message in REFERENCE_MESSAGES):
        return None
    raise AssertionError(f"Schema-valid input refused: {body['message']}")


@pytest.fixture
def in_test_transaction():
    """Keep the test's connection open across WSGI calls, as Django's test client does."""
    from django.core import signals
    from django.db import close_old_connections

    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def owner_key(in_test_transaction):
    from audit.actors import Actor
    from tenants.services import api_key_create
    from tests.factories import OrganizationFactory

    _key, secret = api_key_create(
        organization=OrganizationFactory(slug="fuzz"),
        actor=Actor.system("fuzz"),
        name="fuzz",
        role="owner",
    )
    return secret


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_within_its_schema(case, owner_key):
    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {owner_key}"},
        excluded_checks=[positive_data_acceptance],
        additional_checks=[valid_input_refused_for_its_shape],
    )
    if os.environ.get("FUZZ_LOG"):  # one line per case, for the totals in docs/reliability.md
        with open(os.environ["FUZZ_LOG"], "a") as log:
            log.write(f"{case.operation.label}\t{response.status_code}\n")
