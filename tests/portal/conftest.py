"""Fixtures of the portal tests."""

# The two organizations of the generated R33 isolation tests, built once per test module.
from tests.portal.cross_tenant import worlds  # noqa: F401
