"""The accuracy report of an identifying purpose (R54): operating points, DET curve, history."""

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from governance.gates import RuleCheck, fix_url
from governance.models import Purpose
from recognition.det_chart import det_svg
from recognition.models import GalleryCalibration
from recognition.services.calibrations import (
    calibration_effective,
    calibrations_for_purpose,
    capacity_message,
)

HISTORY_ROWS = 50
CSV_COLUMNS = (
    "created_at",
    "stratum",
    "trigger",
    "kind",
    "purpose_version",
    "gallery_version",
    "identities",
    "templates",
    "declared_fpir",
    "threshold",
    "margin",
    "estimated_fpir",
    "estimated_fnir",
    "genuine_median",
    "usable",
    "duration_ms",
)


@dataclass(frozen=True)
class AccuracyReport:
    purpose: object
    effective: GalleryCalibration | None
    strata: list[GalleryCalibration]
    history: list[GalleryCalibration]

    @property
    def det(self):
        return self.effective.point["det"] if self.effective else []

    def chart(self) -> str:
        """Return the DET chart of the effective calibration as SVG ('' without one)."""
        c = self.effective
        if c is None or not c.point.get("det"):
            return ""
        described = _(
            "Estimated false-negative identification rate (people enrolled but not named) "
            "against false-positive identification rate (people never enrolled but named), "
            "both on logarithmic scales; the ringed point is the operating point in use: "
            "threshold %(t).3f, estimated FPIR %(f).2g, estimated FNIR %(n)s."
        ) % {
            "t": c.threshold,
            "f": c.estimated_fpir,
            "n": "–" if c.estimated_fnir is None else f"{c.estimated_fnir:.2g}",
        }
        return det_svg(
            [tuple(p) for p in c.point["det"]],
            operating=(c.threshold, c.estimated_fpir, c.estimated_fnir),
            title=_("DET curve of %(purpose)s") % {"purpose": self.purpose.name},
            labels={
                "fpir": _("False-positive identification rate (FPIR)"),
                "fnir": _("False-negative identification rate (FNIR)"),
                "threshold": _("Threshold (distance)"),
                "point": _("operating point"),
                "description": described,
            },
        )


def accuracy_report(*, purpose) -> AccuracyReport:
    """Return the purpose's accuracy report: what is used now, per stratum, and the history."""
    history = list(
        calibrations_for_purpose(purpose=purpose).select_related("purpose_version")[:HISTORY_ROWS]
    )
    return AccuracyReport(
        purpose=purpose,
        effective=calibration_effective(purpose=purpose),
        strata=GalleryCalibration.objects.latest_per_stratum(purpose=purpose),
        history=history,
    )


def accuracy_csv(*, purpose) -> str:
    """Return the purpose's calibration history and current DET curve as CSV."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    rows = calibrations_for_purpose(purpose=purpose).select_related("purpose_version")
    for c in rows:
        values = {column: getattr(c, column) for column in CSV_COLUMNS if hasattr(c, column)} | {
            "purpose_version": c.purpose_version.version,
            "created_at": c.created_at.isoformat(),
        }
        writer.writerow([values[column] for column in CSV_COLUMNS])
    effective = calibration_effective(purpose=purpose)
    if effective is not None:
        writer.writerow([])
        writer.writerow(["det_threshold", "det_fpir", "det_fnir"])
        for threshold, fpir, fnir in effective.point.get("det", []):
            writer.writerow([threshold, fpir, "" if fnir is None else fnir])
    return out.getvalue()


def accuracy_check(*, organization) -> RuleCheck:
    """Return the R54 check of the compliance view: every identifying gallery within capacity."""
    purposes = Purpose.objects.for_org(organization).filter(current_version__isnull=False)
    shut = []
    for purpose in purposes:
        effective = calibration_effective(purpose=purpose)
        if effective is not None and not effective.usable:
            shut.append((purpose, effective))
    if not shut:
        return RuleCheck(
            "R54",
            True,
            _("Every calibrated gallery reaches its declared false-positive identification rate."),
        )
    first = shut[0][0]
    return RuleCheck(
        "R54",
        False,
        " ".join(capacity_message(c) + f" ({p.name})" for p, c in shut),
        fix_url("rec_accuracy", organization, purpose_id=first.pk),
    )


def accuracy_figures(*, purpose_versions) -> list[dict]:
    """Return, per covered purpose, the figures an impact assessment quotes (R27, R28, R54)."""
    rows = []
    for version in purpose_versions:
        effective = calibration_effective(purpose=version.purpose)
        rows.append({"purpose": version.purpose, "version": version, "calibration": effective})
    return rows
