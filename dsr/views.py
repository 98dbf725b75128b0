"""Self-service pages of a person's requests: filing, status, answer, and the access package.

The person is signed in through consent's self-service session (identity verified there);
the package link additionally carries an expiring token, so a link copied out of the page or
an e-mail stops working after DSR_EXPORT_LINK_HOURS.
"""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consent.views.common import self_service, subject_actor
from dsr.forms import DataRequestForm, PortabilityForm
from dsr.models import DataRequest
from dsr.selectors import data_requests_for_subject, transfer_for_request
from dsr.services.export import (
    LinkExpired,
    dsr_export_link_issue,
    dsr_package_download,
    export_token,
    package_json,
)
from dsr.services.filing import dsr_request_file
from dsr.services.portability import portability_export, portability_json
from tenants.errors import ApplicationError


@self_service
def me_requests(request):
    """File a request and list one's requests (R45); consent's /me/ links here by name."""
    subject = request.subject
    form = DataRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            filed = dsr_request_file(
                subject=subject,
                kind=form.cleaned_data["kind"],
                message=form.cleaned_data["message"],
                channel=DataRequest.Channel.SELF_SERVICE,
                actor=subject_actor(request, subject),
                language=get_language() or "",
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            text = _("Your request is recorded. We will answer by %(date)s.") % {
                "date": date_format(localtime(filed.due_at), "DATE_FORMAT")
            }
            messages.success(request, text)
            return redirect("dsr:me_requests")
    return render(
        request,
        "dsr/me_requests.html",
        {
            "form": form,
            "requests": data_requests_for_subject(subject=subject),
            "org": subject.organization,
        },
    )


def _own(request, pk) -> DataRequest:
    row = data_requests_for_subject(subject=request.subject).filter(pk=pk).first()
    if row is None:
        # Another person's request, or none: the same answer.
        raise Http404
    return row


def _has_package(row: DataRequest) -> bool:
    return row.kind in (DataRequest.Kind.ACCESS, DataRequest.Kind.PORTABILITY) and (
        row.status == DataRequest.Status.COMPLETED
    )


@self_service
def me_request(request, pk):
    row = _own(request, pk)
    token = export_token(row) if _has_package(row) else ""
    return render(
        request,
        "dsr/me_request.html",
        {
            "r": row,
            "token": token,
            "has_package": _has_package(row),
            "org": row.organization,
            "transfer": transfer_for_request(data_request=row),
        },
    )


@require_POST
@self_service
def me_new_link(request, pk):
    """Issue a fresh link for a completed access request whose link expired (nothing lost)."""
    row = _own(request, pk)
    if not _has_package(row):
        raise Http404
    with transaction.atomic():
        locked = DataRequest.objects.select_for_update().get(pk=row.pk)
        dsr_export_link_issue(data_request=locked, actor=subject_actor(request, request.subject))
    messages.success(request, _("Here is a new download link."))
    return redirect("dsr:me_request", pk=pk)


def _download(request, pk, token, fmt):
    row = _own(request, pk)
    try:
        return dsr_package_download(
            data_request=row,
            actor=subject_actor(request, request.subject),
            fmt=fmt,
            token=token,
        ), row
    except LinkExpired as exc:
        response = render(
            request, "dsr/link_expired.html", {"r": row, "message": exc.message}, status=410
        )
        return response, row
    except ApplicationError as exc:
        if exc.status == 404:
            raise Http404 from None
        messages.error(request, exc.message)
        return redirect("dsr:me_request", pk=pk), row


@self_service
def me_package(request, pk, token):
    """The package as a readable page in the person's language."""
    package, row = _download(request, pk, token, "html")
    if isinstance(package, HttpResponse):
        return package
    return render(
        request,
        "dsr/package.html",
        {"p": package, "r": row, "token": token, "org": row.organization},
    )


@self_service
def me_package_json(request, pk, token):
    """The package as JSON, for portability (GDPR Art. 20: structured, machine-readable)."""
    package, _row = _download(request, pk, token, "json")
    if isinstance(package, HttpResponse):
        return package
    response = HttpResponse(package_json(package), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="my-data-{pk}.json"'
    return response


@self_service
def me_portability(request):
    """Take one's data to another organization (R46): the portability file, schema version 1."""
    subject = request.subject
    # Bound on every POST: an unticked box sends no field at all.
    form = PortabilityForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        document = portability_export(
            subject=subject,
            actor=subject_actor(request, subject),
            include_templates=form.cleaned_data["include_templates"],
        )
        response = HttpResponse(portability_json(document), content_type="application/json")
        response["Content-Disposition"] = 'attachment; filename="my-portable-data.json"'
        return response
    return render(
        request,
        "dsr/me_portability.html",
        {"form": form, "org": subject.organization},
    )
