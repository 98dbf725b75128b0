"""Every non-trivial governance read. The consent and recognition apps call these by name."""

from django.contrib.auth import get_user_model
from guardian.shortcuts import get_objects_for_user, get_users_with_perms

from governance.models import (
    Assessment,
    Deployment,
    DeploymentPurpose,
    Filing,
    Notice,
    Purpose,
    PurposeVersion,
)
from tenants.roles import OBJECT_GRANTABLE

# "governance.run_job" -> "run_job": guardian's per-object codenames on Deployment.
GRANTABLE_CODENAMES = sorted(perm.split(".", 1)[1] for perm in OBJECT_GRANTABLE)


def purpose_version_current(*, purpose: Purpose) -> PurposeVersion | None:
    """Return the purpose's current version (None before its first version exists)."""
    if purpose.current_version_id is None:
        return None
    return PurposeVersion.objects.select_related("purpose").get(pk=purpose.current_version_id)


def purpose_version_is_current(*, purpose_version: PurposeVersion) -> bool:
    """Return True when no material change has superseded this version."""
    return Purpose.objects.filter(
        pk=purpose_version.purpose_id, current_version_id=purpose_version.pk
    ).exists()


def notice_published_for(
    *, purpose_version: PurposeVersion, language: str, fallback: str | None = None
) -> Notice | None:
    """Return the published notice of this version in ``language`` ('en', 'zh-hans'), if any.

    The one published-notice lookup. With ``fallback`` ('en', or '*' for any language), a
    version not published in ``language`` answers with that one instead.
    """
    published = Notice.objects.published().filter(purpose_version=purpose_version)
    notice = published.filter(language=language.lower()).first()
    if notice is None and fallback == "*":
        notice = published.order_by("pk").first()
    elif notice is None and fallback:
        notice = published.filter(language=fallback).first()
    return notice


def deployment_purposes(*, deployment: Deployment):
    """Return the purposes attached to the deployment, with their current versions."""
    return (
        Purpose.objects.filter(deployment_links__deployment=deployment)
        .select_related("current_version")
        .order_by("name", "pk")
    )


def deployment_is_active(*, deployment: Deployment) -> bool:
    """Return True when the deployment is active now (re-read: status may have just changed)."""
    return Deployment.objects.filter(pk=deployment.pk, status=Deployment.Status.ACTIVE).exists()


def deployment_purpose_requires_separate_consent(
    *, deployment: Deployment, purpose: Purpose
) -> bool:
    """Return True when processing for ``purpose`` here needs each subject's separate consent.

    PIPL Art. 26 (R8): in a public place, any purpose other than public security.
    """
    return DeploymentPurpose.objects.filter(
        deployment=deployment, purpose=purpose, requires_separate_consent=True
    ).exists()


def deployment_requires_storage_consent(*, deployment: Deployment) -> bool:
    """Return True when templates are stored centrally, which needs separate consent (R19)."""
    return deployment.storage_mode == Deployment.StorageMode.CENTRAL


def deployments_storing_centrally(*, purpose: Purpose, deployment: Deployment | None = None):
    """Return the deployments whose templates for ``purpose`` may be stored centrally (R19).

    With ``deployment``, that one if it stores centrally; without, every deployment of the
    purpose not retired that does (a consent without deployment covers all of them). An
    on-device deployment never holds a central template (recognition refuses to enroll there).
    """
    rows = Deployment.objects.filter(
        purpose_links__purpose=purpose, storage_mode=Deployment.StorageMode.CENTRAL
    ).exclude(status=Deployment.Status.RETIRED)
    if deployment is not None:
        rows = rows.filter(pk=deployment.pk)
    return rows.order_by("name", "pk")


def deployments_for_org(*, organization):
    return Deployment.objects.for_org(organization).prefetch_related("devices")


def purposes_for_org(*, organization):
    return Purpose.objects.for_org(organization).select_related("current_version")


def deployment_operator_grants(*, deployment: Deployment) -> dict:
    """Return {user: [codename, ...]} of the per-object grants on this deployment."""
    users = get_users_with_perms(
        deployment, attach_perms=True, with_superusers=False, with_group_users=False
    )
    return {
        user: sorted(p for p in perms if p in GRANTABLE_CODENAMES) for user, perms in users.items()
    }


def deployments_granted_to(*, user, organization, perm: str):
    """Return the organization's deployments on which ``user`` holds ``perm`` per object."""
    return get_objects_for_user(
        user,
        perm,
        klass=Deployment.objects.for_org(organization),
        use_groups=False,
        with_superuser=False,
        accept_global_perms=False,
    )


def assessment_approved_for(*, deployment: Deployment) -> Assessment | None:
    """Return the deployment's most recent approved assessment, if any."""
    return (
        Assessment.objects.approved()
        .filter(deployment=deployment)
        .order_by("-signed_off_at", "-pk")
        .first()
    )


def filings_pending(*, organization):
    """Return the organization's filings still to be made or awaiting acceptance."""
    return Filing.objects.for_org(organization).pending().order_by("deadline", "pk")


def members_for_grants(*, organization):
    """Return the organization's members (people and API-key users) who may receive grants."""
    User = get_user_model()
    return User.objects.filter(memberships__organization=organization).order_by("username")
