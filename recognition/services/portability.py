"""A person's face templates for their portable data (R46), only when they ask for them.

Decrypted here, the only app that holds the keys, and only the templates a storage consent
still covers: one the portal should already have deleted is not handed out either.
"""

from django.conf import settings

from audit.actors import Actor
from audit.services import audit_record
from recognition import crypto
from recognition.models import FaceTemplate
from recognition.services.galleries import template_aad
from recognition.services.keys import subject_key
from recognition.services.templates import templates_unneeded


def subject_templates_export(*, subject, actor: Actor) -> list[dict]:
    """Return the subject's covered templates as plain vectors; audit the export.

    Empty when RECOGNITION_PORTABLE_TEMPLATES is off or the subject's key is destroyed.
    """
    if not settings.RECOGNITION_PORTABLE_TEMPLATES:
        return []
    key = subject_key(subject=subject)
    if key is None:
        return []
    templates = list(
        FaceTemplate.objects.filter(subject=subject).select_related("purpose").order_by("pk")
    )
    unneeded = {t.pk for t in templates_unneeded(templates=templates)}
    exported = [
        {
            "purpose": t.purpose.name,
            "model_version": t.model_version,
            "created_at": t.created_at.isoformat(),
            "vector": [
                float(v)
                for v in crypto.decrypt_template(
                    key,
                    bytes(t.ciphertext),
                    aad=template_aad(subject.organization_id, t.public_id, subject.pseudonym),
                )
            ],
        }
        for t in templates
        if t.pk not in unneeded
    ]
    audit_record(
        organization_id=subject.organization_id,
        actor=actor,
        action="recognition.templates_exported",
        target_type="subject",
        target_id=subject.pk,
        subject_pseudonym=str(subject.pseudonym),
        details={"count": len(exported), "purpose": "portability"},
    )
    return exported
