"""The DPO's queue of data-subject requests, each request with its actions (R45-R50)."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consent.selectors import subject_for_org
from dsr import selectors
from dsr.models import DataRequest
from dsr.services.completion import dsr_request_complete
from dsr.services.deadlines import dsr_settings_for, dsr_settings_update
from dsr.services.erasure import legal_hold_lift, legal_hold_place
from dsr.services.export import dsr_package_download, package_json
from dsr.services.filing import dsr_request_file
from dsr.services.restriction import dsr_restriction_lift
from dsr.services.transfer import portability_transfer_check, portability_transfer_refuse
from dsr.services.transfer_delivery import (
    portability_transfer_approve,
    portability_transfer_link_token,
)
from dsr.services.workflow import (
    dsr_identity_verify,
    dsr_request_extend,
    dsr_request_reject,
    dsr_request_start,
)
from portal.panel.access import apply_service, error_lines, org_view, run_action
from portal.panel.dsr import lists
from portal.panel.dsr.forms import (
    CompleteForm,
    FileRequestForm,
    HoldForm,
    IdentityForm,
    ReasonForm,
    SettingsForm,
)
from portal.panel.listing import Listing, list_page
from tenants import roles
from tenants.errors import ApplicationError, Conflict


@org_view(roles.HANDLE_REQUESTS)
def queue(request):
    rows = selectors.data_requests_queue(organization=request.organization, status="")
    listing = list_page(request, lists.REQUESTS, rows)
    if not isinstance(listing, Listing):
        return listing
    return render(
        request,
        "panel/dsr/queue.html",
        {"listing": listing, "figures": selectors.dsr_figures(organization=request.organization)},
    )


@org_view(roles.HANDLE_REQUESTS)
def file_request(request):
    """File a request on the person's behalf, recording the identity check made (R45)."""
    org = request.organization
    form = FileRequestForm(request.POST or None, initial={"subject": request.GET.get("subject")})
    if request.method == "POST" and form.is_valid():
        subject = subject_for_org(organization=org, pseudonym=form.cleaned_data["subject"])
        if subject is None:
            form.add_error("subject", _("No such subject in this organization."))
        else:
            row = apply_service(
                form,
                lambda: dsr_request_file(
                    subject=subject,
                    kind=form.cleaned_data["kind"],
                    message=form.cleaned_data["message"],
                    identity_check=form.cleaned_data["identity_check"],
                    language=form.cleaned_data["language"],
                    channel=DataRequest.Channel.STAFF,
                    actor=request.actor,
                ),
            )
            if row is not None:
                messages.success(request, _("Request recorded."))
                return redirect("panel:dsr_detail", org_slug=org.slug, pk=row.pk)
    return render(request, "panel/dsr/new.html", {"form": form})


def _row(request, pk) -> DataRequest:
    row = selectors.data_request_for_org(organization=request.organization, pk=pk)
    if row is None:
        raise Http404
    return row


@org_view(roles.HANDLE_REQUESTS)
def detail(request, pk):
    row = _row(request, pk)
    subject = row.subject
    transfer = selectors.transfer_for_request(data_request=row)
    return render(
        request,
        "panel/dsr/detail.html",
        {
            "r": row,
            "subject": subject,
            "hold": selectors.legal_hold_active(subject=subject) if subject else None,
            "identity_form": IdentityForm(),
            "reason_form": ReasonForm(),
            "complete_form": CompleteForm(),
            "hold_form": HoldForm(),
            "duplicates": row.duplicates.all(),
            "transfer": transfer,
            "transfer_link": _transfer_link(request, transfer),
        },
    )


def _complete(request, row):
    form = CompleteForm(request.POST, request.FILES)
    if not form.is_valid():
        raise ApplicationError(_("Check the values entered."))
    photo = form.cleaned_data.get("photo")
    dsr_request_complete(
        data_request=row,
        actor=request.actor,
        response=form.cleaned_data["response"],
        changes=form.changes(),
        photo=photo.read() if photo else None,
    )


def _hold_place(request, row):
    form = HoldForm(request.POST)
    if not form.is_valid():
        raise ApplicationError(_("State the legal basis of the hold."))
    legal_hold_place(subject=row.subject, actor=request.actor, reason=form.cleaned_data["reason"])


