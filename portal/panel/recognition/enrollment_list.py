"""The enrollment list: every enrollment the reader may see, with what became of its template."""

from django.shortcuts import render

from portal.panel.access import org_view
from portal.panel.listing import Listing, list_page
from portal.panel.recognition.lists import ENROLLMENTS
from recognition.selectors import enrollments_for
from tenants import roles


@org_view(roles.VIEW_ORGANIZATION)
def enrollments(request):
    rows = enrollments_for(user=request.user, organization=request.organization)
    listing = list_page(request, ENROLLMENTS, rows)
    if not isinstance(listing, Listing):
        return listing
    return render(request, "panel/recognition/enrollments.html", {"listing": listing})
