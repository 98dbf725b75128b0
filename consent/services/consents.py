"""Every write about consents given and withdrawn: grant, decline, withdraw.

Each transition locks the consent row (SELECT ... FOR UPDATE) and appends exactly one event,
so concurrent grants and withdrawals of one consent serialize and the history always
alternates with the state it ends in.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actors import Actor
from audit.services import audit_record
from consent.jurisdiction import grant_jurisdiction, kinds_accepted
from consent.models import (
    Consent,
    ConsentEvent,
    ConsentReceipt,
    ConsentRecipient,
    MinorDataRules,
    Subject,
)
from consent.services.history import RECORD_RETENTION, append_event
from consent.services.receipts import receipt_issue
from consent.services.recipients import Recipient, recipients_resolve
from consent.services.subjects import subject_record_choice
from governance.models import Deployment, DeploymentPurpose, Notice, PurposeVersion
from tenants.errors import ApplicationError, Conflict, Forbidden, RuleViolation, UnknownReference
from tenants.roles import RECORD_CONSENT_AT


@dataclass(frozen=True)
class Guardian:
    """Who consented for a child under 14 and how we know it is them (R15)."""

    name: str
    relationship: str
    verification: str
    evidence: str


@dataclass(frozen=True)
class Evidence:
    """How the consent was collected (R4, R16)."""

    channel: str
    consent_ui_version: str
    ip: str | None = None
    user_agent: str = ""
    collected_by_id: int | None = None
    device_id: int | None = None


def _check_grant(
    *,
    subject: Subject,
    purpose_version: PurposeVersion,
    notice: Notice,
    deployment: Deployment | None,
    kind: str,
    evidence: Evidence,
    face_processing: bool,
    central_storage: bool,
    raw_images: bool,
    guardian: Guardian | None,
    signed_document,
    e_signature: str,
) -> tuple[bool, MinorDataRules | None]:
    """Raise the domain error for the first unmet condition; return (is_minor, rules)."""
    org = subject.organization
    purpose = purpose_version.purpose
    # Another organization's purpose, notice or deployment answers as a non-existent one would.
    if purpose.organization_id != org.pk:
        raise UnknownReference("purpose_version", [purpose_version.pk])
    if notice.organization_id != org.pk:
        raise UnknownReference("notice", [notice.pk])
    if subject.is_erased:
        raise Conflict("This subject has been erased.", code="subject_erased")
    if kind not in Consent.Kind.values:
        raise ApplicationError(f"Unknown consent kind {kind!r}.", code="invalid_kind")
    if evidence.channel not in Consent.Channel.values:
        raise ApplicationError(f"Unknown channel {evidence.channel!r}.", code="invalid_channel")
    if not evidence.consent_ui_version:
        raise ApplicationError(
            "Name the version of the consent screen the person saw (R4).",
            code="consent_ui_version_missing",
        )
    if not face_processing:
        raise ApplicationError(
            "Face processing was not granted: record a decline instead.", code="not_granted"
        )
    if purpose.current_version_id != purpose_version.pk:
        raise Conflict(
            "This purpose version is no longer current: consent to the current one.",
            code="purpose_version_not_current",
        )
    if notice.purpose_version_id != purpose_version.pk or notice.status != "published":
        raise ApplicationError(
            "Consent can only be given to a published notice of this purpose version.",
            code="notice_not_published",
        )
    if deployment is not None:
        if deployment.organization_id != org.pk:
            raise UnknownReference("deployment", [deployment.pk])
        if deployment.status in ("suspended", "retired"):
            # The code and status enrollments and jobs answer for the same condition (R2).
            raise RuleViolation(
                "This deployment is suspended or retired.", code="deployment_inactive"
            )
        if not DeploymentPurpose.objects.filter(deployment=deployment, purpose=purpose).exists():
            # The code and status enrollments and jobs answer for the same condition (R2).
            raise RuleViolation(
                "This purpose is not declared for this deployment.", code="purpose_not_attached"
            )
    # R21: keeping raw images is possible only where the purpose allows it at all.
    if raw_images and not purpose_version.keep_raw_images_allowed:
        raise RuleViolation(
            "This purpose does not allow keeping raw images.",
            details=[{"rule": "R21", "fix": "Leave the raw-image item unticked."}],
        )
    # R19 (FRM Art. 8): an on-device site never stores a template centrally, so a grant of
    # central storage there would promise the person something that cannot happen.
    if central_storage and deployment is not None and deployment.storage_mode != "central":
        raise RuleViolation(
            "This deployment keeps face templates on the device (R19): central storage "
            "cannot be granted here.",
            code="storage_on_device",
            details=[
                {
                    "rule": "R19",
                    "field": "central_storage",
                    "message": "Leave the central-storage item unticked, or first change the "
                    "deployment's storage mode to central (suspend it, state why, reassess).",
                }
            ],
        )
    # R17, R18: the deployment's jurisdiction decides the kind, not the organization's profile.
    jurisdiction = grant_jurisdiction(organization=org, deployment=deployment)
    allowed = kinds_accepted(jurisdiction)
    if kind not in allowed:
        rule = {"EU": "R17", "US-IL": "R18"}.get(jurisdiction, "R17/R18")
        raise RuleViolation(
            f"A consent of kind {kind!r} is not valid under this "
            f"{'deployment' if deployment else 'organization'}'s jurisdiction ({jurisdiction}).",
            details=[
                {
                    "rule": rule,
                    "jurisdiction": jurisdiction,
                    "allowed": sorted(allowed),
                    "message": f"Record the consent as one of: {', '.join(sorted(allowed))}.",
                }
            ],
        )
    if kind == Consent.Kind.WRITTEN and not signed_document:
        raise ApplicationError(
            "Written consent needs the signed document.", code="signed_document_missing"
        )
    if kind == Consent.Kind.BIPA_WRITTEN_RELEASE and not (signed_document or e_signature.strip()):
        raise ApplicationError(
            "A BIPA written release needs a signed document or an electronic signature (R18).",
            code="signed_document_missing",
        )
    # R15: the age on the consent date decides; without a date of birth, the bracket.
    is_minor = subject.is_minor_on(timezone.localdate())
    if is_minor is None:
        raise ApplicationError(
            "Record the subject's date of birth or age bracket first (R15).", code="age_unknown"
        )
    rules = None
    if is_minor or kind == Consent.Kind.GUARDIAN:
        if kind != Consent.Kind.GUARDIAN:
            raise RuleViolation(
                "The subject is under 14: only a parent or guardian may consent (R15).",
                details=[{"rule": "R15", "fix": "Record a guardian consent."}],
            )
        if guardian is None or not all(
            v.strip()
            for v in (
                guardian.name,
                guardian.relationship,
                guardian.verification,
                guardian.evidence,
            )
        ):
            raise ApplicationError(
                "A guardian consent needs the guardian's name, relationship, how their identity "
                "was checked, and the evidence (R15).",
                code="guardian_missing",
            )
        rules = MinorDataRules.objects.for_org(org).first()
        if is_minor and rules is None:
            raise RuleViolation(
                "Publish the organization's rules for minors' data before a child's consent "
                "is recorded (R15).",
                details=[{"rule": "R15", "fix": "Publish the minor-specific processing rules."}],
            )
    return bool(is_minor), rules


def consent_recorder_check(*, user, purpose, deployment: Deployment | None) -> None:
    """Raise Forbidden unless ``user`` may record a consent for ``purpose`` at ``deployment``.

    Owners and DPOs may anywhere in their organization; an operator only on a deployment
    granted to them (R33, least privilege; tenants.roles.RECORD_CONSENT_AT), and, for a consent
    covering the purpose on every deployment, on at least one deployment that declares it.
    """
    if user.has_perm(RECORD_CONSENT_AT, purpose.organization):
        return
    candidates = (
        [deployment]
        if deployment is not None
        else Deployment.objects.filter(purpose_links__purpose=purpose).distinct()
    )
    if any(user.has_perm(RECORD_CONSENT_AT, d) for d in candidates):
        return
    raise Forbidden(
        _(
            "You may record consents only for deployments granted to you: ask an owner for a "
            "grant on this deployment."
        ),
        code="deployment_not_granted",
    )


def _lock_existing(subject, purpose_version, deployment) -> Consent | None:
    return (
        Consent.objects.select_for_update()
        .filter(subject=subject, purpose_version=purpose_version, deployment=deployment)
        .first()
    )


@transaction.atomic
def consent_grant(
    *,
    subject: Subject,
    purpose_version: PurposeVersion,
    notice: Notice,
    actor: Actor,
    evidence: Evidence,
    kind: str = Consent.Kind.SEPARATE,
    deployment: Deployment | None = None,
    face_processing: bool = True,
    central_storage: bool = False,
    raw_images: bool = False,
    cross_border: bool = False,
    recipients: tuple[Recipient, ...] | list[Recipient] = (),
    guardian: Guardian | None = None,
    signed_document=None,
    e_signature: str = "",
    term_days: int | None = None,
    user=None,
) -> tuple[Consent, ConsentReceipt]:
    """Record a separate, explicit consent and sign its receipt; return both.

    Each item (face processing, central storage R19, raw images R21, the transfer abroad R26,
    each recipient R25) is granted on its own; a recipient must be in the organization's
    register, complete, and when abroad on a legal basis with the transfer granted
    (``consent.services.recipients``). A consent previously withdrawn or expired for the same
    purpose version is given again on the same record with a new event. Raise Conflict when
    it is already active or restricted, RuleViolation when a regulation forbids it,
    ApplicationError for missing evidence, and Forbidden when ``user`` (the member recording
    it) may not record a consent there (``consent_recorder_check``); nothing is written then.
    """
    is_minor, rules = _check_grant(
        subject=subject,
        purpose_version=purpose_version,
        notice=notice,
        deployment=deployment,
        kind=kind,
        evidence=evidence,
        face_processing=face_processing,
        central_storage=central_storage,
        raw_images=raw_images,
        guardian=guardian,
        signed_document=signed_document,
        e_signature=e_signature,
    )
    if user is not None:
        consent_recorder_check(user=user, purpose=purpose_version.purpose, deployment=deployment)
    named = recipients_resolve(
        organization=subject.organization, recipients=recipients, cross_border=cross_border
    )
    now = timezone.now()
    consent = _lock_existing(subject, purpose_version, deployment)
    if consent is None:
        consent = Consent(
            organization_id=subject.organization_id,
            subject=subject,
            subject_pseudonym=subject.pseudonym,
            purpose_id=purpose_version.purpose_id,
            purpose_version=purpose_version,
            deployment=deployment,
        )
        previous = ""
    elif consent.state == Consent.State.ACTIVE:
        raise Conflict("This consent is already active.", code="already_active")
    elif consent.state == Consent.State.RESTRICTED:
        raise Conflict(
            "This consent is restricted by the organization; it cannot be given again now.",
            code="restricted",
        )
    else:
        previous = consent.state
    guardian = guardian or Guardian("", "", "", "")
    consent.kind = kind
    consent.state = Consent.State.ACTIVE
    consent.face_processing, consent.central_storage = True, central_storage
    consent.raw_images, consent.cross_border = raw_images, cross_border
    consent.channel = evidence.channel
    consent.notice, consent.language = notice, notice.language
    consent.notice_hash = notice.content_hash or _hash_notice(notice)
    consent.consent_ui_version = evidence.consent_ui_version[:40]
    consent.ip, consent.user_agent = evidence.ip, (evidence.user_agent or "")[:400]
    consent.collected_by_id, consent.device_id = evidence.collected_by_id, evidence.device_id
    consent.e_signature = e_signature.strip()[:200]
    consent.is_minor_under_14 = is_minor
    consent.guardian_name = guardian.name.strip()
    consent.guardian_relationship = guardian.relationship.strip()
    consent.guardian_verification = guardian.verification.strip()
    consent.guardian_evidence = guardian.evidence.strip()
    consent.minor_rules = rules
    consent.given_at = consent.state_changed_at = now
    consent.withdrawn_at, consent.withdrawal_channel = None, ""
    consent.expires_at = now + timedelta(days=term_days) if term_days else None
    consent.retain_until = now + RECORD_RETENTION
    if signed_document:
        consent.signed_document_sha256 = _sha256_file(signed_document)
        consent.signed_document = signed_document
    if consent.pk is None:
        try:
            # A concurrent first grant of the same consent: one insert wins, the other
            # answers as "already active" instead of creating a second record.
            with transaction.atomic():
                consent.save()
        except IntegrityError:
            raise Conflict("This consent is already active.", code="already_active") from None
    else:
        consent.save()
    consent.recipients.all().delete()
    ConsentRecipient.objects.bulk_create(
        ConsentRecipient(
            consent=consent,
            register_entry=r.entry,
            name=r.entry.name[:200],
            granted=r.granted,
            contact=r.entry.contact[:300],
            purpose=r.entry.purpose[:300],
            method=r.entry.method[:200],
            data_types=r.entry.data_types[:300],
            location=r.entry.location,
        )
        for r in named
    )
    event = append_event(
        consent,
        type=ConsentEvent.Type.GIVEN,
        from_state=previous,
        actor=actor,
        channel=evidence.channel,
    )
    consent.save(update_fields=["state_changed_at", "retain_until"])
    receipt = receipt_issue(consent=consent, event=event)
    subject_record_choice(subject=subject, actor=actor, choice=Subject.Choice.FACE)
    audit_record(
        organization_id=consent.organization_id,
        actor=actor,
        action="consent.given",
        target_type="consent",
        target_id=consent.pk,
        subject_pseudonym=str(consent.subject_pseudonym),
        details={
            "purpose_version_id": purpose_version.pk,
            "deployment_id": deployment.pk if deployment else None,
            "kind": kind,
            "channel": evidence.channel,
            "items": {
                "face_processing": True,
                "central_storage": central_storage,
                "raw_images": raw_images,
                "cross_border": cross_border,
                "recipients": {r.entry.name: r.granted for r in named},
            },
            "is_minor_under_14": is_minor,
            "notice_id": notice.pk,
            "receipt_id": str(receipt.receipt_id),
        },
    )
    return consent, receipt


def _hash_notice(notice: Notice) -> str:
    text = "\n".join(str(getattr(notice, f)) for f in Notice.CONTENT_FIELDS)
    return hashlib.sha256(text.encode()).hexdigest()


def _sha256_file(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def consent_decline(
    *,
    organization,
    purpose_version: PurposeVersion,
    actor: Actor,
    channel: str,
    subject: Subject | None = None,
) -> Subject | None:
    """Record that a person declined face recognition and route them to the alternative.

    R4: declines are logged (with the person's pseudonym when they are known) so that a
    complaint of coercion can be checked. R3, R14: the alternative stays open to them.
    """
    if purpose_version.purpose.organization_id != organization.pk:
        raise UnknownReference("purpose_version", [purpose_version.pk])
    if subject is not None and subject.organization_id != organization.pk:
        raise UnknownReference("subject", [subject.pseudonym])
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action="consent.declined",
        target_type="purpose_version",
        target_id=purpose_version.pk,
        subject_pseudonym=str(subject.pseudonym) if subject else "",
        details={"channel": channel},
    )
    if subject is None:
        return None
    return subject_record_choice(subject=subject, actor=actor, choice=Subject.Choice.ALTERNATIVE)


@transaction.atomic
def consent_withdraw(
    *, consent: Consent, actor: Actor, channel: str
) -> tuple[Consent, ConsentReceipt]:
    """Withdraw a consent and sign the withdrawal receipt; return both.

    From the commit on, selectors no longer count it (R13). The ``consent.withdrawn`` event is
    recorded in this transaction; recognition's reaction purges what no usable consent still
    needs after the commit, retried until done (PIPL Art. 47, R22), and its failure never
    reaches the caller. Raise Conflict when it is already withdrawn.
    """
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.state == Consent.State.WITHDRAWN:
        raise Conflict("This consent is already withdrawn.", code="already_withdrawn")
    previous = consent.state
    consent.state = Consent.State.WITHDRAWN
    consent.withdrawn_at = timezone.now()
    consent.withdrawal_channel = channel
    event = append_event(
        consent, type=ConsentEvent.Type.WITHDRAWN, from_state=previous, actor=actor, channel=channel
    )
    consent.save(
        update_fields=[
            "state",
            "withdrawn_at",
            "withdrawal_channel",
            "state_changed_at",
            "retain_until",
        ]
    )
    receipt = receipt_issue(consent=consent, event=event)
    audit_record(
        organization_id=consent.organization_id,
        actor=actor,
        action="consent.withdrawn",
        target_type="consent",
        target_id=consent.pk,
        subject_pseudonym=str(consent.subject_pseudonym),
        details={
            "from": previous,
            "channel": channel,
            "purpose_version_id": consent.purpose_version_id,
            "receipt_id": str(receipt.receipt_id),
        },
    )
    subject = consent.subject
    # R14: without another active consent, the person is routed to the alternative.
    if not Consent.objects.filter(subject=subject).usable().exists():
        subject_record_choice(subject=subject, actor=actor, choice=Subject.Choice.ALTERNATIVE)
    return consent, receipt
