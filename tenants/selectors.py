"""Reads about organizations, members and keys."""

from django.conf import settings
from django.db.models import Q
from django_otp.plugins.otp_totp.models import TOTPDevice

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


def second_factor_required(*, user) -> bool:
    """Return whether ``user`` must give a second factor to sign in.

    Required of every role in SECOND_FACTOR_ROLES (owners and DPOs, outside the demo) and of
    every member of an organization that asks it of everyone.
    """
    if user is None or not user.is_authenticated:
        return False
    return Membership.objects.filter(
        Q(user=user)
        & (Q(role__in=settings.SECOND_FACTOR_ROLES) | Q(organization__require_second_factor=True))
    ).exists()


def has_second_factor(*, user) -> bool:
    """Return whether ``user`` has a confirmed authenticator (then it is always asked for)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def second_factor_step(*, user) -> str | None:
    """Return what a signed-in, not yet verified ``user`` must do: "verify", "setup" or None."""
    if has_second_factor(user=user):
        return "verify"
    if second_factor_required(user=user):
        return "setup"
    return None
