"""A person's own account pages: signing in with a second factor, setting that factor up,
accepting an invitation, changing or resetting the password."""

from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.actors import Actor
from tenants.errors import ApplicationError
from tenants.forms import (
    NewAccountForm,
    OwnPasswordChangeForm,
    OwnPasswordResetForm,
    ResetRequestForm,
    SecondFactorCodeForm,
)
from tenants.principals import actor_for
from tenants.selectors import (
    has_second_factor,
    invitation_by_token,
    second_factor_required,
    second_factor_step,
)
from tenants.services import (
    invitation_accept,
    invitation_accept_new_account,
    recovery_codes_regenerate,
    second_factor_check,
    second_factor_remove,
    sign_in_recorded,
    totp_device_confirm,
    totp_device_start,
)
from tenants.services.second_factor import totp_secret_b32

User = get_user_model()


def _anonymous_actor(request, label: str) -> Actor:
    return Actor(
        Actor.SYSTEM,
        "",
        label,
        getattr(request, "request_id", ""),
        getattr(request, "client_ip", None),
    )


def invitation(request, token):
    """Show an invitation and let its person accept it as themselves."""
    invite = invitation_by_token(token=token)
    if invite is None or invite.state != "open":
        return render(request, "tenants/invitation_invalid.html", status=404)
    has_account = User.objects.filter(email__iexact=invite.email).exists()
    form = NewAccountForm(request.POST or None) if not has_account else None
    error, status = None, 200
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                membership = invitation_accept(
                    token=token, user=request.user, actor=actor_for(request)
                )
            elif form is not None and form.is_valid():
                membership = invitation_accept_new_account(
                    token=token,
                    password=form.cleaned_data["password1"],
                    request_id=getattr(request, "request_id", ""),
                    ip=getattr(request, "client_ip", None),
                )
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                membership = None
        except ApplicationError as exc:
            membership, error, status = None, exc.message, exc.status
        if membership is not None:
            messages.success(
                request,
                _("You are now a member of %(organization)s.")
                % {"organization": membership.organization.name},
            )
            return redirect(settings.LOGIN_REDIRECT_URL)
    signed_in_other = request.user.is_authenticated and (
        (request.user.email or "").lower() != invite.email.lower()
    )
    return render(
        request,
        "tenants/invitation.html",
        {
            "invitation": invite,
            "has_account": has_account,
            "form": form,
            "error": error,
            "signed_in_other": signed_in_other,
            "login_url": f"{reverse('login')}?next={request.path}",
        },
        status=400 if form is not None and form.errors else status,
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = OwnPasswordChangeForm
    success_url = reverse_lazy("password_change_done")

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.actor = actor_for(self.request)
        return form


class PasswordResetView(auth_views.PasswordResetView):
    """Mail a reset link; links are built on PUBLIC_BASE_URL, never on the request's Host."""

    form_class = ResetRequestForm
    email_template_name = "registration/password_reset_email.txt"
    success_url = reverse_lazy("password_reset_done")

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.actor = _anonymous_actor(self.request, "password reset page")
        return form

    @property
    def extra_email_context(self):
        return {"base_url": settings.PUBLIC_BASE_URL.rstrip("/")}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = OwnPasswordResetForm
    success_url = reverse_lazy("password_reset_complete")

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        user = self.user
        form.actor = (
            Actor(
                Actor.USER,
                str(user.pk),
                user.email or user.get_username(),
                getattr(self.request, "request_id", ""),
                getattr(self.request, "client_ip", None),
                user.pk,
            )
            if user is not None
            else _anonymous_actor(self.request, "password reset link")
        )
        return form


# --- Sign-in and the second factor --------------------------------------------------------


class LoginView(auth_views.LoginView):
    """Django's sign-in, audited, followed by the second factor where one is asked.

    Wrong passwords are counted by django-axes (tenants.backends.ThrottleBackend); a locked
    account or address gets its 429 page from axes' middleware.
    """

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        step = second_factor_step(user=user)
        sign_in_recorded(
            user=user,
            actor=actor_for(self.request),
            second_factor={"verify": "asked", "setup": "setup_required"}.get(step, "not_required"),
        )
        if step is None:
            return response
        target = reverse("second_factor_verify" if step == "verify" else "second_factor_setup")
        return redirect(f"{target}?{urlencode({'next': self.get_success_url()})}")


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@login_required
def second_factor_verify(request):
    """Ask a signed-in person for their code (or a recovery code) after the password."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = SecondFactorCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor_check(
                user=request.user, token=form.cleaned_data["code"], actor=actor_for(request)
            )
        except ApplicationError as exc:
            form.add_error("code", exc.message)
            status = exc.status
        else:
            otp_login(request, device)
            if not isinstance(device, TOTPDevice):
                messages.warning(
                    request,
                    _("You signed in with a recovery code; it cannot be used again."),
                )
            return redirect(_next_url(request))
    return render(
        request,
        "registration/second_factor_verify.html",
        {"form": form, "next": _next_url(request)},
        status=status,
    )


@login_required
def second_factor_setup(request):
    """Set up one's own authenticator: the secret and QR code once, confirmed with a code.

    Reached before the second factor only by someone who has none yet; replacing an existing
    one needs this session to have given it (tenants.middleware).
    """
    form = SecondFactorCodeForm(request.POST or None)
    status = 200
    device = None
    if request.method == "POST":
        device_id = request.session.get("second_factor_setup_device")
        if form.is_valid() and device_id:
            try:
                device, codes = totp_device_confirm(
                    user=request.user,
                    device_id=device_id,
                    token=form.cleaned_data["code"],
                    actor=actor_for(request),
                )
            except ApplicationError as exc:
                form.add_error("code", exc.message)
                status = exc.status
                # The same secret again, so an app that already scanned it can retry.
                device = TOTPDevice.objects.filter(
                    pk=device_id, user=request.user, confirmed=False
                ).first()
            else:
                del request.session["second_factor_setup_device"]
                otp_login(request, device)
                return render(
                    request,
                    "registration/second_factor_codes.html",
                    {"codes": codes, "next": _next_url(request), "new_device": True},
                )
    if device is None:
        # Each new showing makes a new secret: a secret once shown is never shown again later.
        device = totp_device_start(user=request.user)
        request.session["second_factor_setup_device"] = device.pk
    return render(
        request,
        "registration/second_factor_setup.html",
        {
            "form": form,
            "secret": totp_secret_b32(device),
            "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=4),
            "next": _next_url(request),
            "required": second_factor_required(user=request.user),
        },
        status=status,
    )


@login_required
def second_factor_manage(request):
    """One's own second factor: whether it is set up, new recovery codes, removal."""
    user = request.user
    if request.method == "POST":
        try:
            if request.POST.get("action") == "recovery_codes":
                codes = recovery_codes_regenerate(user=user, actor=actor_for(request))
                return render(
                    request,
                    "registration/second_factor_codes.html",
                    {"codes": codes, "next": reverse("second_factor"), "new_device": False},
                )
            if request.POST.get("action") == "remove":
                second_factor_remove(user=user, actor=actor_for(request))
                messages.success(request, _("Your second factor was removed."))
                return redirect("second_factor")
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("second_factor")
    static = StaticDevice.objects.filter(user=user).first()
    return render(
        request,
        "registration/second_factor.html",
        {
            "has_device": has_second_factor(user=user),
            "required": second_factor_required(user=user),
            "recovery_codes_left": static.token_set.count() if static else 0,
        },
    )
