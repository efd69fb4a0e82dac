"""Duties of units: a school's administrator (or bureau staff) files a record for the school, or
for the learning district the school leads (SJ-SCHOOL, XC-TEAM, PT-HOURS, HA-ASSESS), and its
files are served only after the same check."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import role_required
from accounts.roles import Role
from bureaus.files import serve
from programmes.access import get_programme_for_user, programmes_for_user

from .. import access, rules, services
from ..forms import UnitFilingForm
from ..models import UnitDuty, UnitFilingKind, UnitScope
from .teams import _add_error, _files, _posted


def _kinds(programme, *, district: bool, classes: int = 0, in_district: bool = False) -> list[str]:
    """The kinds of filing the unit's duties in the programme count, in the list's order."""
    duties = [
        d
        for d in UnitDuty.objects.filter(programme=programme)
        if (d.owed_by == UnitScope.LEARNING_DISTRICT) == district
        and (district or rules.school_owes(d.spec, classes, in_district=in_district))
    ]
    if any(not d.kinds for d in duties):
        return list(UnitFilingKind.values)
    wanted = {k for d in duties for k in d.kinds}
    return [k for k in UnitFilingKind.values if k in wanted]


def _file(request, programme, *, school=None, district=None):
    unit = school or district
    kinds = _kinds(
        programme,
        district=district is not None,
        classes=school.number_of_classes if school else 0,
        in_district=school is not None and school.learning_district_id is not None,
    )
    if not kinds:  # the unit owes nothing in this programme: nothing to file
        raise Http404
    initial = {"date": timezone.localdate()}
    if request.GET.get("kind") in kinds:
        initial["kind"] = request.GET["kind"]
    form = UnitFilingForm(_posted(request), _files(request), kinds=kinds, initial=initial)
    back = school.pk if school else district.lead_school_id
    if request.method == "POST" and form.is_valid():
        try:
            filing = services.unit_filing_create(
                actor=request.user,
                programme=programme,
                school=school,
                district=district,
                data=form.cleaned_data,
                files=form.cleaned_data["files"] or [],
            )
        except ValidationError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Filed: %(title)s") % {"title": filing.title})
            if back is None or not request.user.has_role(Role.BUREAU_STAFF, Role.SCHOOL_ADMIN):
                return redirect("workshops:programme_teams", pk=programme.pk)
            return redirect(reverse("bureaus:school_detail", args=[back]) + "#duties")
    return render(
        request,
        "workshops/unit_filing_form.html",
        {"programme": programme, "unit": unit, "form": form, "back": back},
    )


@role_required(Role.BUREAU_STAFF, Role.SCHOOL_ADMIN)
def school_filing_new(request, pk: int, school_pk: int):
    school = access.get_unit_school_for_user(request.user, school_pk, "file")
    programme = get_programme_for_user(request.user, pk)
    return _file(request, programme, school=school)


@role_required(Role.BUREAU_STAFF, Role.SCHOOL_ADMIN)
def district_filing_new(request, pk: int, district_pk: int):
    district = access.get_unit_district_for_user(request.user, district_pk, "file")
    programme = get_programme_for_user(request.user, pk)
    return _file(request, programme, district=district)


@role_required(Role.BUREAU_STAFF, Role.LEADERSHIP, Role.SCHOOL_ADMIN)
def unit_filing_file(request, pk: int, file_pk: int):
    return serve(access.get_unit_filing_file_for_user(request.user, pk, file_pk))


# --- What the school's page and the organisation page show -----------------------------------


def duty_lines(row) -> list[dict]:
    """A unit's duties as the pages show them: the period under way, its count and status, what
    is still missing, and how many periods were missed."""
    from cohorts.exports import status_label

    lines = []
    for line in row.lines:
        current = line.current
        lines.append(
            {
                "title": line.duty.title,
                "period": current.window.label if current else "—",
                "count": current.count if current else 0,
                "required": line.duty.min_count,
                "hours": current.hours if current else None,
                "min_hours": line.duty.min_hours,
                "status": current.status.value if current else "",
                "status_label": status_label(current.status if current else None),
                "reason": current.reason if current else "",
                "missed": line.missed,
            }
        )
    return lines


def school_panel(request, school) -> dict | None:
    """The school's duties in each programme the reader sees (and those of the learning district
    it leads), for its administrator and the bureau's staff and leadership."""
    from .. import selectors

    found = selectors.school_duties(
        school, today=timezone.localdate(), programmes=programmes_for_user(request.user)
    )
    if not found:
        return None
    can_file = request.user.has_role(Role.BUREAU_STAFF, Role.SCHOOL_ADMIN)
    programmes = []
    for item in found:
        units = []
        for row in item.rows:
            units.append(
                {
                    "unit": row.unit,
                    "is_district": row.is_district,
                    "lines": duty_lines(row),
                    "filings": row.filings[:10],
                    "more": max(len(row.filings) - 10, 0),
                    "file_url": reverse(
                        "workshops:district_filing_new"
                        if row.is_district
                        else "workshops:school_filing_new",
                        args=[item.programme.pk, row.unit.pk],
                    )
                    if can_file
                    else None,
                }
            )
        programmes.append({"programme": item.programme, "units": units})
    return {"duty_programmes": programmes}
