"""Panel pages of the entrustment's end (R51): the confirm step, the run, its report and package.

Starting the run deletes every subject's data of the organization, so it takes an explicit
confirmation (the organization's slug typed again) and the owner or DPO (MANAGE_GOVERNANCE).
"""

import json

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dsr.services.termination import (
    termination_report_check,
    termination_run_for,
    termination_start,
)
from dsr.services.termination_counts import organization_personal_counts
from dsr.services.termination_package import termination_package_delete, termination_package_open
from governance.services.entrustment import entrustment_for
from portal.panel.access import apply_service, org_view, run_action
from tenants import roles


class TerminationConfirmForm(forms.Form):
    slug = forms.CharField(
        label=gettext_lazy("Type the organization's short name to confirm"), max_length=80
    )
    understood = forms.BooleanField(
        label=gettext_lazy(
            "I understand that every subject's face data and personal data will be deleted "
            "and that this cannot be undone."
        )
    )

    def __init__(self, *args, expected_slug: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected_slug = expected_slug

    def clean_slug(self):
        slug = self.cleaned_data["slug"].strip()
        if slug != self.expected_slug:
            raise forms.ValidationError(_("This is not the organization's short name."))
        return slug


@org_view(roles.VIEW_GOVERNANCE)
def termination(request):
    """The run's status and report, or (owner and DPO) the confirm step that starts it."""
    org = request.organization
    run = termination_run_for(org)
    manage = request.user.has_perm(roles.MANAGE_GOVERNANCE, org)
    form = TerminationConfirmForm(request.POST or None, expected_slug=org.slug)
    if request.method == "POST":
        if not manage:
            return render(request, "403.html", status=403)
        if form.is_valid():
            started = apply_service(
                form, lambda: termination_start(organization=org, actor=request.actor)
            )
            if started:
                messages.success(request, _("The termination run is queued."))
                return redirect("panel:termination", org_slug=org.slug)
    context = {
        "record": entrustment_for(org),
        "run": run,
        "form": form,
        "can_manage": manage,
        "problems": termination_report_check(run) if run else [],
        "counts": organization_personal_counts(organization=org) if run is None else [],
    }
    return render(request, "panel/termination.html", context)


@org_view(roles.VIEW_GOVERNANCE)
def termination_report(request):
    run = termination_run_for(request.organization)
    if run is None or run.report is None:
        raise Http404("No report")
    response = HttpResponse(
        json.dumps(run.report, ensure_ascii=False, indent=1), content_type="application/json"
    )
    filename = f"{request.organization.slug}-termination-report.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@org_view(roles.MANAGE_GOVERNANCE)
def termination_package(request):
    """GET downloads the return package; POST confirms its receipt and deletes it here."""
    org = request.organization
    run = termination_run_for(org)
    if run is None:
        raise Http404("No termination run")
    if request.method == "POST":
        if run_action(request, lambda: termination_package_delete(run=run, actor=request.actor)):
            messages.success(request, _("The return package was deleted from the portal."))
        return redirect("panel:termination", org_slug=org.slug)
    if not run.package or run.package_deleted_at is not None:
        raise Http404("No package")
    handle, filename = termination_package_open(run=run, actor=request.actor)
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/zip"
    )
