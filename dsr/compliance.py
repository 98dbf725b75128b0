"""The compliance view's rows for request deadlines (R50) and the entrustment's end (R51).

Named in settings.GOVERNANCE_RULE_EVALUATORS: governance sits below dsr and cannot ask.
"""

from django.utils.translation import gettext as _

from dsr.selectors import dsr_figures, oldest_overdue_request_id
from dsr.services.deadlines import dsr_settings_for
from dsr.services.termination import termination_run_for
from dsr.services.termination_counts import organization_personal_counts
from governance.api_fixes import api_fix
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
            api_fix(
                "data_requests_complete_create",
                "POST",
                "data-request-complete",
                oldest_overdue_request_id(organization=organization),
                field="response",
            ),
        )
    return RuleState(
        State.MET,
        _(
            "Requests are due %(deadline)s after they arrive, with reminders and extension "
            "letters; none is overdue (%(open)s open, %(soon)s due soon)."
        )
        % {"deadline": deadline, "open": figures["dsr_open"], "soon": figures["dsr_due_soon"]},
    )


def r51_termination(*, organization) -> RuleState:
    """The end of the entrustment, once it ended: met only when the run's report proves it.

    Governance judges the contract record itself (governance.rule_evaluators.r51_entrustment);
    the worse of the two states shows.
    """
    run = termination_run_for(organization)
    link = fix_url("entrustment", organization)
    # A run left incomplete is queued again by the same call; the run under way is only watched.
    run_again = api_fix("termination_run_create", "POST", "termination-run", field="confirm")
    if run is None:
        return RuleState(
            State.MET,
            _(
                "The entrustment is in force. When it ends, the termination run returns or "
                "deletes the data as the contract says and proves it in a report."
            ),
        )
    if not run.is_finished:
        return RuleState(
            State.PARTLY,
            _("The entrustment has ended; its termination run is %(status)s.")
            % {"status": run.get_status_display().lower()},
            link,
            api_fix("termination_run_retrieve", "GET", "termination-run"),
        )
    report = run.report or {}
    if not report.get("passed"):
        return RuleState(
            State.UNMET,
            _("The termination run left data behind: %(left)s. Run it again.")
            % {"left": "; ".join(report.get("left_behind", [])) or _("see the report")},
            link,
            run_again,
        )
    if run.package and run.package_deleted_at is None:
        return RuleState(
            State.UNMET,
            _(
                "The return package is still held by the portal: confirm that the organization "
                "received it, and it is deleted."
            ),
            link,
            api_fix("termination_run_package_destroy", "DELETE", "termination-package"),
        )
    left = [
        row["what"]
        for row in organization_personal_counts(organization=organization)
        if row["count"]
    ]
    if left:
        return RuleState(
            State.UNMET,
            _("Personal data was stored after the termination run: %(left)s.")
            % {"left": "; ".join(left)},
            link,
        )
    return RuleState(
        State.MET,
        _(
            "The entrustment ended and the termination run (%(mode)s) proved it on %(date)s: "
            "%(subjects)s subject(s) erased and verified, nothing left in any table, the audit "
            "chain intact."
        )
        % {
            "mode": run.get_mode_display().lower(),
            "date": run.finished_at.date().isoformat(),
            "subjects": report.get("subjects", {}).get("verified", 0),
        },
    )
