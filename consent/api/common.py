"""Pieces the consent API shares."""

import json

from rest_framework import serializers


class JSONValueField(serializers.JSONField):
    """A JSON value, also accepted as a JSON string (multipart uploads carry text)."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                raise serializers.ValidationError("Not valid JSON.") from None
        return super().to_internal_value(data)
