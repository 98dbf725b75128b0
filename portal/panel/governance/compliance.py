"""Panel pages of the compliance view: every rule's state, and its CSV and PDF exports."""

from django.http import HttpResponse
from django.shortcuts import render

from governance.compliance import organization_compliance
from governance.compliance_export import compliance_export
from governance.rulebook import State
from portal.panel.access import org_view
from tenants import roles


@org_view(roles.VIEW_GOVERNANCE)
def compliance(request):
    report = organization_compliance(organization=request.organization)
    rules = report["rules"]
    return render(
        request,
        "panel/governance/compliance.html",
        {
            "report": report,
            "enforced": [r for r in rules if r.rule.enforced],
            "context_rules": [r for r in rules if not r.rule.enforced],
            "counts": {
                State.LABELS[state]: sum(
                    1 for r in rules if r.rule.enforced and r.result.state == state
                )
                for state in (State.MET, State.PARTLY, State.UNMET, State.NOT_APPLICABLE)
            },
        },
    )


@org_view(roles.VIEW_GOVERNANCE)
def compliance_download(request, kind):
    content, content_type, name = compliance_export(
        organization=request.organization, actor=request.actor, kind=kind
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
