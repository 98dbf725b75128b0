"""Panel pages for subjects, consents, minors' rules and data requests."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.services.recording import EventSpec, audit_record_many
from consent.models import Subject
from consent.receipts import display_code
from consent.selectors import (
    consent_events,
    consent_purge_status,
    consents_for_org,
    consents_for_subject,
    minor_rules_current,
    subject_for_org,
)
from consent.services import (
    Evidence,
    Guardian,
    consent_grant,
    consent_withdraw,
    minor_rules_publish,
    subject_create,
)
from dsr.selectors import data_requests_for_subject, portability_import_of_subject
from governance.models import Deployment
from governance.selectors import notice_published_for
from portal.panel.access import apply_service, org_view, run_action
from portal.panel.consent import lists
from portal.panel.consent.forms import ConsentRecordForm, MinorRulesForm, SubjectForm
from portal.panel.listing import Listing, list_page, shows_personal_data
from tenants import roles


def _audit_reads(request, rows, action: str) -> None:
    # Every read is recorded (R31), and whether it showed names and contacts.
    details = {"personal_data": shows_personal_data(request)}
    audit_record_many(
        organization_id=request.organization.pk,
        actor=request.actor,
        events=[EventSpec(action, "subject", str(s.pk), str(s.pseudonym), details) for s in rows],
    )


@org_view(roles.VIEW_SUBJECTS)
def subjects(request):
    org = request.organization
    can_manage = request.user.has_perm(roles.MANAGE_CONSENT, org)
    form = SubjectForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            return render(request, "403.html", status=403)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if v not in ("", None)}
            subject = apply_service(
                form, lambda: subject_create(organization=org, actor=request.actor, **data)
            )
            if subject:
                return redirect(
                    "panel:subject_detail", org_slug=org.slug, pseudonym=subject.pseudonym
                )
    listing = list_page(request, lists.SUBJECTS, Subject.objects.for_org(org))
    if not isinstance(listing, Listing):
        return listing
    return render(
        request,
        "panel/consent/subjects.html",
        {
            "listing": listing,
            "can_handle": request.user.has_perm(roles.HANDLE_REQUESTS, org),
            "can_manage": can_manage,
            "form": form,
            "show_personal": shows_personal_data(request),
        },
    )


@org_view(roles.VIEW_SUBJECTS)
def subject_detail(request, pseudonym):
    subject = subject_for_org(organization=request.organization, pseudonym=pseudonym)
    if subject is None:
        raise Http404
    _audit_reads(request, [subject], "subject.viewed")
    consents = [
        (consent, list(consent_events(consent=consent)), consent_purge_status(consent=consent))
        for consent in consents_for_subject(subject=subject)
    ]
    can_handle = request.user.has_perm(roles.HANDLE_REQUESTS, request.organization)
    return render(
        request,
        "panel/consent/subject.html",
        {
            "subject": subject,
            "consents": consents,
            "requests": data_requests_for_subject(subject=subject) if can_handle else None,
            "imported": portability_import_of_subject(subject=subject),
            "can_withdraw": request.user.has_perm(roles.MANAGE_CONSENT, request.organization),
            "show_personal": shows_personal_data(request),
        },
    )


@org_view(roles.VIEW_SUBJECTS)
def consents(request):
    rows = consents_for_org(organization=request.organization)
    listing = list_page(request, lists.CONSENTS, rows)
    if not isinstance(listing, Listing):
        return listing
    deployments = Deployment.objects.for_org(request.organization).exclude(status="retired")
    return render(
        request,
        "panel/consent/consents.html",
        {
            "listing": listing,
            "deployments": deployments,
            "can_withdraw": request.user.has_perm(roles.MANAGE_CONSENT, request.organization),
        },
    )


@require_POST
@org_view(roles.MANAGE_CONSENT)
def consent_withdraw_view(request, public_id):
    """One click: staff withdraw on the person's behalf (e.g. asked at the desk, R13)."""
    consent = consents_for_org(organization=request.organization).filter(public_id=public_id)
    consent = consent.first()
    if consent is None:
        raise Http404
    if run_action(
        request,
        lambda: consent_withdraw(consent=consent, actor=request.actor, channel="paper"),
    ):
        messages.success(request, _("Consent withdrawn."))
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(
        "panel:subject_detail",
        org_slug=request.organization.slug,
        pseudonym=consent.subject.pseudonym,
    )


@org_view(roles.VIEW_SUBJECTS)
def minor_rules(request):
    org = request.organization
    can_publish = request.user.has_perm(roles.MANAGE_GOVERNANCE, org)
    form = MinorRulesForm(request.POST or None)
    if request.method == "POST":
        if not can_publish:
            return render(request, "403.html", status=403)
        if form.is_valid() and apply_service(
            form,
            lambda: minor_rules_publish(organization=org, actor=request.actor, **form.cleaned_data),
        ):
            messages.success(request, _("Rules for minors' data published."))
            return redirect("panel:minor_rules", org_slug=org.slug)
    return render(
        request,
        "panel/consent/minor_rules.html",
        {"rules": minor_rules_current(organization=org), "form": form, "can_publish": can_publish},
    )


@org_view(roles.MANAGE_CONSENT)
def consent_record(request, pseudonym):
    """Record a consent given at the desk or on paper, e.g. a guardian's for a child (R15)."""
    org = request.organization
    subject = subject_for_org(organization=org, pseudonym=pseudonym)
    if subject is None:
        raise Http404
    form = ConsentRecordForm(request.POST or None, request.FILES or None, organization=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        version = data["purpose"].current_version
        notice = notice_published_for(purpose_version=version, language=data["language"])
        guardian_fields = [
            data["guardian_name"],
            data["guardian_relationship"],
            data["guardian_verification"],
            data["guardian_evidence"],
        ]
        guardian = Guardian(*guardian_fields) if any(guardian_fields) else None
        if notice is None:
            form.add_error("language", _("No notice is published in this language."))
        else:
            result = apply_service(
                form,
                lambda: consent_grant(
                    subject=subject,
                    purpose_version=version,
                    notice=notice,
                    actor=request.actor,
                    evidence=Evidence(
                        channel=data["channel"],
                        consent_ui_version=f"panel-{data['channel']}-2026.1",
                        collected_by_id=request.user.pk,
                    ),
                    kind=data["kind"],
                    deployment=data["deployment"],
                    central_storage=data["central_storage"] == "yes",
                    raw_images=data["raw_images"] == "yes",
                    cross_border=data.get("cross_border") == "yes",
                    guardian=guardian,
                    signed_document=data["signed_document"],
                    e_signature=data["e_signature"],
                    user=request.user,
                ),
            )
            if result:
                messages.success(
                    request,
                    _("Consent recorded. Receipt code: %(code)s")
                    % {"code": display_code(result[1].code)},
                )
                return redirect("panel:subject_detail", org_slug=org.slug, pseudonym=pseudonym)
    return render(
        request,
        "panel/consent/consent_record.html",
        {"form": form, "subject": subject, "show_personal": shows_personal_data(request)},
    )
