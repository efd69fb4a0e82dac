"""Bureau staff's assessment board (decide, finalise one or in bulk, correct), the working
group's unit assessments (HA-ASSESS) and the leadership's results. Views resolve through
``access``, bind a form and call a service; another bureau's scheme, enrolment or decision is a
404 like a missing one."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.roles import Role
from bureaus.files import serve
from bureaus.models import LearningDistrict, School
from cohorts.models import Enrolment
from programmes.access import get_programme_for_user

from .. import access, selectors, services
from ..models import (
    AssessmentKind,
    AssessmentScheme,
    ComponentFile,
    Result,
    UnitAssessment,
)
from ..selectors import RowState

PER_PAGE = 50


# --- Forms ---------------------------------------------------------------------------------------


class DecideForm(forms.Form):
    result = forms.ChoiceField(label=gettext_lazy("result"))
    comment = forms.CharField(
        label=gettext_lazy("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, scheme: AssessmentScheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"].choices = [("", "—"), *scheme.result_choices()]


class CorrectForm(DecideForm):
    reason = forms.CharField(
        label=gettext_lazy("reason for the correction"), widget=forms.Textarea(attrs={"rows": 2})
    )


class UnitForm(forms.Form):
    result = forms.ChoiceField(label=gettext_lazy("result"), choices=[("", "—"), *Result.choices])
    comment = forms.CharField(
        label=gettext_lazy("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def _errors_of(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


# --- Year and filters ---------------------------------------------------------------------------


def _year_of(request, scheme: AssessmentScheme, source=None) -> str:
    """The year asked for (GET or the posted form); an unknown year is said and the default
    taken instead, never a 500."""
    if scheme.kind != AssessmentKind.ANNUAL:
        return ""
    source = request.GET if source is None else source
    asked = (source.get("year") or "").strip()
    keys = [w.key for w in scheme.programme.years]
    if asked in keys:
        return asked
    if asked:
        messages.error(
            request,
            _("%(year)s is not a year of the programme; showing %(shown)s.")
            % {"year": asked, "shown": selectors.default_year(scheme, timezone.localdate())},
        )
    return selectors.default_year(scheme, timezone.localdate())


def _posted_year(request, scheme: AssessmentScheme) -> str | None:
    """The year a form was posted for; None (and a message) when it is not the programme's:
    a write never falls back to another year."""
    if scheme.kind != AssessmentKind.ANNUAL:
        return ""
    asked = (request.POST.get("year") or "").strip()
    if asked in [w.key for w in scheme.programme.years]:
        return asked
    messages.error(
        request,
        _("%(year)s is not a year of the programme; nothing was saved.") % {"year": asked or "—"},
    )
    return None


def _year_label(scheme: AssessmentScheme, year_key: str) -> str:
    window = selectors.year_window(scheme, year_key)
    return window.label if window is not None else ""


def _board_url(scheme: AssessmentScheme, year_key: str, **extra) -> str:
    query = {"year": year_key, **{k: v for k, v in extra.items() if v}} if year_key else extra
    url = reverse("assessments:board", args=[scheme.pk])
    return f"{url}?{urlencode(query)}" if query else url


def _row_url(scheme: AssessmentScheme, year_key: str, enrolment_pk: int) -> str:
    url = reverse("assessments:board_row", args=[scheme.pk, enrolment_pk])
    return f"{url}?{urlencode({'year': year_key})}" if year_key else url


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


STATE_LABELS = {
    RowState.MISSING: gettext_lazy("Missing a component"),
    RowState.COMPLETE: gettext_lazy("Complete, not decided"),
    RowState.DRAFT: gettext_lazy("Decided (draft)"),
    RowState.FINAL: gettext_lazy("Finalised"),
}


def _matches(line, state: str) -> bool:
    if state == RowState.MISSING:
        return bool(line.row.missing)
    return line.state == state


# --- Staff: the board ---------------------------------------------------------------------------


def _schemes_by_programme(request, action: str) -> list[dict]:
    """The schemes ``request.user`` may open, by programme (one programme with
    ``?programme=<pk>``, as the programme's page links)."""
    schemes = access.schemes_for_user(request.user, action=action).order_by(
        "-programme__start_month", "programme__name", "kind"
    )
    programme = request.GET.get("programme", "")
    if programme.isdigit():
        schemes = schemes.filter(programme_id=int(programme))
    grouped: dict[int, dict] = {}
    for scheme in schemes:
        entry = grouped.setdefault(
            scheme.programme_id, {"programme": scheme.programme, "schemes": []}
        )
        entry["schemes"].append(
            {
                "scheme": scheme,
                "years": scheme.programme.years if scheme.kind == AssessmentKind.ANNUAL else [],
            }
        )
    return list(grouped.values())


@role_required(Role.BUREAU_STAFF)
def board_index(request):
    return render(
        request,
        "assessments/board_index.html",
        {"programmes": _schemes_by_programme(request, "decide"), "mode": "board"},
    )


@role_required(Role.BUREAU_STAFF)
def board(request, pk: int):
    scheme = access.get_scheme_for_user(request.user, pk)
    year_key = _year_of(request, scheme)
    today = timezone.localdate()
    found = selectors.assessment_board(scheme=scheme, year_key=year_key)
    lines = selectors.board_lines(found, today=today)
    counts = {state: sum(1 for line in lines if _matches(line, state)) for state in STATE_LABELS}
    missing_by_component = [
        (c, sum(1 for line in lines if c in line.row.missing))
        for c in found.components
        if c.required
    ]
    state = request.GET.get("state", "")
    tier = request.GET.get("tier", "")
    school = request.GET.get("school", "")
    q = request.GET.get("q", "").strip()
    tiers = sorted(
        {
            (
                line.row.enrolment.tier.order,
                line.row.enrolment.tier.pk,
                line.row.enrolment.tier.name,
            )
            for line in lines
        }
    )
    schools = sorted(
        {(line.row.enrolment.school.name, line.row.enrolment.school.pk) for line in lines}
    )
    shown = lines
    if state in STATE_LABELS:
        shown = [line for line in shown if _matches(line, state)]
    if tier.isdigit():
        shown = [line for line in shown if line.row.enrolment.tier_id == int(tier)]
    if school.isdigit():
        shown = [line for line in shown if line.row.enrolment.school_id == int(school)]
    if q:
        shown = [
            line
            for line in shown
            if q in line.row.enrolment.teacher.user.full_name
            or q in line.row.enrolment.teacher.staff_number
        ]
    page = Paginator(shown, PER_PAGE).get_page(request.GET.get("page"))
    form = DecideForm(scheme=scheme)
    query = request.GET.copy()
    query["year"] = year_key
    return render(
        request,
        "assessments/board.html",
        {
            "scheme": scheme,
            "programme": scheme.programme,
            "year_key": year_key,
            "year_label": _year_label(scheme, year_key),
            "years": scheme.programme.years if scheme.kind == AssessmentKind.ANNUAL else [],
            "components": found.components,
            "page": page,
            "rows": [(line, line.cells(found.components)) for line in page],
            "total": len(lines),
            "counts": [(s, label, counts[s]) for s, label in STATE_LABELS.items()],
            "missing_by_component": missing_by_component,
            "state": state,
            "tiers": [(pk_, name) for _o, pk_, name in tiers],
            "schools": [(pk_, name) for name, pk_ in schools],
            "tier": tier,
            "school": school,
            "q": q,
            "query": query,
            "choices": form.fields["result"].choices,
            "here": request.get_full_path(),
            "finalisable": counts[RowState.DRAFT]
            and sum(1 for line in lines if line.state == RowState.DRAFT and not line.row.missing),
        },
    )


def _enrolment_of(scheme: AssessmentScheme, pk: int) -> Enrolment:
    enrolment = (
        Enrolment.objects.filter(pk=pk, programme_id=scheme.programme_id)
        .select_related("teacher__user", "tier", "school")
        .first()
    )
    if enrolment is None:
        raise Http404
    return enrolment


def _row_page(request, scheme, year_key, enrolment, *, decide=None, correct=None, status=200):
    row = selectors.board_row(scheme=scheme, year_key=year_key, enrolment=enrolment)
    components = list(scheme.components.order_by("order", "id"))
    progress = selectors.year_progress(
        scheme, year_key, today=timezone.localdate(), only=enrolment.pk
    ).get(enrolment.pk, [])
    label = _year_label(scheme, year_key) or scheme.title
    suggestion = selectors.suggestion_for(row, components, progress, label)
    decision = row.decision
    if decide is None:
        initial = {}
        if decision is not None and not decision.is_final:
            initial = {"result": decision.result, "comment": decision.comment}
        elif decision is None and suggestion.result is not None:
            initial = {"result": str(suggestion.result)}
        decide = DecideForm(scheme=scheme, initial=initial)
    if correct is None:
        correct = CorrectForm(scheme=scheme)
    return render(
        request,
        "assessments/board_row.html",
        {
            "scheme": scheme,
            "programme": scheme.programme,
            "year_key": year_key,
            "year_label": _year_label(scheme, year_key),
            "enrolment": enrolment,
            "row": row,
            "cells": [(c, row.filed.get(c.pk)) for c in components],
            "progress": progress,
            "suggestion": suggestion,
            "suggested": selectors.result_shown(suggestion.result),
            "score": selectors.score_for(scheme, row, components),
            "decide_form": decide,
            "correct_form": correct,
            "board_url": _board_url(scheme, year_key),
            "here": _row_url(scheme, year_key, enrolment.pk),
        },
        status=status,
    )


@role_required(Role.BUREAU_STAFF)
def board_row(request, pk: int, enrolment_pk: int):
    scheme = access.get_scheme_for_user(request.user, pk)
    enrolment = _enrolment_of(scheme, enrolment_pk)
    year_key = _year_of(request, scheme)
    return _row_page(request, scheme, year_key, enrolment)


@require_POST
@role_required(Role.BUREAU_STAFF)
def decide(request, pk: int, enrolment_pk: int):
    scheme = access.get_scheme_for_user(request.user, pk)
    enrolment = _enrolment_of(scheme, enrolment_pk)
    year_key = _posted_year(request, scheme)
    form = DecideForm(request.POST, scheme=scheme)
    if year_key is None:
        year_key = selectors.default_year(scheme, timezone.localdate())
        return _row_page(request, scheme, year_key, enrolment, decide=form, status=400)
    if form.is_valid():
        try:
            assessment = services.assessment_get_or_open(
                enrolment=enrolment, scheme=scheme, year_key=year_key
            )
            services.decision_make(
                actor=request.user,
                assessment=assessment,
                result=form.cleaned_data["result"],
                comment=form.cleaned_data["comment"],
            )
        except (ValidationError, PermissionDenied) as error:
            for message in _errors_of(error) if isinstance(error, ValidationError) else [error]:
                form.add_error(None, str(message))
        else:
            messages.success(
                request,
                _("Decided %(name)s: %(result)s (a draft until finalised).")
                % {
                    "name": enrolment.teacher.user.full_name,
                    "result": Result(form.cleaned_data["result"]).label,
                },
            )
            return _back(request, _row_url(scheme, year_key, enrolment.pk))
    messages.error(request, _("The decision was not saved; see below."))
    # Finalised meanwhile: what was typed goes to the correction form, nothing lost.
    kept = CorrectForm(
        scheme=scheme,
        initial={k: request.POST.get(k, "") for k in ("result", "comment")},
    )
    return _row_page(request, scheme, year_key, enrolment, decide=form, correct=kept, status=400)


def _decision_context(request, pk: int):
    decision = access.get_decision_for_user(request.user, pk)
    assessment = decision.assessment
    scheme = assessment.scheme
    enrolment = _enrolment_of(scheme, assessment.enrolment_id)
    return decision, scheme, assessment.year_key, enrolment


@require_POST
@role_required(Role.BUREAU_STAFF)
def finalise(request, pk: int):
    decision, scheme, year_key, enrolment = _decision_context(request, pk)
    try:
        services.decision_finalise(actor=request.user, decision=decision)
    except ValidationError as error:
        messages.error(
            request,
            _("%(name)s was not finalised: %(why)s")
            % {"name": enrolment.teacher.user.full_name, "why": " ".join(_errors_of(error))},
        )
    else:
        messages.success(
            request,
            _("Finalised %(name)s: %(result)s.")
            % {"name": enrolment.teacher.user.full_name, "result": decision.get_result_display()},
        )
    return _back(request, _row_url(scheme, year_key, enrolment.pk))


@require_POST
@role_required(Role.BUREAU_STAFF)
def finalise_many(request, pk: int):
    """Finalise the chosen drafts, or every draft whose needed components are all in; the rows
    that cannot be finalised are listed with why."""
    scheme = access.get_scheme_for_user(request.user, pk)
    year_key = _posted_year(request, scheme)
    if year_key is None:
        return _back(
            request, _board_url(scheme, selectors.default_year(scheme, timezone.localdate()))
        )
    found = selectors.assessment_board(scheme=scheme, year_key=year_key)
    drafts = {
        row.decision.pk: row
        for row in found.rows
        if row.decision is not None and not row.decision.is_final
    }
    if request.POST.get("all_complete"):
        chosen = [pk_ for pk_, row in drafts.items() if not row.missing]
    else:
        asked = {v for v in request.POST.getlist("decision") if v.isdigit()}
        chosen = [pk_ for pk_ in drafts if str(pk_) in asked]
        unknown = len(asked) - len(chosen)
        if unknown:
            messages.error(
                request,
                _("%(n)s chosen rows have no draft decision any more; they were left as they are.")
                % {"n": unknown},
            )
    if not chosen:
        messages.error(request, _("Nothing to finalise: choose rows with a draft decision."))
        return _back(request, _board_url(scheme, year_key))
    done, refused = 0, []
    for decision_pk in chosen:
        row = drafts[decision_pk]
        try:
            services.decision_finalise(actor=request.user, decision=row.decision)
        except (ValidationError, PermissionDenied) as error:
            why = " ".join(_errors_of(error)) if isinstance(error, ValidationError) else str(error)
            # "侯敏：还差：学校考核。；秦敏…": no full stop before the separator.
            refused.append(f"{row.enrolment.teacher.user.full_name}：{why.rstrip('。. ')}")
        else:
            done += 1
    if done:
        messages.success(request, _("Finalised %(n)s decisions.") % {"n": done})
    if refused:
        messages.error(
            request,
            _("Not finalised (%(n)s): %(rows)s") % {"n": len(refused), "rows": "；".join(refused)},
        )
    return _back(request, _board_url(scheme, year_key))


@require_POST
@role_required(Role.BUREAU_STAFF)
def correct(request, pk: int):
    decision, scheme, year_key, enrolment = _decision_context(request, pk)
    form = CorrectForm(request.POST, scheme=scheme)
    if form.is_valid():
        try:
            services.decision_correct(
                actor=request.user,
                decision=decision,
                result=form.cleaned_data["result"],
                reason=form.cleaned_data["reason"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                for message in _errors_of(error):
                    form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Corrected %(name)s: now %(result)s.")
                % {
                    "name": enrolment.teacher.user.full_name,
                    "result": Result(form.cleaned_data["result"]).label,
                },
            )
            return redirect(_row_url(scheme, year_key, enrolment.pk))
    messages.error(request, _("The correction was not saved; see below."))
    return _row_page(request, scheme, year_key, enrolment, correct=form, status=400)


@role_required(Role.BUREAU_STAFF)
def board_file(request, pk: int, file_pk: int):
    """A file filed with a component, for the staff deciding the assessment."""
    scheme = access.get_scheme_for_user(request.user, pk)
    stored = ComponentFile.objects.filter(pk=file_pk, filing__assessment__scheme=scheme).first()
    if stored is None:
        raise Http404
    return serve(stored)


# --- HA-ASSESS: the working group assesses units -------------------------------------------------


def _units(programme, year_key: str) -> list[dict]:
    """Every unit (each learning district, each school under no district) with its result."""
    found = {
        (u.learning_district_id, u.school_id): u
        for u in UnitAssessment.objects.filter(
            programme=programme, year_key=year_key
        ).select_related("decided_by")
    }
    units = [
        {"kind": "district", "unit": d, "key": f"district-{d.pk}", "found": found.get((d.pk, None))}
        for d in LearningDistrict.objects.order_by("name")
    ]
    units += [
        {"kind": "school", "unit": s, "key": f"school-{s.pk}", "found": found.get((None, s.pk))}
        for s in School.objects.filter(learning_district__isnull=True).order_by("name")
    ]
    return units


def _programme_year(request, programme, source=None) -> str:
    source = request.GET if source is None else source
    years = programme.years
    keys = [w.key for w in years]
    asked = (source.get("year") or "").strip()
    if asked in keys:
        return asked
    today = timezone.localdate()
    begun = [w.key for w in years if w.start <= today]
    fallback = begun[-1] if begun else (keys[0] if keys else "")
    if asked:
        messages.error(
            request,
            _("%(year)s is not a year of the programme; showing %(shown)s.")
            % {"year": asked, "shown": fallback},
        )
    return fallback


@role_required(Role.BUREAU_STAFF)
def units(request, pk: int):
    programme = get_programme_for_user(request.user, pk)
    if not access.may_decide(request.user, programme):
        raise Http404
    source = request.POST if request.method == "POST" else None
    year_key = _programme_year(request, programme, source)
    bound = None
    status = 200
    if request.method == "POST":
        key = request.POST.get("unit", "")
        kind, _dash, unit_pk = key.partition("-")
        unit = None
        if unit_pk.isdigit() and kind == "district":
            unit = LearningDistrict.objects.filter(pk=int(unit_pk)).first()
        elif unit_pk.isdigit() and kind == "school":
            unit = School.objects.filter(pk=int(unit_pk)).first()
        if unit is None:
            raise Http404
        form = UnitForm(request.POST, auto_id=f"id_{key}_%s")
        valid = form.is_valid()
        asked = (request.POST.get("year") or "").strip()
        if asked != year_key:  # never saved under another year than the one posted
            form.add_error(
                None,
                _("%(year)s is not a year of the programme; nothing was saved.")
                % {"year": asked or "—"},
            )
            valid = False
        if valid:
            try:
                services.unit_assessment_decide(
                    actor=request.user,
                    programme=programme,
                    year_key=year_key,
                    result=form.cleaned_data["result"],
                    comment=form.cleaned_data["comment"],
                    school=unit if kind == "school" else None,
                    district=unit if kind == "district" else None,
                )
            except ValidationError as error:
                for message in _errors_of(error):
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("%(unit)s: %(result)s saved.")
                    % {"unit": unit, "result": Result(form.cleaned_data["result"]).label},
                )
                url = reverse("assessments:units", args=[programme.pk])
                return redirect(f"{url}?{urlencode({'year': year_key})}")
        messages.error(request, _("The unit's result was not saved; see below."))
        bound = (key, form)
        status = 400
    rows = []
    for entry in _units(programme, year_key):
        if bound is not None and bound[0] == entry["key"]:
            form = bound[1]
        else:
            found = entry["found"]
            initial = {"result": found.result, "comment": found.comment} if found else {}
            form = UnitForm(initial=initial, auto_id=f"id_{entry['key']}_%s")
        rows.append({**entry, "form": form})
    return render(
        request,
        "assessments/units.html",
        {
            "programme": programme,
            "year_key": year_key,
            "years": programme.years,
            "rows": rows,
            "results": Result.choices,
        },
        status=status,
    )


# --- Leadership: results ------------------------------------------------------------------------


@role_required(Role.BUREAU_STAFF, Role.LEADERSHIP)
def results_index(request):
    return render(
        request,
        "assessments/board_index.html",
        {"programmes": _schemes_by_programme(request, "read"), "mode": "results"},
    )


RESULT_LABELS = {
    "excellent": Result.EXCELLENT.label,
    "pass": Result.PASS.label,
    "basic_pass": Result.BASIC_PASS.label,
    "fail": Result.FAIL.label,
    "": gettext_lazy("Not yet decided"),
}


@role_required(Role.BUREAU_STAFF, Role.LEADERSHIP)
def results(request, pk: int):
    scheme = access.get_scheme_for_user(request.user, pk, action="read")
    year_key = _year_of(request, scheme)
    found = selectors.assessment_board(scheme=scheme, year_key=year_key)
    rows = found.rows
    columns = [r for r in selectors.RESULT_COLUMNS if r in scheme.scale or r == ""]
    by_school = selectors.result_counts(rows, lambda r: r.enrolment.school.name)
    by_tier = selectors.result_counts(rows, lambda r: r.enrolment.tier.name)
    overall = selectors.result_counts(rows, lambda r: "")
    tier = request.GET.get("tier", "")
    school = request.GET.get("school", "")
    result = request.GET.get("result", "")
    shown = rows
    if tier.isdigit():
        shown = [r for r in shown if r.enrolment.tier_id == int(tier)]
    if school.isdigit():
        shown = [r for r in shown if r.enrolment.school_id == int(school)]
    if result in RESULT_LABELS and "result" in request.GET:
        shown = [r for r in shown if selectors.final_result(r) == result]
    page = Paginator(shown, PER_PAGE).get_page(request.GET.get("page"))
    tiers = sorted(
        {(r.enrolment.tier.order, r.enrolment.tier.pk, r.enrolment.tier.name) for r in rows}
    )
    schools = sorted({(r.enrolment.school.name, r.enrolment.school.pk) for r in rows})
    units = []
    if year_key or scheme.kind != AssessmentKind.ANNUAL:
        units = list(
            UnitAssessment.objects.filter(programme=scheme.programme, year_key=year_key)
            .select_related("school", "learning_district")
            .order_by("learning_district__name", "school__name")
        )
    query = request.GET.copy()
    query["year"] = year_key

    def table(groups):
        return [(name, [tally[c] for c in columns], total) for name, tally, total in sorted(groups)]

    return render(
        request,
        "assessments/results.html",
        {
            "scheme": scheme,
            "programme": scheme.programme,
            "year_key": year_key,
            "year_label": _year_label(scheme, year_key),
            "years": scheme.programme.years if scheme.kind == AssessmentKind.ANNUAL else [],
            "columns": [RESULT_LABELS[c] for c in columns],
            "by_school": table(by_school),
            "by_tier": table(by_tier),
            "overall": table(overall),
            "page": page,
            "lines": [(r, RESULT_LABELS[selectors.final_result(r)]) for r in page],
            "tiers": [(pk_, name) for _o, pk_, name in tiers],
            "schools": [(pk_, name) for name, pk_ in schools],
            "result_choices": [(c, RESULT_LABELS[c]) for c in columns],
            "tier": tier,
            "school": school,
            "result": result if "result" in request.GET else None,
            "may_import": access.may_decide(request.user, scheme),
            "query": query,
            "units": units,
        },
    )
