"""Pages anyone may open: notices with their consent form, published keys, receipt checks."""

import uuid

import segno
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from consent import sessions
from consent.forms import ItemsForm, NewPersonForm, VerifyForm
from consent.jurisdiction import (
    BIPA_WRITTEN_RELEASE,
    GDPR_EXPLICIT,
    bipa_release_text,
    form_kind,
    gdpr_explicit_text,
    grant_jurisdiction,
)
from consent.models import ConsentReceipt, Subject
from consent.receipts import display_code, public_url, receipt_document, receipt_verify
from consent.selectors import published_signing_keys
from consent.services import Evidence, consent_decline, consent_grant, subject_create
from consent.views.common import CONSENT_UI_VERSION, anonymous_actor, subject_actor
from governance.jurisdiction import retention_policy_path
from governance.models import (
    Deployment,
    DeploymentPurpose,
    Location,
    Notice,
    Purpose,
    TransferBasis,
)
from governance.residency import residency_statement
from governance.selectors import deployments_storing_centrally, notice_published_for
from tenants.errors import ApplicationError
from tenants.models import Organization


def _language() -> str:
    return "zh-hans" if (get_language() or "").lower().startswith("zh") else "en"


def _notice_for(version) -> Notice | None:
    """Return the published notice in the page's language, else in the other one."""
    return notice_published_for(purpose_version=version, language=_language(), fallback="*")


def deployment_notices(request, org_slug, deployment_id):
    """The page a deployment's QR code or link opens: its purposes and their notices."""
    org = get_object_or_404(Organization, slug=org_slug)
    deployment = get_object_or_404(
        Deployment.objects.for_org(org).exclude(status="retired"), pk=deployment_id
    )
    if deployment.status != Deployment.Status.ACTIVE:
        # A draft or suspended site recognises nobody: its page must not say that face
        # recognition is used there, nor collect consents for it. The complaint form stays
        # reachable (R52): people may report a camera that should not be there.
        return render(
            request,
            "consent/deployment_inactive.html",
            {"org": org, "deployment": deployment},
            status=404,
        )
    links = DeploymentPurpose.objects.filter(deployment=deployment).select_related("purpose")
    return render(
        request,
        "consent/deployment.html",
        {"org": org, "deployment": deployment, "purposes": [link.purpose for link in links]},
    )


@require_GET
def deployment_qr(request, org_slug, deployment_id):
    """An SVG QR code of the deployment's page, for signs at the site (R9)."""
    org = get_object_or_404(Organization, slug=org_slug)
    deployment = get_object_or_404(Deployment.objects.for_org(org), pk=deployment_id)
    url = public_url(
        reverse("consent:deployment", kwargs={"org_slug": org.slug, "deployment_id": deployment.pk})
    )
    svg = segno.make(url, error="m").svg_inline(scale=6, title=url)
    return HttpResponse(svg, content_type="image/svg+xml")


def notice(request, org_slug, purpose_id):
    """The notice of a purpose's current version, and the consent form (R4, R9, R12).

    Nothing is pre-ticked, "decline" is a button as plain as "accept", the notice is shown
    alone (never bundled with service terms), and the alternative is offered (R3, R14).
    """
    org = get_object_or_404(Organization, slug=org_slug)
    purpose = get_object_or_404(Purpose.objects.for_org(org), pk=purpose_id)
    version = purpose.current_version
    shown = _notice_for(version) if version else None
    deployment = None
    if request.GET.get("d", "").isdigit():
        deployment = Deployment.objects.for_org(org).filter(pk=int(request.GET["d"])).first()
        if (
            deployment is None
            or not DeploymentPurpose.objects.filter(deployment=deployment, purpose=purpose).exists()
        ):
            raise Http404
    if shown is None:
        return render(request, "consent/notice_missing.html", {"org": org}, status=404)
    signed_in = sessions.current_subject(request)
    if signed_in is not None and signed_in.organization_id != org.pk:
        signed_in = None
    # R19: the sites whose templates may leave the device, for the notice to say where data is.
    central_sites = list(deployments_storing_centrally(purpose=purpose, deployment=deployment))
    ask_central = deployment is None or deployment.storage_mode == Deployment.StorageMode.CENTRAL
    # R26: where the data is stored and processed; a transfer abroad is asked separately.
    residency = residency_statement(purpose=purpose, deployment=deployment)
    data = request.POST if request.method == "POST" else None
    action = request.POST.get("action") if data else None
    person_form = None if signed_in else NewPersonForm(data, prefix="p")
    # R17, R18: the site's jurisdiction decides which consent this form records, and its words.
    jurisdiction = grant_jurisdiction(organization=org, deployment=deployment)
    kind = form_kind(jurisdiction)
    items_form = ItemsForm(
        data,
        ask_central=ask_central,
        ask_raw=version.keep_raw_images_allowed,
        ask_signature=kind == BIPA_WRITTEN_RELEASE,
        ask_cross_border=residency["crossBorder"],
        prefix="i",
    )
    context = {
        "org": org,
        "purpose": purpose,
        "version": version,
        "notice": shown,
        "deployment": deployment,
        "central_sites": central_sites,
        "transfers": _transfers_shown(residency),
        "person_form": person_form,
        "items_form": items_form,
        "signed_in": signed_in,
        "error": None,
        "consent_kind": kind,
        "consent_statement": _statement(org, version, deployment, kind),
        "retention_policy_url": retention_policy_path(org),
    }
    if action == "decline":
        consent_decline(
            organization=org,
            purpose_version=version,
            actor=subject_actor(request, signed_in) if signed_in else anonymous_actor(request),
            channel="web",
            subject=signed_in,
        )
        return render(request, "consent/declined.html", context)
    if action == "accept":
        valid = items_form.is_valid() and (person_form is None or person_form.is_valid())
        if valid:
            try:
                return _accept(request, org, version, shown, deployment, signed_in, context)
            except ApplicationError as exc:
                context["error"] = exc.message
        status = 400
    else:
        status = 200
    return render(request, "consent/notice.html", context, status=status)


