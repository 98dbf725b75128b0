"""The admin site of platform staff: staff accounts past their second factor only (issue 19).

Platform staff see every organization's records, so the admin asks for more than the panel: an
active staff account (is_staff or superuser) *and* a second factor given in this session
(django-otp), whatever the organization's own settings say. Signing in is the portal's own
page, with its throttling and audit (tenants.views), never the admin's own form.
"""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.admin import OTPAdminSite


class PlatformAdminSite(OTPAdminSite):
    site_header = _("Face consent portal: platform administration")
    site_title = _("Platform administration")
    index_title = _("Records of every organization (read only)")

    def __init__(self, name="admin"):
        super().__init__(name)

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and (user.is_staff or user.is_superuser) and user.is_verified())

    def login(self, request, extra_context=None):
        # Signed in without the second factor: give it (or set one up) first, then come back.
        next_url = request.GET.get("next") or reverse("admin:index")
        target = "login"
        if request.user.is_authenticated and not (
            request.user.is_active and (request.user.is_staff or request.user.is_superuser)
        ):
            raise PermissionDenied(_("The admin is for platform staff."))
        if request.user.is_authenticated:
            has_device = any(devices_for_user(request.user, confirmed=True))
            target = "second_factor_verify" if has_device else "second_factor_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': next_url})}")
