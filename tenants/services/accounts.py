"""Staff accounts: one identity per person, shared by every organization they work for.

The identity belongs to the person, not to any organization: no organization's request creates
a password for someone else or changes one. What happens to an account is recorded in the audit
trail of every organization the person belongs to, so each can see an attempt on its own staff.
"""

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from audit.actors import Actor
from audit.services import audit_record
from tenants.errors import ApplicationError, Conflict
from tenants.models import Membership

User = get_user_model()


def email_normalize(email: str) -> str:
    """Return the address as stored; raise ApplicationError when it is not an e-mail address."""
    email = User.objects.normalize_email((email or "").strip())
    local, _, domain = email.partition("@")
    if not local or not domain or " " in email:
        raise ApplicationError(f"{email!r} is not an e-mail address.", code="invalid_email")
    return email


def password_check(*, password: str, user) -> None:
    """Raise ApplicationError listing what is wrong with ``password`` under the site's rules."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(
            " ".join(exc.messages), code="weak_password", details={"password": exc.messages}
        ) from None


def account_audit(
    *,
    user,
    actor: Actor,
    action: str,
    details: dict | None = None,
    skip_organization_id: int | None = None,
) -> int:
    """Record ``action`` about ``user`` in every organization they belong to; return how many.

    ``skip_organization_id`` leaves out the organization whose own event already tells the story.
    """
    organization_ids = (
        Membership.objects.filter(user=user)
        .exclude(organization_id=skip_organization_id)
        .values_list("organization_id", flat=True)
    )
    count = 0
    for organization_id in organization_ids:
        audit_record(
            organization_id=organization_id,
            actor=actor,
            action=action,
            target_type="user",
            target_id=user.pk,
            details={"user_id": user.pk, **(details or {})},
        )
        count += 1
    return count


@transaction.atomic
def user_create(*, email: str, password: str | None = None):
    """Create a staff account (login name = e-mail). Raise Conflict when the address has one.

    Without a password the account cannot sign in until its person sets one by e-mail.
    """
    email = email_normalize(email)
    if (
        User.objects.filter(email__iexact=email).exists()
        or User.objects.filter(username=email.lower()).exists()
    ):
        raise Conflict(f"{email} already has an account.", code="account_exists")
    user = User(username=email.lower(), email=email)
    if password:
        password_check(password=password, user=user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def user_password_set(*, user, password: str, actor: Actor, reset: bool = False) -> None:
    """Set the person's own new password (changed while signed in, or reset through their mail).

    Callers have proved that the request is the person's: the current password, or the token
    mailed to their address. Every other session of the account ends (Django's session hash).
    """
    password_check(password=password, user=user)
    user.set_password(password)
    user.save(update_fields=["password"])
    account_audit(
        user=user,
        actor=actor,
        action="account.password_reset" if reset else "account.password_changed",
    )


def user_password_reset_requested(*, user, actor: Actor) -> None:
    """Record that a reset link was mailed to the person's own address."""
    account_audit(user=user, actor=actor, action="account.password_reset_requested")
