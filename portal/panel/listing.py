"""The panel's one list mechanism: search, filters, sorting, pages, and CSV/JSON export.

Every panel list declares a ``ListSpec`` (its columns, a django-filter FilterSet, the fields its
search looks in) and calls ``list_page``. The export is the same rows, filters and sort as the
page and the same columns with the same masking, so a download never shows more than the screen
(operators and auditors see pseudonyms, not names: the columns marked ``personal`` are dropped
for them). A listing or an export that shows subjects writes ONE audit event naming them all
(R31), not one per row; an export of any list is audited too, as a copy leaving the panel.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import django_filters
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from audit.services.recording import audit_record
from tenants import roles

PER_PAGE = 50
# An export is a working copy, not a bulk dump: past this many rows the user narrows the filters
# (the audit trail and the DSR packages have their own complete exports).
EXPORT_LIMIT = 5000
EXPORT_FORMATS = ("csv", "json")


@dataclass(frozen=True)
class Column:
    """One column: a label, how to read a row's value, and what sorts and links it."""

    key: str
    label: Any
    value: Callable[[Any], Any]
    order: str = ""  # the queryset field ``?sort=<key>`` orders by; "" = not sortable
    link: Callable[[Any, str], str] | None = None  # (row, org slug) -> URL
    personal: bool = False  # names, contacts: only for readers allowed personal data
    mono: bool = False  # identifiers shown in <code>


@dataclass(frozen=True)
class ListSpec:
    """A panel list: its name (export file, audit), columns, filters and search."""

    name: str
    columns: tuple[Column, ...]
    default_sort: str
    filterset: type[django_filters.FilterSet] | None = None
    search: tuple[str, ...] = ()
    search_label: Any = _("Search")
    # The label for a reader who sees pseudonyms only, where the search then looks at less.
    search_label_masked: Any = None
    # A search of its own, (request, queryset, term) -> queryset, where what may be searched
    # depends on the reader (names only for those who may see them).
    search_with: Callable[[Any, Any, str], Any] | None = None
    # Return the pseudonyms of the subjects a row names; set on lists that show subjects.
    subjects_of: Callable[[Any], list[str]] | None = None
    # A template rendered in each row's last cell (buttons), given ``row``.
    actions_template: str = ""
    # Filter values applied when the request does not name the filter (the DPO's queue opens
    # on the open requests).
    filter_defaults: dict = field(default_factory=dict)


@dataclass
class Listing:
    """What a list template renders: the form, headers, the page of rows, and links."""

    spec: ListSpec
    form: Any
    columns: list[Column]
    sort: str
    page: Any
    rows: list[dict]
    query: str
    search: str
    search_label: Any
    total: int
    headers: list[dict]


def shows_personal_data(request) -> bool:
    """Whether the reader sees subjects' names, contacts and birth dates (issue 15)."""
    return request.user.has_perm(roles.VIEW_PERSONAL_DATA, request.organization)


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return date_format(timezone.localtime(value), "Y-m-d H:i")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


def _json_value(value):
    if value is None or isinstance(value, bool | int | float):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _query_without(request, *keys: str) -> str:
    params = request.GET.copy()
    for key in keys:
        params.pop(key, None)
    return params.urlencode()


def _search(request, queryset, spec: ListSpec, term: str):
    if term and spec.search_with is not None:
        return spec.search_with(request, queryset, term)
    if not term or not spec.search:
        return queryset
    condition = Q()
    for path in spec.search:
        condition |= Q(**{f"{path}__icontains": term})
    return queryset.filter(condition)


def _sorted(queryset, spec: ListSpec, columns: list[Column], sort: str):
    orders = {c.key: c.order for c in columns if c.order}
    key = sort.lstrip("-")
    if key not in orders:
        sort, key = spec.default_sort, spec.default_sort.lstrip("-")
    field_name = orders.get(key, key)
    desc = sort.startswith("-")
    # The primary key breaks ties, so pages never repeat or skip a row.
    return queryset.order_by(
        f"-{field_name}" if desc else field_name, "-pk" if desc else "pk"
    ), sort


