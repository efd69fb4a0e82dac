from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import bureau_member_required, role_required
from accounts.models import TeacherProfile
from accounts.roles import Role
from bureaus.files import serve
from bureaus.spreadsheets import XLSX_CONTENT_TYPE
from programmes.access import get_programme_for_user, programmes_for_user

from . import access, selectors, services
from .forms import EvidenceForm, ReviewFilterForm, ReviewForm
from .models import Evidence, EvidenceState, FileDimension


def _teacher_of(user) -> TeacherProfile:
    teacher = TeacherProfile.objects.filter(user=user).select_related("school").first()
    if teacher is None:
        raise PermissionDenied
    return teacher


@bureau_member_required
def evidence_list(request):
    teacher = _teacher_of(request.user)
    evidence = (
        Evidence.objects.filter(teacher=teacher)
        .select_related("kind")
        .prefetch_related("requirements", "files")
    )
    by_dimension = {d: [] for d, _label in FileDimension.choices}
    for item in evidence:
        for dimension in item.dimensions:
            by_dimension.setdefault(dimension, []).append(item)
    return render(
        request,
        "cohorts/evidence_list.html",
        {
            "evidence": evidence,
            "returned": [e for e in evidence if e.state == EvidenceState.RETURNED],
            "dimensions": [
                (label, by_dimension[code])
                for code, label in FileDimension.choices
                if by_dimension[code]
            ],
        },
    )


def _save(request, teacher, form, evidence=None):
    try:
        saved = services.evidence_save(
            actor=request.user,
            teacher=teacher,
            data=form.evidence_data(),
            requirements=form.cleaned_data["requirements"],
            mentees=form.cleaned_data["mentees"],
            files=form.cleaned_data["files"],
            remove_file_ids=[int(i) for i in form.cleaned_data.get("remove_files") or []],
            evidence=evidence,
            submit="submit" in request.POST,
        )
    except ValidationError as error:
        form.add_error(None, error)  # errors about files land on the files field
        return None
    if saved.state == EvidenceState.SUBMITTED:
        messages.success(request, _("Submitted for review: %(title)s") % {"title": saved.title})
    else:
        messages.success(request, _("Saved as a draft: %(title)s") % {"title": saved.title})
    return redirect("cohorts:evidence_detail", pk=saved.pk)


@bureau_member_required
def evidence_new(request):
    teacher = _teacher_of(request.user)
    form = EvidenceForm(request.POST or None, request.FILES or None, teacher=teacher)
    if request.method == "POST" and form.is_valid():
        response = _save(request, teacher, form)
        if response is not None:
            return response
    return render(request, "cohorts/evidence_form.html", {"form": form})


@bureau_member_required
def evidence_edit(request, pk: int):
    evidence = access.get_own_evidence(request.user, pk)
    if not evidence.is_editable:
        messages.error(
            request, _("Submitted evidence cannot be changed while it is being reviewed.")
        )
        return redirect("cohorts:evidence_detail", pk=pk)
    form = EvidenceForm(
        request.POST or None, request.FILES or None, instance=evidence, teacher=evidence.teacher
    )
    if request.method == "POST" and form.is_valid():
        response = _save(request, evidence.teacher, form, evidence)
        if response is not None:
            return response
    return render(request, "cohorts/evidence_form.html", {"form": form, "evidence": evidence})


@bureau_member_required
def evidence_detail(request, pk: int):
    evidence = access.get_evidence_for_user(request.user, pk)
    return render(
        request,
        "cohorts/evidence_detail.html",
        {
            "evidence": evidence,
            "files": evidence.files.all(),
            "events": evidence.events.select_related("actor"),
            "requirements": evidence.requirements.select_related("programme"),
            "semesters": selectors.evidence_semesters(evidence),
            "mentees": evidence.mentees.select_related("user", "school"),
            "is_owner": evidence.teacher.user_id == request.user.pk,
            "can_review": access.reviewer_role(request.user, evidence) is not None,
            "review_form": ReviewForm(),
        },
    )


@require_POST
@bureau_member_required
def evidence_submit(request, pk: int):
    evidence = access.get_own_evidence(request.user, pk)
    try:
        if not evidence.files.exists():
            raise ValidationError(_("Attach at least one file before submitting."))
        services.evidence_submit(actor=request.user, evidence=evidence)
    except (ValidationError, ValueError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("Submitted for review: %(title)s") % {"title": evidence.title})
    return redirect("cohorts:evidence_detail", pk=pk)


@bureau_member_required
def evidence_file(request, pk: int, file_pk: int):
    return serve(access.get_file_for_user(request.user, pk, file_pk))


@role_required(Role.BUREAU_STAFF, Role.SCHOOL_ADMIN)
def review_queue(request):
    filters = ReviewFilterForm(request.GET or None)
    evidence = access.evidence_for_user(request.user).prefetch_related("requirements")
    data = filters.cleaned_data if filters.is_valid() else {}
    if data.get("state"):
        evidence = evidence.filter(state=data["state"])
    else:
        evidence = evidence.filter(access.waiting_for_review(request.user))
    if data.get("school"):
        evidence = evidence.filter(teacher__school=data["school"])
    if data.get("kind"):
        evidence = evidence.filter(kind=data["kind"])
    if data.get("level"):
        evidence = evidence.filter(level=data["level"])
    evidence = evidence.order_by("submitted_at", "id")
    if request.GET.get("format") == "xlsx":
        from bureaus.selectors import level_names

        from .exports import evidence_xlsx

        title = _("Review evidence")
        content = evidence_xlsx(evidence, levels=level_names(request.bureau_id), title=title)
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = (
            f"attachment; filename*=UTF-8''{quote(title)}-{timezone.localdate():%Y%m%d}.xlsx"
        )
        return response
    page = Paginator(evidence, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "cohorts/review_queue.html",
        {"filters": filters, "page": page, "query": request.GET},
    )


