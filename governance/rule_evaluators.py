"""One evaluator per rule: what governance knows of each rule's state for an organization.

``EVALUATORS`` maps a rule ID to ``fn(ctx) -> RuleState``. Rules judged from data of apps above
governance (consent, recognition, dsr) are named in settings.GOVERNANCE_RULE_EVALUATORS instead
and override an entry here (governance.compliance merges both). A rule whose enforcement is
still being built is evaluated from what exists today and says what is missing; re-wiring it
means replacing its one function.
"""

from collections.abc import Callable

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.selectors import audit_chain_state
from governance.api_fixes import complaint_answer_fix, entrustment_fix
from governance.compliance_context import (
    ComplianceContext,
    across_deployments,
    context_rule,
    deployment_rule,
    jurisdiction_rule,
    met_rule,
    org_rule,
    state_from_check,
    worst_state,
)
from governance.gates import fix_url
from governance.models import Assessment, Complaint, Deployment, Entrustment, Purpose
from governance.rule_evaluators_filing import r35_filing, r38_pack, r39_group
from governance.rule_evaluators_transfers import r25_recipients, r26_transfers
from governance.rulebook import RuleState, State


def r1_scope(ctx: ComplianceContext) -> RuleState:
    if not ctx.deployments:
        return RuleState(State.NOT_APPLICABLE, _("No deployment is in use."))
    inside = sum(1 for d in ctx.deployments if d.measures_apply)
    return RuleState(
        State.MET,
        _(
            "Each deployment declares where it processes and whether it recognises people or "
            "trains algorithms: %(inside)s under the CAC Measures, %(outside)s outside them "
            "(PIPL gates still apply)."
        )
        % {"inside": inside, "outside": len(ctx.deployments) - inside},
    )


def r4_no_coercion(ctx: ComplianceContext) -> RuleState:
    return RuleState(
        State.MET,
        _(
            "The consent screens show declining as prominently as accepting, tick nothing in "
            "advance, never bundle face recognition with other terms, and store the screen "
            "version and every decline with the record."
        ),
    )


def r5_channel(ctx: ComplianceContext) -> RuleState:
    if not ctx.deployments:
        return RuleState(State.NOT_APPLICABLE, _("No deployment is in use."))
    national = sum(
        1
        for d in ctx.deployments
        if d.verification_channel == Deployment.VerificationChannel.NATIONAL_DB
    )
    return RuleState(
        State.MET,
        _(
            "Encouraged, not required: every deployment records its verification channel "
            "(%(national)s of %(total)s use the national identity authentication service); "
            "the filing pack states it."
        )
        % {"national": national, "total": len(ctx.deployments)},
    )


def r10_accessibility(ctx: ComplianceContext) -> RuleState:
    return RuleState(
        State.PARTLY,
        _(
            "The notice, consent and /me/ pages are plain HTML that works with screen readers, "
            "the keyboard and browser zoom. Not built yet: an assisted or audio mode and a "
            "per-deployment accessibility attestation."
        ),
    )


def r19_storage(ctx: ComplianceContext) -> RuleState:
    states, on_device, central = [], 0, 0
    for deployment in ctx.deployments:
        check = ctx.deployment_checks.get(deployment.pk, {}).get("R19")
        if check is None:
            continue
        if not check.met:
            states.append(
                RuleState(
                    State.UNMET, f"{deployment.name}: {check.message}", check.fix_url, check.fix
                )
            )
        elif deployment.measures_apply:
            if deployment.storage_mode == Deployment.StorageMode.CENTRAL:
                central += 1
            else:
                on_device += 1
    if on_device or central:
        states.append(
            RuleState(
                State.MET,
                _(
                    "%(device)s deployment(s) keep templates on the device (the portal refuses "
                    "a central template there); %(central)s store them centrally with a stated "
                    "reason, each person's separate consent and an approved assessment."
                )
                % {"device": on_device, "central": central},
            )
        )
    if not states:
        return RuleState(
            State.NOT_APPLICABLE,
            _("No deployment in use is under the CAC Measures (production in the PRC)."),
        )
    return worst_state(states)


def r24_no_sale(ctx: ComplianceContext) -> RuleState:
    return RuleState(
        State.MET,
        _(
            "No feature sells, leases or shares templates: access packages, webhooks and the "
            "API never carry a template, and every export is written to the audit log."
        ),
    )


def r28_assessment_content(ctx: ComplianceContext) -> RuleState:
    approved = (
        Assessment.objects.filter(deployment__organization=ctx.organization)
        .exclude(status=Assessment.Status.DRAFT)
        .count()
    )
    return RuleState(
        State.MET,
        _(
            "A DPO signs off an assessment only when its four sections (lawfulness and "
            "necessity, impact on rights, risks, protective measures) are written; "
            "%(count)s signed off so far."
        )
        % {"count": approved},
    )


def r29_reassessment(ctx: ComplianceContext) -> RuleState:
    state = across_deployments(ctx, "R29")
    if state.state == State.NOT_APPLICABLE and ctx.deployments:
        return RuleState(State.NOT_APPLICABLE, _("No assessment has been signed off yet."))
    return state


