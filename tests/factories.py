"""factory_boy factories; related objects always share one organization."""

import factory
from django.contrib.auth import get_user_model

from tenants.models import Membership, Organization
from tenants.roles import Role

PASSWORD = "a-test-password-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}@example.test")
    email = factory.LazyAttribute(lambda u: u.username)
    password = factory.django.Password(PASSWORD)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    jurisdiction = Organization.Jurisdiction.CN
    unified_social_credit_code = "91310000MA1FL0000X"
    address = "1 Test Road, Shanghai"
    province = "Shanghai"
    contact_name = "Li Wei"
    contact_email = "contact@example.test"
    contact_phone = "+86 21 5555 0000"
    pi_contact_name = "Zhang Min"
    pi_contact_email = "pi@example.test"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.OPERATOR
