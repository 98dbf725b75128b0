"""``?ordering=`` on the API's lists: only the fields a view names, refused when unknown.

DRF's ``OrderingFilter`` orders by any readable serializer field when a view names none, and
drops a field it does not know without a word, so a client that misspells one gets the default
order and believes it sorted (issue 18). Here a view offers exactly its ``ordering_fields``, an
unknown or empty one answers 400 naming it, the schema lists the accepted values as an enum,
and the primary key breaks ties so that pages never repeat or skip a row.
"""

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.filters import OrderingFilter

PARAM = "ordering"


class StrictOrderingFilter(OrderingFilter):
    """Order by the view's declared ``ordering_fields`` only; anything else is a 400."""

    ordering_param = PARAM

    def get_valid_fields(self, queryset, view, context=None):
        fields = getattr(view, "ordering_fields", None)
        if not fields or fields == "__all__":
            # Fail closed: a view that names no field offers no ordering.
            return []
        return [(field, field) for field in fields]

    def get_ordering(self, request, queryset, view):
        values = request.query_params.getlist(self.ordering_param)
        if not values:
            return self.get_default_ordering(view)
        terms = [term.strip() for value in values for term in value.split(",")]
        allowed = {name for name, _label in self.get_valid_fields(queryset, view)}
        unknown = [term for term in terms if term.lstrip("-") not in allowed]
        if unknown:
            message = _("Unknown ordering field: %(unknown)s. Accepted: %(accepted)s.") % {
                "unknown": ", ".join(unknown) or '""',
                "accepted": ", ".join(sorted(allowed)),
            }
            raise exceptions.ValidationError({self.ordering_param: [message]})
        return terms

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        if not {"pk", "-pk", "id", "-id"} & set(ordering):
            # A tie-breaker: ordering by a shared value (a status) is otherwise unstable
            # between pages.
            last = ordering[-1]
            ordering = [*ordering, "-pk" if last.startswith("-") else "pk"]
        return queryset.order_by(*ordering)

    def get_schema_operation_parameters(self, view):
        fields = [name for name, _label in self.get_valid_fields(None, view)]
        if not fields:
            return []
        values = [value for field in fields for value in (field, f"-{field}")]
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": (
                    "Order by these fields, comma-separated; a leading '-' reverses one. "
                    "Ties are broken by creation order."
                ),
                "style": "form",
                "explode": False,
                "schema": {
                    "type": "array",
                    "items": {"type": "string", "enum": values},
                    "minItems": 1,
                },
            }
        ]
