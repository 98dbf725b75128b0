"""A person's second factor: one TOTP authenticator and a set of recovery codes.

Only the person sets up, replaces or removes their own factor, signed in as themselves (and,
once they have one, having given it in this session): no organization and no API does it for
them. Every change, and every code given at sign-in right or wrong, is audited in each
organization the person belongs to. Wrong codes slow down per device (django-otp doubles the
wait after each failure, capped here at minutes), so guessing a six-digit code is hopeless and
no one is locked out for long.
"""

from base64 import b32encode

from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.actors import Actor
from tenants.errors import ApplicationError, Conflict
from tenants.selectors import second_factor_required
from tenants.services.accounts import account_audit

RECOVERY_CODE_COUNT = 10


class WrongCode(ApplicationError):
    code = "wrong_code"


class TooManyCodes(ApplicationError):
    status = 429
    code = "too_many_attempts"


def totp_secret_b32(device: TOTPDevice) -> str:
    """Return the device's secret as an authenticator app types it (base32, no padding)."""
    return b32encode(device.bin_key).decode().rstrip("=")


@transaction.atomic
def totp_device_start(*, user) -> TOTPDevice:
    """Return a new, unconfirmed authenticator for ``user``; earlier unconfirmed ones go.

    Its secret is shown once, on the page that makes it: a reload makes a new one, so a secret
    glimpsed once cannot be confirmed later by someone else.
    """
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, user, device_id: int, token: str, actor: Actor):
    """Confirm the new authenticator with a code from it; return (device, recovery codes).

    Replaces any earlier authenticator and recovery codes. Raise WrongCode when the code does
    not match (or the device is not the person's unconfirmed one).
    """
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(pk=device_id, user=user, confirmed=False)
        .first()
    )
    if device is None or not device.verify_token(_digits(token)):
        raise WrongCode(_("That code is not right. Check the time on your phone and try again."))
    replaced = TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk)
    had_one = replaced.exists()
    replaced.delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _recovery_codes_new(user)
    account_audit(
        user=user,
        actor=actor,
        action="account.second_factor_replaced" if had_one else "account.second_factor_enrolled",
        details={"method": "totp", "recovery_codes": len(codes)},
    )
    return device, codes


@transaction.atomic
def recovery_codes_regenerate(*, user, actor: Actor) -> list[str]:
    """Replace the person's recovery codes with new ones and return them (shown once)."""
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise Conflict(_("Set up an authenticator first."), code="no_second_factor")
    codes = _recovery_codes_new(user)
    account_audit(
        user=user,
        actor=actor,
        action="account.recovery_codes_regenerated",
        details={"recovery_codes": len(codes)},
    )
    return codes


@transaction.atomic
def second_factor_remove(*, user, actor: Actor) -> None:
    """Remove the person's authenticator and recovery codes.

    Raise Conflict when their role or an organization requires a second factor of them.
    """
    if second_factor_required(user=user):
        raise Conflict(
            _("Your role or your organization requires a second factor; replace it instead."),
            code="second_factor_required",
        )
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    account_audit(user=user, actor=actor, action="account.second_factor_removed")


@transaction.atomic
def second_factor_reset(*, user, actor: Actor) -> None:
    """Remove a person's authenticator and recovery codes when they have lost both.

    Only the site's operator does this (``manage.py reset_second_factor``), after checking who
    is asking outside the portal; a person whose role requires a factor sets up a new one at
    their next sign-in. Audited in every organization the person belongs to.
    """
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    account_audit(user=user, actor=actor, action="account.second_factor_reset")


def second_factor_check(*, user, token: str, actor: Actor):
    """Return the device that accepts ``token`` (a TOTP code or an unused recovery code).

    A recovery code works once. Raise TooManyCodes while wrong codes keep that kind of code
    waiting, WrongCode when nothing matches; both are audited, as is a code that passes.

    Wrong six-digit codes slow down only the authenticator (django-otp doubles the wait after
    each), up to MAX_CODE_WAIT_SECONDS: someone who has the password and keeps guessing can
    delay the person by that much, not lock them out, and the recovery codes (eight characters,
    2^40 of them: not worth guessing) still work meanwhile.
    """
    token = (token or "").strip().replace(" ", "").replace("-", "").lower()
    devices = [
        d
        for d in list(TOTPDevice.objects.filter(user=user, confirmed=True))
        + list(StaticDevice.objects.filter(user=user, confirmed=True))
        # Six digits are an authenticator's code; recovery codes are eight letters and digits.
        if (len(token) == device_digits(d) and token.isdigit()) == isinstance(d, TOTPDevice)
    ]
    if devices and not any(d.verify_is_allowed()[0] for d in devices):
        account_audit(
            user=user,
            actor=actor,
            action="account.second_factor_failed",
            details={"reason": "throttled"},
        )
        raise TooManyCodes(_("Too many wrong codes. Wait a minute, then try again."))
    for device in devices:
        is_totp = isinstance(device, TOTPDevice)
        if device.verify_token(token):
            account_audit(
                user=user,
                actor=actor,
                action="account.second_factor_passed",
                details={
                    "method": "totp" if is_totp else "recovery_code",
                    **({} if is_totp else {"recovery_codes_left": device.token_set.count()}),
                },
            )
            return device
        _wait_capped(device)
    account_audit(
        user=user, actor=actor, action="account.second_factor_failed", details={"reason": "wrong"}
    )
    raise WrongCode(_("That code is not right."))


# django-otp waits 2^(n-1) seconds after n wrong codes, without limit; 2^9 s is about 8.5 min.
MAX_CODE_WAIT_FAILURES = 10
MAX_CODE_WAIT_SECONDS = 2 ** (MAX_CODE_WAIT_FAILURES - 1)


def _wait_capped(device) -> None:
    if device.throttling_failure_count > MAX_CODE_WAIT_FAILURES:
        device.throttling_failure_count = MAX_CODE_WAIT_FAILURES
        device.save(update_fields=["throttling_failure_count"])


def device_digits(device) -> int:
    return getattr(device, "digits", 6)


def _digits(token: str) -> str:
    return (token or "").strip().replace(" ", "")


def _recovery_codes_new(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes
