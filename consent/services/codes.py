"""Self-service sign-in: a one-time code or a one-click link by e-mail, or a receipt code with
the date of birth.

Only HMACs of codes and addresses are stored. Attempts are counted in the database per address
(or receipt code) and per IP, so the limits hold across web processes, and recorded in their own
autocommit statements: a refused sign-in must still count.

Throttling slows an attacker down but never locks a person out of withdrawing (R13, issue 15):
nothing here refuses for a fixed quarter of an hour any more. Past a free allowance, each further
attempt in the window must wait a delay that doubles up to a cap, so someone sharing an address
with an attacker waits at most the cap. A guessed-at code dies after MAX_FAILS_PER_CODE tries and
a new one can always be asked for (paced per address), which bounds guesses per code and per hour.
Every e-mail also carries a one-click sign-in link: a random token nobody can guess, valid
for LINK_TTL, used once, and not touched by wrong codes or newer requests, so a third party who
types wrong codes for a person's address, or asks for code after code, cannot stop that person
signing in from their own mailbox.
"""

import base64
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from hashlib import sha256

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actors import Actor
from audit.services import audit_record
from consent.errors import SignInLinkExpired, Throttled
from consent.models import ConsentReceipt, OneTimeCode, SignInAttempt, Subject
from consent.receipts import normalize_code, public_url
from tenants.errors import ApplicationError

CODE_TTL = timedelta(minutes=10)
CODE_DIGITS = 6
MAX_FAILS_PER_CODE = 5
LINK_TTL = timedelta(minutes=30)


@dataclass(frozen=True)
class Pace:
    """``free`` attempts per ``window``; then each waits ``base``, doubling, at most ``cap``."""

    free: int
    base: timedelta
    cap: timedelta
    window: timedelta

    def wait(self, attempts: list[datetime], now: datetime) -> float:
        """Return the seconds still to wait, given the window's attempts (newest first)."""
        if len(attempts) < self.free:
            return 0.0
        delay = min(self.base * 2 ** min(len(attempts) - self.free, 24), self.cap)
        return max(0.0, (attempts[0] + delay - now).total_seconds())


# (per key, per IP) for each kind; only failures count for verification. A code request for one
# address is paced to about 17 codes an hour (3 free, then 30 s doubling to 5 min): with five
# tries per code that bounds guesses at about 85 an hour, a chance in 12,000 a day.
PACES = {
    SignInAttempt.Kind.CODE_REQUEST: (
        Pace(3, timedelta(seconds=30), timedelta(minutes=5), timedelta(hours=1)),
        Pace(20, timedelta(seconds=5), timedelta(minutes=2), timedelta(minutes=15)),
    ),
    SignInAttempt.Kind.CODE_VERIFY: (
        # Per code: 2 quick tries (a typo), then 2 s doubling; the code dies at the fifth.
        Pace(2, timedelta(seconds=2), timedelta(seconds=30), CODE_TTL),
        Pace(30, timedelta(seconds=1), timedelta(minutes=1), timedelta(minutes=15)),
    ),
    SignInAttempt.Kind.RECEIPT: (
        Pace(5, timedelta(seconds=30), timedelta(minutes=5), timedelta(hours=1)),
        Pace(20, timedelta(seconds=2), timedelta(minutes=1), timedelta(minutes=15)),
    ),
}


