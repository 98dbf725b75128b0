"""CompreFace-compatible keys and the erasure of a subject's examples through them.

A key of scope ``compreface`` is an ordinary ``tenants.ApiKey`` (listed, revoked and audited
with the others) whose service user is an operator granted enrollment, jobs and results on one
deployment only, and whose binding names the one purpose it serves. The REST API refuses it
(tenants.authentication), so a CompreFace client can never record a consent or read more than
its collection (R33, least privilege).
"""

from django.db import transaction
from django.utils.translation import gettext as _

from audit.actors import Actor
from audit.services import audit_record
from governance.models import Deployment, DeploymentPurpose, Purpose
from governance.services.deployments import deployment_grant_operator
from recognition.models import CompreFaceBinding, FaceTemplate, RawImage
from recognition.services.templates import DeletionReason, raw_images_delete, templates_delete
from tenants.errors import ApplicationError, RuleViolation
from tenants.models import ApiKey
from tenants.roles import ENROLL, RUN_JOB, VIEW_RESULTS, Role
from tenants.services import api_key_create

# The per-deployment grants a CompreFace client needs, and no more: add examples (enroll),
# recognize, verify and detect (jobs), and read the answers (results).
COMPREFACE_GRANTS = sorted(perm.split(".", 1)[1] for perm in (ENROLL, RUN_JOB, VIEW_RESULTS))


@transaction.atomic
def compreface_key_create(
    *, organization, actor: Actor, name: str, deployment: Deployment, purpose: Purpose
) -> tuple[ApiKey, str, CompreFaceBinding]:
    """Create a CompreFace-compatible key bound to ``deployment`` and ``purpose``.

    Return the key, its secret (shown this once) and the binding. Raise RuleViolation
    (``purpose_not_attached``, 422) unless the purpose is declared for the deployment (R2), and
    ApplicationError when either belongs to another organization.
    """
    if deployment.organization_id != organization.pk or purpose.organization_id != organization.pk:
        raise ApplicationError(
            _("The deployment and purpose must be this organization's."), code="invalid"
        )
    if not DeploymentPurpose.objects.filter(deployment=deployment, purpose=purpose).exists():
        raise RuleViolation(
            _("This purpose is not declared for the deployment (R2)."),
            code="purpose_not_attached",
        )
    key, secret = api_key_create(
        organization=organization,
        actor=actor,
        name=name,
        role=Role.OPERATOR,
        scope=ApiKey.Scope.COMPREFACE,
    )
    deployment_grant_operator(
        deployment=deployment, user=key.user, actor=actor, perms=COMPREFACE_GRANTS
    )
    binding = CompreFaceBinding.objects.create(
        organization=organization, api_key=key, deployment=deployment, purpose=purpose
    )
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action="recognition.compreface_key_bound",
        target_type="api_key",
        target_id=key.pk,
        details={
            "prefix": key.prefix,
            "deployment_id": deployment.pk,
            "purpose_id": purpose.pk,
            "grants": COMPREFACE_GRANTS,
        },
    )
    return key, secret, binding


@transaction.atomic
def compreface_examples_delete(
    *, binding: CompreFaceBinding, actor: Actor, subject=None, enrollment=None
) -> int:
    """Erase one example, a subject's examples, or all in the binding's collection; return how
    many templates went.

    An example is a stored template (and the raw image kept with it, R21): both go through the
    deletions every other path uses, each audited with the reason ``deleted_by_operator`` and
    the galleries bumped, so the next search no longer knows them. The subject and their
    consent stay: ending the processing is the operator's call, erasing the person is a request.
    """
    templates = FaceTemplate.objects.filter(
        organization_id=binding.organization_id,
        deployment_id=binding.deployment_id,
        purpose_id=binding.purpose_id,
    )
    if enrollment is not None:
        templates = templates.filter(enrollment=enrollment)
    elif subject is not None:
        templates = templates.filter(subject=subject)
    # Neither: every example of the collection (CompreFace's "delete all"), each audited.
    templates = list(templates)
    reason = DeletionReason.OPERATOR_DELETED
    deleted = templates_delete(templates=templates, actor=actor, reason=reason)
    raw_images_delete(
        images=RawImage.objects.filter(enrollment_id__in=[t.enrollment_id for t in templates]),
        actor=actor,
        reason=reason,
    )
    return deleted
