"""Compliance dashboards, drill-down, exports and the year-end PDF.

Everyone signed in sees the rows of the subjects in their scope (directory.access): a
supervisor the jurisdiction, a unit head their own unit's standing."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory import navigation
from directory.access import JURISDICTION_ROLES, get_or_404, scope_for
from directory.charts import HeatFigure, HeatMap, heat_map
from directory.models import TOWNSHIP_KINDS, OrgUnit, Person, UnitKind, jurisdiction_path
from rules.management.commands.compliance import rows_to_csv, rows_to_json, rows_to_xlsx
from rules.models import Rule
from rules.periods import Period

from .drilldown import has_records, records_for
from .forms import ComplianceFilterForm, ReportPdfForm
from .models import ReportJob
from .pdf import render_report
from .selectors import (
    ComplianceTable,
    compliance_by_month,
    compliance_table,
    townships,
    window_for,
)
from .services import report_job_request

navigation.register(gettext_lazy("Compliance"), "reports-dashboard", group="supervision", order=60)

PDF_UNIT_KINDS = (*TOWNSHIP_KINDS, UnitKind.DEPARTMENT, UnitKind.VILLAGE, UnitKind.COMMUNITY)


def _table(request: HttpRequest, **narrow: Any) -> tuple[ComplianceFilterForm, ComplianceTable]:
    scope = scope_for(request.user)
    form = ComplianceFilterForm(request.GET or None, townships=list(townships(scope)))
    form.is_valid()
    table = compliance_table(
        scope=scope,
        window=window_for(form.chosen_year, form.value("part") or ""),
        today=timezone.localdate(),
        packs=[form.value("pack")] if form.value("pack") else [],
        kinds=[form.value("kind")] if form.value("kind") else [],
        township=form.township_unit,
        **narrow,
    )
    return form, table


def dashboard(request: HttpRequest) -> HttpResponse:
    form, table = _table(request)
    people_view = request.GET.get("view") == "people"
    context = {
        "heat_map": _heat_map(request, table),
        "form": form,
        "table": table,
        "standings": table.by_person if people_view else table.by_unit,
        "people_view": people_view,
        "totals": table.totals(),
        "query": request.GET.urlencode(),
        "pdf_form": _pdf_form(request, initial={"year": form.chosen_year}),
    }
    return render(request, "reports/dashboard.html", context)


def _heat_map(request: HttpRequest, table: ComplianceTable) -> HeatMap | None:
    """Units × months of a whole year's table, each cell linked to the unit's page for that
    month (its own access check applies there); None for a quarter or a month."""
    if table.window != Period.year(table.window.start.year):
        return None
    year = table.window.start.year
    figures = compliance_by_month(table)
    units = sorted((s.unit for s in table.by_unit), key=lambda unit: unit.path)
    months = [(month, _("month %(m)d") % {"m": month}) for month in range(1, 13)]
    names = dict(months)
    kept = {k: v for k, v in request.GET.items() if k in ("pack", "kind", "township") and v}

    def url_for(code: str, month: int) -> str:
        query = urlencode({**kept, "year": year, "part": f"{month:02d}"})
        return f"{reverse('reports-unit', args=[code])}?{query}"

    def title_for(name: str, month: int, figure: HeatFigure | None) -> str:
        if figure is None or not figure.rows:
            return _("%(unit)s, %(month)s: no rows") % {"unit": name, "month": names[month]}
        return _("%(unit)s, %(month)s: %(met)d of %(rows)d rows met (%(share)s%%)") % {
            "unit": name,
            "month": names[month],
            "met": figure.met,
            "rows": figure.rows,
            "share": figure.share,
        }

    return heat_map(
        [(unit.code, unit.name) for unit in units],
        months,
        {(code, month): figure for (code, month), figure in figures.items()},
        url_for=url_for,
        title_for=title_for,
    )


def unit_standing(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_or_404(scope_for(request.user).filter(OrgUnit.objects.all(), ""), code=code)
    form, table = _table(request)
    people = [p for p in table.people.values() if p.unit_id == unit.pk]
    people.sort(key=lambda p: p.code)
    context = {
        "form": form,
        "table": table,
        "unit": unit,
        "unit_rows": _decorate(table, table.rows_for_unit(unit)),
        "people": [
            (p, _decorate(table, table.rows_for_person(p)), _unmeasured(table, p)) for p in people
        ],
        "query": request.GET.urlencode(),
    }
    return render(request, "reports/unit_standing.html", context)


def person_standing(request: HttpRequest, code: str) -> HttpResponse:
    person = get_or_404(
        scope_for(request.user).filter(Person.objects.select_related("unit"), "unit"), code=code
    )
    form, table = _table(request)
    context = {
        "form": form,
        "table": table,
        "person": person,
        "rows": _decorate(table, table.rows_for_person(person)),
        "unmeasured": _unmeasured(table, person),
        "query": request.GET.urlencode(),
    }
    return render(request, "reports/person_standing.html", context)


def _decorate(table: ComplianceTable, rows: list) -> list[dict[str, Any]]:
    """Rows with their rule, and whether the records behind them can be listed."""
    linkable = {rule_id for rule_id, rule in table.rules.items() if has_records(rule)}
    return [
        {"row": row, "rule": table.rules.get(row.rule), "linkable": row.rule in linkable}
        for row in rows
    ]


def _unmeasured(table: ComplianceTable, person: Person) -> list[Rule]:
    """Rules in force for the person's posts that gave the person no row in this period."""
    posts = set(person.post_list)
    measured = {row.rule for row in table.rows if row.subject == person.code}
    return [
        rule
        for rule in table.rules.values()
        if posts & set(rule.subject_post_list) and rule.rule_id not in measured
    ]


