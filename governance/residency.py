"""R25 and R26 checks: a recipient is complete, a transfer out of the PRC has its legal basis.

Read by the compliance view (per deployment and per recipient), by the consent grant before a
recipient is named, and by enrollment before a face is taken at a site that transfers abroad.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from governance.api_fixes import transfer_basis_fix
from governance.gates import RuleCheck, fix_url
from governance.models import Deployment, Recipient, TransferBasis
from tenants.errors import RuleViolation


class TransferRefused(RuleViolation):
    """Data would leave the PRC without a recorded legal basis or the person's consent (R26)."""

    code = "transfer_not_allowed"


def transfer_basis_in_force(*, deployment=None, recipient=None) -> TransferBasis | None:
    """Return the newest basis in force for the deployment's or the recipient's transfer."""
    bases = TransferBasis.objects.in_force(timezone.localdate())
    if deployment is not None:
        bases = bases.filter(deployment=deployment)
    else:
        bases = bases.filter(recipient=recipient)
    return bases.order_by("-recorded_at", "-pk").first()


def _destination(deployment: Deployment) -> str:
    return _("stored in %(storage)s, processed in %(processing)s") % {
        "storage": deployment.get_storage_location_display(),
        "processing": deployment.get_processing_location_display(),
    }


def deployment_transfer_check(deployment: Deployment) -> RuleCheck:
    """Return R26 for the deployment: not applicable when its data stays in the PRC."""
    if not deployment.transfers_abroad:
        return RuleCheck(
            "R26",
            True,
            _("Collected, stored and processed in the PRC: nothing leaves it.")
            if deployment.jurisdiction == Deployment.Jurisdiction.CN
            else _("Not collected in the PRC: PIPL's transfer rules do not apply here."),
            applicable=False,
        )
    basis = transfer_basis_in_force(deployment=deployment)
    if basis is None:
        return RuleCheck(
            "R26",
            False,
            _(
                "Faces collected here are %(where)s, outside the PRC: record the legal basis of "
                "the transfer (CAC security assessment, filed standard contract or "
                "certification) with its document, or keep the data in the PRC."
            )
            % {"where": _destination(deployment)},
            fix_url("gov_deployment_detail", deployment.organization, pk=deployment.pk),
            fix=transfer_basis_fix(),
        )
    return RuleCheck(
        "R26",
        True,
        _(
            "Transferred abroad (%(where)s) on a recorded %(mechanism)s (%(reference)s); each "
            "person's separate consent to the transfer is asked (PIPL Art. 39)."
        )
        % {
            "where": _destination(deployment),
            "mechanism": basis.get_mechanism_display(),
            "reference": basis.reference,
        },
    )


def recipient_checks(recipient: Recipient) -> list[RuleCheck]:
    """Return R25 (complete, with its contract) and R26 (a basis when abroad) for a recipient."""
    lacking = recipient.missing()
    link = fix_url("gov_recipient_list", recipient.organization)
    checks = [
        RuleCheck(
            "R25",
            not lacking,
            _("%(name)s lacks: %(missing)s.")
            % {"name": recipient.name, "missing": ", ".join(lacking)}
            if lacking
            else _("%(name)s: purpose, location and signed contract recorded.")
            % {"name": recipient.name},
            link if lacking else "",
        )
    ]
    if not recipient.abroad:
        checks.append(RuleCheck("R26", True, _("The recipient is in the PRC."), applicable=False))
    elif transfer_basis_in_force(recipient=recipient) is None:
        checks.append(
            RuleCheck(
                "R26",
                False,
                _(
                    "%(name)s is in %(where)s: record the legal basis of the transfer (CAC "
                    "security assessment, filed standard contract or certification) with its "
                    "document."
                )
                % {"name": recipient.name, "where": recipient.get_location_display()},
                link,
                fix=transfer_basis_fix(),
            )
        )
    else:
        checks.append(
            RuleCheck(
                "R26",
                True,
                _("%(name)s is in %(where)s, on a recorded legal basis.")
                % {"name": recipient.name, "where": recipient.get_location_display()},
            )
        )
    return checks


def _refusal(message: str, unmet: list[RuleCheck]) -> TransferRefused:
    return TransferRefused(message, details=[check.as_detail() for check in unmet])


def deployment_transfer_allowed(*, deployment: Deployment) -> None:
    """Raise TransferRefused (R26, 422 with the fix) when the deployment sends faces abroad
    without a legal basis in force; enrollment asks before it stores anything."""
    check = deployment_transfer_check(deployment)
    if not check.met:
        raise _refusal(
            _(
                "This deployment stores or processes faces outside the PRC without a recorded "
                "legal basis for the transfer (R26, PIPL Art. 38)."
            ),
            [check],
        )


def recipient_allowed(*, recipient: Recipient) -> None:
    """Raise RuleViolation when a consent may not name ``recipient``: R25 incomplete, or R26
    abroad without a legal basis in force."""
    unmet = [check for check in recipient_checks(recipient) if not check.met]
    if not unmet:
        return
    if unmet[0].rule == "R25":
        raise RuleViolation(
            _(
                "A recipient needs its contact, purpose, method, data types, location and "
                "signed contract in the register before a consent names it (R25)."
            ),
            code="recipient_incomplete",
            details=[check.as_detail() for check in unmet],
        )
    raise _refusal(
        _(
            "This recipient is outside the PRC and no legal basis for the transfer is recorded "
            "(R26, PIPL Art. 38)."
        ),
        unmet,
    )


def sites_for(*, purpose, deployment: Deployment | None = None) -> list[Deployment]:
    """Return the sites a consent for ``purpose`` covers (that one, else every one in use)."""
    if deployment is not None:
        return [deployment]
    return list(
        Deployment.objects.filter(purpose_links__purpose=purpose)
        .exclude(status=Deployment.Status.RETIRED)
        .order_by("name", "pk")
    )


def residency_statement(*, purpose, deployment: Deployment | None = None) -> dict:
    """Return where the data of a consent is stored and processed, and each transfer out of
    the PRC with its legal basis (R26): the notice page and the receipt state it."""
    sites = sites_for(purpose=purpose, deployment=deployment)
    transfers = []
    for site in sites:
        if not site.transfers_abroad:
            continue
        basis = transfer_basis_in_force(deployment=site)
        transfers.append(
            {
                "deploymentId": site.pk,
                "name": site.name,
                "storedIn": site.storage_location,
                "processedIn": site.processing_location,
                "legalBasis": basis.mechanism if basis else None,
                "reference": basis.reference if basis else None,
            }
        )
    return {
        "storedIn": sorted({s.storage_location for s in sites}),
        "processedIn": sorted({s.processing_location for s in sites}),
        "crossBorder": bool(transfers),
        "transfers": transfers,
    }
