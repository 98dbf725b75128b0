"""Querysets compiled once and run again with other values (tenants.prepared_queries)."""

import pytest

from tenants.models import Membership, Organization
from tenants.prepared_queries import PLACEHOLDER_INT, PreparedQuery

pytestmark = pytest.mark.django_db


def _members(*, organization):
    return Membership.objects.filter(organization_id=organization).values_list("user_id", "role")


def test_a_prepared_query_answers_as_its_queryset_for_every_value(world):
    query = PreparedQuery(_members, {"organization": PLACEHOLDER_INT[0]})
    for org in (world.org, world.outsider_org, world.org):
        assert sorted(query.fetch((), organization=org.pk)) == sorted(_members(organization=org.pk))
    assert query._compiled[()] is not False  # compiled once, then only the values changed
    assert query.fetch((), organization=-1) == []


def test_a_placeholder_that_does_not_reach_the_parameters_runs_the_queryset_itself(world):
    def named(*, name):
        return Organization.objects.filter(name__icontains=name).values_list("pk")

    query = PreparedQuery(named, {"name": "placeholder-name"})
    # icontains wraps the value in %...%: not the placeholder, so nothing is remembered.
    assert query.fetch((), name=world.org.name[1:]) == [(world.org.pk,)]
    assert query._compiled[()] is False
    assert query.fetch((), name=world.outsider_org.name) == [(world.outsider_org.pk,)]
