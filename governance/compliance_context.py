"""What a rule evaluator reads, and how the checks it reads combine into a RuleState."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from governance.gates import RuleCheck
from governance.rulebook import RuleState, State


@dataclass
class ComplianceContext:
    """What every evaluator may read, computed once per report."""

    organization: object
    stored_count: int
    threshold: int
    deployments: list  # not retired
    # Deployment pk -> {rule: RuleCheck} (governance.gates.deployment_checks).
    deployment_checks: dict = field(default_factory=dict)
    # {rule: RuleCheck} of the organization-wide checks (governance.compliance).
    org_checks: dict = field(default_factory=dict)
    live_alerts: list = field(default_factory=list)

    def in_jurisdiction(self, jurisdiction: str) -> list:
        return [d for d in self.deployments if d.jurisdiction == jurisdiction]


def state_from_check(check: RuleCheck) -> RuleState:
    """Return the RuleState a gate's RuleCheck stands for."""
    if not check.applicable:
        return RuleState(State.NOT_APPLICABLE, check.message)
    if check.met:
        return RuleState(State.MET, check.message)
    return RuleState(State.UNMET, check.message, check.fix_url, check.fix)


_ORDER = [State.UNMET, State.PARTLY, State.MET, State.NOT_APPLICABLE]


def worst_state(states: list[RuleState]) -> RuleState:
    """Combine states: the worst one decides, every distinct message of that state is kept."""
    for kind in _ORDER:
        same = [s for s in states if s.state == kind]
        if same:
            messages = list(dict.fromkeys(s.message for s in same))
            link = next((s.fix_url for s in same if s.fix_url), "")
            fix = next((s.fix for s in same if s.fix), None)
            return RuleState(kind, " ".join(messages), link, fix)
    return RuleState(State.NOT_APPLICABLE, _("No deployment is in use."))


def across_deployments(ctx: ComplianceContext, rule: str, org_check: bool = False) -> RuleState:
    """The rule's check on every deployment in use (and the organization-wide one), combined.

    An unmet deployment names itself in the message; a rule no deployment is subject to is
    not applicable, with the deployments' own reason.
    """
    states = []
    for deployment in ctx.deployments:
        check = ctx.deployment_checks.get(deployment.pk, {}).get(rule)
        if check is None:
            continue
        state = state_from_check(check)
        if state.state == State.UNMET:
            state = RuleState(
                state.state, f"{deployment.name}: {state.message}", state.fix_url, state.fix
            )
        states.append(state)
    if org_check and rule in ctx.org_checks:
        states.append(state_from_check(ctx.org_checks[rule]))
    if not states:
        return RuleState(State.NOT_APPLICABLE, _("No deployment is in use."))
    return worst_state(states)


def deployment_rule(rule: str, org_check: bool = False) -> Callable:
    def evaluate(ctx: ComplianceContext) -> RuleState:
        return across_deployments(ctx, rule, org_check)

    evaluate.__name__ = f"{rule.lower()}_across_deployments"
    return evaluate


def org_rule(rule: str) -> Callable:
    def evaluate(ctx: ComplianceContext) -> RuleState:
        return state_from_check(ctx.org_checks[rule])

    evaluate.__name__ = f"{rule.lower()}_organization"
    return evaluate


def met_rule(text, state: str = State.MET) -> Callable:
    """A rule the product enforces for every organization: ``text`` (lazy) says how."""

    def evaluate(ctx: ComplianceContext) -> RuleState:
        return RuleState(state, str(text))

    return evaluate


def _wired(ctx: ComplianceContext, rule: str) -> bool:
    """Return True when the deployments' own checks judge ``rule`` (governance.gates)."""
    return any(rule in checks for checks in ctx.deployment_checks.values())


def jurisdiction_rule(rule: str, jurisdiction: str, where, unmet) -> Callable:
    """A rule of one jurisdiction's law (R17, R18, R23).

    Once each deployment's checks judge the rule (its jurisdiction deciding), they decide here
    too. Until then the organization's profile decides the consent form for all its sites, so
    a site in another jurisdiction than the profile's is unmet, with ``unmet`` saying why.
    """

    def evaluate(ctx: ComplianceContext) -> RuleState:
        if _wired(ctx, rule):
            return across_deployments(ctx, rule)
        sites = ctx.in_jurisdiction(jurisdiction)
        if not sites:
            return RuleState(
                State.NOT_APPLICABLE, _("No deployment is in %(where)s.") % {"where": where}
            )
        if rule != "R23" and ctx.organization.jurisdiction == jurisdiction:
            return RuleState(
                State.MET,
                _("The organization's profile is %(where)s: its consent form applies everywhere.")
                % {"where": where},
            )
        return RuleState(
            State.UNMET,
            "%s: %s" % (", ".join(d.name for d in sites), unmet),  # noqa: UP031
        )

    evaluate.__name__ = f"{rule.lower()}_jurisdiction"
    return evaluate


def partly_rule(text) -> Callable:
    return met_rule(text, State.PARTLY)


def context_rule(text) -> Callable:
    return met_rule(text, State.CONTEXT)
