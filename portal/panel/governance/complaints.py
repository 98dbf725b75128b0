"""Panel pages for complaints filed on deployments' public pages (R52): list, read, answer."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.models import Complaint
from governance.services.complaints import ANSWER_MAX, complaint_answer
from portal.panel.access import apply_service, org_view
from portal.panel.governance import lists
from portal.panel.governance.common import scoped
from portal.panel.listing import Listing, list_page
from tenants import roles


class ComplaintAnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("Answer"), max_length=ANSWER_MAX, widget=forms.Textarea
    )
    close = forms.BooleanField(label=gettext_lazy("Close the complaint"), required=False)


# Complaints carry the complainant's contact details: the roles handling people's requests
# (owners and DPOs) read and answer them.
@org_view(roles.HANDLE_REQUESTS)
def complaint_list(request):
    complaints = Complaint.objects.for_org(request.organization).select_related("deployment")
    listing = list_page(request, lists.COMPLAINTS, complaints)
    if not isinstance(listing, Listing):
        return listing
    return render(request, "panel/governance/complaint_list.html", {"listing": listing})


@org_view(roles.HANDLE_REQUESTS)
def complaint_detail(request, pk):
    complaint = scoped(Complaint, request, pk)
    form = ComplaintAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        answered = apply_service(
            form,
            lambda: complaint_answer(complaint=complaint, actor=request.actor, **form.cleaned_data),
        )
        if answered:
            messages.success(request, _("Answer recorded."))
            return redirect("panel:gov_complaint_detail", org_slug=request.organization.slug, pk=pk)
    return render(
        request,
        "panel/governance/complaint_detail.html",
        {"complaint": complaint, "form": form},
    )
