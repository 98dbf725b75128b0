"""Every write about subjects: creation, details, their choice, erasure, turning 14."""

import hashlib
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.actors import Actor
from audit.services import audit_record
from audit.services.recording import EventSpec, audit_record_many
from consent.models import Consent, MinorDataRules, Subject
from consent.models.subjects import MINOR_AGE, age_on
from consent.services.history import subject_erased_record
from tenants.errors import ApplicationError, Conflict
from tenants.services.idempotency import idempotency_answers_forget

SUBJECT_FIELDS = (
    "external_ref",
    "display_name",
    "email",
    "phone",
    "date_of_birth",
    "age_bracket",
)


def today() -> date:
    """Return today's date in the site's time zone (ages turn over at local midnight)."""
    return timezone.localdate()


def _bracket_for(born: date, day: date) -> str:
    years = age_on(born, day)
    if years < MINOR_AGE:
        return Subject.AgeBracket.UNDER_14
    if years < 18:
        return Subject.AgeBracket.FROM_14_TO_17
    return Subject.AgeBracket.ADULT


def _clean(fields: dict) -> dict:
    unknown = set(fields) - set(SUBJECT_FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown subject fields: {', '.join(sorted(unknown))}.")
    fields = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
    born = fields.get("date_of_birth")
    if born is not None:
        if born > today():
            raise ApplicationError("The date of birth is in the future.", code="invalid_dob")
        # The bracket follows the date of birth whenever one is known.
        fields["age_bracket"] = _bracket_for(born, today())
    bracket = fields.get("age_bracket")
    if bracket is not None and bracket not in Subject.AgeBracket.values:
        raise ApplicationError(f"Unknown age bracket {bracket!r}.", code="invalid_age_bracket")
    if "email" in fields and fields["email"]:
        fields["email"] = fields["email"].lower()
    return fields


@transaction.atomic
def subject_create(*, organization, actor: Actor, **fields) -> Subject:
    """Create a subject with a fresh pseudonym. Raise Conflict when the reference is taken."""
    fields = _clean(fields)
    try:
        with transaction.atomic():
            subject = Subject.objects.create(organization=organization, **fields)
    except IntegrityError:
        raise Conflict(
            "Another subject already has this external reference.", code="external_ref_taken"
        ) from None
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action="subject.created",
        target_type="subject",
        target_id=subject.pk,
        subject_pseudonym=str(subject.pseudonym),
        details={"fields": sorted(k for k, v in fields.items() if v not in ("", None))},
    )
    return subject


@transaction.atomic
def subject_update(*, subject: Subject, actor: Actor, **changes) -> Subject:
    """Change a subject's details; the audit event names the fields, never their values."""
    subject = Subject.objects.select_for_update().get(pk=subject.pk)
    if subject.is_erased:
        raise Conflict("This subject has been erased.", code="subject_erased")
    changes = _clean(changes)
    changed = [f for f, v in changes.items() if getattr(subject, f) != v]
    if not changed:
        return subject
    for field in changed:
        setattr(subject, field, changes[field])
    try:
        with transaction.atomic():
            subject.save(update_fields=[*changed, "updated_at"])
    except IntegrityError:
        raise Conflict(
            "Another subject already has this external reference.", code="external_ref_taken"
        ) from None
    audit_record(
        organization_id=subject.organization_id,
        actor=actor,
        action="subject.updated",
        target_type="subject",
        target_id=subject.pk,
        subject_pseudonym=str(subject.pseudonym),
        details={"fields": sorted(changed)},
    )
    return subject


@transaction.atomic
def subject_record_choice(*, subject: Subject, actor: Actor, choice: str) -> Subject:
    """Record face recognition or the non-biometric alternative (R3, R14).

    A person who declines is routed to the alternative; the refusal is kept in the audit trail
    so that a complaint of coercion can be checked (R4).
    """
    if choice not in Subject.Choice.values:
        raise ApplicationError(f"Unknown choice {choice!r}.", code="invalid_choice")
    if subject.choice == choice:
        return subject
    previous = subject.choice
    subject.choice, subject.choice_at = choice, timezone.now()
    subject.save(update_fields=["choice", "choice_at", "updated_at"])
    audit_record(
        organization_id=subject.organization_id,
        actor=actor,
        action="subject.choice_recorded",
        target_type="subject",
        target_id=subject.pk,
        subject_pseudonym=str(subject.pseudonym),
        details={"from": previous, "to": choice},
    )
    return subject


