"""JSON bodies must use JSON's own types (issue 15, found by fuzzing).

DRF coerces freely: a CharField takes 0 as "0", an IntegerField takes "12", a BooleanField takes
"yes" or 1. A form can only send strings, so that leniency is needed there, but a JSON body that
sends a number where the schema says string (or the reverse) is a client bug the API should
name, not guess at. ``install()`` makes the scalar fields refuse the other type when the
serializer's input is JSON (a dict or list, not a QueryDict from a form).
"""

from django.http import QueryDict
from rest_framework import fields

_NUMBER_FIELDS = (fields.IntegerField, fields.FloatField, fields.DecimalField)


def _from_json(field) -> bool:
    root = field.root
    data = getattr(root, "initial_data", None)
    return data is not None and not isinstance(data, QueryDict)


def _strict(cls, accepts):
    original = cls.to_internal_value
    if getattr(original, "_strict_json", False):
        return

    def to_internal_value(self, data):
        if _from_json(self) and not accepts(data):
            self.fail("invalid")
        return original(self, data)

    to_internal_value._strict_json = True
    cls.to_internal_value = to_internal_value


def install() -> None:
    """Refuse strings for numbers and booleans, and non-strings for strings, in JSON input."""
    _strict(fields.CharField, lambda value: isinstance(value, str))
    for cls in _NUMBER_FIELDS:
        _strict(cls, lambda value: isinstance(value, int | float) and not isinstance(value, bool))
    _strict(fields.BooleanField, lambda value: isinstance(value, bool))
