"""Organizations: created by the site's operator with a first owner, then changed by owners."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

from audit.actors import Actor
from audit.services import audit_record
from tenants.errors import ApplicationError, Conflict
from tenants.models import Organization
from tenants.rate_limits import rate_limits_clean
from tenants.roles import Role
from tenants.services.accounts import email_normalize, user_create
from tenants.services.members import membership_add

User = get_user_model()

ORGANIZATION_FIELDS = (
    "name",
    "jurisdiction",
    "unified_social_credit_code",
    "address",
    "province",
    "contact_name",
    "contact_email",
    "contact_phone",
    "pi_contact_name",
    "pi_contact_email",
    "require_second_factor",
    "separate_consent_and_enrollment",
    "personal_data_for_all_roles",
    "rate_limits",
)


@transaction.atomic
def organization_create(
    *,
    name: str,
    slug: str,
    owner_email: str,
    owner_password: str | None = None,
    actor: Actor | None = None,
    **details,
) -> Organization:
    """Create an organization with its first owner. Raise Conflict when the slug is taken.

    Only the site's operator calls this (command line, demo). An owner who already has an
    account keeps it as it is: ``owner_password`` is for a new account only, and giving one for an
    existing account raises Conflict rather than overwrite that person's password.
    """
    actor = actor or Actor.system("organization_create")
    slug = slugify(slug)
    if not name.strip() or not slug:
        raise ApplicationError("An organization needs a name and a slug.", code="invalid")
    if Organization.objects.filter(slug=slug).exists():
        raise Conflict(f"The slug {slug!r} is already taken.", code="slug_taken")
    unknown = set(details) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown organization fields: {', '.join(sorted(unknown))}.")
    if "rate_limits" in details:
        details["rate_limits"] = rate_limits_clean(details["rate_limits"])
    owner_email = email_normalize(owner_email)
    owner = User.objects.filter(email__iexact=owner_email).first()
    if owner is None:
        owner = user_create(email=owner_email, password=owner_password)
    elif owner_password:
        raise Conflict(
            f"{owner_email} already has an account, and its password belongs to that person: "
            "leave the password out to make them the owner.",
            code="account_exists",
        )
    organization = Organization.objects.create(name=name.strip(), slug=slug, **details)
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action="organization.created",
        target_type="organization",
        target_id=organization.pk,
        details={"slug": slug, "owner_user_id": owner.pk},
    )
    membership_add(organization=organization, actor=actor, user=owner, role=Role.OWNER)
    return organization


@transaction.atomic
def organization_update(*, organization: Organization, actor: Actor, **changes) -> Organization:
    """Change the organization's details; the audit event names the fields that changed.

    Raise ApplicationError (``invalid_rate_limits``) for rate limits that are not whole numbers
    between 1 and the operator's ceilings; a new ``rate_limits`` replaces the stored one whole.
    """
    unknown = set(changes) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown organization fields: {', '.join(sorted(unknown))}.")
    if "rate_limits" in changes:
        changes["rate_limits"] = rate_limits_clean(changes["rate_limits"])
    changed = [f for f, v in changes.items() if getattr(organization, f) != v]
    if not changed:
        return organization
    details: dict = {"fields": sorted(changed)}
    if "rate_limits" in changed:
        # Who raised or lowered a limit, and from what, is part of the trail.
        details["rate_limits"] = {"from": organization.rate_limits, "to": changes["rate_limits"]}
    for field in changed:
        setattr(organization, field, changes[field])
    organization.save(update_fields=changed)
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action="organization.updated",
        target_type="organization",
        target_id=organization.pk,
        details=details,
    )
    return organization
