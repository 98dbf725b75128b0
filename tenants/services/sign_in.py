"""Sign-in events of staff accounts, audited in every organization the person belongs to.

A failure names an account only when one exists under that name: attempts on unknown names stay
in django-axes' own table (they still count against the address).
"""

from django.contrib.auth import get_user_model

from audit.actors import Actor
from tenants.services.accounts import account_audit

User = get_user_model()


def _account(username: str | None):
    name = (username or "").strip().lower()
    return User.objects.filter(username=name).first() if name else None


def sign_in_recorded(*, user, actor: Actor, second_factor: str) -> None:
    """Record a sign-in with the right password; ``second_factor`` says what is still asked."""
    account_audit(
        user=user, actor=actor, action="account.signed_in", details={"second_factor": second_factor}
    )


def sign_in_failed(*, username: str | None, actor: Actor, locked: bool) -> None:
    """Record a refused sign-in: a wrong password, or any attempt while locked out."""
    user = _account(username)
    if user is not None:
        account_audit(
            user=user,
            actor=actor,
            action="account.sign_in_failed",
            details={"reason": "locked_out" if locked else "wrong_password"},
        )


def account_locked(*, username: str | None, actor: Actor, cooloff_seconds: int) -> None:
    """Record that failures locked sign-in to the account (or from the address) for a while."""
    user = _account(username)
    if user is not None:
        account_audit(
            user=user,
            actor=actor,
            action="account.locked",
            details={"cooloff_seconds": cooloff_seconds},
        )
