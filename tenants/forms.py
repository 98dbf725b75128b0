"""Forms of a person's own account: their password, set by them alone.

Django's forms validate; saving goes through tenants.services so that every change is audited
in each organization the person belongs to.
"""

from django import forms
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from audit.actors import Actor
from tenants.services import user_password_reset_requested, user_password_set


class OwnPasswordChangeForm(PasswordChangeForm):
    """Change one's password while signed in, proving it with the current one."""

    actor: Actor

    def save(self, commit=True):
        user_password_set(
            user=self.user, password=self.cleaned_data["new_password1"], actor=self.actor
        )
        return self.user


class OwnPasswordResetForm(SetPasswordForm):
    """Choose a new password through the link mailed to one's own address."""

    actor: Actor

    def save(self, commit=True):
        user_password_set(
            user=self.user,
            password=self.cleaned_data["new_password1"],
            actor=self.actor,
            reset=True,
        )
        return self.user


class ResetRequestForm(PasswordResetForm):
    """Mail a reset link to the address's own account, if it has one (the page says the same)."""

    actor: Actor

    def save(self, **kwargs):
        for user in self.get_users(self.cleaned_data["email"]):
            user_password_reset_requested(user=user, actor=self.actor)
        return super().save(**kwargs)


class NewAccountForm(forms.Form):
    """An invited person's own password for their new account (checked by the service)."""

    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Repeat the password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class SecondFactorCodeForm(forms.Form):
    """A six-digit code from the authenticator, or one of the recovery codes."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )
