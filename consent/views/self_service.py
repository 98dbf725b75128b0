"""/me/: a data subject's own pages, with no account (R10, R13).

Sign in with a one-time code or a one-click link by e-mail, or a receipt code with the date of
birth; then see every consent held with the organization, withdraw each (one confirm page, one
click), download receipts. Requests about one's data are filed on the dsr app's pages, which use
the same sign-in (``consent.views.common.self_service``).
"""

import segno
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audit.services import audit_record
from consent import sessions
from consent.errors import Throttled
from consent.forms import ChooseForm, CodeForm, EmailForm, ReceiptSignInForm
from consent.receipts import (
    display_code,
    public_url,
    receipt_document_bytes,
    receipt_storage_locations,
)
from consent.selectors import consents_for_subject, receipts_for_subject
from consent.services import (
    code_request,
    code_verify,
    consent_withdraw,
    receipt_sign_in,
)
from consent.services.codes import link_sign_in, self_service_signed_in
from consent.views.common import self_service, subject_actor
from tenants.errors import ApplicationError
from tenants.models import Organization


def _ip(request):
    return getattr(request, "client_ip", None)


def _signed_in(request, subject, method: str):
    sessions.start(request, subject)
    self_service_signed_in(
        subject=subject,
        method=method,
        request_id=getattr(request, "request_id", ""),
        ip=_ip(request),
    )
    return redirect("consent:me_consents")


def me(request):
    """Ask for an e-mail address and send a code (same answer whether it is known or not)."""
    if sessions.current_subject(request) is not None:
        return redirect("consent:me_consents")
    form = EmailForm(request.POST or None)
    org_slug = request.GET.get("org") or request.POST.get("org") or ""
    if request.method == "POST" and form.is_valid():
        org = Organization.objects.filter(slug=org_slug).first() if org_slug else None
        email = form.cleaned_data["email"]
        try:
            code_request(email=email, ip=_ip(request), organization=org)
        except Throttled as exc:
            form.add_error(None, exc.message)
        else:
            request.session[sessions.PENDING_EMAIL_KEY] = email
            messages.info(
                request,
                _(
                    "If this address is known to us, we have sent a code to it. "
                    "It expires in 10 minutes."
                ),
            )
            return redirect("consent:me_code")
    return render(request, "consent/me_sign_in.html", {"form": form, "org_slug": org_slug})


def me_code(request):
    form = CodeForm(
        request.POST or None,
        initial={"email": request.session.get(sessions.PENDING_EMAIL_KEY, "")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            subjects = code_verify(
                email=form.cleaned_data["email"], code=form.cleaned_data["code"], ip=_ip(request)
            )
        except ApplicationError as exc:
            form.add_error("code", exc.message)
        else:
            request.session.pop(sessions.PENDING_EMAIL_KEY, None)
            if len(subjects) == 1:
                return _signed_in(request, subjects[0], "email_code")
            if not subjects:
                form.add_error(None, _("We hold no records for this address."))
            else:
                sessions.offer_candidates(request, subjects)
                return redirect("consent:me_choose")
    return render(request, "consent/me_code.html", {"form": form})


def me_link(request, token):
    """The one-click link from the e-mail: a button signs in (R13).

    Opening the link changes nothing; only the POST uses it up, so a mail scanner that fetches
    every link cannot spend it before the person clicks. It works whatever wrong codes anyone
    typed for the address: the link proves control of the mailbox by itself.
    """
    error = None
    if request.method == "POST":
        try:
            subjects = link_sign_in(token=token)
        except ApplicationError as exc:
            error = exc.message
        else:
            request.session.pop(sessions.PENDING_EMAIL_KEY, None)
            if len(subjects) == 1:
                return _signed_in(request, subjects[0], "email_link")
            if not subjects:
                error = _("We hold no records for this address.")
            else:
                sessions.offer_candidates(request, subjects)
                return redirect("consent:me_choose")
    return render(request, "consent/me_link.html", {"error": error}, status=400 if error else 200)


def me_receipt(request):
    form = ReceiptSignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subject = receipt_sign_in(
                code=form.cleaned_data["code"],
                date_of_birth=form.cleaned_data["date_of_birth"],
                ip=_ip(request),
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return _signed_in(request, subject, "receipt_code")
    return render(request, "consent/me_receipt.html", {"form": form})


def me_choose(request):
    """One address, several organizations: the person picks which one to manage."""
    offered = sessions.candidates(request)
    if not offered:
        return redirect("consent:me")
    form = ChooseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        index = form.cleaned_data["choice"]
        if 0 <= index < len(offered):
            return _signed_in(request, offered[index], "email_code")
    return render(request, "consent/me_choose.html", {"offered": offered})


@require_POST
def me_sign_out(request):
    sessions.end(request)
    messages.info(request, _("You are signed out."))
    return redirect("consent:me")


@self_service
def me_consents(request):
    subject = request.subject
    consents = list(consents_for_subject(subject=subject))
    audit_record(
        organization_id=subject.organization_id,
        actor=subject_actor(request, subject),
        action="self_service.consents_viewed",
        target_type="subject",
        target_id=subject.pk,
        subject_pseudonym=str(subject.pseudonym),
        details={"count": len(consents)},
    )
    return render(
        request,
        "consent/me_consents.html",
        {"subject": subject, "consents": consents, "org": subject.organization},
    )


@require_http_methods(["GET", "POST"])
@self_service
def me_withdraw(request, public_id):
    """GET: one page saying what withdrawing does; POST, its one button: the consent is
    withdrawn when this request commits. No harder than giving it: one page, one click (R13).
    """
    consent = consents_for_subject(subject=request.subject).filter(public_id=public_id).first()
    if consent is None:
        # Another person's consent, or none: the same answer, and nothing changes.
        raise Http404
    if request.method == "GET":
        return render(
            request,
            "consent/me_withdraw_confirm.html",
            {"consent": consent, "org": request.subject.organization},
        )
    try:
        _consent, receipt = consent_withdraw(
            consent=consent, actor=subject_actor(request, request.subject), channel="web"
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _(
                "Your consent for “%(purpose)s” is withdrawn. Your face will no longer be used "
                "for it. Withdrawal receipt code: %(code)s."
            )
            % {"purpose": consent.purpose.local_name, "code": display_code(receipt.code)},
        )
    return redirect("consent:me_consents")


def _own_receipt(request, receipt_id):
    receipt = receipts_for_subject(subject=request.subject).filter(receipt_id=receipt_id).first()
    if receipt is None:
        raise Http404
    return receipt


@self_service
def me_receipt_json(request, receipt_id):
    receipt = _own_receipt(request, receipt_id)
    audit_record(
        organization_id=request.subject.organization_id,
        actor=subject_actor(request, request.subject),
        action="self_service.receipt_downloaded",
        target_type="consent_receipt",
        target_id=receipt.pk,
        subject_pseudonym=str(request.subject.pseudonym),
    )
    response = HttpResponse(receipt_document_bytes(receipt), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="consent-receipt-{receipt_id}.json"'
    return response


@self_service
def me_receipt_print(request, receipt_id):
    """A printable receipt; its QR code opens the verification of this very receipt."""
    receipt = _own_receipt(request, receipt_id)
    verify_url = (
        public_url(reverse("consent:receipt_verify"))
        + "?"
        + urlencode({"receipt": str(receipt.receipt_id), "code": receipt.code})
    )
    qr = segno.make(verify_url, error="m").svg_inline(scale=4, title=_("Verify this receipt"))
    return render(
        request,
        "consent/receipt_print.html",
        {
            "receipt": receipt,
            "consent": receipt.consent,
            "code": display_code(receipt.code),
            "qr": qr,
            "verify_url": verify_url,
            "org": request.subject.organization,
            "storage_locations": receipt_storage_locations(receipt),
        },
    )
