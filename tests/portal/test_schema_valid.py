"""The OpenAPI schema generates and validates with no warning (drf-spectacular)."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_openapi_schema_generates_without_warnings(tmp_path):
    # --fail-on-warn turns every warning (enum name collisions, unresolvable fields or
    # authenticators) into a failure; --validate checks the result against the OpenAPI spec.
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    assert "FilingStatusEnum" in text and "ApiKeyAuth" in text
