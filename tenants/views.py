"""A person's own account pages: accepting an invitation, changing or resetting the password."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _

from audit.actors import Actor
from tenants.errors import ApplicationError
from tenants.forms import (
    NewAccountForm,
    OwnPasswordChangeForm,
    OwnPasswordResetForm,
    ResetRequestForm,
)
from tenants.principals import actor_for
from tenants.selectors import invitation_by_token
from tenants.services import invitation_accept, invitation_accept_new_account

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
                login(request, membership.user, backend=settings.AUTHENTICATION_BACKENDS[0])
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
