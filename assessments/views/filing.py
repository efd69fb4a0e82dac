"""The pages where assessments are filed: the teacher's assessments and self-assessment, the group
lead's assessment of each member and of the group (XH-WS-LEAD), and the school administrator's
view of the school's teachers with the school's part. Objects are resolved through ``access``
(404 for what the user may not read, 403 for a part they read but may not file); the services
write."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts.access import bureau_member_required, role_required
from accounts.roles import Role
from accounts.services import administered_school_id
from bureaus.files import serve
from cohorts.models import Enrolment
from programmes.models import Programme
from workshops.access import get_team_for_user
from workshops.models import Team

from .. import access, selectors, services
from ..forms import (
    LeadAssessmentForm,
    SchoolAssessmentForm,
    SelfAssessmentForm,
    TeamAssessmentForm,
    aspects_from_text,
)
from ..models import (
    Assessment,
    AssessmentComponent,
    AssessmentKind,
    ComponentAssessment,
    FilingLevel,
    PlanStatus,
)

# The levels filed on these pages; the district's and the leading group's parts are filed by
# bureau staff on the assessment board.
FORMS = {
    FilingLevel.SELF: SelfAssessmentForm,
    FilingLevel.TEAM_LEAD: LeadAssessmentForm,
    FilingLevel.SCHOOL: SchoolAssessmentForm,
}


# Rule ids (XH-WS-LEAD …) are for staff; a description staff wrote with one reads without it.
RULE_ID = re.compile(r"\s*[（(]?\b(?:XH|XC|HA|SJ|PT)-[A-Z][A-Z0-9-]*[)）]?")


def plain(text: str) -> str:
    return RULE_ID.sub("", text or "").strip()


def _add_error(form, error: ValidationError) -> None:
    """A service's error on the form: on the field it names, the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _next_url(request, default: str) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default


def _window(programme: Programme, scheme, year_key: str):
    """The year an annual assessment is for (404 for a year the programme does not have); None
    for the others, which are filed once in the cycle."""
    if scheme.kind != AssessmentKind.ANNUAL:
        if year_key:
            raise Http404
        return None
    window = next((w for w in programme.years if w.key == year_key), None)
    if window is None:
        raise Http404
    return window


def _is_final(assessment: Assessment) -> bool:
    return (
        assessment.pk is not None
        and assessment.decisions.filter(finalised_at__isnull=False).exists()
    )


# --- The teacher: my assessments ----------------------------------------------------------------


@bureau_member_required
def my_assessments(request):
    items = selectors.teacher_assessments(user=request.user, today=timezone.localdate())
    # XH-FAIL-1: the plans the teacher owes or handed in are one click away.
    plans = (
        access.plans_for_user(request.user)
        .filter(enrolment__teacher__user=request.user)
        .exclude(status=PlanStatus.WITHDRAWN)
        .count()
    )
    return render(
        request,
        "assessments/my_assessments.html",
        {"items": items, "self_level": FilingLevel.SELF, "plans": plans},
    )


# --- One part of one assessment: the self-assessment, the lead's, the school's ------------------