def records(request: HttpRequest) -> HttpResponse:
    rule = get_or_404(Rule.objects.all(), rule_id=request.GET.get("rule", ""))
    subject, period = request.GET.get("subject", ""), request.GET.get("period", "")
    scope = scope_for(request.user)
    visible = (
        scope.filter(OrgUnit.objects.filter(code=subject), "").exists()
        or scope.filter(Person.objects.filter(code=subject), "unit").exists()
    )
    if not visible:
        raise Http404
    found = records_for(rule, subject, period, today=timezone.localdate(), user=request.user)
    context = {"rule": rule, "subject": subject, "period": period, "records": found}
    return render(request, "reports/records.html", context)


EXPORTS = {
    "csv": ("text/csv; charset=utf-8", rows_to_csv),
    "json": ("application/json; charset=utf-8", rows_to_json),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        rows_to_xlsx,
    ),
}


def export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in EXPORTS:
        raise Http404
    _form, table = _table(request)
    content_type, writer = EXPORTS[fmt]
    response = HttpResponse(writer(table.rows), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="compliance-{table.window.code}.{fmt}"'
    return response


# --- the year-end PDF ---------------------------------------------------------------------------


def _may_report_jurisdiction(user: Any) -> bool:
    return user.is_superuser or user.has_role(*JURISDICTION_ROLES)


def _pdf_form(request: HttpRequest, data: Any = None, initial: Any = None) -> ReportPdfForm:
    units = scope_for(request.user).filter(OrgUnit.objects.of_kind(*PDF_UNIT_KINDS), "")
    form = ReportPdfForm(data, units=list(units), initial=initial)
    if not _may_report_jurisdiction(request.user):
        form.fields["unit"].choices = form.fields["unit"].choices[1:]
        form.fields["unit"].required = True
    if initial is not None:
        form.fields["signer"].initial = str(request.user)
    return form


def report_pdf(request: HttpRequest) -> HttpResponse:
    """One unit: rendered here (a few seconds). The jurisdiction: queued, with progress."""
    if request.method != "POST":
        return redirect("reports-dashboard")
    form = _pdf_form(request, request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a year and a unit for the report."))
        return redirect("reports-dashboard")
    year, unit, signer = form.cleaned_data["year"], form.chosen_unit, form.cleaned_data["signer"]
    if unit is not None:
        pdf, _pages = render_report(
            year=year,
            unit=unit,
            signer=signer,
            today=timezone.localdate(),
            reader=request.user,
        )
        return _pdf_response(pdf, f"compliance-{year}-{unit.code}.pdf")
    if not _may_report_jurisdiction(request.user) or request.user.unit is None:
        raise PermissionDenied
    root = get_or_404(OrgUnit.objects.all(), path=jurisdiction_path(request.user.unit))
    job = report_job_request(
        year=year, scope_unit=root, unit=None, signer=signer, acting_user=request.user
    )
    return redirect("reports-job", pk=job.pk)


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def get_job_for_user(user: Any, pk: int) -> ReportJob:
    """A queued report is its requester's: it lists the records that account may see."""
    jobs = ReportJob.objects.visible_to(user).filter(requested_by_id=user.pk)
    return get_or_404(jobs.select_related("scope_unit"), pk=pk)


def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_job_for_user(request.user, pk)
    template = (
        "reports/_job_status.html" if request.headers.get("HX-Request") else "reports/job.html"
    )
    return render(request, template, {"job": job})


def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_job_for_user(request.user, pk)
    if not job.file:
        raise Http404
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1]
    )
