"""Forms of the public and self-service pages. They check shape; services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
# Nobody alive was born before this; an earlier year is a typing slip, as is a future date.
EARLIEST_BIRTH_YEAR = 1900


class BirthDateField(forms.DateField):
    """A date of birth: refused with a clear error when in the future or implausibly early.

    The subject services refuse a future date too; checking it here puts the error on the field,
    in the page's language, instead of a message above the form.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if value > timezone.localdate():
            raise forms.ValidationError(
                _("The date of birth cannot be in the future."), code="future"
            )
        if value.year < EARLIEST_BIRTH_YEAR:
            raise forms.ValidationError(
                _("Check the year of birth: it is before %(year)d."),
                code="too_early",
                params={"year": EARLIEST_BIRTH_YEAR},
            )


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )


class CodeForm(forms.Form):
    email = forms.EmailField(label=_("Your e-mail address"), widget=forms.EmailInput())
    code = forms.CharField(
        label=_("The 6-digit code from the e-mail"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )


class ReceiptSignInForm(forms.Form):
    code = forms.CharField(
        label=_("Receipt code (on your receipt, e.g. ABCD-EFGH-JKMN)"), max_length=20
    )
    date_of_birth = BirthDateField(label=_("Your date of birth"))


class ChooseForm(forms.Form):
    choice = forms.IntegerField(widget=forms.HiddenInput)


class NewPersonForm(forms.Form):
    """Who is consenting, when they are not signed in yet."""

    display_name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("Your e-mail address (to sign in later and withdraw)"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    date_of_birth = BirthDateField(label=_("Your date of birth"))


class ItemsForm(forms.Form):
    """The separately granted items (R19, R21): each its own yes or no, nothing pre-ticked."""

    def __init__(
        self,
        *args,
        ask_central: bool,
        ask_raw: bool,
        ask_signature=False,
        ask_cross_border=False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if ask_signature:
            # R18 (BIPA §15(b)): a written release, signed electronically by typing one's name.
            self.fields["e_signature"] = forms.CharField(
                label=_("Type your full name to sign the written release above"),
                max_length=200,
            )
        if ask_central:
            self.fields["central_storage"] = forms.ChoiceField(
                label=_(
                    "May your face template be stored on our central servers and sent over "
                    "the network? Without this it stays on the device."
                ),
                choices=YES_NO,
                widget=forms.RadioSelect,
            )
        if ask_cross_border:
            # R26, PIPL Art. 39: the transfer abroad is its own separate consent.
            self.fields["cross_border"] = forms.ChoiceField(
                label=_(
                    "May your face data be stored or processed outside mainland China, as "
                    "described above? Without this you cannot be enrolled at this site."
                ),
                choices=YES_NO,
                widget=forms.RadioSelect,
            )
        if ask_raw:
            self.fields["raw_images"] = forms.ChoiceField(
                label=_("May we keep the original photo of your face?"),
                choices=YES_NO,
                widget=forms.RadioSelect,
            )

    def granted(self, name: str) -> bool:
        return self.cleaned_data.get(name) == "yes"

    def signature(self) -> str:
        return (self.cleaned_data.get("e_signature") or "").strip()


class VerifyForm(forms.Form):
    document = forms.CharField(
        label=_("Paste the receipt (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )
    file = forms.FileField(label=_("Or choose the receipt file"), required=False)

    def content(self) -> bytes | None:
        upload = self.cleaned_data.get("file")
        if upload:
            return upload.read(256 * 1024)
        text = self.cleaned_data.get("document") or ""
        return text.encode("utf-8") if text.strip() else None
