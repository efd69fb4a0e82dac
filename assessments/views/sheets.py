"""The assessment spreadsheets: export (staff and leadership), import of results (staff), and
the large exports written by the worker."""

from __future__ import annotations

import logging
import uuid
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.roles import Role
from bureaus.exports import FORMATS, export_request, register_export, rows_in_request
from bureaus.files import serve
from bureaus.models import StoredExport, StoredExportStatus
from bureaus.spreadsheets import error_messages

from .. import exports, imports, services
from ..forms import ExportForm, ImportForm
from ..models import AssessmentScheme

logger = logging.getLogger(__name__)

TEACHERS = "assessments.teachers"
UNITS = "assessments.units"


def sheet_from_params(params: dict) -> exports.Sheet:
    """The sheet an export asked for (ids and codes, as stored with a ``StoredExport``)."""
    from programmes.models import Programme

    if params["subject"] == "units":
        programme = Programme.objects.get(pk=params["programme"])
        return exports.unit_sheet(programme, year_key=params.get("year") or "")
    scheme = AssessmentScheme.objects.select_related("programme").get(pk=params["scheme"])
    return exports.teacher_sheet(
        scheme,
        year_key=params.get("year") or "",
        tier_id=params.get("tier"),
        school_id=params.get("school"),
    )


def count_rows(params: dict) -> int:
    """How many rows the sheet will have (one query), before anything is read for it."""
    from cohorts.models import Enrolment

    from ..models import UnitAssessment

    if params["subject"] == "units":
        found = UnitAssessment.objects.filter(programme_id=params["programme"])
        if params.get("year"):
            found = found.filter(year_key=params["year"])
        return found.count()
    found = Enrolment.objects.filter(programme_id=params["programme"])
    if params.get("tier"):
        found = found.filter(tier_id=params["tier"])
    if params.get("school"):
        found = found.filter(school_id=params["school"])
    return found.count()


def sheet_title(params: dict) -> str:
    from programmes.models import Programme

    programme = Programme.objects.get(pk=params["programme"])
    year = next((w.label for w in programme.years if w.key == params.get("year")), "")
    if params["subject"] == "units":
        what = _("unit assessments")
    else:
        what = AssessmentScheme.objects.get(pk=params["scheme"]).title
    return " ".join(t for t in (programme.name, year, what) if t)


def _initial(request) -> dict:
    """A link from the board or the results page may choose the programme, kind and year."""
    fields = ("subject", "programme", "kind", "year", "tier", "school", "file_format")
    return {k: v for k, v in request.GET.items() if k in fields}


def write_stored(export: StoredExport, progress) -> bytes:
    """The builder of ``bureaus.exports`` for both assessment spreadsheets."""
    with translation.override(export.params.get("language") or settings.LANGUAGE_CODE):
        sheet = sheet_from_params(export.params)
        return exports.write(sheet, export.file_format, progress)


def register_stored_exports() -> None:
    register_export(TEACHERS, write_stored)
    register_export(UNITS, write_stored)


@role_required(Role.BUREAU_STAFF, Role.LEADERSHIP)
def export(request):
    """Choose the assessments; small spreadsheets download at once, large ones are written by
    the worker (progress page)."""
    form = ExportForm(request.POST or None, user=request.user, initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        params = {
            "subject": data["subject"],
            "programme": data["programme"].pk,
            "scheme": data["scheme"].pk if data.get("scheme") else None,
            "year": data.get("year") or "",
            "tier": data["tier"].pk if data.get("tier") else None,
            "school": data["school"].pk if data.get("school") else None,
            "language": translation.get_language(),
        }
        if count_rows(params) > rows_in_request():
            job = export_request(
                actor=request.user,
                bureau_id=request.bureau_id,
                kind=UNITS if data["subject"] == "units" else TEACHERS,
                params=params,
                title=sheet_title(params),
                file_format=data["file_format"],
            )
            return redirect("assessments:export_job", pk=job.pk)
        sheet = sheet_from_params(params)
        content = exports.write(sheet, data["file_format"])
        response = HttpResponse(content, content_type=FORMATS[data["file_format"]])
        name = f"{sheet.title}-{timezone.localdate():%Y%m%d}.{data['file_format']}"
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response
    jobs = StoredExport.objects.filter(kind__in=[TEACHERS, UNITS]).order_by("-created_at")[:10]
    return render(
        request,
        "assessments/sheet_export.html",
        {
            "form": form,
            "jobs": jobs,
            "limit": rows_in_request(),
            "perms_import": request.user.has_role(Role.BUREAU_STAFF),
        },
    )


def _export_for(request, pk: int) -> StoredExport:
    job = StoredExport.objects.filter(pk=pk, kind__in=[TEACHERS, UNITS]).first()
    if job is None:  # another bureau's export is missing, like one that never was
        raise Http404
    return job


@role_required(Role.BUREAU_STAFF, Role.LEADERSHIP)
def export_job(request, pk: int):
    job = _export_for(request, pk)
    return render(request, "assessments/sheet_export_job.html", {"job": job})


@role_required(Role.BUREAU_STAFF, Role.LEADERSHIP)
def export_file(request, pk: int):
    job = _export_for(request, pk)
    if job.status != StoredExportStatus.DONE or not job.file:
        raise Http404
    return serve(job)


# --- Import -----------------------------------------------------------------------------------

CHECKED_SECONDS = 1800


def _checked_key(request, token: str) -> str:
    return f"assessment-sheet:{request.bureau_id}:{request.user.pk}:{token}"


@role_required(Role.BUREAU_STAFF)
def import_sheet(request):
    """Upload a filled-in sheet → every row checked (dry run) → confirm → written, all or
    nothing."""
    form = ImportForm(
        request.POST or None, request.FILES or None, user=request.user, initial=_initial(request)
    )
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        scheme = data["scheme"]
        upload = data["file"]
        try:
            dataset = imports.read_sheet(upload.read(), upload.name)
        except ValidationError as error:
            form.add_error("file", error_messages(error))
        else:
            check = imports.check_sheet(dataset, scheme=scheme, year_key=data.get("year") or "")
            context["check"] = check
            if check.valid:
                token = uuid.uuid4().hex
                cache.set(
                    _checked_key(request, token),
                    {
                        "scheme": scheme.pk,
                        "year": check.year_key,
                        "headers": dataset.headers,
                        "rows": [list(r) for r in dataset],
                        "name": upload.name,
                    },
                    CHECKED_SECONDS,
                )
                context["token"] = token
    return render(request, "assessments/sheet_import.html", context)


@require_POST
@role_required(Role.BUREAU_STAFF)
def import_confirm(request):
    import tablib

    token = request.POST.get("token", "")
    stored = cache.get(_checked_key(request, token)) if token.isalnum() else None
    if stored is None:
        messages.error(request, _("The checked sheet is no longer at hand; upload it again."))
        return redirect("assessments:import")
    scheme = AssessmentScheme.objects.filter(pk=stored["scheme"]).first()
    if scheme is None:
        raise Http404
    dataset = tablib.Dataset(*stored["rows"], headers=stored["headers"])
    try:
        check = services.decisions_import(
            actor=request.user, scheme=scheme, year_key=stored["year"], dataset=dataset
        )
    except PermissionDenied:
        raise
    except ValidationError as error:
        for message in error.messages[:20]:
            messages.error(request, message)
        return redirect("assessments:import")
    cache.delete(_checked_key(request, token))
    messages.success(
        request,
        _("Imported: %(count)s draft decisions written; finalise them on the assessment board.")
        % {"count": len([r for r in check.to_write if r.result])},
    )
    return redirect("assessments:import")
