"""Evaluators of the filing rules: the threshold's warnings, the pack and the group count."""

from django.utils.translation import gettext as _

from governance.api_fixes import filing_document_fix, filing_profile_fix
from governance.compliance_context import ComplianceContext, state_from_check
from governance.filing_group import filing_group
from governance.filing_materials import filing_for_materials, filing_materials
from governance.filing_warnings import filing_warning_text
from governance.gates import fix_url
from governance.rulebook import RuleState, State


def r35_filing(ctx: ComplianceContext) -> RuleState:
    """The filing check, led by the warnings of the levels reached (80%, 90%): a warning is
    no breach, but whoever reads the row must see it before the threshold is crossed."""
    state = state_from_check(ctx.org_checks["R35"])
    if not ctx.live_alerts:
        return state
    warnings = " ".join(filing_warning_text(alert) for alert in ctx.live_alerts)
    return RuleState(state.state, f"{warnings} {state.message}", state.fix_url, state.fix)


def r38_pack(ctx: ComplianceContext) -> RuleState:
    """The filing's content (organization check) and its sealed materials, both required."""
    state = state_from_check(ctx.org_checks["R38"])
    if state.state == State.NOT_APPLICABLE:
        return state
    filing = filing_for_materials(ctx.organization)
    missing = [label for _kind, label in filing_materials(filing)["missing"]]
    if not missing:
        if state.state != State.MET:
            return state
        return RuleState(
            State.MET,
            _("%(message)s Every sealed material is attached.") % {"message": state.message},
        )
    text = _("Sealed materials missing: %(missing)s.") % {"missing": "; ".join(missing)}
    link = (
        fix_url("gov_filing_documents", ctx.organization, pk=filing.pk)
        if filing is not None
        else fix_url("gov_filings", ctx.organization)
    )
    if state.state == State.MET:
        return RuleState(State.UNMET, text, link, filing_document_fix())
    return RuleState(
        State.UNMET,
        f"{state.message} {text}",
        state.fix_url or link,
        state.fix or filing_document_fix(),
    )


def r39_group(ctx: ComplianceContext) -> RuleState:
    """The group's headcount where a group is declared; the operator's position is uncertain."""
    uncertain = _(
        "Uncertain: whether the portal operator, as an entrusted processor, must file too."
    )
    group = filing_group(organization=ctx.organization)
    if group is None:
        return RuleState(
            State.MET,
            _(
                "No group is declared: the count is this organization's, de-duplicated across "
                "all its deployments. %(uncertain)s"
            )
            % {"uncertain": uncertain},
        )
    names = ", ".join(f"{org.name} ({count})" for org, count in group["members"])
    text = _(
        "Group of %(parent)s: %(names)s; total %(total)s. Each count is de-duplicated, but "
        "across organizations it cannot be without identities they share, so the total may "
        "count a person twice."
    ) % {
        "parent": (group["parent"] or ctx.organization).name,
        "names": names,
        "total": group["total"],
    }
    if group["unconfirmed"]:
        text += " " + _("Not confirmed by both owners: %(slugs)s.") % {
            "slugs": ", ".join(group["unconfirmed"])
        }
    return RuleState(
        State.PARTLY,
        f"{text} {uncertain}",
        fix_url("gov_filings", ctx.organization),
        filing_profile_fix("group_parent" if group["unconfirmed"] else "group_affiliates"),
    )
