from django import forms
from django.utils.translation import gettext_lazy as _


class MinorRulesForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Rules"), widget=forms.Textarea(attrs={"rows": 10}))
    url = forms.URLField(label=_("Public address (optional)"), required=False)
