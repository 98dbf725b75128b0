"""The accuracy report of a purpose in the panel (R54): chart, operating points, history, CSV."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance.selectors import purposes_for_org
from portal.panel.access import org_view, run_action
from recognition.accuracy import accuracy_csv, accuracy_report
from recognition.services.calibrations import calibration_request
from tenants import roles


def _purpose(request, purpose_id):
    purpose = purposes_for_org(organization=request.organization).filter(pk=purpose_id).first()
    if purpose is None:
        raise Http404
    return purpose


@org_view(roles.VIEW_GOVERNANCE)
def accuracy(request, purpose_id):
    purpose = _purpose(request, purpose_id)
    report = accuracy_report(purpose=purpose)
    return render(
        request,
        "panel/recognition/accuracy.html",
        {
            "purpose": purpose,
            "report": report,
            # Built from numbers and escaped text only (recognition.det_chart).
            "chart": mark_safe(report.chart()),  # noqa: S308
            "can_calibrate": request.user.has_perm(roles.MANAGE_GOVERNANCE, request.organization),
        },
    )


@org_view(roles.VIEW_GOVERNANCE)
def accuracy_download(request, purpose_id):
    purpose = _purpose(request, purpose_id)
    response = HttpResponse(accuracy_csv(purpose=purpose), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="accuracy-purpose-{purpose.pk}.csv"'
    return response


@require_POST
@org_view(roles.MANAGE_GOVERNANCE)
def calibrate(request, purpose_id):
    purpose = _purpose(request, purpose_id)
    if run_action(request, lambda: calibration_request(purpose=purpose, actor=request.actor)):
        messages.success(request, _("Calibration queued: the report shows it once it is done."))
    return redirect("panel:rec_accuracy", org_slug=request.organization.slug, purpose_id=purpose.pk)
