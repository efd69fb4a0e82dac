"""The pages of one group, for its lead, its members and bureau staff: the group list, the group
page (members, documents, output, obligations, briefings, activities, attendance), and the forms
a lead works with every day. Objects are resolved through ``access`` (404 for anything not
visible, 403 for what the user sees but may not manage); the services do the writing."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import bureau_member_required, role_required
from accounts.roles import Role
from bureaus.files import serve
from bureaus.levels import LevelNames
from bureaus.selectors import level_names
from programmes.models import DeliveryMode, LeadRank

from .. import access, rules, selectors, services
from ..forms import (
    ActivityForm,
    BriefingForm,
    CourseForm,
    DocumentForm,
    DocumentReviewForm,
    ExtensionForm,
    MemberAddForm,
    MemberEditForm,
    TeamFilterForm,
    activity_kinds,
)
from ..models import Briefing, DocumentKind, MemberRole, Membership, Obligation, TeamKind

# --- Helpers ------------------------------------------------------------------------------------


def _add_error(form, error: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Put a service's error on the form: errors naming a field on that field (or the form's
    name for it), the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        name = (aliases or {}).get(name, name)
        form.add_error(name if name in form.fields else None, errors)


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _team_url(team_pk: int, section: str = "") -> str:
    url = reverse("workshops:team_detail", args=[team_pk])
    return f"{url}#{section}" if section else url


def _posted(request):
    return request.POST if request.method == "POST" else None


def _files(request):
    return request.FILES if request.method == "POST" else None


# --- The list -----------------------------------------------------------------------------------


@bureau_member_required
def team_list(request):
    user = request.user
    sees_others = user.has_role(Role.BUREAU_STAFF, Role.LEADERSHIP, Role.SCHOOL_ADMIN)
    filters = TeamFilterForm(request.GET or None, user=user)
    data = filters.cleaned_data if filters.is_valid() else {}
    teams = access.teams_for_user(user)
    if data.get("programme"):
        teams = teams.filter(programme=data["programme"])
    if data.get("kind"):
        teams = teams.filter(kind=data["kind"])
    if (data.get("q") or "").strip():
        teams = teams.filter(name__icontains=data["q"].strip())
    mine = Membership.objects.filter(team=OuterRef("pk"), teacher__user=user)
    teams = teams.annotate(
        member_count=Count("memberships", distinct=True),
        my_role=Subquery(mine.values("role")[:1]),
    ).order_by("programme__name", "kind", "name", "pk")
    page = Paginator(teams, 50).get_page(request.GET.get("page"))
    roles = dict(MemberRole.choices)
    for team in page:
        if team.lead_id == user.pk:
            team.viewer_role = _("lead")
        elif team.assistant_id == user.pk:
            team.viewer_role = _("project assistant")
        else:
            team.viewer_role = roles.get(team.my_role, "")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workshops/team_list.html",
        {
            "filters": filters,
            "show_filters": sees_others or any(data.values()),
            "sees_others": sees_others,
            "page": page,
            "query": query.urlencode(),
        },
    )


# --- The group page -----------------------------------------------------------------------------


def _course_option(option: rules.CourseOption, levels: LevelNames) -> str:
    return _("at least %(hours)s class hours, %(delivery)s, %(level)s or above") % {
        "hours": option.min_hours,
        "delivery": dict(DeliveryMode.choices).get(option.delivery, option.delivery),
        "level": levels.name(option.level),
    }


def _output(team):
    """XH-WS-OUTPUT for a workshop, in words; None for other group forms."""
    status = selectors.output_status(team)
    if status is None:
        return None
    ranks = {
        rules.LeadRank.TRAINER: _("a trainer-researcher (研训员)"),
        rules.LeadRank.LEADER: LeadRank.LEADER.label,
        rules.LeadRank.BACKBONE: LeadRank.BACKBONE.label,
        None: _("a lead who may not lead this kind of workshop"),
    }
    missing = {
        "lead": _("a lead of the kind this workshop needs (ask the programme administrator)"),
        "project_report": DocumentKind.PROJECT_REPORT.label,
        "course": _("a course as owed"),
    }
    return {
        "status": status,
        "rank": ranks.get(status.rank, status.rank),
        "options": [_course_option(o, level_names(team.bureau_id)) for o in status.options],
        "missing": [missing.get(m, m) for m in status.missing],
    }


def _attendance(team, members):
    """Each member's attendance per school year (XC-ATTEND), against the programme's threshold:
    one row per member, one cell per school year with activities."""
    by_member = selectors.attendance_by_year(team)
    years = sorted({year for seen in by_member.values() for year in seen}, key=lambda w: w.start)
    rows = []
    for member in members:
        cells = []
        for year in years:
            found = by_member.get(member.pk, {}).get(year)
            cells.append(
                None
                if found is None
                else {
                    "percent": found.ratio * Decimal(100),
                    "absent": found.absent_hours,
                    "total": found.total_hours,
                    "earns_credit": found.earns_credit,
                }
            )
        rows.append({"member": member, "cells": cells})
    return [year.label for year in years], rows


@bureau_member_required
def team_detail(request, pk: int):
    user = request.user
    team = access.get_team_for_user(user, pk)
    today = timezone.localdate()
    manage = access.can_manage(user, team)
    members = list(team.memberships.select_related("teacher__user", "teacher__school"))
    mine = next((m for m in members if m.teacher.user_id == user.pk), None)
    member_users = {m.teacher.user_id for m in members}
    documents = list(team.documents.select_related("author", "reviewed_by"))
    for document in documents:
        document.by_member = document.author_id in member_users
        document.can_review = manage and document.by_member and document.author_id != user.pk
    activities = team.activities.annotate(
        present_count=Count("attendance", filter=Q(attendance__present=True), distinct=True),
        roll_count=Count("attendance", distinct=True),
        file_count=Count("files", distinct=True),
    )
    # XC-ATTEND is shown only where the programme keeps attendance against a threshold.
    threshold = selectors.attendance_threshold(team.programme)
    years, attendance = _attendance(team, members) if threshold is not None else ([], [])
    deadlines = selectors.deadline_rows(team, today=today)
    return render(
        request,
        "workshops/team_detail.html",
        {
            "team": team,
            "manage": manage,
            "is_member": mine is not None,
            "can_upload": manage or mine is not None,
            "members": members,
            "documents": documents,
            "output": _output(team),
            "obligations": selectors.obligation_rows([team], today=today)[team.pk],
            "deadlines": deadlines,
            "missing_briefings": sum(
                1 for row in deadlines if row.status == rules.BriefingStatus.MISSING
            ),
            "activities": activities,
            "attendance_threshold": threshold,
            "attendance_percent": None if threshold is None else threshold * 100,
            "attendance_years": years,
            "attendance": attendance,
            "review_form": DocumentReviewForm(),
            "today": today,
        },
    )


# --- Members ------------------------------------------------------------------------------------


@bureau_member_required
def member_add(request, pk: int):
    team = access.get_team_for_user(request.user, pk, manage=True)
    teachers = services.enrolled_teachers(team)
    initial = {"role": MemberRole.MENTEE} if team.kind == TeamKind.MENTORING_PAIR else {}
    form = MemberAddForm(_posted(request), teachers=teachers, initial=initial)
    if request.method == "POST" and form.is_valid():
        teacher = form.cleaned_data["teacher"]
        try:
            services.membership_add(
                actor=request.user,
                team=team,
                teacher=teacher,
                role=form.cleaned_data["role"],
                task_division=form.cleaned_data["task_division"],
            )
        except ValidationError as error:
            _add_error(form, error)
        else:
            messages.success(
                request, _("%(name)s joined the group.") % {"name": teacher.user.full_name}
            )
            return redirect(_team_url(team.pk, "members"))
    return render(
        request,
        "workshops/member_form.html",
        {"team": team, "form": form, "no_teachers": not teachers.exists()},
    )


@bureau_member_required
def member_edit(request, pk: int, member_pk: int):
    membership = access.get_membership_for_user(request.user, pk, member_pk, manage=True)
    team = membership.team
    name = membership.teacher.user.full_name
    if request.method == "POST" and "remove" in request.POST:
        if request.POST.get("confirm") != "1":
            return render(
                request,
                "workshops/member_form.html",
                {"team": team, "membership": membership, "confirm_remove": True},
            )
        services.membership_remove(actor=request.user, membership=membership)
        messages.success(request, _("%(name)s left the group.") % {"name": name})
        return redirect(_team_url(team.pk, "members"))
    form = MemberEditForm(_posted(request), initial={"task_division": membership.task_division})
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(
                actor=request.user,
                membership=membership,
                task_division=form.cleaned_data["task_division"],
            )
        except ValidationError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Task division saved: %(name)s") % {"name": name})
            return redirect(_team_url(team.pk, "members"))
    return render(
        request,
        "workshops/member_form.html",
        {"team": team, "membership": membership, "form": form},
    )


# --- Activities ---------------------------------------------------------------------------------


@bureau_member_required
def activity_new(request, pk: int):
    team = access.get_team_for_user(request.user, pk, manage=True)
    members = list(team.memberships.select_related("teacher__user"))
    form = ActivityForm(_posted(request), _files(request), team=team, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_record(
                actor=request.user,
                team=team,
                data=form.activity_data(),
                present_member_ids=form.cleaned_data["present"],
                files=form.cleaned_data["files"],
            )
        except ValidationError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Activity recorded: %(topic)s") % {"topic": activity.topic})
            return redirect("workshops:activity_detail", pk=activity.pk)
    counted = Obligation.objects.filter(team=team, counts=rules.Counts.ACTIVITIES)
    obligation_kinds = [k for kinds in counted.values_list("kinds", flat=True) for k in kinds or ()]
    return render(
        request,
        "workshops/activity_form.html",
        {
            "team": team,
            "form": form,
            "kinds": activity_kinds(team, obligation_kinds),
            "has_members": bool(members),
        },
    )


@bureau_member_required
def activity_detail(request, pk: int):
    activity = access.get_activity_for_user(request.user, pk)
    files = list(activity.files.all())
    attendance = list(
        activity.attendance.select_related(
            "membership__teacher__user", "membership__teacher__school"
        ).order_by("-present", "membership__role", "membership_id")
    )
    return render(
        request,
        "workshops/activity_detail.html",
        {
            "activity": activity,
            "team": activity.team,
            "attendance": attendance,
            "present_count": sum(1 for a in attendance if a.present),
            "photos": [f for f in files if f.is_image],
            "materials": [f for f in files if not f.is_image],
            "manage": access.can_manage(request.user, activity.team),
        },
    )


@bureau_member_required
def activity_file(request, pk: int, file_pk: int):
    found = access.get_activity_file_for_user(request.user, pk, file_pk)
    # Photos show in the page; materials download.
    return serve(found, attachment=not found.is_image)


# --- Documents ----------------------------------------------------------------------------------


@bureau_member_required
def document_new(request, pk: int):
    team = access.get_team_for_user(request.user, pk)
    manage = access.can_manage(request.user, team)
    if not manage and not access.is_member(request.user, team):
        raise PermissionDenied
    initial = {}
    if request.GET.get("kind") in dict(DocumentKind.choices):
        initial["kind"] = request.GET["kind"]
    form = DocumentForm(_posted(request), _files(request), manage=manage, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_upload(
                actor=request.user,
                team=team,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            _add_error(form, error, aliases={"files": "file"})
        else:
            messages.success(request, _("Document uploaded: %(title)s") % {"title": document.title})
            return redirect(_team_url(team.pk, "documents"))
    return render(
        request, "workshops/document_form.html", {"team": team, "form": form, "manage": manage}
    )


@bureau_member_required
def document_file(request, pk: int):
    return serve(access.get_document_for_user(request.user, pk))


@require_POST
@bureau_member_required
def document_review(request, pk: int):
    document = access.get_document_for_user(request.user, pk)
    if not access.can_manage(request.user, document.team):
        raise PermissionDenied
    back = _team_url(document.team_id, f"document-{document.pk}")
    form = DocumentReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    try:
        services.document_review(
            actor=request.user, document=document, comment=form.cleaned_data["comment"]
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Review saved: %(title)s") % {"title": document.title})
    return redirect(back)


# --- Courses (XH-WS-OUTPUT) ---------------------------------------------------------------------


@bureau_member_required
def course_new(request, pk: int):
    team = access.get_team_for_user(request.user, pk)
    if team.kind != TeamKind.WORKSHOP:
        raise Http404
    if not access.can_manage(request.user, team):
        raise PermissionDenied
    form = CourseForm(_posted(request), bureau_id=team.bureau_id)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_record(actor=request.user, team=team, data=form.course_data())
        except ValidationError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Course recorded: %(title)s") % {"title": course.title})
            return redirect(_team_url(team.pk, "output"))
    return render(
        request,
        "workshops/course_form.html",
        {"team": team, "form": form, "output": _output(team)},
    )


# --- Deadlines and briefings (XH-BRIEF) ---------------------------------------------------------


def _deadline_page(request, deadline, *, briefing_form=None, extension_form=None):
    team = deadline.team
    briefing = Briefing.objects.select_related("filed_by").filter(deadline=deadline).first()
    today = timezone.localdate()
    status = rules.briefing_status(
        deadline.due, briefing.filed_on if briefing else None, today, deadline.extended_to
    )
    manage = access.can_manage(request.user, team)
    staff = request.user.has_role(Role.BUREAU_STAFF)
    if briefing is not None:
        # Filed meanwhile (another tab): what the forms had to say goes in a message.
        for form in (briefing_form, extension_form):
            if form is not None:
                for error in form.non_field_errors():
                    messages.error(request, error)
        briefing_form = extension_form = None
    else:
        if manage and briefing_form is None:
            briefing_form = BriefingForm()
        if staff and extension_form is None:
            extension_form = ExtensionForm()
    return render(
        request,
        "workshops/deadline_detail.html",
        {
            "deadline": deadline,
            "team": team,
            "briefing": briefing,
            "files": list(briefing.files.all()) if briefing else [],
            "status": status,
            "effective_due": deadline.effective_due,
            "days_left": (deadline.effective_due - today).days,
            "manage": manage,
            "briefing_form": briefing_form if manage else None,
            "extension_form": extension_form if staff else None,
        },
    )


@bureau_member_required
def deadline_detail(request, pk: int):
    deadline = access.get_deadline_for_user(request.user, pk)
    if request.method != "POST":
        return _deadline_page(request, deadline)
    if not access.can_manage(request.user, deadline.team):
        raise PermissionDenied
    if Briefing.objects.filter(deadline=deadline).exists():
        messages.error(request, _("The briefing for this deadline was filed already."))
        return redirect("workshops:deadline_detail", pk=pk)
    form = BriefingForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.briefing_file(
                actor=request.user,
                deadline=deadline,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["files"],
            )
        except ValidationError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Briefing filed."))
            return redirect("workshops:deadline_detail", pk=pk)
    return _deadline_page(request, deadline, briefing_form=form)


@require_POST
@role_required(Role.BUREAU_STAFF)
def deadline_extend(request, pk: int):
    deadline = access.get_deadline_for_user(request.user, pk)
    form = ExtensionForm(request.POST)
    if form.is_valid():
        try:
            services.deadline_extend(
                actor=request.user,
                deadline=deadline,
                to=form.cleaned_data["to"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _add_error(form, error)
        else:
            messages.success(
                request,
                _("Deadline extended to %(date)s.")
                % {"date": form.cleaned_data["to"].strftime("%Y-%m-%d")},
            )
            return redirect("workshops:deadline_detail", pk=pk)
    return _deadline_page(request, deadline, extension_form=form)


@bureau_member_required
def briefing_file(request, pk: int, file_pk: int):
    return serve(access.get_briefing_file_for_user(request.user, pk, file_pk))
