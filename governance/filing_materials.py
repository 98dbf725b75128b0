"""Which sealed materials a filing has and which it still lacks (R38), for the filing page,
the filing pack and the compliance view."""

from governance.models import Filing, FilingDocument


def filing_for_materials(organization) -> Filing | None:
    """Return the filing whose materials count now: the open one due first, else the latest
    submitted or accepted one."""
    filings = Filing.objects.for_org(organization).exclude(status=Filing.Status.CANCELLED)
    return (
        filings.filter(status=Filing.Status.OPEN).order_by("deadline", "pk").first()
        or filings.order_by("-trigger_date", "-pk").first()
    )


def filing_materials(filing: Filing | None) -> dict:
    """Return {"present": [document...], "missing": [(kind, label)...]} for ``filing``.

    ``missing`` lists the required kinds (FilingDocument.REQUIRED_KINDS) with no document;
    without a filing every required kind is missing.
    """
    present = list(filing.documents.order_by("kind", "pk")) if filing is not None else []
    kinds = {d.kind for d in present}
    missing = [
        (kind.value, str(kind.label))
        for kind in FilingDocument.REQUIRED_KINDS
        if kind.value not in kinds
    ]
    return {"present": present, "missing": missing}
