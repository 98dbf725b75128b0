"""Lookups the consent API shares: ids in a request body resolved within the organization."""

import json

from rest_framework import serializers

from tenants.errors import NotFound


def scoped_get(queryset, pk, label: str):
    """Return the row of ``queryset`` (already scoped to the organization) or raise NotFound."""
    if pk is None:
        return None
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise NotFound(f"No such {label} in this organization.")
    return row


class JSONValueField(serializers.JSONField):
    """A JSON value, also accepted as a JSON string (multipart uploads carry text)."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                raise serializers.ValidationError("Not valid JSON.") from None
        return super().to_internal_value(data)
