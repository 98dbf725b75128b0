"""The compliance view's row for the rule on minors consent enforces (R15).

Named in settings.GOVERNANCE_RULE_EVALUATORS: governance sits below consent and cannot ask.
"""

from django.utils.translation import gettext as _

from consent.selectors import minor_rules_current
from governance.rulebook import RuleState, State


def r15_minors(*, organization) -> RuleState:
    """Met either way: without published minor rules no guardian consent is accepted at all."""
    rules = minor_rules_current(organization=organization)
    if rules is None:
        return RuleState(
            State.MET,
            _(
                "No rules for processing minors' data are published, so no child under 14 can "
                "be enrolled here: the portal refuses guardian consent until they are."
            ),
        )
    return RuleState(
        State.MET,
        _(
            "A child under 14 is enrolled only with a guardian's consent (identity, relationship "
            "and how it was checked), under the rules published on %(date)s (%(title)s)."
        )
        % {"date": rules.published_at.date().isoformat(), "title": rules.title},
    )
