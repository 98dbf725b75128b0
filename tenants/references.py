"""Ids, pseudonyms and other references a request body names, resolved within one organization.

Every body reference goes through here (or through a check kept beside the model that owns the
referenced rows) so that another organization's object and a non-existent one get the same
answer: ``UnknownReference`` (400) naming the field and the values. Never a 404 (which would say
the route's own object is missing), a 500 on a malformed value, or a row of another tenant.
"""

from django.core.exceptions import ValidationError

from tenants.errors import UnknownReference


def reference_resolve(queryset, value, *, field: str, lookup: str = "pk"):
    """Return the row of ``queryset`` (already scoped to the organization) whose ``lookup`` is
    ``value``, or None when ``value`` is None. Raise UnknownReference naming ``field``."""
    if value is None:
        return None
    return references_resolve(queryset, [value], field=field, lookup=lookup)[0]


def references_resolve(queryset, values, *, field: str, lookup: str = "pk") -> list:
    """Return the rows of ``queryset`` for ``values`` in their order, each once.

    Raise UnknownReference naming ``field`` and every value that is not one of the scoped rows
    (another organization's, non-existent, or malformed).
    """
    model_field = (
        queryset.model._meta.pk if lookup == "pk" else queryset.model._meta.get_field(lookup)
    )
    wanted: dict[str, object] = {}
    bad = []
    for value in values:
        try:
            wanted.setdefault(str(model_field.to_python(value)), value)
        except (ValueError, TypeError, ValidationError):
            bad.append(value)
    rows = {
        str(getattr(row, lookup)): row
        for row in queryset.filter(**{f"{lookup}__in": [*wanted]})  # one query for the list
    }
    bad += [value for key, value in wanted.items() if key not in rows]
    if bad:
        raise UnknownReference(field, bad)
    return [rows[key] for key in wanted]
