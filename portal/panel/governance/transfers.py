"""Panel pages for the recipient register (R25) and the legal bases of transfers out of the
PRC (R26): list, add with the signed document, read the documents (each read audited)."""

from django import forms
from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.models import Deployment, Location, Recipient, TransferBasis
from governance.residency import deployment_transfer_check, recipient_checks
from governance.services.transfers import (
    recipient_add,
    recipient_contract_open,
    transfer_basis_open,
    transfer_basis_record,
)
from portal.panel.access import apply_service, org_view
from portal.panel.governance.common import can_manage, scoped
from tenants import roles

DATE = forms.DateInput(attrs={"type": "date"})


class RecipientForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    contact = forms.CharField(label=gettext_lazy("Contact"), max_length=300)
    purpose = forms.CharField(
        label=gettext_lazy("Purpose of the provision"), widget=forms.Textarea(attrs={"rows": 2})
    )
    method = forms.CharField(label=gettext_lazy("Method"), max_length=200)
    data_types = forms.CharField(label=gettext_lazy("Data types"), max_length=300)
    location = forms.ChoiceField(
        label=gettext_lazy("Where it stores and processes the data"), choices=Location.choices
    )
    contract = forms.FileField(label=gettext_lazy("Signed contract"))


class TransferBasisForm(forms.Form):
    mechanism = forms.ChoiceField(
        label=gettext_lazy("Legal basis"), choices=TransferBasis.Mechanism.choices
    )
    reference = forms.CharField(
        label=gettext_lazy("Reference (approval, filing or certificate number)"), max_length=200
    )
    valid_until = forms.DateField(label=gettext_lazy("Valid until"), required=False, widget=DATE)
    document = forms.FileField(label=gettext_lazy("Document"))


def transfer_context(deployment: Deployment) -> dict:
    """Return what a deployment's page shows of R26: its check, its bases, the upload form."""
    return {
        "transfer_check": deployment_transfer_check(deployment),
        "transfer_bases": TransferBasis.objects.filter(deployment=deployment),
        "transfer_form": TransferBasisForm(prefix="t"),
    }


@org_view(roles.VIEW_GOVERNANCE)
def recipient_list(request):
    manage = can_manage(request)
    form = RecipientForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not manage:
            return render(request, "403.html", status=403)
        if form.is_valid():
            values = dict(form.cleaned_data)
            added = apply_service(
                form,
                lambda: recipient_add(
                    organization=request.organization,
                    actor=request.actor,
                    contract=values.pop("contract"),
                    **values,
                ),
            )
            if added:
                messages.success(request, _("Recipient registered."))
                return redirect("panel:gov_recipient_list", org_slug=request.organization.slug)
    recipients = [
        (r, recipient_checks(r), r.transfer_bases.all())
        for r in Recipient.objects.for_org(request.organization)
    ]
    return render(
        request,
        "panel/governance/recipients.html",
        {
            "recipients": recipients,
            "form": form,
            "transfer_form": TransferBasisForm(prefix="t"),
            "can_manage": manage,
        },
    )


@org_view(roles.MANAGE_GOVERNANCE)
def transfer_basis_add(request, what, pk):
    """Record a basis for a deployment's or a recipient's transfer; back to its page."""
    if what == "deployment":
        target = {"deployment": scoped(Deployment, request, pk)}
        back = redirect("panel:gov_deployment_detail", org_slug=request.organization.slug, pk=pk)
    else:
        target = {"recipient": scoped(Recipient, request, pk)}
        back = redirect("panel:gov_recipient_list", org_slug=request.organization.slug)
    form = TransferBasisForm(request.POST or None, request.FILES or None, prefix="t")
    if request.method == "POST" and form.is_valid():
        recorded = apply_service(
            form,
            lambda: transfer_basis_record(
                organization=request.organization,
                actor=request.actor,
                **target,
                **form.cleaned_data,
            ),
        )
        if recorded:
            messages.success(request, _("Legal basis of the transfer recorded."))
            return back
    for error in form.non_field_errors():
        messages.error(request, error)
    for name, errors in form.errors.items():
        if name != "__all__":
            messages.error(request, f"{form.fields[name].label}: {' '.join(errors)}")
    return back


@org_view(roles.VIEW_GOVERNANCE)
def recipient_contract_download(request, pk):
    recipient = scoped(Recipient, request, pk)
    handle, filename, media_type = recipient_contract_open(recipient=recipient, actor=request.actor)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=media_type)


@org_view(roles.VIEW_GOVERNANCE)
def transfer_basis_download(request, pk):
    basis = scoped(TransferBasis, request, pk)
    handle, filename, media_type = transfer_basis_open(basis=basis, actor=request.actor)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=media_type)
