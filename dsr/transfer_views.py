"""Portability transfers (R46) seen from outside the panel: the person's form, the receiver's link.

The person, signed in on /me/, names the organization their data should go to; the DPO checks
its eligibility and approves or refuses in the panel or the API. The receiver fetches the file
once through the signed link it was given, without an account: the token is the credential,
so it is single-use, expires, and every fetch (refused ones too) is audited with its address.
"""

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from audit.actors import Actor
from consent.views.common import self_service, subject_actor
from dsr.forms import TransferForm
from dsr.models import DataRequest
from dsr.services.transfer import portability_transfer_file
from dsr.services.transfer_delivery import portability_transfer_fetch
from tenants.errors import ApplicationError


@self_service
def me_transfer(request):
    """Ask that one's data be sent to another organization (R46)."""
    subject = request.subject
    form = TransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transfer = portability_transfer_file(
                subject=subject,
                channel=DataRequest.Channel.SELF_SERVICE,
                actor=subject_actor(request, subject),
                receiver_name=data["receiver_name"],
                receiver_contact=data["receiver_contact"],
                receiver_location=data["receiver_location"],
                delivery=data["delivery"],
                receiver_slug=data["receiver_slug"],
                message=data["message"],
                language=get_language() or "",
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            due = transfer.data_request.due_at
            text = _("Your transfer request is recorded. We will answer by %(date)s.") % {
                "date": date_format(localtime(due), "DATE_FORMAT")
            }
            messages.success(request, text)
            return redirect("dsr:me_request", pk=transfer.data_request_id)
    return render(request, "dsr/me_transfer.html", {"form": form, "org": subject.organization})


@never_cache
@require_GET
def transfer_fetch(request, token):
    """The receiver's download: the portability file once, or a JSON error with its code."""
    actor = Actor(
        Actor.SYSTEM,
        "",
        "receiver of a portability transfer link",
        request_id=getattr(request, "request_id", ""),
        ip=getattr(request, "client_ip", None),
    )
    try:
        body = portability_transfer_fetch(token=token, actor=actor)
    except ApplicationError as exc:
        return JsonResponse(
            {"code": exc.code, "message": exc.message, "details": exc.details},
            status=exc.status,
        )
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="portability-transfer.json"'
    return response