@bureau_member_required
def component_form(request, enrolment_pk: int, component_pk: int, year_key: str = ""):
    user = request.user
    enrolment = (
        Enrolment.objects.select_related("programme", "teacher__user", "tier", "school")
        .filter(pk=enrolment_pk)
        .first()
    )
    if enrolment is None or not access.may_see_assessment(user, enrolment):
        raise Http404
    component = (
        AssessmentComponent.objects.select_related("scheme")
        .filter(pk=component_pk, scheme__programme_id=enrolment.programme_id)
        .first()
    )
    if component is None or component.level not in FORMS:
        raise Http404
    scheme = component.scheme
    scheme.programme = enrolment.programme
    window = _window(enrolment.programme, scheme, year_key)
    assessment = Assessment.objects.filter(
        enrolment=enrolment, scheme=scheme, year_key=year_key
    ).first() or Assessment(
        bureau_id=enrolment.bureau_id, enrolment=enrolment, scheme=scheme, year_key=year_key
    )
    if not access.may_file(user, assessment, component):
        raise PermissionDenied
    defaults = {
        FilingLevel.SELF: reverse("assessments:my_assessments"),
        FilingLevel.TEAM_LEAD: reverse("assessments:team_list"),
        FilingLevel.SCHOOL: reverse("assessments:school"),
    }
    back = _next_url(request, defaults[component.level])
    filing = (
        ComponentAssessment.objects.filter(assessment=assessment, component=component)
        .select_related("filed_by")
        .first()
        if assessment.pk
        else None
    )
    final = _is_final(assessment)
    form_class = FORMS[component.level]
    kwargs = {} if form_class is SelfAssessmentForm else {"weight": component.weight}
    form = None
    if final:
        if request.method == "POST":
            messages.error(
                request, _("The assessment is finalised; this part can no longer change.")
            )
            return redirect(request.get_full_path())
    elif request.method == "POST":
        form = form_class(request.POST, request.FILES, scheme=scheme, **kwargs)
        if form.is_valid():
            try:
                with transaction.atomic():
                    opened = services.assessment_get_or_open(
                        enrolment=enrolment, scheme=scheme, year_key=year_key
                    )
                    services.component_file(
                        actor=user, assessment=opened, component=component, **form.filing_data()
                    )
            except ValidationError as error:
                _add_error(form, error)
            else:
                messages.success(
                    request,
                    _("Filed: %(part)s, %(name)s")
                    % {"part": component.title, "name": enrolment.teacher.user.full_name},
                )
                return redirect(back)
        form.files_note()
    else:
        form = form_class(scheme=scheme, initial=_initial(filing), **kwargs)
    due = component.due_on(enrolment.programme, year_key)
    today = timezone.localdate()
    return render(
        request,
        "assessments/component_form.html",
        {
            "enrolment": enrolment,
            "scheme": scheme,
            "component": component,
            "description": plain(component.description),
            "window": window,
            "filing": filing,
            "files": list(filing.files.all()) if filing else [],
            "final": final,
            "form": form,
            "due": due,
            "status": selectors.part_status(due, filing, today),
            "late": due is not None and today > due,
            "back": back,
            "next": request.POST.get("next") or request.GET.get("next") or "",
        },
    )


def _initial(filing: ComponentAssessment | None) -> dict:
    if filing is None:
        return {}
    initial = {"text": filing.text, "result": filing.result, "score": filing.score}
    if filing.level == FilingLevel.TEAM_LEAD:
        initial.update(aspects_from_text(filing.text))
    return initial


@bureau_member_required
def component_file(request, pk: int):
    return serve(access.get_component_file_for_user(request.user, pk))


# --- The group lead: assess my group (XH-WS-LEAD) -----------------------------------------------


@bureau_member_required
def team_list(request):
    today = timezone.localdate()
    teams = list(
        Team.objects.filter(lead=request.user)
        .select_related("programme")
        .prefetch_related("programme__calendar_periods")
        .order_by("programme__name", "name", "pk")
    )
    rows = []
    for team in teams:
        years = team.programme.years
        rows.append(
            {"team": team, "years": years, "current": next((w for w in years if today in w), None)}
        )
    return render(request, "assessments/team_list.html", {"rows": rows})


@bureau_member_required
def team_year(request, pk: int, year_key: str):
    user = request.user
    team = get_team_for_user(user, pk)
    if not access.may_assess_team(user, team):
        raise PermissionDenied
    programme = team.programme
    window = next((w for w in programme.years if w.key == year_key), None)
    if window is None:
        raise Http404
    today = timezone.localdate()
    scheme = services.annual_scheme(programme)
    found = selectors.team_assessment(team, year_key)
    locked = services.team_assessment_locked(team, year_key)
    form = None
    if scheme is not None:
        scheme.programme = programme
        if request.method == "POST" and not locked:
            form = TeamAssessmentForm(request.POST, request.FILES, scheme=scheme)
            if form.is_valid():
                data = form.filing_data()
                try:
                    services.team_assessment_file(
                        actor=user,
                        team=team,
                        year_key=year_key,
                        result=data["result"],
                        text=data["text"],
                        files=data["files"],
                    )
                except ValidationError as error:
                    _add_error(form, error)
                else:
                    messages.success(request, _("The group's assessment is filed."))
                    return redirect(request.path + "#group")
            form.files_note()
        elif request.method == "POST":
            messages.error(request, _("The group's assessment is locked; it can no longer change."))
            return redirect(request.path + "#group")
        elif not locked:
            initial = {"result": found.result, "text": found.text} if found else {}
            form = TeamAssessmentForm(scheme=scheme, initial=initial)
    rows = _member_rows(team, scheme, window, today) if scheme is not None else []
    return render(
        request,
        "assessments/team_year.html",
        {
            "team": team,
            "window": window,
            "years": programme.years,
            "scheme": scheme,
            "lead_component": next(
                (c for c in scheme.components.all() if c.level == FilingLevel.TEAM_LEAD), None
            )
            if scheme is not None
            else None,
            "rows": rows,
            "found": found,
            "locked": locked,
            "form": form,
        },
    )


