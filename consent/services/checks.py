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
from governance.models import Deployment, Purpose
from tenants.errors import Forbidden, UnknownReference
from tenants.prepared_queries import (
    PLACEHOLDER_INT,
    PLACEHOLDER_TIME,
    PLACEHOLDER_UUID,
    PreparedQuery,
)
from tenants.roles import RUN_JOB


def _deployment_fields() -> list[str]:
    return [field.attname for field in Deployment._meta.concrete_fields]


# A gate asks this before every recognition (P7): two queries, each compiled once per process
# (tenants.prepared_queries), the deployment with whether the purpose is the organization's, then
# the subject with the answer of consent's one rule.
_DEPLOYMENT_QUERY = PreparedQuery(
    lambda *, organization, deployment, purpose: (
        Deployment.objects.for_org(organization)
        .filter(pk=deployment)
        .annotate(purpose_found=Exists(Purpose.objects.for_org(organization).filter(pk=purpose)))
        .values_list(*_deployment_fields(), "purpose_found")
    ),
    {
        "organization": PLACEHOLDER_INT[0],
        "deployment": PLACEHOLDER_INT[1],
        "purpose": PLACEHOLDER_INT[2],
    },
)


def _subject_query(*, organization, purpose, pseudonym, at, deployment):
    covering = Consent.objects.filter(subject=OuterRef("pk"), purpose_id=purpose).usable(
        deployment=deployment, at=at
    )
    return (
        Subject.objects.for_org(organization)
        .filter(pseudonym=pseudonym)
        .annotate(usable=Exists(covering))
        .values_list("pk", "pseudonym", "usable")[:1]
    )


_SUBJECT_QUERY = PreparedQuery(
    _subject_query,
    {
        "organization": PLACEHOLDER_INT[0],
        "purpose": PLACEHOLDER_INT[1],
        "pseudonym": PLACEHOLDER_UUID,
        "at": PLACEHOLDER_TIME,
    },
)


@dataclass(frozen=True)
class ConsentCheck:
    pseudonym: UUID
    deployment_id: int
    purpose_id: int
    usable: bool
    checked_at: datetime


def consent_check(
    *, organization, pseudonym, deployment_id, purpose_id, actor: Actor, user=None
) -> ConsentCheck:
    """Return whether the subject ``pseudonym`` holds a usable consent for ``purpose`` at
    ``deployment`` now.

    The answer is consent's one rule (``ConsentQuerySet.usable``): active, face processing
    granted, for the purpose's current version (R11), within its term, a guardian's for a child
    (R15), and not scoped to another deployment. It is read fresh on every call and never
    cached, so a withdrawal is answered "no" from its commit on (R13). The deployment's own
    rules (active, purpose declared, assessment signed off) are asked again by the recognition
    job itself.

    Raise UnknownReference naming ``deployment`` or ``purpose`` when the id is not one of the
    organization's, and Forbidden when ``user`` may not run jobs on the deployment: the
    question is the gate's, whose key runs the job there. Raise UnknownReference naming
    ``subject`` when the pseudonym is not one of the organization's subjects. Every check is audited
    (``consent.checked``, one append): it tells the caller one person's consent, as reading
    that consent does.
    """
    found = _DEPLOYMENT_QUERY.fetch(
        (), organization=organization.pk, deployment=deployment_id, purpose=purpose_id
    )
    if not found:
        raise UnknownReference("deployment", [deployment_id])
    *row, purpose_found = found[0]
    if not purpose_found:
        raise UnknownReference("purpose", [purpose_id])
    deployment = Deployment.from_db("default", _deployment_fields(), row)
    # The permission backends read the deployment's organization: the one it was scoped to.
    deployment.organization = organization
    if user is not None and not user.has_perm(RUN_JOB, deployment):
        raise Forbidden(_("You may not run jobs on this deployment."))
    try:
        pseudonym = UUID(str(pseudonym))
    except ValueError:
        raise UnknownReference("subject", [pseudonym]) from None
    now = timezone.now()
    # The SQL of the rule depends on the deployment (its jurisdiction, its id): its whole row
    # is the shape, so an edited deployment gets its own compiled query.
    found = _SUBJECT_QUERY.fetch(
        (deployment_id, repr(row)),
        organization=organization.pk,
        purpose=purpose_id,
        pseudonym=pseudonym,
        at=now,
        fixed={"deployment": deployment},
    )
    if not found:
        raise UnknownReference("subject", [pseudonym])
    subject_id, subject_pseudonym, usable = found[0]
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action="consent.checked",
        target_type="subject",
        target_id=subject_id,
        subject_pseudonym=str(subject_pseudonym),
        details={"deployment_id": deployment.pk, "purpose_id": purpose_id, "usable": usable},
    )
    return ConsentCheck(
        pseudonym=subject_pseudonym,
        deployment_id=deployment.pk,
        purpose_id=purpose_id,
        usable=usable,
        checked_at=now,
    )
