"""Reads about organizations, members and keys."""

from tenants.models import ApiKey, Invitation, Membership, Organization
from tenants.roles import Role


def memberships_for_org(*, organization):
    return Membership.objects.for_org(organization).select_related("user").order_by("user__email")


def human_memberships_for_org(*, organization):
    """Return the organization's people, leaving out the service users behind API keys."""
    return memberships_for_org(organization=organization).filter(user__api_key__isnull=True)


def api_keys_for_org(*, organization):
    return ApiKey.objects.for_org(organization).select_related("created_by")


def organizations_of_user(*, user):
    return Organization.objects.for_user(user).order_by("name")


def owner_count(*, organization) -> int:
    return human_memberships_for_org(organization=organization).filter(role=Role.OWNER).count()


def responsible_emails(*, organization_id: int) -> list[str]:
    """Return the e-mail addresses of the organization's active DPOs and owners (for alerts)."""
    return list(
        Membership.objects.filter(
            organization_id=organization_id,
            role__in=[Role.DPO, Role.OWNER],
            user__is_active=True,
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )


def invitations_for_org(*, organization):
    return Invitation.objects.for_org(organization).select_related("invited_by", "accepted_by")


def open_invitations_for_org(*, organization):
    return invitations_for_org(organization=organization).open().order_by("email")


def invitation_by_token(*, token: str) -> Invitation | None:
    """Return the invitation a mailed link names, whatever its state, or None."""
    return (
        Invitation.objects.select_related("organization")
        .filter(token_hash=Invitation.hash_token(token or ""))
        .first()
    )
