"""Every write of idempotency records: claim a key, keep its answer, let it go, purge (issue 18).

A claim is an INSERT under the unique constraint (organization, caller, key), committed on its
own before the request's work starts, so a concurrent duplicate finds it at once and is told
the first is in flight. The answer is written in the transaction of the work it answers
(tenants.idempotency), so a crash between the two leaves neither: the claim alone remains and
is taken over once IDEMPOTENCY_IN_FLIGHT_SECONDS have passed.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenants.errors import ApplicationError, Conflict
from tenants.models import IdempotencyKey, Organization


class IdempotencyKeyReused(ApplicationError):
    """The key was first sent with another request (method, path or body)."""

    status = 422
    code = "idempotency_key_reused"


class IdempotencyKeyInProgress(Conflict):
    """The first request with this key has not answered yet; ``retry_after`` says when to ask."""

    code = "idempotency_key_in_progress"
    retry_after = 1


@dataclass(frozen=True)
class Claim:
    """A key this request now holds (``replay`` False), or a first answer to repeat (True)."""

    record: IdempotencyKey
    replay: bool


def _ttl() -> timedelta:
    return timedelta(seconds=int(settings.IDEMPOTENCY_KEY_TTL_SECONDS))


def _abandoned(record: IdempotencyKey, now) -> bool:
    """Return True for a claim whose request died before answering (no answer past the lease)."""
    lease = timedelta(seconds=int(settings.IDEMPOTENCY_IN_FLIGHT_SECONDS))
    return record.status_code is None and record.created_at <= now - lease


def idempotency_claim(
    *, organization: Organization, caller: str, key: str, fingerprint: str, path: str
) -> Claim:
    """Claim ``key`` for this request, or return the first answer to repeat.

    Raise IdempotencyKeyReused (422) when the key came with another request, and
    IdempotencyKeyInProgress (409, Retry-After) while the first request is still running. An
    expired record, or a claim abandoned by a request that died, is replaced.
    """
    now = timezone.now()
    # Two rounds: a record found expired or abandoned is deleted and the insert tried again; a
    # third request racing for the same stale key is told to retry rather than looping.
    for _round in range(2):
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    organization=organization,
                    caller=caller,
                    key=key,
                    fingerprint=fingerprint,
                    path=path[:500],
                    created_at=now,
                    expires_at=now + _ttl(),
                )
            return Claim(record, replay=False)
        except IntegrityError:
            pass
        existing = IdempotencyKey.objects.filter(
            organization=organization, caller=caller, key=key
        ).first()
        if existing is None:
            continue  # purged between the insert and the read
        if existing.expires_at <= now or _abandoned(existing, now):
            # Deleted by its own id and creation time: a newer claim by another request stays.
            IdempotencyKey.objects.filter(pk=existing.pk, created_at=existing.created_at).delete()
            continue
        if existing.fingerprint != fingerprint:
            raise IdempotencyKeyReused(
                _(
                    "This Idempotency-Key was first used with another request (%(path)s or "
                    "another body): use a new key for a new request."
                )
                % {"path": existing.path},
                details={"header": "Idempotency-Key", "first_path": existing.path},
            )
        if existing.status_code is None:
            break
        return Claim(existing, replay=True)
    raise IdempotencyKeyInProgress(
        _(
            "A request with this Idempotency-Key is still being handled: ask again in a moment "
            "for its answer."
        ),
        details={"header": "Idempotency-Key"},
    )


def idempotency_complete(
    *, record: IdempotencyKey, status_code: int, body: str | None, location: str = ""
) -> None:
    """Keep the answer (its JSON text) to a claimed key, in the transaction of the work."""
    IdempotencyKey.objects.filter(pk=record.pk).update(
        status_code=status_code, body=body, location=location[:500]
    )


def idempotency_release(*, record: IdempotencyKey) -> None:
    """Let a claimed key go after a refusal or failure: nothing was created, a retry may run."""
    IdempotencyKey.objects.filter(pk=record.pk, status_code__isnull=True).delete()


def idempotency_keys_purge(*, now=None) -> int:
    """Delete every expired record (the beat, daily); return how many went."""
    deleted, _by_model = IdempotencyKey.objects.filter(
        expires_at__lte=now or timezone.now()
    ).delete()
    return deleted


def idempotency_answers_forget(*, organization: Organization, mention: str) -> int:
    """Delete the kept answers of ``organization`` whose body names ``mention`` (a pseudonym).

    PIPL Art. 47, GDPR Art. 17: an erased subject's name and contacts must not outlive the
    erasure in a copy of the answer that created them. A retry of such a request afterwards runs
    again and meets the erasure.
    """
    deleted, _by_model = IdempotencyKey.objects.filter(
        organization=organization, body__contains=mention
    ).delete()
    return deleted