def digest(kind: str, value: str) -> str:
    """Return a keyed hash: a leaked table reveals neither codes nor addresses."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{kind}:{value}".encode(), sha256).hexdigest()


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def _check_throttle(kind: str, key_digest: str, ip: str | None, now, *, since=None) -> None:
    """Raise Throttled, saying how many seconds to wait, when the next attempt must wait.

    ``since`` narrows the per-key count (a code's own tries start when it was sent).
    """
    per_key, per_ip = PACES[kind]
    recent = SignInAttempt.objects.filter(kind=kind)
    if kind != SignInAttempt.Kind.CODE_REQUEST:
        recent = recent.filter(succeeded=False)
    key_from = now - per_key.window
    if since is not None:
        key_from = max(key_from, since)
    waits = [
        per_key.wait(_times(recent.filter(key_digest=key_digest, created_at__gte=key_from)), now)
    ]
    if ip:
        ip_from = now - per_ip.window
        waits.append(per_ip.wait(_times(recent.filter(ip=ip, created_at__gte=ip_from)), now))
    wait = max(waits)
    if wait > 0:
        seconds = int(wait) + 1
        raise Throttled(
            _("Too many attempts. Please wait %(seconds)d seconds and try again.")
            % {"seconds": seconds},
            details={"retry_after": seconds},
        )


def _times(attempts) -> list[datetime]:
    # Enough rows to reach any cap: a long run past the cap waits the cap all the same.
    return list(attempts.order_by("-created_at").values_list("created_at", flat=True)[:64])


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
    """Send a one-time code and a one-click sign-in link when the address belongs to a subject;
    return whether they were sent.

    Callers must answer the same either way, so that the page does not reveal who is known.
    Raise Throttled (with the seconds to wait) when requests for this address or from this IP
    come faster than their pace allows.
    """
    now = timezone.now()
    email = normalize_email(email)
    key = digest("email", email)
    _check_throttle(SignInAttempt.Kind.CODE_REQUEST, key, ip, now)
    _record(SignInAttempt.Kind.CODE_REQUEST, key, ip, True, now)
    if not email or not _subjects_with_email(email, organization).exists():
        return False
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    nonce = secrets.token_bytes(16)
    with transaction.atomic():
        # Only the newest code works: an older e-mail lying around is useless, and guesses
        # spread over several live codes would multiply the chance of a hit. Links are left
        # alone: each is a separate secret, and an attacker's requests must not void them.
        OneTimeCode.objects.filter(email_digest=key, used_at__isnull=True).update(used_at=now)
        OneTimeCode.objects.create(
            email_digest=key,
            code_digest=digest("code", f"{key}:{code}"),
            organization=organization,
            created_at=now,
            expires_at=now + CODE_TTL,
        )
        OneTimeCode.objects.create(
            email_digest=digest("email-link", email),
            code_digest=digest("link", nonce.hex()),
            organization=organization,
            created_at=now,
            expires_at=now + LINK_TTL,
        )
    token = _link_token(
        email=email, organization_id=organization.pk if organization else None, nonce=nonce
    )
    send_mail(
        _("Your sign-in code"),
        _(
            "Your code is %(code)s. It expires in 10 minutes. Enter it at %(code_link)s\n\n"
            "Or sign in with one click (this link works once, for 30 minutes):\n%(link)s\n\n"
            "If you did not ask for it, ignore this message."
        )
        % {
            "code": code,
            "code_link": public_url(reverse("consent:me_code")),
            "link": public_url(reverse("consent:me_link", args=[token])),
        },
        None,
        [email],
    )
    return True


def code_verify(*, email: str, code: str, ip: str | None) -> list[Subject]:
    """Return the subjects the address signs in to. Raise ApplicationError for a wrong or
    expired code, Throttled (with the seconds to wait) when tries come too fast.

    A code dies after MAX_FAILS_PER_CODE wrong tries; the person asks for a new one or uses the
    link from the same e-mail, which wrong codes do not affect.
    """
    now = timezone.now()
    email = normalize_email(email)
    key = digest("email", email)
    kind = SignInAttempt.Kind.CODE_VERIFY
    latest = OneTimeCode.objects.filter(email_digest=key).order_by("-created_at", "-pk").first()
    _check_throttle(kind, key, ip, now, since=latest.created_at if latest else None)
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if latest is None or latest.used_at is not None:
        _record(kind, key, ip, False, now)
        raise ApplicationError(
            _("This code is not valid. Ask for a new one, or use the link in the e-mail."),
            code="invalid_code",
        )
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


def link_sign_in(*, token: str) -> list[Subject]:
    """Return the subjects a one-click sign-in link signs in to, using the link up.

    Raise ApplicationError for a link that is forged, used, expired or superseded by nothing:
    links are never throttled, because their token cannot be guessed (a random 128-bit nonce,
    sealed with AES-GCM under a key derived from SECRET_KEY) and wrong codes for the address
    do not touch them. The address travels inside the sealed token, so it never appears in a
    URL in the clear.
    """
    now = timezone.now()
    invalid = ApplicationError(
        _("This sign-in link is not valid or was already used. Ask for a new e-mail."),
        code="invalid_link",
    )
    opened = _link_open(token)
    if opened is None:
        raise invalid
    email, organization_id, nonce = opened
    row = OneTimeCode.objects.filter(
        email_digest=digest("email-link", email), code_digest=digest("link", nonce.hex())
    ).first()
    if row is None or row.organization_id != organization_id:
        raise invalid
    if row.expires_at <= now:
        raise SignInLinkExpired(
            _("This sign-in link has expired (links last 30 minutes). Ask for a new e-mail.")
        )
    # One use only, even when two requests race with the same link.
    if not OneTimeCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now):
        raise invalid
    return list(_subjects_with_email(email, row.organization))


def _link_key() -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), b"consent.sign_in_link", sha256).digest()


def _link_token(*, email: str, organization_id: int | None, nonce: bytes) -> str:
    iv = secrets.token_bytes(12)
    plain = json.dumps({"e": email, "o": organization_id, "n": nonce.hex()}).encode()
    sealed = iv + AESGCM(_link_key()).encrypt(iv, plain, b"consent.sign_in_link")
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def _link_open(token: str) -> tuple[str, int | None, bytes] | None:
    try:
        sealed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        plain = AESGCM(_link_key()).decrypt(sealed[:12], sealed[12:], b"consent.sign_in_link")
        data = json.loads(plain)
        return str(data["e"]), data["o"], bytes.fromhex(data["n"])
    except (ValueError, TypeError, KeyError, InvalidTag):
        return None


def receipt_sign_in(*, code: str, date_of_birth: date, ip: str | None) -> Subject:
    """Return the subject of the receipt whose code and date of birth both match.

    Raise ApplicationError with one message for any mismatch (not telling which part was
    wrong), Throttled (with the seconds to wait) when tries come too fast.
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
