"""Portability files another organization exported, imported here (R46): list, detail, upload.

The panel's side of POST/GET /api/v1/portability-imports/ (dsr.api.portability), with the same
roles and the same service: whoever may see subjects sees the imports, whoever may record
consents imports a file.
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from audit.services.recording import audit_record
from dsr import selectors
from dsr.models import ImportedConsent
from dsr.services.portability import (
    PortabilityFileInvalid,
    portability_import,
    portability_parse,
)
from portal.panel.access import apply_service, org_view
from portal.panel.dsr import lists
from portal.panel.dsr.forms import PortabilityImportForm
from portal.panel.listing import Listing, list_page, shows_personal_data
from tenants import roles


@org_view(roles.VIEW_SUBJECTS)
def imports(request):
    rows = selectors.portability_imports_for_org(organization=request.organization)
    listing = list_page(request, lists.IMPORTS, rows)
    if not isinstance(listing, Listing):
        return listing
    return render(
        request,
        "panel/dsr/imports.html",
        {
            "listing": listing,
            "can_import": request.user.has_perm(roles.MANAGE_CONSENT, request.organization),
        },
    )


def _import(request, form):
    """Parse and import the uploaded file; put what is wrong with it on the form's file field.

    Every problem the schema check found becomes one error, so staff can tell the sender what
    to repair; other refusals (a reference taken) go through ``apply_service``.
    """
    # One byte more than allowed is enough for the service to refuse a file that is too large,
    # without reading all of it into memory.
    raw = form.cleaned_data["file"].read(settings.DSR_PORTABILITY_MAX_BYTES + 1)
    try:
        return portability_import(
            organization=request.organization,
            document=portability_parse(raw),
            actor=request.actor,
        )
    except PortabilityFileInvalid as exc:
        form.add_error("file", exc.message)
        details = exc.details if isinstance(exc.details, dict) else {}
        for line in details.get("errors", []):
            form.add_error("file", line)
        return None


@org_view(roles.MANAGE_CONSENT)
def import_new(request):
    form = PortabilityImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        record = apply_service(form, lambda: _import(request, form))
        if record is not None:
            messages.success(
                request,
                _(
                    "File imported. Its consents are history only: the person must consent "
                    "again here before their face may be processed."
                ),
            )
            return redirect(
                "panel:dsr_import_detail", org_slug=request.organization.slug, pk=record.pk
            )
    return render(request, "panel/dsr/import_new.html", {"form": form})


def _history(row) -> list[dict]:
    """The consent's history at the source, its moments parsed for display."""
    return [
        {**event, "at": parse_datetime(event.get("at") or "")}
        for event in row.history
        if isinstance(event, dict)
    ]


@org_view(roles.VIEW_SUBJECTS)
def import_detail(request, pk):
    org = request.organization
    record = selectors.portability_import_for_org(organization=org, pk=pk)
    if record is None:
        raise Http404
    # A read of what is held about a person is recorded like the subject page's (R31).
    audit_record(
        organization_id=org.pk,
        actor=request.actor,
        action="subject.viewed",
        target_type="subject",
        target_id=record.subject_id or "",
        subject_pseudonym=str(record.subject_pseudonym),
        details={"personal_data": shows_personal_data(request)},
    )
    consents = selectors.imported_consents_for(ImportedConsent.objects.filter(source=record))
    subject = record.subject
    return render(
        request,
        "panel/dsr/import_detail.html",
        {
            "record": record,
            "subject": subject,
            "consents": [(row, _history(row)) for row in consents],
            "show_personal": shows_personal_data(request),
            "can_record": subject is not None
            and subject.erased_at is None
            and request.user.has_perm(roles.MANAGE_CONSENT, org),
        },
    )