def r31_record(ctx: ComplianceContext) -> RuleState:
    head = audit_chain_state(organization_id=ctx.organization.pk)
    if head.verified_ok is False:
        return RuleState(
            State.UNMET,
            _("The audit log failed its last verification: %(why)s")
            % {"why": head.verified_message},
        )
    return RuleState(
        State.MET,
        _(
            "Every consent event, enrollment, deletion, job, export and staff action is written "
            "to a hash-chained audit log (%(count)s events); reading it is itself logged."
        )
        % {"count": head.last_seq},
    )


def r32_dpia(ctx: ComplianceContext) -> RuleState:
    eu = ctx.in_jurisdiction(Deployment.Jurisdiction.EU)
    if not eu:
        return RuleState(State.NOT_APPLICABLE, _("No deployment is in the EU."))
    return RuleState(
        State.PARTLY,
        _(
            "%(names)s: the impact assessment (R27, R28) covers what a DPIA asks, but no GDPR "
            "DPIA template exists yet."
        )
        % {"names": ", ".join(d.name for d in eu)},
    )


def r33_security(ctx: ComplianceContext) -> RuleState:
    return RuleState(
        State.PARTLY,
        _(
            "Templates are encrypted with per-organization keys that rotate; every query is "
            "scoped to the organization; roles and per-deployment grants limit access; staff "
            "sign in with a second factor; the audit log is hash-chained. Not built yet: "
            "intrusion-detection alert hooks."
        ),
    )


def r41_no_attributes(ctx: ComplianceContext) -> RuleState:
    return state_from_check(ctx.org_checks["R41"])


def r43_human_review(ctx: ComplianceContext) -> RuleState:
    significant = (
        Purpose.objects.for_org(ctx.organization)
        .filter(current_version__significant_effect=True)
        .count()
    )
    return RuleState(
        State.MET,
        _(
            "Matches for purposes with significant effects (%(count)s here) go to a person for "
            "review before anyone acts on them, and people can ask for an explanation."
        )
        % {"count": significant},
    )


def r44_property(ctx: ComplianceContext) -> RuleState:
    r3 = across_deployments(ctx, "R3", org_check=True)
    return RuleState(r3.state, _("Covered by R3: %(r3)s") % {"r3": r3.message}, r3.fix_url, r3.fix)


def r51_entrustment(ctx: ComplianceContext) -> RuleState:
    """Met when the entrustment contract with the portal operator is recorded in full."""
    record = Entrustment.objects.for_org(ctx.organization).first()
    link = fix_url("entrustment", ctx.organization)
    lacking = record.lacking_fields() if record is not None else []
    fix = entrustment_fix(lacking[0] if lacking else "document")
    if record is None:
        return RuleState(
            State.UNMET,
            _(
                "No entrustment contract with the portal operator is recorded: its purpose, "
                "duration, method, data types, protection measures and what happens to the data "
                "at termination."
            ),
            link,
            fix,
        )
    missing = record.missing()
    if missing:
        return RuleState(
            State.UNMET,
            _("The entrustment record lacks: %(missing)s.") % {"missing": "; ".join(missing)},
            link,
            fix,
        )
    return RuleState(
        State.MET,
        _(
            "The entrustment contract %(reference)s is recorded with its document; at "
            "termination the operator will: %(termination)s."
        )
        % {"reference": record.contract_reference, "termination": record.get_termination_display()},
    )


def r52_complaints(ctx: ComplianceContext) -> RuleState:
    """Met when every deployment in use has its public complaint form and none is overdue."""
    if not ctx.deployments:
        return RuleState(State.NOT_APPLICABLE, _("No deployment is in use."))
    try:
        reverse("governance:complaint", args=[ctx.organization.slug, ctx.deployments[0].pk])
    except NoReverseMatch:
        return RuleState(State.UNMET, _("The public complaint form is not mounted."))
    overdue = Complaint.objects.for_org(ctx.organization).overdue().order_by("deadline", "pk")
    first = overdue.values_list("pk", flat=True).first()
    if first is not None:
        return RuleState(
            State.UNMET,
            _("%(n)d complaint(s) are past their deadline: answer them.") % {"n": overdue.count()},
            fix_url("gov_complaints", ctx.organization),
            complaint_answer_fix(first),
        )
    return RuleState(
        State.MET,
        _(
            "Each deployment's public page (the signs' QR code) links to a complaint form routed "
            "to the DPOs; no complaint is past its deadline. Regulators get the filing pack and "
            "this view's export."
        ),
    )