def _hold_lift(request, row):
    hold = selectors.legal_hold_active(subject=row.subject)
    if hold is None:
        raise Conflict(_("There is no hold to lift."), code="already_done")
    legal_hold_lift(hold=hold, actor=request.actor)


def _transfer_link(request, transfer) -> str:
    """The receiver's link while unused, for the DPO to hand over (R46)."""
    token = portability_transfer_link_token(transfer) if transfer else ""
    return request.build_absolute_uri(reverse("dsr:transfer_fetch", args=[token])) if token else ""


def _transfer(row):
    transfer = selectors.transfer_for_request(data_request=row)
    if transfer is None:
        raise Http404
    return transfer


STEPS = {
    "verify-identity": lambda request, row: dsr_identity_verify(
        data_request=row, actor=request.actor, check=request.POST.get("check", "")
    ),
    "start": lambda request, row: dsr_request_start(data_request=row, actor=request.actor),
    "extend": lambda request, row: dsr_request_extend(
        data_request=row, actor=request.actor, reason=request.POST.get("reason", "")
    ),
    "reject": lambda request, row: dsr_request_reject(
        data_request=row, actor=request.actor, reason=request.POST.get("reason", "")
    ),
    "complete": _complete,
    "hold": _hold_place,
    "lift-hold": _hold_lift,
    "transfer-check": lambda request, row: portability_transfer_check(
        transfer=_transfer(row), actor=request.actor
    ),
    "transfer-approve": lambda request, row: portability_transfer_approve(
        transfer=_transfer(row), actor=request.actor
    ),
    "transfer-refuse": lambda request, row: portability_transfer_refuse(
        transfer=_transfer(row), actor=request.actor, reason=request.POST.get("reason", "")
    ),
    "lift-restriction": lambda request, row: dsr_restriction_lift(
        subject=row.subject, actor=request.actor, reason=f"restriction lifted (request #{row.pk})"
    ),
}

DONE = {
    "verify-identity": _("Identity recorded as verified."),
    "start": _("Request started."),
    "extend": _("Deadline extended; the person has been told why."),
    "reject": _("Request rejected; the person has been told the reason and their remedies."),
    "complete": _("Request completed."),
    "hold": _("Legal hold placed."),
    "lift-hold": _("Legal hold lifted."),
    "lift-restriction": _("Restriction lifted."),
    "transfer-check": _("Eligibility checked again."),
    "transfer-approve": _("Transfer approved and delivered."),
    "transfer-refuse": _("Transfer refused; the person has been told the reason."),
}


@require_POST
@org_view(roles.HANDLE_REQUESTS)
def step(request, pk, step):
    if step not in STEPS:
        raise Http404
    row = _row(request, pk)
    if run_action(request, lambda: STEPS[step](request, row)):
        messages.success(request, DONE[step])
    return redirect("panel:dsr_detail", org_slug=request.organization.slug, pk=row.pk)


@org_view(roles.HANDLE_REQUESTS)
def package(request, pk):
    """The access package for staff to hand over in person (audited like every download)."""
    row = _row(request, pk)
    try:
        data = dsr_package_download(data_request=row, actor=request.actor, fmt="json")
    except ApplicationError as exc:
        for line in error_lines(exc):
            messages.error(request, line)
        return redirect("panel:dsr_detail", org_slug=request.organization.slug, pk=row.pk)
    response = HttpResponse(package_json(data), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="access-package-{pk}.json"'
    return response


@org_view(roles.HANDLE_REQUESTS)
def deadline_settings(request):
    org = request.organization
    current = dsr_settings_for(organization=org)
    row = getattr(org, "dsr_settings", None) if hasattr(org, "dsr_settings") else None
    initial = {
        "response_days": row and row.response_days,
        "extension_days": row and row.extension_days,
        "due_soon_days": row and row.due_soon_days,
    }
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        dsr_settings_update(organization=org, actor=request.actor, **form.cleaned_data)
        messages.success(request, _("Deadlines saved."))
        return redirect("panel:dsr_settings", org_slug=org.slug)
    return render(request, "panel/dsr/settings.html", {"form": form, "current": current})
