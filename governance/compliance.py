"""The compliance view: each rule for the organization and each deployment, met or not.

``organization_compliance`` returns, besides the organization-wide and per-deployment checks,
``rules``: one row per rule of docs/regulations.md (R1-R54), each with its state for the
organization. A row comes from the rule's evaluator: governance's own
(governance.rule_evaluators.EVALUATORS) or one named in settings.GOVERNANCE_RULE_EVALUATORS
(``fn(*, organization) -> RuleState | RuleCheck``) for rules judged from apps above governance.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from governance.api_fixes import (
    api_fix,
    filing_fix,
    filing_profile_fix,
    incident_notify_fix,
    purpose_edit_fix,
)
from governance.compliance_context import ComplianceContext, state_from_check, worst_state
from governance.filing import (
    LEGACY_FILING_DEADLINE,
    filing_threshold,
    stored_individuals_count,
)
from governance.filing_warnings import filing_alerts_live
from governance.gates import (
    RuleCheck,
    deployment_checks,
    deployment_processing_unmet,
    fix_url,
    notice_fix_url,
    purpose_version_problems,
)
from governance.models import (
    Deployment,
    Filing,
    FilingProfile,
    Incident,
    Notice,
    Purpose,
)
from governance.rule_evaluators import EVALUATORS
from governance.rulebook import RULES, Rule, RuleState, State

PROFILE_REQUIRED = ("security_measures", "processing_rules", "operating_procedures")


def _purpose_checks(organization) -> list[RuleCheck]:
    purposes = list(
        Purpose.objects.for_org(organization)
        .filter(current_version__isnull=False)
        .select_related("current_version")
    )
    by_rule: dict[str, list[str]] = {"R3": [], "R14": [], "R20": []}
    # Each rule's Fix opens the edit form of the first purpose it names.
    first = {}
    for purpose in purposes:
        for problem in purpose_version_problems(purpose.current_version):
            by_rule[problem["rule"]].append(purpose.name)
            first.setdefault(problem["rule"], purpose)
    texts = {
        "R3": _("Declare a non-biometric alternative for: %s."),
        "R14": _("Justify that face recognition is necessary for the service for: %s."),
        "R20": _("Set a retention period for: %s."),
    }
    checks = [
        RuleCheck(
            rule,
            not names,
            texts[rule] % ", ".join(names) if names else _("Met by every purpose."),
            fix_url("gov_purpose_edit", organization, pk=first[rule].pk) if names else "",
            fix=purpose_edit_fix(first[rule], rule) if names else None,
        )
        for rule, names in by_rule.items()
    ]
    in_use = [
        p
        for p in purposes
        if p.deployment_links.exclude(deployment__status=Deployment.Status.RETIRED).exists()
    ]
    unnoticed = [
        p
        for p in in_use
        if not Notice.objects.published().filter(purpose_version=p.current_version_id).exists()
    ]
    checks.append(
        RuleCheck(
            "R9",
            not unnoticed,
            _("Publish a notice for: %s.") % ", ".join(p.name for p in unnoticed)
            if unnoticed
            else _("Every purpose in use has a published notice."),
            notice_fix_url(unnoticed[0].current_version) if unnoticed else "",
            fix=api_fix("notices_create", "POST", "notice-list", field="purpose_version")
            if unnoticed
            else None,
        )
    )
    checks.append(
        RuleCheck(
            "R41",
            True,
            _(
                "Purposes are limited to identification, verification and their uses; no "
                "purpose infers race, ethnicity, religion, health or social class."
            ),
        )
    )
    return checks


def _filing_checks(organization, stored_count: int) -> list[RuleCheck]:
    threshold = filing_threshold()
    filings = Filing.objects.for_org(organization)
    link = fix_url("gov_filings", organization)
    open_initial = filings.filter(kind=Filing.Kind.INITIAL).open().order_by("deadline").first()
    filed = filings.filter(
        kind=Filing.Kind.INITIAL, status__in=[Filing.Status.SUBMITTED, Filing.Status.ACCEPTED]
    ).exists()
    if open_initial is not None and open_initial.is_overdue:
        r35 = RuleCheck(
            "R35",
            False,
            _("Overdue: the filing with the provincial CAC was due by %(deadline)s. File now.")
            % {"deadline": open_initial.deadline.isoformat()},
            link,
            fix=filing_fix(open_initial),
        )
    elif open_initial is not None:
        r35 = RuleCheck(
            "R35",
            False,
            _("File with the provincial CAC by %(deadline)s (%(count)s individuals stored).")
            % {"deadline": open_initial.deadline.isoformat(), "count": open_initial.stored_count},
            link,
            fix=filing_fix(open_initial),
        )
    elif stored_count >= threshold and not filed:
        r35 = RuleCheck(
            "R35",
            False,
            _("%(count)s individuals are stored: evaluate filings to open the filing.")
            % {"count": stored_count},
            link,
            fix=filing_fix(),
        )
    else:
        r35 = RuleCheck(
            "R35",
            True,
            _("%(count)s of %(threshold)s individuals stored; no filing is due.")
            % {"count": stored_count, "threshold": threshold}
            if not filed
            else _("Filed with the provincial CAC."),
        )
    pending_change = (
        filings.filter(kind__in=[Filing.Kind.CHANGE, Filing.Kind.DEREGISTRATION])
        .open()
        .order_by("deadline")
        .first()
    )
    r37 = RuleCheck(
        "R37",
        pending_change is None,
        _("Make the %(kind)s by %(deadline)s.")
        % {"kind": pending_change.get_kind_display().lower(), "deadline": pending_change.deadline}
        if pending_change
        else _("No change filing is due."),
        link if pending_change else "",
        fix=filing_fix(pending_change) if pending_change else None,
    )
    profile = FilingProfile.objects.for_org(organization).first()
    legacy = profile is not None and profile.legacy_processor
    r36 = RuleCheck(
        "R36",
        filed,
        _("Filed with the provincial CAC.")
        if filed
        else _("A processor over the threshold before 1 June 2025 had to file by %(deadline)s.")
        % {"deadline": LEGACY_FILING_DEADLINE.isoformat()},
        "" if filed else link,
        applicable=legacy,
        fix=None if filed else filing_fix(open_initial),
    )
    lacking = [f for f in PROFILE_REQUIRED if profile is None or not getattr(profile, f).strip()]
    missing = [str(FilingProfile._meta.get_field(f).verbose_name) for f in lacking]
    if not organization.unified_social_credit_code:
        lacking.append("unified_social_credit_code")
        missing.append(_("the unified social credit code"))
    r38 = RuleCheck(
        "R38",
        not missing,
        _("The filing pack needs: %s.") % ", ".join(missing)
        if missing
        else _("The filing pack has what the authority asks for."),
        link if missing else "",
        applicable=filed or open_initial is not None or stored_count >= threshold,
        fix=filing_profile_fix(lacking[0]) if lacking else None,
    )
    return [r35, r36, r37, r38]


def _incident_check(organization) -> RuleCheck:
    unnotified = Incident.objects.for_org(organization).filter(
        severity=Incident.Severity.MAJOR,
        status=Incident.Status.OPEN,
        authorities_notified_at__isnull=True,
    )
    rows = list(unnotified.order_by("created_at", "pk").values_list("pk", "title")[:5])
    titles = [title for _pk, title in rows]
    return RuleCheck(
        "R34",
        not titles,
        _("Notify the authorities and the people affected of: %s.") % ", ".join(titles)
        if titles
        else _("No major incident awaits notification."),
        # The first incident's page, where its notification is recorded.
        fix_url("gov_incident_detail", organization, pk=rows[0][0]) if rows else "",
        fix=incident_notify_fix(rows[0][0]) if rows else None,
    )


@dataclass(frozen=True)
class ComplianceRow:
    """One rule of the compliance view with its state for the organization."""

    rule: Rule
    result: RuleState

    @property
    def label(self) -> str:
        return str(State.LABELS[self.result.state])

    def as_dict(self) -> dict:
        return {
            "rule": self.rule.id,
            "status": self.rule.status,
            "summary": str(self.rule.summary),
            "state": self.result.state,
            "label": self.label,
            "message": self.result.message,
            "fix_url": self.result.fix_url,
            "fix": self.result.fix,
        }


def _as_state(result) -> RuleState:
    return result if isinstance(result, RuleState) else state_from_check(result)


def rule_evaluators() -> dict[str, Callable[[ComplianceContext], RuleState]]:
    """Return every rule's evaluator: governance's, and those settings name.

    A rule with both (R50: deadlines per deployment here, overdue requests in dsr) is judged
    by both, the worse state winning.
    """
    evaluators = dict(EVALUATORS)
    for rule, path in getattr(settings, "GOVERNANCE_RULE_EVALUATORS", {}).items():
        fn, own = import_string(path), evaluators.get(rule)

        def evaluate(ctx, fn=fn, own=own) -> RuleState:
            higher = _as_state(fn(organization=ctx.organization))
            return higher if own is None else worst_state([own(ctx), higher])

        evaluators[rule] = evaluate
    return evaluators


def _evaluate(rule: Rule, evaluator, ctx: ComplianceContext) -> RuleState:
    if evaluator is not None:
        return evaluator(ctx)
    if rule.enforced:
        # Honest rather than silent: a C or S rule nobody evaluates is shown as unmet.
        return RuleState(State.UNMET, _("No check of this rule exists yet."))
    return RuleState(State.CONTEXT, str(rule.summary))


def compliance_rules(ctx: ComplianceContext) -> list[ComplianceRow]:
    """Return one row per rule of docs/regulations.md, in its order."""
    evaluators = rule_evaluators()
    return [ComplianceRow(rule, _evaluate(rule, evaluators.get(rule.id), ctx)) for rule in RULES]


def organization_compliance(*, organization, stored_count: int | None = None) -> dict:
    """Return {"stored_count", "threshold", "rules", "alerts", "organization", "deployments"}.

    ``rules`` is one ComplianceRow per rule (R1-R54); ``alerts`` the live filing warnings
    (R35). Each deployment entry is {"deployment", "checks", "processing_unmet"}; the last
    lists, for an active deployment, the rules that suspend its new enrollments and jobs (R2,
    R27, R29), empty when they may go on. Retired deployments are left out.
    """
    if stored_count is None:
        stored_count = stored_individuals_count(organization=organization)
    deployments = list(
        Deployment.objects.for_org(organization)
        .exclude(status=Deployment.Status.RETIRED)
        .select_related("organization")
    )
    rows = [
        {
            "deployment": d,
            "checks": deployment_checks(d),
            "processing_unmet": deployment_processing_unmet(d)
            if d.status == Deployment.Status.ACTIVE
            else [],
        }
        for d in deployments
    ]
    org_checks = [
        *_purpose_checks(organization),
        _incident_check(organization),
        *_filing_checks(organization, stored_count),
    ]
    alerts = filing_alerts_live(organization=organization, threshold=filing_threshold())
    ctx = ComplianceContext(
        organization=organization,
        stored_count=stored_count,
        threshold=filing_threshold(),
        deployments=deployments,
        deployment_checks={r["deployment"].pk: {c.rule: c for c in r["checks"]} for r in rows},
        org_checks={c.rule: c for c in org_checks},
        live_alerts=alerts,
    )
    return {
        "stored_count": stored_count,
        "threshold": filing_threshold(),
        "rules": compliance_rules(ctx),
        "alerts": alerts,
        "organization": org_checks,
        "deployments": rows,
    }
