"""The limits in force for an organization, and the check of the overrides it stores."""

import pytest

from tenants.errors import ApplicationError
from tenants.models import Organization
from tenants.rate_limits import rate_limit_for, rate_limits_clean, rate_limits_in_force


@pytest.fixture
def defaults(settings):
    settings.API_RATE_LIMITS = {
        "read": {"key": 600, "organization": 1200},
        "write": {"key": 120, "organization": 300},
        "upload": {"key": 30, "organization": 60},
    }
    settings.API_RATE_LIMIT_CEILINGS = {
        route_class: {scope: 10 * limit for scope, limit in scopes.items()}
        for route_class, scopes in settings.API_RATE_LIMITS.items()
    }


def test_an_organization_without_overrides_has_the_defaults(defaults):
    organization = Organization(name="A", slug="a")

    assert rate_limits_in_force(organization)["upload"] == {"key": 30, "organization": 60}
    assert rate_limit_for(None, "read", "key") == 600


def test_an_override_replaces_only_its_own_limit(defaults):
    organization = Organization(name="A", slug="a", rate_limits={"upload": {"organization": 10}})

    assert rate_limits_in_force(organization)["upload"] == {"key": 30, "organization": 10}
    assert rate_limits_in_force(organization)["read"] == {"key": 600, "organization": 1200}


def test_clean_keeps_whole_numbers_within_the_ceiling_and_drops_nulls(defaults):
    cleaned = rate_limits_clean(
        {"read": {"key": 6000, "organization": None}, "write": None, "upload": {"key": 1}}
    )

    assert cleaned == {"read": {"key": 6000}, "upload": {"key": 1}}
    assert rate_limits_clean(None) == {}


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ({"read": {"key": 6001}}, "read.key"),
        ({"upload": {"organization": 0}}, "upload.organization"),
        ({"upload": {"organization": True}}, "upload.organization"),
        ({"upload": {"organization": 2.5}}, "upload.organization"),
        ({"download": {"key": 1}}, "download"),
        ({"read": {"ip": 1}}, "read.ip"),
        ({"read": 5}, "read"),
        ([1, 2], "rate_limits"),
    ],
)
def test_clean_refuses_what_is_not_a_limit_naming_the_field(defaults, value, field):
    with pytest.raises(ApplicationError, match="Rate limits") as raised:
        rate_limits_clean(value)

    assert raised.value.code == "invalid_rate_limits"
    assert field in raised.value.details


@pytest.mark.django_db
def test_an_organization_is_created_with_checked_limits(defaults):
    from tenants.services import organization_create

    with pytest.raises(ApplicationError, match="read.key"):
        organization_create(
            name="B", slug="b", owner_email="o@b.test", rate_limits={"read": {"key": 10**9}}
        )
    created = organization_create(
        name="B", slug="b", owner_email="o@b.test", rate_limits={"read": {"key": 100}}
    )
    assert created.rate_limits == {"read": {"key": 100}}
