"""Panel pages for recognition: enroll, jobs (with a progress bar), the review queue (R43)."""

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance.selectors import deployments_for_org, purposes_for_org
from portal.panel.access import apply_service, org_view, run_action
from portal.panel.listing import Listing, list_page, shows_personal_data
from portal.panel.recognition.face_boxes import Preview, box_text, images_with_boxes
from portal.panel.recognition.forms import EnrollForm, JobForm
from portal.panel.recognition.lists import JOBS
from portal.panel.recognition.states import enrollment_outcome, job_state_label
from recognition.models import Enrollment, RecognitionJob, RecognitionResult
from recognition.selectors import enrollments_for, job_results, jobs_for, review_queue
from recognition.services.enrollment import enrollment_request
from recognition.services.jobs import recognition_job_create
from recognition.services.previews import job_preview_open, job_previews_live, preview_seconds
from recognition.services.review import result_review
from tenants import roles


def _choices(request):
    org = request.organization
    return {
        "deployments": deployments_for_org(organization=org).filter(status="active"),
        "purposes": purposes_for_org(organization=org),
        "organization": org,
        "personal_data": shows_personal_data(request),
    }


@org_view(roles.VIEW_ORGANIZATION)
def enroll(request):
    org = request.organization
    form = EnrollForm(request.POST or None, request.FILES or None, **_choices(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        enrollment = apply_service(
            form,
            lambda: enrollment_request(
                organization=org,
                deployment=data["deployment"],
                purpose=data["purpose"],
                subject=data["subject"],
                image=data["image"].read(),
                content_type=data["image"].content_type,
                actor=request.actor,
                user=request.user,
            ),
        )
        if enrollment:
            return redirect("panel:rec_enroll", org_slug=org.slug)
    # The list's filters: subject pseudonym, purpose, what became of the template.
    purpose, state = request.GET.get("purpose", ""), request.GET.get("state", "")
    filters = {
        "subject": _uuid_or_none(request.GET.get("subject", "")),
        "purpose": purpose if purpose.isdigit() else "",
        "template_state": state if state in Enrollment.TemplateState.values else "",
    }
    recent = list(enrollments_for(user=request.user, organization=org, **filters)[:50])
    for row in recent:
        row.outcome = enrollment_outcome(row)
    # While one is still queued or running the page refreshes itself to show its outcome.
    pending = any(
        row.status in (Enrollment.Status.QUEUED, Enrollment.Status.RUNNING) for row in recent
    )
    return render(
        request,
        "panel/recognition/enroll.html",
        {
            "form": form,
            "recent": recent,
            "pending": pending,
            "filters": filters,
            "purposes": purposes_for_org(organization=org),
            "template_states": Enrollment.TemplateState.choices,
        },
    )


def _uuid_or_none(value: str):
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@org_view(roles.VIEW_ORGANIZATION)
def jobs(request):
    org = request.organization
    form = JobForm(request.POST or None, request.FILES or None, **_choices(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job = apply_service(
            form,
            lambda: recognition_job_create(
                organization=org,
                deployment=data["deployment"],
                purpose=data["purpose"],
                mode=data["mode"],
                images=[(f.read(), f.content_type) for f in data["images"]],
                actor=request.actor,
                user=request.user,
                claimed_subject=data.get("claimed_subject"),
            ),
        )
        if job:
            return redirect("panel:rec_job", org_slug=org.slug, public_id=job.public_id)
    listing = list_page(request, JOBS, jobs_for(user=request.user, organization=org))
    if not isinstance(listing, Listing):
        return listing
    running = jobs_for(user=request.user, organization=org).filter(
        status__in=[RecognitionJob.Status.QUEUED, RecognitionJob.Status.RUNNING]
    )
    running = running.order_by("-created_at")[:20]
    return render(
        request,
        "panel/recognition/jobs.html",
        {
            "form": form,
            "listing": listing,
            "running": [(job, job_state_label(job)) for job in running],
        },
    )


def _job(request, public_id):
    job = (
        jobs_for(user=request.user, organization=request.organization)
        .filter(public_id=public_id)
        .first()
    )
    if job is None:
        raise Http404
    return job


@org_view(roles.VIEW_ORGANIZATION)
def job_detail(request, public_id):
    job = _job(request, public_id)
    can_see = request.user.has_perm(roles.VIEW_RESULTS, job.deployment)
    results = list(job_results(job=job)) if can_see else None
    # A named face links to its subject for readers who may open subject pages.
    subject_links = request.user.has_perm(roles.VIEW_SUBJECTS, request.organization)
    for result in results or []:
        result.box_text = box_text(result.box)
    previews = {}
    if can_see:
        for probe in job_previews_live(job=job):
            url = reverse(
                "panel:rec_job_preview",
                args=[request.organization.slug, job.public_id, probe.index + 1],
            )
            previews[probe.index] = Preview(
                url, probe.preview_width, probe.preview_height, probe.preview_scale
            )
    drawings = images_with_boxes(
        results or [],
        lambda r: str(r.subject_pseudonym)[:8] if r.matched else _("unknown"),
        previews,
    )
    return render(
        request,
        "panel/recognition/job_detail.html",
        {
            "job": job,
            "results": results,
            "subject_links": subject_links,
            "drawings": drawings,
            "previews_shown": any(d.image_url for d in drawings),
            "previews_missing": any(not d.image_url for d in drawings),
            "preview_hours": max(1, preview_seconds() // 3600),
            "state_label": job_state_label(job),
        },
    )


@org_view(roles.VIEW_ORGANIZATION)
def job_preview(request, public_id, number):
    """One job photo's small preview, for those who may see the job's results; audited.

    Never cached (no-store): it is face imagery that lives only until its time is up.
    """
    job = _job(request, public_id)
    if not request.user.has_perm(roles.VIEW_RESULTS, job.deployment):
        raise PermissionDenied
    data = job_preview_open(job=job, index=number - 1, actor=request.actor)
    if data is None:
        raise Http404
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "no-store"
    response["Content-Disposition"] = f'inline; filename="job-image-{number}.jpg"'
    return response


@org_view(roles.VIEW_ORGANIZATION)
def job_status(request, public_id):
    """The progress bar's JSON: status, phase and percentage, never identities."""
    job = _job(request, public_id)
    return JsonResponse(
        {
            "label": job_state_label(job),
            "status": job.status,
            "phase": job.phase,
            "progress": job.progress,
            "images_done": job.images_done,
            "images_total": job.images_total,
            "finished": job.is_finished,
        }
    )


@org_view(roles.REVIEW_RESULTS)
def review(request):
    rows = review_queue(organization=request.organization)[:100]
    return render(request, "panel/recognition/review.html", {"rows": rows})


@require_POST
@org_view(roles.REVIEW_RESULTS)
def review_decide(request, pk):
    result = RecognitionResult.objects.for_org(request.organization).filter(pk=pk).first()
    if result is None:
        raise Http404
    run_action(
        request,
        lambda: result_review(
            result=result,
            actor=request.actor,
            decision=request.POST.get("decision", ""),
            note=request.POST.get("note", ""),
            subject_pseudonym=request.POST.get("subject", ""),
        ),
    )
    return redirect("panel:rec_review", org_slug=request.organization.slug)
