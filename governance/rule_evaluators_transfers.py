"""R25 (recipients) and R26 (transfers out of the PRC) for the compliance view.

Judged from the recipient register and each deployment's declared locations with the same
checks that refuse a consent naming a recipient and an enrollment (governance.residency).
"""

from django.utils.translation import gettext as _

from governance.compliance_context import ComplianceContext, state_from_check, worst_state
from governance.models import Recipient
from governance.residency import deployment_transfer_check, recipient_checks
from governance.rulebook import RuleState, State


def _recipients(ctx: ComplianceContext) -> list[Recipient]:
    return list(Recipient.objects.for_org(ctx.organization))


def r25_recipients(ctx: ComplianceContext) -> RuleState:
    recipients = _recipients(ctx)
    if not recipients:
        return RuleState(
            State.MET,
            _(
                "No data is provided to another processor: sharing is off until a recipient is "
                "registered with its purpose, location and signed contract, and each person "
                "grants it separately on the consent."
            ),
        )
    states = [state_from_check(recipient_checks(r)[0]) for r in recipients]
    state = worst_state(states)
    if state.state == State.MET:
        return RuleState(
            State.MET,
            _(
                "%(count)s recipient(s) registered with purpose, location and signed contract; "
                "a consent names only these, each its own yes or no."
            )
            % {"count": len(recipients)},
        )
    return state


def r26_transfers(ctx: ComplianceContext) -> RuleState:
    states = []
    for deployment in ctx.deployments:
        check = deployment_transfer_check(deployment)
        if check.applicable:
            state = state_from_check(check)
            # An unmet site names itself; a recipient's message already names the recipient.
            if state.state == State.UNMET:
                state = RuleState(
                    state.state, f"{deployment.name}: {state.message}", state.fix_url, state.fix
                )
            states.append(state)
    states += [
        state_from_check(c)
        for r in _recipients(ctx)
        for c in recipient_checks(r)
        if c.rule == "R26" and c.applicable
    ]
    if not states:
        return RuleState(
            State.NOT_APPLICABLE,
            _(
                "Everything collected in the PRC is stored and processed in the PRC, and no "
                "recipient is abroad: no cross-border transfer."
            ),
        )
    return worst_state(states)