EVALUATORS: dict[str, Callable[[ComplianceContext], RuleState]] = {
    "R1": r1_scope,
    "R2": deployment_rule("R2"),
    "R3": deployment_rule("R3", org_check=True),
    "R4": r4_no_coercion,
    "R5": r5_channel,
    "R6": deployment_rule("R6"),
    "R7": deployment_rule("R7"),
    "R8": deployment_rule("R8"),
    "R9": deployment_rule("R9", org_check=True),
    "R10": r10_accessibility,
    "R11": met_rule(
        gettext_lazy(
            "A change of purpose or method makes a new purpose version; consents given for the "
            "old one await re-consent and their subjects leave the galleries until they answer."
        )
    ),
    "R12": met_rule(
        gettext_lazy(
            "Enrollment and recognition need an active, separately given consent for the purpose; "
            "each item (face processing, central storage, raw images, recipients) is its own yes."
        )
    ),
    "R13": met_rule(
        gettext_lazy(
            "People withdraw in one step on /me/, where they consented, or through staff; the "
            "withdrawal stops matching at once and purges templates on every device."
        )
    ),
    "R14": deployment_rule("R14", org_check=True),
    "R16": met_rule(
        gettext_lazy(
            "Consents and their events are append-only (the database refuses changes) and kept "
            "three years after the last event, by pseudonym after the person is erased."
        )
    ),
    "R17": jurisdiction_rule(
        "R17",
        Deployment.Jurisdiction.EU,
        gettext_lazy("the European Union"),
        gettext_lazy(
            "in the EU, but the consent form follows the organization's profile, which does "
            "not ask for GDPR explicit consent."
        ),
    ),
    "R18": jurisdiction_rule(
        "R18",
        Deployment.Jurisdiction.US_IL,
        gettext_lazy("Illinois"),
        gettext_lazy(
            "in Illinois, but the consent form follows the organization's profile, which does "
            "not ask for a BIPA written release."
        ),
    ),
    "R19": r19_storage,
    "R20": deployment_rule("R20", org_check=True),
    "R21": met_rule(
        gettext_lazy(
            "Raw images are discarded after extraction unless the purpose allows keeping them and "
            "the person separately consented."
        )
    ),
    "R22": met_rule(
        gettext_lazy(
            "Templates are deleted when the retention period ends, consent is withdrawn or the "
            "person is erased, each with its reason; a restricted consent keeps them encrypted "
            "and unused."
        )
    ),
    "R23": jurisdiction_rule(
        "R23",
        Deployment.Jurisdiction.US_IL,
        gettext_lazy("Illinois"),
        gettext_lazy(
            "BIPA's public retention policy and destruction schedule (at the purpose's end or "
            "three years after the last interaction) are not in place; templates follow the "
            "purpose's retention period only."
        ),
    ),
    "R24": r24_no_sale,
    "R25": r25_recipients,
    "R26": r26_transfers,
    "R27": deployment_rule("R27"),
    "R28": r28_assessment_content,
    "R29": r29_reassessment,
    "R30": met_rule(
        gettext_lazy(
            "A signed-off assessment cannot be deleted for three years, and the audit log keeps "
            "its events at least as long; neither holds a face image or template."
        )
    ),
    "R31": r31_record,
    "R32": r32_dpia,
    "R33": r33_security,
    "R34": org_rule("R34"),
    "R35": r35_filing,
    "R36": org_rule("R36"),
    "R37": org_rule("R37"),
    "R38": r38_pack,
    "R39": r39_group,
    "R40": context_rule(
        gettext_lazy(
            "Superseded: the filing threshold and authority are settings; the final rule "
            "(100,000 individuals, provincial CAC) is in force."
        )
    ),
    "R41": r41_no_attributes,
    "R42": context_rule(
        gettext_lazy(
            "A Draft rule, not enforced: no watch-list mode exists; 1:N jobs run only for a "
            "declared purpose within an approved assessment."
        )
    ),
    "R43": r43_human_review,
    "R44": r44_property,
    "R45": met_rule(
        gettext_lazy(
            "People download everything held about them from /me/ or through a request: consents "
            "and their history, enrollments, matches and retention dates; each download is logged."
        )
    ),
    "R46": met_rule(
        gettext_lazy(
            "People download their data from their own pages in a documented, versioned JSON "
            "format (portability schema 1), face templates only if they ask; another "
            "organization imports the file, and the consents in it wait for the person to "
            "consent again there. A transfer to a processor they name is a request whose "
            "receiver is checked (abroad only with a transfer basis) before the DPO approves it."
        )
    ),
    "R47": met_rule(
        gettext_lazy(
            "Requests to correct, complete, restrict or delete are handled in the request queue; "
            "deletion runs the same engine as R22, device purges included."
        )
    ),
    "R48": met_rule(
        gettext_lazy(
            "A request for an explanation is answered from the published notice plus a reply."
        )
    ),
    "R49": met_rule(
        gettext_lazy(
            "A refused request needs its reason, and the letter tells the person they may complain "
            "or go to court; every step is logged."
        )
    ),
    # Deadlines per deployment's jurisdiction, once the gates judge them; dsr adds overdue ones.
    "R50": deployment_rule("R50"),
    "R51": r51_entrustment,
    "R52": r52_complaints,
    "R53": context_rule(
        gettext_lazy("Penalties are risk context for prioritising work; nothing to enforce.")
    ),
}
