"""Panel pages for notices: draft, edit, publish, view."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance.models import Notice, PurposeVersion
from governance.services import notice_create, notice_publish, notice_update
from governance.services.notices import notice_suggested_content
from portal.panel.access import apply_service, org_view, run_action
from portal.panel.governance import lists, next_steps
from portal.panel.governance.common import can_manage, scoped
from portal.panel.governance.forms import NoticeCreateForm, NoticeForm, NoticeStartForm
from portal.panel.listing import Listing, list_page
from tenants import roles


@org_view(roles.VIEW_GOVERNANCE)
def notice_list(request):
    org = request.organization
    form = NoticeStartForm(request.POST or None, organization=org)
    if request.method == "POST":
        if not can_manage(request):
            return render(request, "403.html", status=403)
        if form.is_valid():
            version = form.cleaned_data["purpose_version"]
            notice = apply_service(
                form,
                lambda: notice_create(
                    organization=org,
                    actor=request.actor,
                    purpose_version=version,
                    language=form.cleaned_data["language"],
                    **notice_suggested_content(
                        organization=org,
                        purpose_version=version,
                        language=form.cleaned_data["language"],
                    ),
                ),
            )
            if notice:
                messages.success(request, _("Draft created from the purpose: complete it."))
                return redirect("panel:gov_notice_detail", org_slug=org.slug, pk=notice.pk)
    notices = Notice.objects.for_org(org).select_related("purpose_version__purpose")
    listing = list_page(request, lists.NOTICES, notices)
    if not isinstance(listing, Listing):
        return listing
    return render(
        request,
        "panel/governance/notice_list.html",
        {"listing": listing, "form": form, "can_manage": can_manage(request)},
    )


def _publish_and_redirect(request, notice):
    """Publish ``notice`` when the form's "Publish" button was pressed, then show it.

    One step from the form: a refused publication leaves the draft saved and says why (R9).
    """
    if "publish" in request.POST and run_action(
        request, lambda: notice_publish(notice=notice, actor=request.actor)
    ):
        messages.success(request, _("Notice published."))
    return redirect("panel:gov_notice_detail", org_slug=request.organization.slug, pk=notice.pk)


@org_view(roles.MANAGE_GOVERNANCE)
def notice_create_view(request):
    """Write a notice for a purpose version, pre-filled from the purpose, and save it as a
    draft or publish it in one step. R9's Fix link lands here with the version and language."""
    org = request.organization
    source = request.POST if request.method == "POST" else request.GET
    chosen = str(source.get("purpose_version", ""))
    version = (
        PurposeVersion.objects.for_org(org)
        .current()
        .select_related("purpose")
        .filter(pk=chosen if chosen.isdigit() else None)
        .first()
    )
    if version is None:
        # No version chosen yet: ask for it first, so the content can be pre-filled from it.
        chooser = NoticeStartForm(organization=org, initial={"language": source.get("language")})
        return render(
            request,
            "panel/governance/notice_new.html",
            {"chooser": chooser, "title": _("Write a notice")},
        )
    language = source.get("language") if source.get("language") in Notice.Language.values else ""
    initial = {
        "purpose_version": version,
        "language": language or Notice.Language.values[0],
        **notice_suggested_content(
            organization=org,
            purpose_version=version,
            language=language or Notice.Language.values[0],
        ),
    }
    form = NoticeCreateForm(
        request.POST if request.method == "POST" else None, organization=org, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        notice = apply_service(
            form,
            lambda: notice_create(
                organization=org,
                actor=request.actor,
                purpose_version=form.cleaned_data["purpose_version"],
                language=form.cleaned_data["language"],
                **{f: form.cleaned_data[f] for f in Notice.CONTENT_FIELDS},
            ),
        )
        if notice:
            messages.success(request, _("Notice saved as a draft."))
            return _publish_and_redirect(request, notice)
    return render(
        request,
        "panel/governance/notice_new.html",
        {
            "form": form,
            "version": version,
            "title": _("Notice for %(purpose)s") % {"purpose": version.purpose.name},
        },
    )


@org_view(roles.VIEW_GOVERNANCE)
def notice_detail(request, pk):
    notice = scoped(Notice, request, pk)
    editable = notice.status == Notice.Status.DRAFT and can_manage(request)
    form = NoticeForm(request.POST or None, instance=Notice.objects.get(pk=notice.pk))
    if request.method == "POST":
        if not editable:
            # Published notices are immutable; nobody edits them, whatever the role.
            messages.error(request, _("A published notice is immutable: draft a new one instead."))
            return render(
                request,
                "panel/governance/notice_detail.html",
                {"notice": notice, "form": None, "editable": False},
                status=409 if notice.status == Notice.Status.PUBLISHED else 403,
            )
        if form.is_valid():
            values = {f: form.cleaned_data[f] for f in Notice.CONTENT_FIELDS}
            if apply_service(
                form, lambda: notice_update(notice=notice, actor=request.actor, **values)
            ):
                messages.success(request, _("Draft saved."))
                return _publish_and_redirect(request, notice)
    return render(
        request,
        "panel/governance/notice_detail.html",
        {
            "notice": notice,
            "form": form if editable else None,
            "editable": editable,
            "next_steps": next_steps.after_notice(request, notice),
        },
    )


@require_POST
@org_view(roles.MANAGE_GOVERNANCE)
def notice_publish_view(request, pk):
    notice = scoped(Notice, request, pk)
    if run_action(request, lambda: notice_publish(notice=notice, actor=request.actor)):
        messages.success(request, _("Notice published."))
    return redirect("panel:gov_notice_detail", org_slug=request.organization.slug, pk=pk)
