import datetime

import pytest

from consent.selectors import minor_pseudonyms
from tests.factories import SubjectFactory

pytestmark = pytest.mark.django_db


def test_r15_minors_are_known_by_date_of_birth_or_else_by_age_bracket(world):
    day = datetime.date(2027, 3, 1)
    child = SubjectFactory(organization=world.org, date_of_birth=datetime.date(2013, 3, 2))
    turned_14 = SubjectFactory(organization=world.org, date_of_birth=datetime.date(2013, 3, 1))
    by_bracket = SubjectFactory(organization=world.org, date_of_birth=None, age_bracket="under_14")
    SubjectFactory(organization=world.org, date_of_birth=None, age_bracket="18_plus")
    SubjectFactory(organization=world.outsider_org, date_of_birth=datetime.date(2020, 1, 1))
    found = minor_pseudonyms(organization_id=world.org.pk, on=day)
    assert found == {str(child.pseudonym), str(by_bracket.pseudonym)}
    assert child.is_minor_on(day) and not turned_14.is_minor_on(day)
