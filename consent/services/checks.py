"""A gate's question before it recognises someone: does a usable consent cover this person here?"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actors import Actor
from audit.services import audit_record
from consent.models import Consent, Subject
from tenants.errors import Forbidden, UnknownReference
from tenants.roles import RUN_JOB


@dataclass(frozen=True)
class ConsentCheck:
    pseudonym: UUID
    deployment_id: int
    purpose_id: int
    usable: bool
    checked_at: datetime


def consent_check(
    *, organization, pseudonym, deployment, purpose, actor: Actor, user=None
) -> ConsentCheck:
    """Return whether the subject ``pseudonym`` holds a usable consent for ``purpose`` at
    ``deployment`` now.

    The answer is consent's one rule (``ConsentQuerySet.usable``): active, face processing
    granted, for the purpose's current version (R11), within its term, a guardian's for a child
    (R15), and not scoped to another deployment. It is read fresh on every call and never
    cached, so a withdrawal is answered "no" from its commit on (R13). The deployment's own
    rules (active, purpose declared, assessment signed off) are asked again by the recognition
    job itself.

    Raise Forbidden when ``user`` may not run jobs on the deployment: the question is the
    gate's, whose key runs the job there. Raise UnknownReference naming ``subject`` when the
    pseudonym is not one of the organization's subjects. Every check is audited
    (``consent.checked``, one append): it tells the caller one person's consent, as reading
    that consent does.
    """
    if user is not None and not user.has_perm(RUN_JOB, deployment):
        raise Forbidden(_("You may not run jobs on this deployment."))
    try:
        pseudonym = UUID(str(pseudonym))
    except ValueError:
        raise UnknownReference("subject", [pseudonym]) from None
    # A gate asks this before every recognition: one query finds the subject and answers.
    covering = Consent.objects.filter(subject=OuterRef("pk"), purpose=purpose).usable(
        deployment=deployment
    )
    subject = (
        Subject.objects.for_org(organization)
        .filter(pseudonym=pseudonym)
        .annotate(usable=Exists(covering))
        .only("pk", "organization_id", "pseudonym")
        .first()
    )
    if subject is None:
        raise UnknownReference("subject", [pseudonym])
    same_org = organization.pk == purpose.organization_id == deployment.organization_id
    usable = same_org and subject.usable
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action="consent.checked",
        target_type="subject",
        target_id=subject.pk,
        subject_pseudonym=str(subject.pseudonym),
        details={"deployment_id": deployment.pk, "purpose_id": purpose.pk, "usable": usable},
    )
    return ConsentCheck(
        pseudonym=subject.pseudonym,
        deployment_id=deployment.pk,
        purpose_id=purpose.pk,
        usable=usable,
        checked_at=timezone.now(),
    )
