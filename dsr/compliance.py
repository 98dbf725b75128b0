"""The compliance view's row for request deadlines (R50).

Named in settings.GOVERNANCE_RULE_EVALUATORS: governance sits below dsr and cannot ask.
"""

from django.utils.translation import gettext as _

from dsr.selectors import dsr_figures
from dsr.services.deadlines import dsr_settings_for
from governance.gates import fix_url
from governance.rulebook import RuleState, State


def r50_deadlines(*, organization) -> RuleState:
    figures = dsr_figures(organization=organization)
    terms = dsr_settings_for(organization=organization)
    if terms["unit"] == "months":
        deadline = _("%(n)s month(s)") % {"n": terms["response"]}
    else:
        deadline = _("%(n)s day(s)") % {"n": terms["response"]}
    if figures["dsr_overdue"]:
        return RuleState(
            State.UNMET,
            _("%(count)s request(s) are past their deadline of %(deadline)s: answer them.")
            % {"count": figures["dsr_overdue"], "deadline": deadline},
            fix_url("dsr_queue", organization),
        )
    return RuleState(
        State.MET,
        _(
            "Requests are due %(deadline)s after they arrive, with reminders and extension "
            "letters; none is overdue (%(open)s open, %(soon)s due soon)."
        )
        % {"deadline": deadline, "open": figures["dsr_open"], "soon": figures["dsr_due_soon"]},
    )
