"""Panel page of the organization's entrustment contract with the portal operator (R51)."""

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.models import Entrustment
from governance.services.entrustment import (
    TEXT_FIELDS,
    entrustment_document_open,
    entrustment_for,
    entrustment_save,
)
from portal.panel.access import apply_service, org_view
from tenants import roles


class EntrustmentForm(forms.ModelForm):
    upload = forms.FileField(label=gettext_lazy("Signed contract (replaces the stored one)"))

    class Meta:
        model = Entrustment
        fields = [*TEXT_FIELDS, "contract_date", "termination"]
        widgets = {"contract_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, has_document: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["upload"].required = not has_document


@org_view(roles.VIEW_GOVERNANCE)
def entrustment(request):
    org = request.organization
    record = entrustment_for(org)
    manage = request.user.has_perm(roles.CHANGE_ORGANIZATION, org)
    form = EntrustmentForm(
        request.POST or None,
        request.FILES or None,
        instance=record or Entrustment(organization=org),
        has_document=bool(record and record.document),
    )
    if request.method == "POST":
        if not manage:
            return render(request, "403.html", status=403)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
            # ModelForm validation wrote the values onto the instance; the service compares
            # against what is stored, so it reads the row itself.
            saved = apply_service(
                form,
                lambda: entrustment_save(
                    organization=org,
                    actor=request.actor,
                    upload=form.cleaned_data["upload"],
                    **fields,
                ),
            )
            if saved:
                messages.success(request, _("Entrustment contract saved."))
                return redirect("panel:entrustment", org_slug=org.slug)
    return render(
        request,
        "panel/entrustment.html",
        {"record": record, "form": form, "can_manage": manage},
    )


@org_view(roles.VIEW_GOVERNANCE)
def entrustment_document(request):
    record = entrustment_for(request.organization)
    if record is None or not record.document:
        raise Http404("No contract document")
    handle, filename, media_type = entrustment_document_open(record=record, actor=request.actor)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=media_type)
