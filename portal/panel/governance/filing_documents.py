"""Panel pages for a filing's sealed scans (R38): what is there, what is missing, upload, read."""

from django import forms
from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.filing_materials import filing_materials
from governance.models import Filing, FilingDocument
from governance.services.filing_documents import filing_document_add, filing_document_open
from portal.panel.access import apply_service, org_view
from portal.panel.governance.common import can_manage, scoped
from tenants import roles


class FilingDocumentForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Document"), choices=FilingDocument.Kind.choices)
    file = forms.FileField(label=gettext_lazy("Scan"))
    name = forms.CharField(label=gettext_lazy("Name (optional)"), max_length=200, required=False)


@org_view(roles.VIEW_GOVERNANCE)
def filing_documents(request, pk):
    filing = scoped(Filing, request, pk)
    manage = can_manage(request)
    form = FilingDocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not manage:
            return render(request, "403.html", status=403)
        if form.is_valid():
            added = apply_service(
                form,
                lambda: filing_document_add(
                    filing=filing,
                    actor=request.actor,
                    kind=form.cleaned_data["kind"],
                    upload=form.cleaned_data["file"],
                    name=form.cleaned_data["name"],
                ),
            )
            if added:
                messages.success(request, _("Document stored."))
                return redirect(
                    "panel:gov_filing_documents", org_slug=request.organization.slug, pk=pk
                )
    return render(
        request,
        "panel/governance/filing_documents.html",
        {
            "filing": filing,
            "materials": filing_materials(filing),
            "form": form,
            "can_manage": manage,
        },
    )


@org_view(roles.VIEW_GOVERNANCE)
def filing_document_download(request, pk, document_pk):
    filing = scoped(Filing, request, pk)
    document = scoped(FilingDocument, request, document_pk)
    if document.filing_id != filing.pk:
        return render(request, "404.html", status=404)
    handle, filename, media_type = filing_document_open(document=document, actor=request.actor)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=media_type)