@transaction.atomic
def subject_erase(*, subject: Subject, actor: Actor) -> Subject:
    """Erase the subject's identity, keeping the pseudonym and the consent history (R16).

    PIPL Art. 47 asks for deletion; PIPL Art. 56 and GDPR Art. 7(1) ask the organization to
    show for three years that consent existed. The row stays as a bare pseudonym, consent
    evidence that identifies a person (address, browser, guardian, signed scan) is blanked,
    and the events, which never held identifiers, stay as they are.
    """
    subject = Subject.objects.select_for_update().get(pk=subject.pk)
    if subject.is_erased:
        return subject
    if Consent.objects.filter(subject=subject, state=Consent.State.ACTIVE).exists():
        raise Conflict(
            "Withdraw the subject's active consents before erasing them.", code="consent_active"
        )
    for consent in Consent.objects.select_for_update().filter(subject=subject):
        if consent.signed_document:
            consent.signed_document.delete(save=False)
        consent.ip, consent.user_agent, consent.e_signature = None, "", ""
        consent.guardian_name = consent.guardian_evidence = ""
        consent.save(
            update_fields=[
                "ip",
                "user_agent",
                "e_signature",
                "guardian_name",
                "guardian_evidence",
                "signed_document",
            ]
        )
    subject.external_ref = subject.display_name = subject.email = subject.phone = ""
    subject.date_of_birth = None
    subject.erased_at = timezone.now()
    subject.save()
    audit_record(
        organization_id=subject.organization_id,
        actor=actor,
        action="subject.erased",
        target_type="subject",
        target_id=subject.pk,
        subject_pseudonym=str(subject.pseudonym),
    )
    subject_erased_record(subject=subject, actor=actor)
    # The answers kept for Idempotency-Key retries may hold the name and contacts just erased.
    idempotency_answers_forget(organization=subject.organization, mention=str(subject.pseudonym))
    return subject


def subjects_flag_turning_14(*, organization_id: int | None = None, day: date | None = None) -> int:
    """Flag subjects whose 14th birthday has come, once each; return how many (R15).

    Whether their guardian's consent must then be renewed by their own is undecided in law
    (REGULATIONS.md R15, "U"): the flag puts them on the staff's list and changes no consent.
    """
    day = day or today()
    candidates = Subject.objects.filter(
        erased_at__isnull=True,
        turned_14_at__isnull=True,
        age_bracket=Subject.AgeBracket.UNDER_14,
        date_of_birth__lte=_years_before(day, MINOR_AGE),
    )
    if organization_id is not None:
        candidates = candidates.filter(organization_id=organization_id)
    flagged = 0
    by_org: dict[int, list[EventSpec]] = {}
    with transaction.atomic():
        for subject in candidates.select_for_update(skip_locked=True):
            if age_on(subject.date_of_birth, day) < MINOR_AGE:
                continue
            birthday = _fourteenth_birthday(subject.date_of_birth)
            subject.turned_14_at = birthday
            subject.age_bracket = Subject.AgeBracket.FROM_14_TO_17
            subject.save(update_fields=["turned_14_at", "age_bracket", "updated_at"])
            flagged += 1
            by_org.setdefault(subject.organization_id, []).append(
                EventSpec(
                    "subject.turned_14",
                    "subject",
                    str(subject.pk),
                    str(subject.pseudonym),
                    {"on": birthday.isoformat()},
                )
            )
        for org_id, specs in by_org.items():
            audit_record_many(
                organization_id=org_id, actor=Actor.system("turning-14 job"), events=specs
            )
    return flagged


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return date(day.year - years, 2, 28)


def _fourteenth_birthday(born: date) -> date:
    try:
        return born.replace(year=born.year + MINOR_AGE)
    except ValueError:  # born on 29 February
        return date(born.year + MINOR_AGE, 3, 1)


@transaction.atomic
def minor_rules_publish(
    *, organization, actor: Actor, title: str, body: str, url: str = ""
) -> MinorDataRules:
    """Publish the organization's rules for minors' face data (PIPL Art. 31, R15)."""
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise ApplicationError("The rules need a title and a text.", code="invalid")
    rules = MinorDataRules.objects.create(
        organization=organization,
        title=title,
        body=body,
        url=url.strip(),
        content_hash=hashlib.sha256(f"{title}\n{body}".encode()).hexdigest(),
        published_at=timezone.now(),
        published_by_label=actor.label,
    )
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action="minor_rules.published",
        target_type="minor_data_rules",
        target_id=rules.pk,
        details={"content_hash": rules.content_hash},
    )
    return rules
