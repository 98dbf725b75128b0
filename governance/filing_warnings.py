"""The filing warnings (R35): 80% and 90% of the threshold, shown and mailed once per level.

``filing_evaluate`` raises a FilingAlert per level the stored count reaches; this module says
it where people look (the dashboard, the compliance view) and mails the organization's owners
and DPOs once per level reached, recording that it did (``FilingAlert.mailed_at``).
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actors import Actor
from audit.services import audit_record
from governance.gates import fix_url
from governance.models import FilingAlert
from tenants.alerts import alert_send
from tenants.selectors import responsible_emails


def filing_alerts_live(*, organization, threshold: int) -> list[FilingAlert]:
    """Return the warning levels of ``threshold`` the count has reached and not fallen below."""
    return list(
        FilingAlert.objects.for_org(organization)
        .filter(threshold=threshold, cleared_at__isnull=True)
        .order_by("level")
    )


def filing_warning_text(alert: FilingAlert) -> str:
    """Return what a live warning says, on the dashboard, the compliance view and in the mail."""
    return _(
        "Warning: %(count)s individuals stored reached %(percent)s%% of the filing threshold "
        "(%(threshold)s). Prepare the filing with the provincial CAC."
    ) % {"count": alert.stored_count, "percent": alert.percent, "threshold": alert.threshold}


@transaction.atomic
def filing_warnings_mail(*, organization, threshold: int, actor: Actor) -> int:
    """Mail the owners and DPOs every live warning level not mailed yet; return how many.

    Each level is marked mailed in this transaction and the mail leaves after the commit, so
    a second evaluation (beat and a manual run) finds it marked and mails nothing: at most one
    mail per level reached. With nobody to mail, nothing is marked: the next evaluation mails
    once a DPO or owner exists.
    """
    pending = list(
        FilingAlert.objects.for_org(organization)
        .select_for_update()
        .filter(threshold=threshold, cleared_at__isnull=True, mailed_at__isnull=True)
        .order_by("level")
    )
    if not pending or not responsible_emails(organization_id=organization.pk):
        return 0
    now = timezone.now()
    for alert in pending:
        alert.mailed_at = now
        alert.save(update_fields=["mailed_at"])
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action="filing.warning_mailed",
        target_type="filing_alert",
        target_id=pending[-1].pk,
        details={"levels": [a.level for a in pending], "threshold": threshold},
    )
    link = settings.PUBLIC_BASE_URL.rstrip("/") + fix_url("gov_filings", organization)

    def render() -> tuple[str, str]:
        subject = _("%(org)s: %(percent)s%% of the CAC filing threshold reached") % {
            "org": organization.name,
            "percent": pending[-1].percent,
        }
        lines = [filing_warning_text(alert) for alert in pending]
        lines.append(
            _(
                "At %(threshold)s individuals the filing with the provincial CAC is due within "
                "30 working days (FRM Art. 15). Filings: %(link)s"
            )
            % {"threshold": threshold, "link": link}
        )
        return subject, "\n\n".join(lines)

    transaction.on_commit(lambda: alert_send(organization=organization, render=render))
    return len(pending)
