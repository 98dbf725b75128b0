"""Periodic re-attestation of public-place signage (R6)."""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actors import Actor
from audit.services import audit_record
from governance.gates import fix_url, signage_reattest_days
from governance.models import Deployment
from tenants.alerts import alert_send


@transaction.atomic
def deployments_flag_stale_signage(*, today: date | None = None) -> int:
    """Flag active public-place deployments whose signage photo is older than the period.

    Each stale photo is flagged once: an audit event and an e-mail to the organization's DPOs
    and owners. The deployment keeps running: suspending it is their decision, not the job's.
    Return how many deployments were flagged now.
    """
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=signage_reattest_days())
    stale = list(
        Deployment.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(
            status=Deployment.Status.ACTIVE,
            place_type=Deployment.PlaceType.PUBLIC_PLACE,
            signage_date__lt=cutoff,
        )
        .exclude(signage_flagged_for=F("signage_date"))
        .select_related("organization")
    )
    actor = Actor.system("signage re-attestation job")
    by_org: dict[int, list[Deployment]] = {}
    for deployment in stale:
        deployment.signage_flagged_for = deployment.signage_date
        deployment.save(update_fields=["signage_flagged_for"])
        audit_record(
            organization_id=deployment.organization_id,
            actor=actor,
            action="deployment.signage_reattest_due",
            target_type="deployment",
            target_id=deployment.pk,
            details={
                "signage_date": deployment.signage_date.isoformat(),
                "reattest_days": signage_reattest_days(),
            },
        )
        by_org.setdefault(deployment.organization_id, []).append(deployment)
    transaction.on_commit(lambda: _tell_dpos(by_org))
    return len(stale)


def _tell_dpos(by_org: dict[int, list[Deployment]]) -> None:
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    for deployments in by_org.values():
        org = deployments[0].organization

        def render(org=org, deployments=deployments) -> tuple[str, str]:
            lines = [
                _("%(name)s: signage photographed on %(date)s. Upload new evidence: %(url)s")
                % {
                    "name": d.name,
                    "date": d.signage_date.isoformat(),
                    "url": base + fix_url("gov_deployment_detail", org, pk=d.pk) + "#signage",
                }
                for d in deployments
            ]
            subject = _("%(org)s: public-place signage needs re-attestation") % {"org": org.name}
            return subject, "\n".join(lines)

        alert_send(organization=org, render=render)
