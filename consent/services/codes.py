"""Self-service sign-in: one-time codes by e-mail, or a receipt code with the date of birth.

Only HMACs of codes and addresses are stored. Attempts are counted in the database per
address (or receipt code) and per IP, so the limits hold across web processes. Attempts are
recorded in their own autocommit statements: a refused sign-in must still count.
"""

import hmac
import secrets
from datetime import date, timedelta
from hashlib import sha256

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actors import Actor
from audit.services import audit_record
from consent.errors import Throttled
from consent.models import ConsentReceipt, OneTimeCode, SignInAttempt, Subject
from consent.receipts import normalize_code, public_url
from tenants.errors import ApplicationError

CODE_TTL = timedelta(minutes=10)
CODE_DIGITS = 6
MAX_FAILS_PER_CODE = 5
# (kind, per-key limit, per-IP limit, window); only failures count for verification.
LIMITS = {
    SignInAttempt.Kind.CODE_REQUEST: (3, 20, timedelta(minutes=15)),
    SignInAttempt.Kind.CODE_VERIFY: (5, 30, timedelta(minutes=15)),
    SignInAttempt.Kind.RECEIPT: (5, 20, timedelta(minutes=15)),
}


def digest(kind: str, value: str) -> str:
    """Return a keyed hash: a leaked table reveals neither codes nor addresses."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{kind}:{value}".encode(), sha256).hexdigest()


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def _check_throttle(kind: str, key_digest: str, ip: str | None, now) -> None:
    per_key, per_ip, window = LIMITS[kind]
    recent = SignInAttempt.objects.filter(kind=kind, created_at__gte=now - window)
    if kind != SignInAttempt.Kind.CODE_REQUEST:
        recent = recent.filter(succeeded=False)
    if recent.filter(key_digest=key_digest).count() >= per_key or (
        ip and recent.filter(ip=ip).count() >= per_ip
    ):
        raise Throttled(
            _("Too many attempts. Please wait %(minutes)d minutes and try again.")
            % {"minutes": int(window.total_seconds() // 60)}
        )


def _record(kind: str, key_digest: str, ip: str | None, succeeded: bool, now) -> None:
    SignInAttempt.objects.create(
        kind=kind, key_digest=key_digest, ip=ip, succeeded=succeeded, created_at=now
    )


def _subjects_with_email(email: str, organization=None):
    subjects = Subject.objects.not_erased().filter(email=email).select_related("organization")
    if organization is not None:
        subjects = subjects.filter(organization=organization)
    return subjects


def code_request(*, email: str, ip: str | None, organization=None) -> bool:
    """Send a one-time code when the address belongs to a subject; return whether one was sent.

    Callers must answer the same either way, so that the page does not reveal who is known.
    Raise Throttled past the limits.
    """
    now = timezone.now()
    email = normalize_email(email)
    key = digest("email", email)
    _check_throttle(SignInAttempt.Kind.CODE_REQUEST, key, ip, now)
    _record(SignInAttempt.Kind.CODE_REQUEST, key, ip, True, now)
    if not email or not _subjects_with_email(email, organization).exists():
        return False
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with transaction.atomic():
        # Only the newest code works: an older e-mail lying around is useless.
        OneTimeCode.objects.filter(email_digest=key, used_at__isnull=True).update(used_at=now)
        OneTimeCode.objects.create(
            email_digest=key,
            code_digest=digest("code", f"{key}:{code}"),
            organization=organization,
            created_at=now,
            expires_at=now + CODE_TTL,
        )
    link = public_url(reverse("consent:me_code"))
    send_mail(
        _("Your sign-in code"),
        _(
            "Your code is %(code)s. It expires in 10 minutes. Enter it at %(link)s\n\n"
            "If you did not ask for it, ignore this message."
        )
        % {"code": code, "link": link},
        None,
        [email],
    )
    return True


def code_verify(*, email: str, code: str, ip: str | None) -> list[Subject]:
    """Return the subjects the address signs in to. Raise ApplicationError for a wrong or
    expired code, Throttled past the limits."""
    now = timezone.now()
    email = normalize_email(email)
    key = digest("email", email)
    kind = SignInAttempt.Kind.CODE_VERIFY
    _check_throttle(kind, key, ip, now)
    latest = OneTimeCode.objects.filter(email_digest=key).order_by("-created_at", "-pk").first()
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if latest is None or latest.used_at is not None:
        _record(kind, key, ip, False, now)
        raise ApplicationError(_("This code is not valid. Ask for a new one."), code="invalid_code")
    if latest.expires_at <= now:
        _record(kind, key, ip, False, now)
        raise ApplicationError(
            _("This code has expired (codes last 10 minutes). Ask for a new one."),
            code="code_expired",
        )
    if not hmac.compare_digest(latest.code_digest, digest("code", f"{key}:{code}")):
        _record(kind, key, ip, False, now)
        latest.failed_attempts += 1
        if latest.failed_attempts >= MAX_FAILS_PER_CODE:
            latest.used_at = now
        latest.save(update_fields=["failed_attempts", "used_at"])
        raise ApplicationError(_("This code is wrong. Check it and try again."), code="wrong_code")
    # One use only, even when two requests race with the same code.
    if not OneTimeCode.objects.filter(pk=latest.pk, used_at__isnull=True).update(used_at=now):
        raise ApplicationError(_("This code is not valid. Ask for a new one."), code="invalid_code")
    _record(kind, key, ip, True, now)
    return list(_subjects_with_email(email, latest.organization))


def receipt_sign_in(*, code: str, date_of_birth: date, ip: str | None) -> Subject:
    """Return the subject of the receipt whose code and date of birth both match.

    Raise ApplicationError with one message for any mismatch (not telling which part was
    wrong), Throttled past the limits.
    """
    now = timezone.now()
    code = normalize_code(code)
    key = digest("receipt", code)
    kind = SignInAttempt.Kind.RECEIPT
    _check_throttle(kind, key, ip, now)
    receipt = (
        ConsentReceipt.objects.filter(code=code).select_related("consent__subject").first()
        if code
        else None
    )
    subject = receipt.consent.subject if receipt else None
    if subject is None or subject.is_erased or subject.date_of_birth != date_of_birth:
        _record(kind, key, ip, False, now)
        raise ApplicationError(
            _("The receipt code and date of birth do not match our records."),
            code="invalid_receipt_code",
        )
    _record(kind, key, ip, True, now)
    return subject


def self_service_signed_in(*, subject: Subject, method: str, request_id: str, ip: str | None):
    """Audit a subject's sign-in to the self-service pages."""
    audit_record(
        organization_id=subject.organization_id,
        actor=Actor.subject(str(subject.pseudonym), request_id=request_id, ip=ip),
        action="self_service.signed_in",
        target_type="subject",
        target_id=subject.pk,
        subject_pseudonym=str(subject.pseudonym),
        details={"method": method},
    )
