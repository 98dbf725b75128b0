"""The one route from an API request to its organization and its rows.

Every tenant-owned viewset mixes in ``OrgScopedMixin``: rows come from ``Model.objects.for_org``,
another organization's objects answer 404, and permissions are asked of the backend chain.
"""

import django_filters
from django import forms
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, permissions

from tenants.ordering import StrictOrderingFilter
from tenants.principals import actor_for, organizations_for, request_api_key
from tenants.rls import rls_scope

ORG_HEADER = "X-Organization"
# What django's NullBooleanField reads as a boolean.
BOOLEAN_WORDS = {"true", "false", "True", "False", "1", "0"}


def request_organization(request):
    """Return the organization an API request acts for, or raise NotFound.

    An API key acts for its own organization. A signed-in person names one with the
    X-Organization header (a slug), else the one chosen in the panel, else their only one.
    """
    cached = getattr(request, "_organization", None)
    if cached is not None:
        return cached
    candidates = organizations_for(request)
    slug = request.headers.get(ORG_HEADER)
    session = getattr(request, "session", None)
    if not slug and session is not None and getattr(request, "auth", None) is None:
        slug = session.get("org_slug")
    key = request_api_key(request)
    if key is not None:
        # The key's own organization came with the key (tenants.authentication): no query on
        # every API call (bench/load.py, issue 15). A header naming another one finds nothing.
        org = key.organization if not slug or slug == key.organization.slug else None
    elif slug:
        org = candidates.filter(slug=slug).first()
    else:
        orgs = list(candidates[:2])
        org = orgs[0] if len(orgs) == 1 else None
        if len(orgs) > 1:
            raise exceptions.ValidationError(
                {ORG_HEADER: "You belong to several organizations: name one with this header."}
            )
    if org is None:
        raise exceptions.NotFound("Organization not found.")
    request._organization = org
    # The second wall: from here on the database shows only this organization's rows.
    rls_scope(org.pk)
    return org


class OrgPermission(permissions.BasePermission):
    """Ask ``user.has_perm(perm, organization)`` for the action, and per object where it applies.

    Views declare ``required_perms = {"list": PERM, "create": PERM, ...}`` (``"*"`` for any other
    action). An action missing from the map is refused.
    """

    def _perm(self, view):
        perms = getattr(view, "required_perms", {})
        action = getattr(view, "action", None) or view.request.method.lower()
        return perms.get(action, perms.get("*"))

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        action_map = getattr(view, "action_map", None)
        if action_map is not None and request.method.lower() not in action_map:
            # No handler: let dispatch answer 405 rather than a 403 that reads as "not allowed
            # for you" when the operation does not exist for anyone.
            return True
        org = request_organization(request)
        perm = self._perm(view)
        if perm is None:
            return False
        # Object-grantable permissions are decided per object, in has_object_permission.
        if getattr(view, "object_level_perms", False) and view.action not in ("list", "create"):
            return True
        return request.user.has_perm(perm, org)

    def has_object_permission(self, request, view, obj):
        perm = self._perm(view)
        return perm is not None and request.user.has_perm(perm, obj)


class OrgFilterBackend(DjangoFilterBackend):
    """django-filter, with every filter that names another row choosing among the org's rows.

    A generated ``?deployment=<id>`` filter would otherwise accept any organization's id (an
    empty page) while refusing a non-existent one (400): an oracle for other tenants' ids. Here
    both are refused alike. A model without ``for_org`` offers no choice at all (fail closed).

    An empty value of a typed filter (``?until=``, ``?subject=``) is a 400 naming it, as other
    bad values are, not "no filter" as django-filter reads it (issue 15, found by fuzzing); text
    filters still take an empty string.
    """

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        empty = {
            name: ["A value is required."]
            for name, spec in filterset.filters.items()
            if "" in request.query_params.getlist(name)
            and not _takes_empty(spec, filterset.form.fields[name])
        }
        # django-filter reads any other word as "no filter" for a boolean (issue 18): a
        # misspelt ?active=ture would list every row.
        empty |= {
            name: ["Must be true or false."]
            for name, spec in filterset.filters.items()
            if isinstance(spec, django_filters.BooleanFilter)
            and any(v not in BOOLEAN_WORDS for v in request.query_params.getlist(name) if v)
        }
        if empty:
            raise exceptions.ValidationError(empty)
        organization = request_organization(request)
        for spec in filterset.filters.values():
            if isinstance(
                spec, django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter
            ):
                model = spec.get_queryset(request).model
                scoped = getattr(model.objects, "for_org", None)
                spec.queryset = scoped(organization) if scoped else model.objects.none()
        return filterset


def _takes_empty(spec, field) -> bool:
    """Whether an empty string is one of the filter's own values (text, or a blank choice)."""
    if type(field) is forms.CharField:
        return True
    if isinstance(spec, django_filters.ChoiceFilter):
        choices = spec.extra.get("choices") or []
        if callable(choices):
            choices = choices()
        return any(str(value) == "" for value, _label in choices)
    return False


class OrgScopedMixin:
    """Scope a view to the request's organization; build audit actors from the request."""

    permission_classes = [permissions.IsAuthenticated, OrgPermission]
    filter_backends = [OrgFilterBackend, StrictOrderingFilter]
    required_perms: dict = {}

    @property
    def organization(self):
        return request_organization(self.request)

    @property
    def actor(self):
        return actor_for(self.request)

    def scoped_queryset(self):
        """Return the model's rows of this organization (override to add select_related)."""
        return self.queryset.model.objects.for_org(self.organization)

    def get_queryset(self):
        return self.scoped_queryset()

    # The answer's field holding the created object's key in its detail URL ("pseudonym" for
    # subjects); creating actions other than ``create`` map to ``path(view, data)`` here.
    location_key = "id"
    created_paths: dict = {}

    def created_path(self, data) -> str | None:
        """Return the path of what a 201/202 answer created, or None when it has no page.

        ``create`` points to this viewset's detail route; another creating action has a function
        in ``created_paths`` that returns the path from the view and the answer's data.
        """
        action = getattr(self, "action", None)
        if action in self.created_paths:
            return self.created_paths[action](self, data)
        if action != "create" or not isinstance(data, dict) or self.location_key not in data:
            return None
        return reverse(
            f"api:{self.basename}-detail",
            kwargs={self.lookup_url_kwarg or self.lookup_field: data[self.location_key]},
        )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code in (201, 202):
            # RFC 9110: a 201 names what it created; a 202 where to watch the work (issue 18).
            path = response.get("Location") or self.created_path(getattr(response, "data", None))
            if path:
                response["Location"] = request.build_absolute_uri(path)
        return response
