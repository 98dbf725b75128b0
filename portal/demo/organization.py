"""The demo organization and its four members, one per role."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from audit.actors import Actor
from tenants.models import Membership, Organization
from tenants.roles import Role
from tenants.services import membership_add, organization_create, user_create

DEMO_SLUG = "demo"
DEMO_PASSWORD = "demo-password-2025"  # noqa: S105 - the demo's published login, not a secret
DEMO_USERS = {
    Role.OWNER: "owner@demo.example",
    Role.DPO: "dpo@demo.example",
    Role.OPERATOR: "operator@demo.example",
    Role.AUDITOR: "auditor@demo.example",
}


@dataclass(frozen=True)
class Members:
    owner: object
    dpo: object
    operator: object
    auditor: object


def user_actor(user) -> Actor:
    """Return the actor the audit trail names when ``user`` acts, as a panel request would."""
    label = user.email or user.get_username()
    return Actor(Actor.USER, str(user.pk), label, request_id="seed_demo", user_id=user.pk)


def demo_organization(*, log) -> Organization:
    """Return the demo organization, creating it with its owner on the first run."""
    org = Organization.objects.filter(slug=DEMO_SLUG).first()
    if org is not None:
        log(f"demo organization {org.slug} already exists")
        return org
    org = organization_create(
        name="Demo Campus Security Ltd.",
        slug=DEMO_SLUG,
        owner_email=DEMO_USERS[Role.OWNER],
        owner_password=DEMO_PASSWORD,
        actor=Actor.system("seed_demo"),
        jurisdiction=Organization.Jurisdiction.CN,
        unified_social_credit_code="91310000MA1FL0000X",
        address="100 Demo Road, Pudong New Area, Shanghai",
        province="Shanghai",
        contact_name="Li Wei",
        contact_email="contact@demo.example",
        contact_phone="+86 21 5555 0100",
        pi_contact_name="Zhang Min",
        pi_contact_email="dpo@demo.example",
    )
    log(f"created demo organization {org.slug}")
    return org


def demo_members(*, organization: Organization, log) -> Members:
    """Add each missing member and return the four users.

    The seed acts as the site's operator, who may create accounts with the demo's published
    password; an existing account is added as it is, its password untouched.
    """
    User = get_user_model()
    owner = User.objects.get(email=DEMO_USERS[Role.OWNER])
    for role, email in DEMO_USERS.items():
        if Membership.objects.filter(organization=organization, user__email=email).exists():
            continue
        user = User.objects.filter(email__iexact=email).first() or user_create(
            email=email, password=DEMO_PASSWORD
        )
        membership_add(organization=organization, actor=user_actor(owner), user=user, role=role)
        log(f"added {role} {email}")
    users = {role: User.objects.get(email=email) for role, email in DEMO_USERS.items()}
    return Members(
        owner=users[Role.OWNER],
        dpo=users[Role.DPO],
        operator=users[Role.OPERATOR],
        auditor=users[Role.AUDITOR],
    )
