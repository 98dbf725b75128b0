"""Panel pages for the audit trail: the log with filters, CSV export, the chain's state,
the signed checkpoints and the verifiable export (issue 16).

Every read of the log is itself recorded, as one event per page or export (R31).
"""

import csv
import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from audit.selectors import EXPORT_COLUMNS, audit_chain_state, audit_events_for_org
from audit.services import (
    audit_checkpoint,
    audit_record,
    audit_seal_pending,
    audit_verifier_key,
    audit_verify,
)
from audit.services.exports import audit_export_bundle
from portal.panel.access import org_view
from portal.panel.audit_rendering import audit_rendered
from portal.panel.forms import AuditFilterForm
from tenants import roles


@org_view(roles.VIEW_AUDIT)
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    events = form.filter(audit_events_for_org(organization=request.organization))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    # R31: reading the log is audited, once per page shown (not once per row).
    audit_record(
        organization_id=request.organization.pk,
        actor=request.actor,
        action="audit.viewed",
        details={"filters": dict(request.GET.items()), "rows": len(page.object_list)},
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "panel/audit.html",
        {
            "form": form,
            "page": page,
            "rows": audit_rendered(page.object_list, request),
            "query": query.urlencode(),
            "chain": audit_chain_state(organization_id=request.organization.pk),
        },
    )


class _Echo:
    def write(self, value):
        return value


@org_view(roles.VIEW_AUDIT)
def audit_export(request):
    """Stream the filtered events as CSV; the export itself is an audited read."""
    form = AuditFilterForm(request.GET or None)
    events = form.filter(audit_events_for_org(organization=request.organization))
    audit_record(
        organization_id=request.organization.pk,
        actor=request.actor,
        action="audit.exported",
        details={"filters": {k: v for k, v in request.GET.items()}},
    )
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(EXPORT_COLUMNS)
        for event in events.iterator(chunk_size=2000):
            seal = getattr(event, "seal", None)
            yield writer.writerow(
                [
                    event.pk,
                    seal.seq if seal else "",
                    event.created_at.isoformat(),
                    event.actor_type,
                    event.actor_id,
                    event.actor_label,
                    event.action,
                    event.target_type,
                    event.target_id,
                    event.subject_pseudonym,
                    event.request_id,
                    event.ip or "",
                    json.dumps(event.details, ensure_ascii=False, sort_keys=True),
                    seal.hash if seal else "",
                ]
            )

    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="audit-{request.organization.slug}-{stamp}.csv"'
    )
    return response


@require_POST
@org_view(roles.VERIFY_AUDIT)
def audit_verify_view(request):
    audit_seal_pending(organization_id=request.organization.pk)
    report = audit_verify(organization_id=request.organization.pk)
    (messages.success if report.ok else messages.error)(request, report.message)
    # The dashboard's "Verify the audit chain" comes back to the dashboard.
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("panel:audit", org_slug=request.organization.slug)


@org_view(roles.VIEW_AUDIT)
def audit_checkpoint_view(request):
    """The latest signed checkpoint (C2SP signed note), signing one if the log grew."""
    audit_seal_pending(organization_id=request.organization.pk)
    checkpoint = audit_checkpoint(organization_id=request.organization.pk)
    if checkpoint is None:
        return HttpResponse("", content_type="text/plain; charset=utf-8", status=204)
    response = HttpResponse(checkpoint.note, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="checkpoint-{request.organization.slug}-{checkpoint.tree_size}.txt"'
    )
    return response


@org_view(roles.VIEW_AUDIT)
def audit_verifier_key_view(request):
    """The public key checkpoints are signed with, in the signed-note verifier format."""
    return HttpResponse(audit_verifier_key() + "\n", content_type="text/plain; charset=utf-8")


@org_view(roles.VIEW_AUDIT)
def audit_verifiable_export(request):
    """The whole log as entries, signed checkpoint and proofs, for ``audit.offline``."""
    sizes = [int(v) for v in request.GET.getlist("consistency_from") if v.isdigit()]
    bundle = audit_export_bundle(
        organization_id=request.organization.pk,
        consistency_from=sizes,
        actor=request.actor,
        purpose="panel verifiable export",
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = JsonResponse(bundle, json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = (
        f'attachment; filename="audit-{request.organization.slug}-{stamp}.json"'
    )
    return response
