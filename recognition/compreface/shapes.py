"""CompreFace's request parameters and response shapes, read and written from ours."""

import base64
import binascii
import contextlib
from dataclasses import dataclass
from uuid import UUID

from django.db.models import Q
from django.utils.translation import gettext as _

from consent.models import Subject
from recognition import engine
from recognition.compreface.errors import (
    MISSING_REQUEST_PARAMETER,
    REFUSED_BY_RULE,
    VALIDATION_CONSTRAINT_VIOLATION,
    CompreFaceError,
)

# dlib's HOG detector reports no score: a face it returns passed its own threshold, so every
# box is reported with probability 1.0, and det_prob_threshold (0..1) keeps all of them.
DETECTION_PROBABILITY = 1.0
# R41: no attribute or demographic inference (age, gender); R24: a template is never handed out
# (calculator, CompreFace's embedding); landmarks and masks are not computed at all.
_PLUGIN_RULES = {"age": "R41", "gender": "R41", "calculator": "R24", "landmarks": "", "mask": ""}


@dataclass(frozen=True)
class Options:
    """The query parameters CompreFace's face endpoints take."""

    limit: int = 0
    prediction_count: int = 1
    det_prob_threshold: float | None = None
    status: bool = False


def _int(params, name: str, default: int) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise CompreFaceError(
            _("%(name)s must be an integer greater or equal zero.") % {"name": name},
            code=VALIDATION_CONSTRAINT_VIOLATION,
            reason="invalid",
        )
    return value


def options_read(params) -> Options:
    """Return the parameters of a face request; refuse face_plugins and bad values (400)."""
    plugins = [p.strip() for p in params.get("face_plugins", "").split(",") if p.strip()]
    if plugins:
        rules = sorted({_PLUGIN_RULES.get(p, "") for p in plugins} - {""})
        raise CompreFaceError(
            _(
                "face_plugins is not offered: %(plugins)s. This portal detects, identifies and "
                "verifies faces only; it infers no age, gender or other attribute (R41), never "
                "returns a face template (embedding, R24), and computes no landmarks or masks."
            )
            % {"plugins": ", ".join(plugins)},
            code=REFUSED_BY_RULE,
            status=422,
            reason="face_plugins_refused",
            rule=rules[0] if rules else "R41",
        )
    threshold = params.get("det_prob_threshold")
    if threshold not in (None, ""):
        try:
            threshold = float(threshold)
        except ValueError:
            threshold = -1.0
        if not 0.0 <= threshold <= 1.0:
            raise CompreFaceError(
                _("det_prob_threshold must be between 0.0 and 1.0."),
                code=VALIDATION_CONSTRAINT_VIOLATION,
                reason="invalid",
            )
    else:
        threshold = None
    return Options(
        limit=_int(params, "limit", 0),
        prediction_count=_int(params, "prediction_count", 1),
        det_prob_threshold=threshold,
        status=str(params.get("status", "")).lower() == "true",
    )


def image_read(request, field: str = "file") -> tuple[bytes, str | None]:
    """Return the image sent as multipart ``field`` or as Base64 in a JSON body's ``field``."""
    upload = request.FILES.get(field) if hasattr(request, "FILES") else None
    if upload is not None:
        return upload.read(), upload.content_type
    value = request.data.get(field) if hasattr(request.data, "get") else None
    if isinstance(value, str) and value:
        try:
            return base64.b64decode(value, validate=True), None
        except (binascii.Error, ValueError):
            raise CompreFaceError(
                _("%(field)s is not valid Base64.") % {"field": field},
                code=VALIDATION_CONSTRAINT_VIOLATION,
                reason="invalid",
            ) from None
    raise CompreFaceError(
        _("Required request part '%(field)s' is not present") % {"field": field},
        code=MISSING_REQUEST_PARAMETER,
        reason="missing_parameter",
    )


def box(stored, probability: float = DETECTION_PROBABILITY) -> dict:
    """Return CompreFace's box from ours, (top, right, bottom, left) in the image's pixels."""
    top, right, bottom, left = stored
    return {
        "probability": probability,
        "x_min": int(left),
        "y_min": int(top),
        "x_max": int(right),
        "y_max": int(bottom),
    }


def area(stored) -> int:
    top, right, bottom, left = stored
    return max(0, bottom - top) * max(0, right - left)


def biggest_first(rows, options: Options, box_of=lambda row: row.box):
    """Order faces biggest first, as CompreFace does, and keep ``limit`` of them (0: all)."""
    rows = sorted(rows, key=lambda row: area(box_of(row)), reverse=True)
    if (
        options.det_prob_threshold is not None
        and options.det_prob_threshold > DETECTION_PROBABILITY
    ):
        rows = []
    return rows[: options.limit] if options.limit else rows


def similarity(distance: float | None, threshold: float) -> float:
    """Return CompreFace's similarity (0..1) for a distance decided at ``threshold``.

    Linear: 1 at distance 0, 0.5 exactly at the operating point's threshold, 0 at twice it, so
    a named face is never below 0.5 and a client's own cut above 0.5 can only be stricter.
    """
    if distance is None or threshold <= 0:
        return 0.0
    return round(min(1.0, max(0.0, 1.0 - distance / (2 * threshold))), 5)


def plugins_versions() -> dict:
    """What ``status=true`` reports: the detector and the template model, no other plugin."""
    return {"detector": "dlib.HOG", "calculator": engine.MODEL_VERSION}


def subject_label(subject) -> str:
    """Return the name a CompreFace client sees for a subject: its external reference, which
    the operator's system chose, else its pseudonym. Never a display name (personal data)."""
    return subject.external_ref or str(subject.pseudonym)


def subject_lookup(*, organization, name: str):
    """Return the organization's (not erased) subject a client's name refers to, or None."""
    name = (name or "").strip()
    if not name:
        return None
    condition = Q(external_ref=name)
    with contextlib.suppress(ValueError):
        condition |= Q(pseudonym=UUID(name))
    return (
        Subject.objects.for_org(organization)
        .filter(condition & Q(erased_at__isnull=True))
        .order_by("pk")
        .first()
    )