def _audit_listing(request, spec: ListSpec, rows, *, export: str, filters: dict) -> None:
    """Record one event for the listing or export (R31), naming every subject it showed."""
    subjects = []
    if spec.subjects_of is not None:
        seen = set()
        for row in rows:
            for pseudonym in spec.subjects_of(row):
                if pseudonym and pseudonym not in seen:
                    seen.add(pseudonym)
                    subjects.append(pseudonym)
    if not export and not subjects:
        return
    details = {
        "list": spec.name,
        "rows": len(rows),
        "filters": filters,
        "personal_data": shows_personal_data(request),
    }
    if export:
        details["format"] = export
    if subjects:
        details["subjects"] = subjects
    action = "subject.listed" if subjects and not export else f"{spec.name}.exported"
    audit_record(
        organization_id=request.organization.pk,
        actor=request.actor,
        action=action,
        target_type="subject" if subjects else spec.name,
        details=details,
    )


def _export(request, spec: ListSpec, columns: list[Column], rows: list, fmt: str, filters):
    _audit_listing(request, spec, rows, export=fmt, filters=filters)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"{request.organization.slug}-{spec.name}-{stamp}.{fmt}"
    if fmt == "json":
        data = [{c.key: _json_value(c.value(row)) for c in columns} for row in rows]
        body = {"list": spec.name, "count": len(data), "rows": data}
        body["truncated"] = "truncated_at" in filters
        response = JsonResponse(body)
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([str(c.label) for c in columns])
        for row in rows:
            # A leading = + - @ would run as a formula in a spreadsheet (CSV injection).
            writer.writerow(
                [
                    "'" + t if t and t[0] in "=+-@" else t
                    for t in (_text(c.value(row)) for c in columns)
                ]
            )
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    if "truncated_at" in filters:
        response["X-Export-Truncated"] = filters["truncated_at"]
    return response


def list_page(request, spec: ListSpec, queryset) -> Listing | HttpResponse:
    """Apply the request's search, filters and sort to ``queryset`` (already scoped to the
    organization) and return the page to render, or the export response when ``?export=csv``
    or ``?export=json`` is asked for.
    """
    personal = shows_personal_data(request)
    columns = [c for c in spec.columns if personal or not c.personal]
    term = request.GET.get("q", "").strip()[:200]
    queryset = _search(request, queryset, spec, term)
    form = None
    filters = {}
    if spec.filterset is not None:
        data = request.GET.copy()
        for key, value in spec.filter_defaults.items():
            data.setdefault(key, value)
        filterset = spec.filterset(data or None, queryset=queryset, request=request)
        form = filterset.form
        # Its own ids: the page's other form (new incident, new job ...) has fields of the same
        # names, and two elements with one id break the labels.
        form.auto_id = "list-%s"
        if filterset.is_bound and filterset.is_valid():
            queryset = filterset.qs
            filters = {
                k: str(v) for k, v in filterset.form.cleaned_data.items() if v not in (None, "")
            }
    if term:
        filters["q"] = term
    queryset, sort = _sorted(queryset, spec, columns, request.GET.get("sort", ""))
    export = request.GET.get("export", "")
    if export in EXPORT_FORMATS:
        rows = list(queryset[: EXPORT_LIMIT + 1])
        if len(rows) > EXPORT_LIMIT:
            # Said in the file and its audit event, so a cut copy is never taken for the whole.
            filters["truncated_at"] = str(EXPORT_LIMIT)
        return _export(request, spec, columns, rows[:EXPORT_LIMIT], export, filters)
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    objects = list(page.object_list)
    _audit_listing(request, spec, objects, export="", filters=filters)
    slug = request.organization.slug
    rows = [
        {
            "object": row,
            "cells": [
                {
                    "text": _text(c.value(row)),
                    "link": c.link(row, slug) if c.link else "",
                    "mono": c.mono,
                }
                for c in columns
            ],
        }
        for row in objects
    ]
    base = _query_without(request, "sort", "page", "export")
    headers = []
    for c in columns:
        current = sort.lstrip("-") == c.key
        descending = current and sort.startswith("-")
        headers.append(
            {
                "label": c.label,
                "sortable": bool(c.order),
                "url": f"?{base}&sort={'' if descending or not current else '-'}{c.key}".replace(
                    "?&", "?"
                ),
                "aria": ("descending" if descending else "ascending") if current else "none",
            }
        )
    return Listing(
        spec=spec,
        form=form,
        columns=columns,
        sort=sort,
        page=page,
        rows=rows,
        query=_query_without(request, "page", "export"),
        search=term,
        search_label=(spec.search_label_masked or spec.search_label)
        if not personal
        else spec.search_label,
        total=page.paginator.count,
        headers=headers,
    )
