import pytest

from audit.actors import Actor
from audit.models import AuditEvent
from tenants.errors import ApplicationError, Conflict
from tenants.models import Membership, Organization
from tenants.services import (
    api_key_create,
    api_key_revoke,
    membership_add,
    membership_change_role,
    membership_remove,
    organization_create,
    organization_update,
)

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")


def test_organization_is_created_with_its_owner_and_audited(db):
    org = organization_create(name="Bank", slug="bank", owner_email="boss@bank.test")
    membership = Membership.objects.get(organization=org)
    assert (membership.user.email, membership.role) == ("boss@bank.test", "owner")
    assert AuditEvent.objects.filter(organization=org, action="organization.created").exists()


def test_taken_slug_is_refused_and_nothing_is_created(world):
    with pytest.raises(Conflict, match="already taken"):
        organization_create(name="Again", slug="acme", owner_email="x@y.test")
    assert Organization.objects.filter(name="Again").count() == 0


def test_update_audits_names_of_changed_fields_not_their_values(world):
    organization_update(organization=world.org, actor=ACTOR, province="Beijing", name="Acme 2")
    event = AuditEvent.objects.get(organization=world.org, action="organization.updated")
    assert event.details == {"fields": ["name", "province"]}


def test_member_cannot_be_added_twice(world):
    with pytest.raises(Conflict, match="already a member"):
        membership_add(organization=world.org, actor=ACTOR, user=world.dpo, role="auditor")


def test_unknown_role_is_refused(world):
    with pytest.raises(ApplicationError, match="Unknown role 'admin'"):
        membership_add(organization=world.org, actor=ACTOR, user=world.outsider, role="admin")


def test_last_owner_can_be_neither_demoted_nor_removed(world):
    owner = Membership.objects.get(organization=world.org, user=world.owner)
    with pytest.raises(Conflict, match="last owner"):
        membership_change_role(membership=owner, actor=ACTOR, role="dpo")
    with pytest.raises(Conflict, match="last owner"):
        membership_remove(membership=owner, actor=ACTOR)
    owner.refresh_from_db()
    assert owner.role == "owner"


def test_owner_can_be_demoted_once_another_owner_exists(world):
    dpo = Membership.objects.get(organization=world.org, user=world.dpo)
    membership_change_role(membership=dpo, actor=ACTOR, role="owner")
    owner = Membership.objects.get(organization=world.org, user=world.owner)
    membership_change_role(membership=owner, actor=ACTOR, role="auditor")
    assert Membership.objects.filter(organization=world.org, role="owner").count() == 1


def test_api_key_secret_is_stored_only_as_a_hash(world):
    key, secret = api_key_create(organization=world.org, actor=ACTOR, name="gate", role="operator")
    assert secret.startswith(f"fcp_{key.prefix}_")
    assert secret not in key.key_hash
    assert len(key.key_hash) == 64
    assert key.user.memberships.get().role == "operator"
    event = AuditEvent.objects.get(action="api_key.created")
    assert secret not in str(event.details)


def test_revoking_twice_says_already_revoked(world):
    key, _ = api_key_create(organization=world.org, actor=ACTOR, name="gate", role="operator")
    api_key_revoke(api_key=key, actor=ACTOR)
    with pytest.raises(Conflict, match="already revoked"):
        api_key_revoke(api_key=key, actor=ACTOR)
