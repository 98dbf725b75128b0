"""The baselines that bench/load.py measures the API against (issue 15, "Load").

``BareView``: no authentication, permission, throttle, query or serializer: what serving any
DRF answer costs on the same server, middleware included (P7's baseline). ``FloorView``: what
every organization's API operation pays before its own work (the API key, the organization and
its row-level scope, the role's permission, the rate-limit counts) and nothing more, so a run
shows how much of an operation's cost is its own. Mounted at /bench/bare/ and /bench/floor/ only
when PORTAL_BENCH=1, which a production start refuses (portal/settings.py).
"""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from tenants import roles
from tenants.scoping import OrgPermission, OrgScopedMixin


@extend_schema(exclude=True)
class BareView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    def get(self, request):
        return Response({"ok": True})


@extend_schema(exclude=True)
class FloorView(OrgScopedMixin, APIView):
    permission_classes = [OrgPermission]
    required_perms = {"get": roles.VIEW_ORGANIZATION}

    def get(self, request):
        return Response({"ok": True})
