"""Signing keys and the receipts they sign."""

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.actors import Actor
from audit.services import audit_record
from consent import signing
from consent.models import Consent, ConsentEvent, ConsentReceipt, SigningKey
from consent.receipts import build_payload, display_code, new_code, public_url


def _create_key(organization) -> SigningKey:
    kid = signing.new_kid()
    public, wrapped = signing.generate_keypair(organization_id=organization.pk, kid=kid)
    return SigningKey.objects.create(
        organization=organization, kid=kid, public_key=public, private_key_wrapped=wrapped
    )


def signing_key_for(*, organization) -> SigningKey:
    """Return the organization's current signing key, creating the first one on demand."""
    key = SigningKey.objects.for_org(organization).current().first()
    if key is not None:
        return key
    try:
        # Two first grants at once: the partial unique constraint lets one key win.
        with transaction.atomic():
            key = _create_key(organization)
    except IntegrityError:
        return SigningKey.objects.for_org(organization).current().get()
    audit_record(
        organization_id=organization.pk,
        actor=Actor.system("receipt signing"),
        action="signing_key.created",
        target_type="signing_key",
        target_id=key.pk,
        details={"kid": key.kid},
    )
    return key


@transaction.atomic
def signing_key_rotate(*, organization, actor: Actor) -> SigningKey:
    """Retire the current key and make a new one. Old public keys stay published."""
    current = list(SigningKey.objects.select_for_update().for_org(organization).current())
    now = timezone.now()
    for key in current:
        key.retired_at = now
        key.save(update_fields=["retired_at"])
    key = _create_key(organization)
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action="signing_key.rotated",
        target_type="signing_key",
        target_id=key.pk,
        details={"kid": key.kid, "retired": [k.kid for k in current]},
    )
    return key


def receipt_issue(*, consent: Consent, event: ConsentEvent) -> ConsentReceipt:
    """Sign and store the receipt for a grant or a withdrawal (in the caller's transaction)."""
    key = signing_key_for(organization=consent.organization)
    receipt = ConsentReceipt(organization_id=consent.organization_id, consent=consent, event=event)
    for _attempt in range(5):
        code = new_code()
        if not ConsentReceipt.objects.filter(code=code).exists():
            break
    payload = build_payload(
        consent=consent, event=event, receipt_id=str(receipt.receipt_id), code=code, key=key
    )
    body = signing.canonical_json(payload)
    receipt.code = code
    receipt.kid = key.kid
    receipt.body = body.decode("utf-8")
    receipt.signature = signing.sign(
        organization_id=consent.organization_id,
        kid=key.kid,
        wrapped=key.private_key_wrapped,
        message=body,
    )
    receipt.save()
    # Every receipt reaches the person, however the consent was recorded (web, desk, paper,
    # API): a staff-recorded consent is the one the person is least likely to have seen.
    receipt_pk = receipt.pk
    transaction.on_commit(lambda: receipt_mail(receipt_id=receipt_pk))
    return receipt


def receipt_mail(*, receipt_id: int) -> bool:
    """E-mail a receipt's code and how to check it to its subject; return True when sent.

    In the language of the notice the person was shown. Nothing is sent to a subject without an
    address or already erased; a mail server that fails never undoes the consent.
    """
    receipt = (
        ConsentReceipt.objects.filter(pk=receipt_id)
        .select_related("consent__subject", "consent__notice", "consent__organization", "event")
        .first()
    )
    if receipt is None:
        return False
    consent = receipt.consent
    subject = consent.subject
    if not subject.email or subject.is_erased:
        return False
    language = getattr(consent.notice, "language", "") or "zh-hans"
    with translation.override(language):
        withdrawn = receipt.event.type == ConsentEvent.Type.WITHDRAWN
        values = {
            "org": consent.organization.name,
            "purpose": consent.purpose.local_name,
            "code": display_code(receipt.code),
            "me": public_url(reverse("consent:me")),
            "verify": public_url(reverse("consent:receipt_verify")),
        }
        line = (
            _("You withdrew your consent to face recognition by %(org)s for “%(purpose)s”.")
            if withdrawn
            else _(
                "Your consent to face recognition by %(org)s for “%(purpose)s” is recorded "
                "(%(event)s)."
            )
        ) % (values | {"event": receipt.event.get_type_display()})
        body = "\n\n".join(
            [
                line,
                _("Receipt code: %(code)s") % values,
                _(
                    "See and withdraw your consents, and download this signed receipt: %(me)s "
                    "(sign in with this code and your date of birth, or your e-mail address)."
                )
                % values,
                _("Anyone can check the receipt's signature here: %(verify)s") % values,
            ]
        )
        title = _("Your consent receipt from %(org)s") % values
    send_mail(title, body, None, [subject.email], fail_silently=True)
    return True
