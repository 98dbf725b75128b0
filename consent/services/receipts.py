"""Signing keys and the receipts they sign."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.actors import Actor
from audit.services import audit_record
from consent import signing
from consent.models import Consent, ConsentEvent, ConsentReceipt, SigningKey
from consent.receipts import build_payload, new_code


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
    return receipt