def _transfers_shown(residency: dict) -> list[dict]:
    """Return each transfer out of the PRC in words: the site, where to, on what basis (R26)."""
    places, mechanisms = dict(Location.choices), dict(TransferBasis.Mechanism.choices)
    return [
        {
            "site": t["name"],
            "stored": places.get(t["storedIn"], t["storedIn"]),
            "processed": places.get(t["processedIn"], t["processedIn"]),
            "basis": mechanisms.get(t["legalBasis"], ""),
        }
        for t in residency["transfers"]
    ]


def _statement(org, version, deployment, kind: str) -> str:
    if kind == BIPA_WRITTEN_RELEASE:
        return bipa_release_text(organization=org, purpose_version=version, deployment=deployment)
    if kind == GDPR_EXPLICIT:
        return gdpr_explicit_text(organization=org, purpose_version=version)
    return ""


def _accept(request, org, version, shown, deployment, signed_in, context):
    person_form, items_form = context["person_form"], context["items_form"]
    subject = signed_in
    if subject is None:
        born = person_form.cleaned_data["date_of_birth"]
        probe = Subject(date_of_birth=born)
        if probe.is_minor_on(timezone.localdate()):
            # R15: online, a guardian's identity cannot be checked; the desk does it.
            raise ApplicationError(
                _(
                    "Children under 14 cannot consent here. A parent or guardian can give "
                    "consent at the organization's desk, where their identity is checked."
                ),
                code="minor_self_service",
            )
        subject = subject_create(
            organization=org,
            actor=anonymous_actor(request),
            display_name=person_form.cleaned_data["display_name"],
            email=person_form.cleaned_data["email"],
            date_of_birth=born,
        )
    consent, receipt = consent_grant(
        subject=subject,
        purpose_version=version,
        notice=shown,
        actor=subject_actor(request, subject),
        evidence=Evidence(
            channel="web",
            consent_ui_version=CONSENT_UI_VERSION,
            ip=getattr(request, "client_ip", None),
            user_agent=request.headers.get("User-Agent", ""),
        ),
        kind=context["consent_kind"],
        e_signature=items_form.signature(),
        deployment=deployment,
        central_storage=items_form.granted("central_storage"),
        raw_images=items_form.granted("raw_images"),
        cross_border=items_form.granted("cross_border"),
    )
    sessions.start(request, subject)
    messages.success(
        request,
        _("Your consent is recorded. Your receipt code is %(code)s.")
        % {"code": display_code(receipt.code)},
    )
    return redirect("consent:me_consents")


@require_GET
@cache_control(max_age=300, public=True)
def consent_keys(request):
    """Every organization's receipt-signing public keys, retired ones included (JWK-like)."""
    keys = [
        {
            "kid": key.kid,
            "kty": "OKP",
            "crv": "Ed25519",
            "alg": "EdDSA",
            "use": "sig",
            "x": key.public_key,
            "organization": key.organization.slug,
            "organization_name": key.organization.name,
            "created_at": key.created_at.isoformat(),
            "retired_at": key.retired_at.isoformat() if key.retired_at else None,
        }
        for key in published_signing_keys()
    ]
    return JsonResponse({"keys": keys}, json_dumps_params={"ensure_ascii": False})


def verify_page(request):
    """Check a receipt: pasted, uploaded, or opened from its printed QR code."""
    form = VerifyForm(request.POST or None, request.FILES or None)
    result, lookup_error = None, None
    if request.method == "POST" and form.is_valid():
        content = form.content()
        if content is None:
            form.add_error(None, _("Paste the receipt or choose its file."))
        else:
            result = receipt_verify(document=content)
    elif request.GET.get("receipt") and request.GET.get("code"):
        receipt = ConsentReceipt.objects.filter(
            receipt_id=_uuid(request.GET["receipt"]), code=request.GET["code"].upper()
        ).first()
        result = receipt_verify(document=receipt_document(receipt)) if receipt else None
        if receipt is None:
            lookup_error = _("No receipt matches this code.")
    return render(
        request,
        "consent/verify.html",
        {"form": form, "result": result, "lookup_error": lookup_error},
    )


def _uuid(value):
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
