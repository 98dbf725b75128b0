"""What to do next after saving a governance object, and each deployment's set-up checklist.

A step is a dict {"label", "url", "done"}: the pages show undone steps as links. Only people who
may manage governance are offered steps, since every step opens a form they alone may submit.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.gates import deployment_checks, notice_fix_url, notice_languages_published
from governance.models import Assessment, Deployment, Notice
from portal.panel.governance.common import can_manage


def _url(request, name: str, **kwargs) -> str:
    return reverse(f"panel:{name}", kwargs={"org_slug": request.organization.slug, **kwargs})


def _step(label, url: str, done: bool = False) -> dict:
    return {"label": label, "url": url, "done": done}


def after_purpose(request, purpose) -> list[dict]:
    """A saved purpose: write its notice in each language that lacks one, attach it."""
    if not can_manage(request) or purpose.current_version is None:
        return []
    version = purpose.current_version
    published = notice_languages_published(version)
    steps = []
    for language, label in Notice.Language.choices:
        if language not in published:
            link = _url(request, "gov_notice_create")
            steps.append(
                _step(
                    _("Write its notice in %(language)s (R9)") % {"language": label},
                    f"{link}?purpose_version={version.pk}&language={language}",
                )
            )
    drafts = (
        Deployment.objects.for_org(request.organization)
        .filter(status__in=[Deployment.Status.DRAFT, Deployment.Status.SUSPENDED])
        .exclude(purpose_links__purpose=purpose)
    )
    for deployment in drafts[:5]:
        steps.append(
            _step(
                _("Attach it to %(deployment)s (R2)") % {"deployment": deployment.name},
                _url(request, "gov_deployment_detail", pk=deployment.pk) + "#attach-purpose",
            )
        )
    return steps


def after_notice(request, notice) -> list[dict]:
    """A saved notice: publish it; once published, go on with its deployments' set-up."""
    if not can_manage(request):
        return []
    if notice.status == Notice.Status.DRAFT:
        return [_step(_("Publish it: fill in every field and press Publish (R9)"), "#notice-form")]
    steps = []
    other = notice_fix_url(notice.purpose_version)
    if other and notice.purpose_version.purpose.current_version_id == notice.purpose_version_id:
        published = Notice.objects.published().filter(purpose_version=notice.purpose_version)
        if published.count() < len(Notice.Language.values):
            steps.append(_step(_("Write the notice in the other language"), other))
    deployments = Deployment.objects.for_org(request.organization).filter(
        purpose_links__purpose=notice.purpose_version.purpose
    )
    for deployment in deployments.exclude(status=Deployment.Status.RETIRED)[:5]:
        steps.append(
            _step(
                _("Continue setting up %(deployment)s") % {"deployment": deployment.name},
                _url(request, "gov_deployment_detail", pk=deployment.pk) + "#checklist",
            )
        )
    return steps


def after_assessment(request, assessment) -> list[dict]:
    """A signed-off assessment: activate its deployment; a draft: have the DPO sign it off."""
    if not can_manage(request):
        return []
    deployment = assessment.deployment
    if assessment.status == Assessment.Status.APPROVED and deployment.status in (
        Deployment.Status.DRAFT,
        Deployment.Status.SUSPENDED,
    ):
        return [
            _step(
                _("Activate %(deployment)s") % {"deployment": deployment.name},
                _url(request, "gov_deployment_detail", pk=deployment.pk) + "#checklist",
            )
        ]
    if assessment.status == Assessment.Status.DRAFT:
        return [_step(_("Have the data protection officer sign it off (R27)"), "#sign-off")]
    return []


# The set-up of a deployment in the order people do it: each step's rules, from the gates.
# Lazy: the labels are read per request, in its language, not once at import.
_CHECKLIST = (
    (("R7", "R6"), gettext_lazy("Describe the place (R6, R7)")),
    (("R2", "R8"), gettext_lazy("Attach its purposes (R2, R8)")),
    (("R3", "R14", "R20"), gettext_lazy("Complete each purpose (R3, R14, R20)")),
    (("R9",), gettext_lazy("Publish a notice for each purpose (R9)")),
    (("R19",), gettext_lazy("Choose where templates are stored (R19)")),
    (("R17", "R18", "R23", "R50"), gettext_lazy("Meet the rules of its jurisdiction")),
    (("R27", "R29"), gettext_lazy("Have an impact assessment signed off by the DPO (R27)")),
)


def deployment_checklist(request, deployment, checks=None) -> list[dict]:
    """Return the deployment's set-up steps, done or not, each linking to the form that does it."""
    checks = checks if checks is not None else deployment_checks(deployment)
    by_rule = {c.rule: c for c in checks}
    steps = []
    for rules, label in _CHECKLIST:
        present = [by_rule[r] for r in rules if r in by_rule]
        if not present:
            continue
        unmet = [c for c in present if c.applicable and not c.met]
        link = next((c.fix_url for c in unmet if c.fix_url), "")
        steps.append(_step(label, link, done=not unmet))
    steps.append(
        _step(
            _("Register a device"),
            _url(request, "gov_deployment_detail", pk=deployment.pk) + "#devices",
            done=deployment.devices.exists(),
        )
    )
    steps.append(
        _step(
            _("Activate it"),
            "",
            done=deployment.status == Deployment.Status.ACTIVE,
        )
    )
    return steps
