"""The panel's page for CompreFace clients' keys, beside the API keys page (issue 18).

A key made here answers only on the CompreFace-compatible API (docs/compreface.md), acts only
on the deployment and purpose chosen, and is listed and revoked with the other API keys.
"""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from governance.models import Deployment, Purpose
from portal.panel.access import apply_service, org_view
from recognition.models import CompreFaceBinding
from recognition.services.compreface import COMPREFACE_GRANTS, compreface_key_create
from tenants import roles


class CompreFaceKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    deployment = forms.ModelChoiceField(label=_("Deployment"), queryset=Deployment.objects.none())
    purpose = forms.ModelChoiceField(
        label=_("Purpose"),
        queryset=Purpose.objects.none(),
        help_text=_("Its gallery is the key's face collection; declared for the deployment."),
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deployment"].queryset = Deployment.objects.for_org(organization)
        self.fields["purpose"].queryset = Purpose.objects.for_org(organization)


@org_view(roles.MANAGE_API_KEYS)
def compreface_keys(request):
    org = request.organization
    form = CompreFaceKeyForm(request.POST or None, organization=org)
    created = None
    if request.method == "POST" and form.is_valid():
        created = apply_service(
            form,
            lambda: compreface_key_create(
                organization=org,
                actor=request.actor,
                name=form.cleaned_data["name"],
                deployment=form.cleaned_data["deployment"],
                purpose=form.cleaned_data["purpose"],
            ),
        )
        if created:
            form = CompreFaceKeyForm(organization=org)
    bindings = (
        CompreFaceBinding.objects.for_org(org)
        .select_related("api_key", "deployment", "purpose")
        .order_by("-created_at")
    )
    return render(
        request,
        "panel/compreface_keys.html",
        {
            "bindings": bindings,
            "form": form,
            "grants": COMPREFACE_GRANTS,
            "created_key": created[0] if created else None,
            "created_secret": created[1] if created else None,
        },
    )