def _member_rows(team, scheme, window, today) -> list[dict]:
    members = list(
        team.memberships.select_related("teacher__user", "teacher__school").order_by(
            "role", "teacher__staff_number", "pk"
        )
    )
    enrolments = {
        e.teacher_id: e
        for e in Enrolment.objects.filter(
            programme_id=team.programme_id, teacher_id__in=[m.teacher_id for m in members]
        ).select_related("tier", "teacher__user")
    }
    cards = {
        c.enrolment.pk: c
        for c in selectors.assessment_cards(
            enrolments=enrolments.values(), scheme=scheme, window=window, today=today
        )
    }
    rows = []
    for member in members:
        enrolment = enrolments.get(member.teacher_id)
        card = cards.get(enrolment.pk) if enrolment is not None else None
        rows.append(
            {
                "member": member,
                "enrolment": enrolment,
                "card": card,
                "lead": card.part(FilingLevel.TEAM_LEAD) if card else None,
                "self": card.part(FilingLevel.SELF) if card else None,
            }
        )
    return rows


@bureau_member_required
def team_file(request, pk: int):
    return serve(access.get_team_assessment_file_for_user(request.user, pk))


# --- The school administrator: my school's assessments ------------------------------------------


@role_required(Role.SCHOOL_ADMIN)
def school_assessments(request):
    school_id = administered_school_id(request.user)
    today = timezone.localdate()
    programmes = list(
        Programme.objects.filter(enrolments__school_id=school_id)
        .distinct()
        .prefetch_related("calendar_periods")
        .order_by("-start_month", "pk")
        if school_id is not None
        else Programme.objects.none()
    )
    schemes = selectors.schemes_of([p.pk for p in programmes])
    options = []
    for programme in programmes:
        for scheme in schemes.get(programme.pk, []):
            scheme.programme = programme
            for window in selectors.windows_of(scheme, programme):
                options.append(
                    {
                        "programme": programme,
                        "scheme": scheme,
                        "window": window,
                        "year": window.key if window is not None else "",
                        "current": window is not None and today in window,
                    }
                )
    chosen = _chosen(request, options)
    cards = []
    if chosen is not None:
        enrolments = (
            Enrolment.objects.filter(programme=chosen["programme"], school_id=school_id)
            .select_related("teacher__user", "tier")
            .order_by("tier__order", "teacher__staff_number")
        )
        cards = selectors.assessment_cards(
            enrolments=enrolments, scheme=chosen["scheme"], window=chosen["window"], today=today
        )
    return render(
        request,
        "assessments/school.html",
        {
            "options": options,
            "chosen": chosen,
            "cards": cards,
            "components": list(chosen["scheme"].components.all()) if chosen else [],
            "school_level": FilingLevel.SCHOOL,
            "has_school": school_id is not None,
        },
    )


def _chosen(request, options: list[dict]) -> dict | None:
    """The assessment asked for (``?scheme=&year=``), else this year's annual one, else the
    first."""
    if not options:
        return None
    wanted = (request.GET.get("scheme", ""), request.GET.get("year", ""))
    for option in options:
        if (str(option["scheme"].pk), option["year"]) == wanted:
            return option
    return next((o for o in options if o["current"]), options[0])
