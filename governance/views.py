"""Public governance pages: the retention policy anyone may read (R23), complaints (R52)."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from governance.complaint_forms import ComplaintForm
from governance.jurisdiction import BIPA_INACTIVITY_YEARS, is_bipa
from governance.models import Deployment, DeploymentPurpose
from governance.services.complaints import complaint_file
from tenants.errors import ApplicationError
from tenants.models import Organization


@require_GET
def retention_policy(request, org_slug):
    """The organization's written retention and destruction schedule, open without sign-in.

    BIPA §15(a) (R23) wants it publicly available before any collection in Illinois; every
    deployment is listed, so a person at any site reads how long their face data is kept and
    when it is destroyed. Built from the purposes' declared retention, so it never disagrees
    with what the deletion jobs do.
    """
    org = get_object_or_404(Organization, slug=org_slug)
    deployments = list(
        Deployment.objects.for_org(org).exclude(status=Deployment.Status.RETIRED).order_by("pk")
    )
    links = (
        DeploymentPurpose.objects.filter(deployment__in=deployments)
        .select_related("purpose", "purpose__current_version")
        .order_by("purpose__name", "pk")
    )
    purposes: dict[int, list] = {}
    for link in links:
        if link.purpose.current_version_id:
            purposes.setdefault(link.deployment_id, []).append(link.purpose)
    sites = [
        {"deployment": d, "bipa": is_bipa(d), "purposes": purposes.get(d.pk, [])}
        for d in deployments
    ]
    return render(
        request,
        "governance/retention_policy.html",
        {"org": org, "sites": sites, "years": BIPA_INACTIVITY_YEARS},
    )


@require_http_methods(["GET", "POST"])
@csrf_protect
def complaint(request, org_slug, deployment_id):
    """The complaint form of a deployment, open without sign-in (R52).

    Reached from the page the signs' QR code opens. Each address is paced
    (governance.services.complaints) so the form cannot flood the DPOs' inbox.
    """
    org = get_object_or_404(Organization, slug=org_slug)
    deployment = get_object_or_404(
        Deployment.objects.for_org(org).exclude(status=Deployment.Status.RETIRED), pk=deployment_id
    )
    form = ComplaintForm(request.POST or None)
    filed = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            filed = complaint_file(
                deployment=deployment,
                ip=getattr(request, "client_ip", None) or request.META.get("REMOTE_ADDR"),
                request_id=getattr(request, "request_id", ""),
                **form.cleaned_data,
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            status = exc.status
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "governance/complaint.html",
        {"org": org, "deployment": deployment, "form": form, "filed": filed},
        status=status,
    )
