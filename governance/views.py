"""Public governance pages: the retention and destruction policy anyone may read (R23)."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from governance.jurisdiction import BIPA_INACTIVITY_YEARS, is_bipa
from governance.models import Deployment, DeploymentPurpose
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
