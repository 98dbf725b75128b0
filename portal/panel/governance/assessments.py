"""Panel pages for impact assessments: create, edit sections, sign off, attachments."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance.models import Assessment, Deployment
from governance.services import (
    assessment_attach,
    assessment_create,
    assessment_reassess,
    assessment_sign_off,
    assessment_update,
)
from portal.panel.access import apply_service, org_view, run_action
from portal.panel.governance import lists, next_steps
from portal.panel.governance.common import can_manage, scoped
from portal.panel.governance.forms import AssessmentCreateForm, AssessmentForm, AttachmentForm
from portal.panel.listing import Listing, list_page
from recognition.accuracy import accuracy_figures
from tenants import roles


def _to_detail(request, pk):
    return redirect("panel:gov_assessment_detail", org_slug=request.organization.slug, pk=pk)


@org_view(roles.VIEW_GOVERNANCE)
def assessment_list(request):
    rows = Assessment.objects.for_org(request.organization).select_related("deployment")
    listing = list_page(request, lists.ASSESSMENTS, rows)
    if not isinstance(listing, Listing):
        return listing
    return render(
        request,
        "panel/governance/assessment_list.html",
        {"listing": listing, "can_manage": can_manage(request)},
    )


@org_view(roles.MANAGE_GOVERNANCE)
def assessment_create_view(request):
    org = request.organization
    initial = {}
    chosen = Deployment.objects.for_org(org).filter(pk=request.GET.get("deployment") or 0).first()
    if chosen:
        initial["deployment_choice"] = chosen
    form = AssessmentCreateForm(request.POST or None, organization=org, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f in ("title", *Assessment.SECTION_FIELDS)}
        assessment = apply_service(
            form,
            lambda: assessment_create(
                organization=org,
                actor=request.actor,
                deployment=form.cleaned_data["deployment_choice"],
                **values,
            ),
        )
        if assessment:
            messages.success(request, _("Assessment drafted."))
            return _to_detail(request, assessment.pk)
    return render(
        request, "panel/governance/form.html", {"form": form, "title": _("New impact assessment")}
    )


@org_view(roles.VIEW_GOVERNANCE)
def assessment_detail(request, pk):
    assessment = scoped(Assessment, request, pk)
    editable = assessment.status == Assessment.Status.DRAFT and can_manage(request)
    form = AssessmentForm(request.POST or None, instance=Assessment.objects.get(pk=pk))
    if request.method == "POST":
        if not editable:
            return render(request, "403.html", status=403)
        if form.is_valid():
            values = {f: form.cleaned_data[f] for f in ("title", *Assessment.SECTION_FIELDS)}
            if apply_service(
                form,
                lambda: assessment_update(assessment=assessment, actor=request.actor, **values),
            ):
                messages.success(request, _("Assessment saved."))
                return _to_detail(request, pk)
    return render(
        request,
        "panel/governance/assessment_detail.html",
        {
            "assessment": assessment,
            "form": form if editable else None,
            "can_manage": can_manage(request),
            # The service decides (R27); this only hides a button that would be refused.
            "can_sign": request.user.has_perm(roles.SIGN_OFF_ASSESSMENT, request.organization)
            and assessment.created_by_id != request.user.pk,
            "attachment_form": AttachmentForm(),
            "next_steps": next_steps.after_assessment(request, assessment),
            "accuracy": accuracy_figures(
                purpose_versions=assessment.purpose_versions.select_related("purpose")
            ),
        },
    )


@require_POST
@org_view(roles.SIGN_OFF_ASSESSMENT)
def assessment_sign_off_view(request, pk):
    assessment = scoped(Assessment, request, pk)
    if run_action(
        request,
        lambda: assessment_sign_off(assessment=assessment, actor=request.actor, user=request.user),
    ):
        messages.success(request, _("Assessment signed off."))
    return _to_detail(request, pk)


@require_POST
@org_view(roles.MANAGE_GOVERNANCE)
def assessment_reassess_view(request, pk):
    assessment = scoped(Assessment, request, pk)
    created = []
    if run_action(
        request,
        lambda: created.append(assessment_reassess(assessment=assessment, actor=request.actor)),
    ):
        messages.success(request, _("A new draft was started from this assessment."))
        return _to_detail(request, created[0].pk)
    return _to_detail(request, pk)


@require_POST
@org_view(roles.MANAGE_GOVERNANCE)
def assessment_attachment_add(request, pk):
    assessment = scoped(Assessment, request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file."))
    elif run_action(
        request,
        lambda: assessment_attach(
            assessment=assessment,
            actor=request.actor,
            upload=form.cleaned_data["file"],
            name=form.cleaned_data["name"],
        ),
    ):
        messages.success(request, _("Attachment added."))
    return _to_detail(request, pk)


@org_view(roles.VIEW_GOVERNANCE)
def assessment_attachment_download(request, pk, attachment_pk):
    assessment = scoped(Assessment, request, pk)
    attachment = assessment.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.file.name.rsplit("/", 1)[-1],
    )
