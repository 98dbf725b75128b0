"""A deployment from a template in one call: its purpose, notice draft and assessment draft.

Every write goes through the service that owns it (deployment_create, purpose_create,
deployment_attach_purpose, device_add, notice_create, assessment_create), in one transaction,
so a refusal by any of them leaves nothing behind and every step is audited as if made by hand.
What is left before activation is read from governance.checklist.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from audit.actors import Actor
from governance.deployment_templates import TEMPLATES
from governance.models import Assessment, Deployment, Notice, Purpose
from governance.selectors import notice_published_for
from governance.services.assessments import assessment_create
from governance.services.common import require_same_org
from governance.services.deployments import (
    deployment_attach_purpose,
    deployment_create,
    device_add,
)
from governance.services.notices import notice_create, notice_suggested_content
from governance.services.purposes import purpose_create
from tenants.errors import ApplicationError

# The notice draft's language: the templates' texts are written in English; another
# language's draft is added with notices_create.
NOTICE_LANGUAGE = "en"


@dataclass(frozen=True)
class TemplateDeployment:
    deployment: Deployment
    purpose: Purpose
    notice: Notice | None
    assessment: Assessment


@transaction.atomic
def deployment_create_from_template(
    *,
    organization,
    actor: Actor,
    template: str,
    name: str,
    address: str,
    province: str,
    purpose: Purpose | None = None,
    devices: list[dict] | None = None,
    **overrides,
) -> TemplateDeployment:
    """Create a draft deployment from ``template`` with its purpose, an English notice draft
    and an impact-assessment draft; return them.

    ``purpose`` attaches an existing purpose of the organization instead of declaring the
    template's; ``overrides`` replace the template's deployment fields. No notice draft is made
    when the purpose's current version already has an English notice (published, or a draft,
    which is returned). Raise ApplicationError (invalid_choice) for an unknown template, and
    whatever the services raise for the rest.
    """
    spec = TEMPLATES.get(template)
    if spec is None:
        raise ApplicationError(
            _("template: choose one of %s.") % ", ".join(TEMPLATES), code="invalid_choice"
        )
    deployment = deployment_create(
        organization=organization,
        actor=actor,
        **(spec.deployment | overrides | {"name": name, "address": address, "province": province}),
    )
    if purpose is None:
        purpose = purpose_create(
            organization=organization,
            actor=actor,
            name=spec.purpose_name,
            kind=spec.purpose_kind,
            **spec.version,
        )
    else:
        require_same_org(purpose, organization, "purpose")
    deployment_attach_purpose(deployment=deployment, purpose=purpose, actor=actor)
    for device in devices or []:
        device_add(deployment=deployment, actor=actor, **device)
    notice = _notice_draft(organization, actor, purpose, spec.notice)
    assessment = assessment_create(
        organization=organization,
        actor=actor,
        deployment=deployment,
        title=_("Impact assessment: %(deployment)s, %(purpose)s")
        % {"deployment": deployment.name, "purpose": purpose.name},
        **spec.assessment_sections,
    )
    return TemplateDeployment(deployment, purpose, notice, assessment)


def _notice_draft(organization, actor: Actor, purpose: Purpose, texts: dict) -> Notice | None:
    version = purpose.current_version
    if notice_published_for(purpose_version=version, language=NOTICE_LANGUAGE) is not None:
        return None
    draft = (
        Notice.objects.for_org(organization)
        .filter(purpose_version=version, language=NOTICE_LANGUAGE, status=Notice.Status.DRAFT)
        .first()
    )
    if draft is not None:
        return draft
    # The organization's name and contact and the purpose's own texts first; the template fills
    # what they cannot say. A field left blank (no contact on file) is named by the checklist.
    content = notice_suggested_content(
        organization=organization, purpose_version=version, language=NOTICE_LANGUAGE
    )
    content |= {field: text for field, text in texts.items() if not content.get(field)}
    return notice_create(
        organization=organization,
        actor=actor,
        purpose_version=version,
        language=NOTICE_LANGUAGE,
        **content,
    )
