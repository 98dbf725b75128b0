"""The compliance view as files for an inspection: CSV for spreadsheets, PDF for the record.

Both list every rule (R1-R54) with its status in the regulations, its state for the
organization, its summary, what makes it met or what is missing, and the fix's address.
Each download is written to the audit log (R31: exports are processing records too).
"""

import csv
import io
from datetime import date
from html import escape

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from audit.actors import Actor
from audit.services import audit_record
from governance.compliance import ComplianceRow, organization_compliance
from governance.rulebook import State

CSV_COLUMNS = ("rule", "status", "state", "summary", "detail", "fix")

# A CID font the PDF viewer supplies (Adobe-GB1): Chinese text needs no embedded font file.
_CHINESE_FONT = "STSong-Light"
# Colour of the state column; the state is always written as a word as well.
_STATE_COLOURS = {
    State.MET: colors.HexColor("#17733a"),
    State.PARTLY: colors.HexColor("#8a5a00"),
    State.UNMET: colors.HexColor("#b3261e"),
    State.NOT_APPLICABLE: colors.HexColor("#5b6473"),
    State.CONTEXT: colors.HexColor("#5b6473"),
}


def _fix_address(row: ComplianceRow) -> str:
    if not row.result.fix_url:
        return ""
    return settings.PUBLIC_BASE_URL.rstrip("/") + row.result.fix_url


def compliance_csv(rows: list[ComplianceRow]) -> str:
    """Return the rows as CSV text, one line per rule."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.rule.id,
                row.rule.status,
                row.label,
                str(row.rule.summary),
                row.result.message,
                _fix_address(row),
            ]
        )
    return out.getvalue()


def _font() -> str:
    language = translation.get_language() or ""
    if language.startswith("zh"):
        if _CHINESE_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(_CHINESE_FONT))
        return _CHINESE_FONT
    return "Helvetica"


def compliance_pdf(*, organization, rows: list[ComplianceRow], report: dict, on: date) -> bytes:
    """Return a PDF of the rows: a title, the filing count and one table row per rule."""
    font = _font()
    body = ParagraphStyle("body", fontName=font, fontSize=8, leading=10)
    head = ParagraphStyle("head", fontName=font, fontSize=14, leading=18)

    def cell(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    title = _("Compliance of %(org)s on %(date)s") % {
        "org": organization.name,
        "date": on.isoformat(),
    }
    count = _("%(count)s of %(threshold)s individuals stored (filing threshold).") % {
        "count": report["stored_count"],
        "threshold": report["threshold"],
    }
    table_rows = [
        [cell(_("Rule")), cell(_("Status")), cell(_("State")), cell(_("Rule and detail"))]
    ]
    styles = [
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")),
    ]
    for index, row in enumerate(rows, start=1):
        detail = f"{row.rule.summary}\n{row.result.message}"
        if row.result.fix_url:
            detail += "\n" + _("Fix: %(url)s") % {"url": _fix_address(row)}
        state = ParagraphStyle(
            f"state{index}", parent=body, textColor=_STATE_COLOURS[row.result.state]
        )
        table_rows.append(
            [cell(row.rule.id), cell(row.rule.status), cell(row.label, state), cell(detail)]
        )
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        title=title,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
    )
    table = Table(table_rows, colWidths=[14 * mm, 16 * mm, 26 * mm, None], repeatRows=1)
    table.setStyle(TableStyle(styles))
    document.build([cell(title, head), cell(count), Spacer(1, 4 * mm), table])
    return out.getvalue()


@transaction.atomic
def compliance_export(*, organization, actor: Actor, kind: str) -> tuple[bytes, str, str]:
    """Return (content, content type, file name) of the compliance export; ``kind`` is "csv"
    or "pdf". The export is audited. Raise ValueError for another kind."""
    if kind not in ("csv", "pdf"):
        raise ValueError(kind)
    report = organization_compliance(organization=organization)
    today = timezone.localdate()
    name = f"compliance-{organization.slug}-{today.isoformat()}.{kind}"
    if kind == "csv":
        content = compliance_csv(report["rules"]).encode("utf-8-sig")
        content_type = "text/csv; charset=utf-8"
    else:
        content = compliance_pdf(
            organization=organization, rows=report["rules"], report=report, on=today
        )
        content_type = "application/pdf"
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action="compliance.exported",
        target_type="organization",
        target_id=organization.pk,
        details={
            "format": kind,
            "unmet": [r.rule.id for r in report["rules"] if r.result.state == State.UNMET],
        },
    )
    return content, content_type, name