@require_POST
@role_required(Role.BUREAU_STAFF, Role.SCHOOL_ADMIN)
def evidence_review(request, pk: int):
    evidence = access.get_evidence_for_user(request.user, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("cohorts:evidence_detail", pk=pk)
    try:
        services.evidence_review(
            actor=request.user,
            evidence=evidence,
            approve=form.cleaned_data["decision"] == "approve",
            comment=form.cleaned_data["comment"],
        )
    except PermissionDenied as error:
        messages.error(request, str(error) or _("This item is not waiting for your review."))
        return redirect("cohorts:evidence_detail", pk=pk)
    except (ValidationError, ValueError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("cohorts:evidence_detail", pk=pk)
    messages.success(
        request,
        _("%(title)s: %(state)s")
        % {"title": evidence.title, "state": evidence.get_state_display()},
    )
    return redirect(_safe_next(request) or "cohorts:review_queue")


def _safe_next(request) -> str | None:
    """The posted ``next`` address when it stays on this site (and on HTTPS when the request
    came over HTTPS); None otherwise, so an outside address never receives the reviewer."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@bureau_member_required
def my_progress(request):
    teacher = _teacher_of(request.user)
    today = timezone.localdate()
    mine = selectors.enrolments_of_teacher(teacher, programmes=programmes_for_user(request.user))
    plans = selectors.plan_statuses(mine, today=today)
    enrolments = [
        {
            "enrolment": e,
            "rows": selectors.progress_for_enrolment(e, today=today),
            "plan": plans[e.pk],
        }
        for e in mine
    ]
    pending = (
        Evidence.objects.filter(teacher=teacher)
        .exclude(state__in=[EvidenceState.VERIFIED, EvidenceState.DRAFT])
        .select_related("kind")
    )
    return render(
        request,
        "cohorts/my_progress.html",
        {
            "enrolments": enrolments,
            "pending": pending,
            "today": today,
        },
    )


@role_required(Role.BUREAU_STAFF, Role.LEADERSHIP, Role.SCHOOL_ADMIN)
def progress_matrix(request, pk: int):
    from .exports import progress_matrix_xlsx
    from .forms import MatrixFilterForm

    programme = get_programme_for_user(request.user, pk)
    filters = MatrixFilterForm(request.GET or None, programme=programme)
    enrolments = access.enrolments_for_user(request.user, programme)
    if filters.is_valid():
        if filters.cleaned_data.get("tier"):
            enrolments = enrolments.filter(tier=filters.cleaned_data["tier"])
        if filters.cleaned_data.get("school"):
            enrolments = enrolments.filter(school=filters.cleaned_data["school"])
    today = timezone.localdate()
    matrix = selectors.progress_matrix(programme, enrolments, today=today)
    if request.GET.get("format") == "xlsx":
        content = progress_matrix_xlsx(matrix, title=programme.name)
        response = HttpResponse(
            content,
            content_type=XLSX_CONTENT_TYPE,
        )
        response["Content-Disposition"] = (
            f"attachment; filename*=UTF-8''{quote(programme.name)}-{today:%Y%m%d}.xlsx"
        )
        return response
    # Counts over everybody; the table itself a page at a time.
    page = Paginator(matrix.rows, 200).get_page(request.GET.get("page"))
    return render(
        request,
        "cohorts/progress_matrix.html",
        {
            "programme": programme,
            "filters": filters,
            "page": page,
            "columns": list(zip(matrix.columns, matrix.counts(), strict=True)),
            "query": request.GET.copy(),
        },
    )


@role_required(Role.BUREAU_STAFF, Role.LEADERSHIP)
def coverage(request, pk: int):
    from accounts.models import Subject

    programme = get_programme_for_user(request.user, pk)
    columns, rows = selectors.coverage_for_programme(programme)
    labels = dict(Subject.choices)
    return render(
        request,
        "cohorts/coverage.html",
        {
            "programme": programme,
            "columns": [labels.get(c, c) for c in columns],
            "rows": rows,
            "gaps": sum(r.gaps for r in rows),
            "schools_with_gaps": sum(1 for r in rows if r.gaps),
        },
    )


@bureau_member_required
def output_calls(request, pk: int):
    from .models import OutputCall

    programme = get_programme_for_user(request.user, pk)
    calls = OutputCall.objects.filter(programme=programme).annotate(
        entry_count=Count("entries", distinct=True),
        selected_count=Count(
            "entries", filter=Q(entries__selected_for_publication=True), distinct=True
        ),
    )
    return render(
        request,
        "cohorts/output_calls.html",
        {
            "programme": programme,
            "calls": calls,
            "today": timezone.localdate(),
        },
    )


@role_required(Role.BUREAU_STAFF, Role.LEADERSHIP)
def output_call_detail(request, pk: int):
    call = access.get_output_call_for_user(request.user, pk)
    entries = (
        Evidence.objects.filter(output_call=call)
        .exclude(state=EvidenceState.DRAFT)
        .select_related("teacher__user", "teacher__school", "kind")
        .order_by("-selected_for_publication", "teacher__school__name", "title")
    )
    return render(request, "cohorts/output_call_detail.html", {"call": call, "entries": entries})


@require_POST
@role_required(Role.BUREAU_STAFF)
def output_select(request, pk: int, evidence_pk: int):
    evidence = access.get_evidence_for_user(request.user, evidence_pk)
    if evidence.output_call_id != pk:
        raise Http404
    try:
        services.evidence_select_for_publication(
            actor=request.user, evidence=evidence, selected=request.POST.get("selected") == "1"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("cohorts:output_call_detail", pk=pk)
