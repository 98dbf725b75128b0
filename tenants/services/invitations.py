"""Invitations: how a person comes to hold a role in an organization.

An organization offers a role to an address; the mailed link is the proof that the person
controls it. The person accepts signed in as themselves, or, for an address with no account
yet, by choosing their own password on the link's page. The inviting organization never learns
whether the address already has an account (its answer is the same either way) and never
touches one.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.actors import Actor
from audit.services import audit_record
from tenants.alerts import alert_languages
from tenants.errors import Conflict, Forbidden, NotFound
from tenants.models import Invitation, Membership, Organization
from tenants.services.accounts import account_audit, email_normalize, user_create
from tenants.services.members import membership_add
from tenants.services.roles import role_check

User = get_user_model()

_SEPARATOR = "\n\n----------\n\n"


def _invitation_link(token: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("invitation", args=[token])


def _invitation_mail(*, invitation: Invitation, token: str) -> None:
    organization = invitation.organization
    context = {
        "organization": organization.name,
        "link": _invitation_link(token),
        "expires": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M %Z"),
    }
    subjects, bodies = [], []
    for language in alert_languages(organization):
        with translation.override(language):
            subjects.append(_("Invitation to %(organization)s") % context)
            bodies.append(
                _(
                    "%(organization)s invites you to its face recognition compliance portal "
                    "as %(role)s.\n\nOpen this link to accept: %(link)s\n\nIf you already "
                    "have an account, sign in with it; otherwise you will choose your own "
                    "password. The link works once, until %(expires)s.\n\nIf you did not "
                    "expect this invitation, ignore this message."
                )
                % {**context, "role": invitation.get_role_display()}
            )
    send_mail(
        " / ".join(subjects), _SEPARATOR.join(bodies), None, [invitation.email], fail_silently=True
    )


@transaction.atomic
def invitation_create(
    *, organization: Organization, actor: Actor, email: str, role: str
) -> Invitation:
    """Offer ``role`` to ``email`` and mail the link. Raise Conflict for a current member.

    A new invitation to an address replaces its open one, so only the newest link works.
    """
    role_check(role)
    email = email_normalize(email)
    if Membership.objects.for_org(organization).filter(user__email__iexact=email).exists():
        raise Conflict(f"{email} is already a member.", code="already_member")
    now = timezone.now()
    replaced = list(
        Invitation.objects.for_org(organization)
        .select_for_update()
        .filter(email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True)
        .values_list("pk", flat=True)
    )
    Invitation.objects.filter(pk__in=replaced).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organization=organization,
        email=email,
        role=role,
        token_hash=Invitation.hash_token(token),
        invited_by_id=actor.user_id,
        expires_at=now + timedelta(hours=settings.INVITATION_MAX_AGE_HOURS),
    )
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action="invitation.created",
        target_type="invitation",
        target_id=invitation.pk,
        details={"email": email, "role": role, "replaced": replaced},
    )
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        # The person's other organizations learn that someone offered their staff a role:
        # the first sign of an attempt on an account.
        account_audit(
            user=existing,
            actor=actor,
            action="account.invited_elsewhere",
            details={"organization": organization.slug, "role": role},
            skip_organization_id=organization.pk,
        )
    transaction.on_commit(lambda: _invitation_mail(invitation=invitation, token=token))
    return invitation


def _open_invitation(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("organization")
        .filter(token_hash=Invitation.hash_token(token or ""))
        .first()
    )
    if invitation is None or invitation.state != "open":
        raise NotFound(
            _(
                "This invitation link is not valid: it was used, withdrawn or has expired. "
                "Ask the organization to invite you again."
            ),
            code="invitation_invalid",
        )
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user, actor: Actor) -> Membership:
    """Make the signed-in ``user`` a member as the invitation offers.

    Raise NotFound for a used, withdrawn or expired link and Forbidden when the link was sent to
    another address than the account's: the link proves control of one mailbox only.
    """
    invitation = _open_invitation(token)
    if (user.email or "").lower() != invitation.email.lower():
        raise Forbidden(
            _(
                "This invitation was sent to another address. Sign in with the account of the "
                "address that received it."
            ),
            code="invitation_other_address",
        )
    membership = membership_add(
        organization=invitation.organization, actor=actor, user=user, role=invitation.role
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        organization_id=invitation.organization_id,
        actor=actor,
        action="invitation.accepted",
        target_type="invitation",
        target_id=invitation.pk,
        details={"user_id": user.pk, "role": invitation.role},
    )
    return membership


@transaction.atomic
def invitation_accept_new_account(
    *, token: str, password: str, request_id: str = "", ip: str | None = None
) -> Membership:
    """Create the invited address's account with the person's own password, then accept.

    Raise Conflict when the address has an account by now: its person signs in to accept.
    """
    invitation = _open_invitation(token)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise Conflict(
            _("%(email)s already has an account: sign in with it to accept.")
            % {"email": invitation.email},
            code="account_exists",
        )
    user = user_create(email=invitation.email, password=password)
    actor = Actor(Actor.USER, str(user.pk), user.email, request_id, ip, user.pk)
    return invitation_accept(token=token, user=user, actor=actor)


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: Actor) -> Invitation:
    """Withdraw an open invitation: its link stops working. Raise Conflict when it is not open."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state != "open":
        raise Conflict(
            f"This invitation is {invitation.state} and cannot be withdrawn.",
            code=f"invitation_{invitation.state}",
        )
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        organization_id=invitation.organization_id,
        actor=actor,
        action="invitation.revoked",
        target_type="invitation",
        target_id=invitation.pk,
        details={"email": invitation.email},
    )
    return invitation
