"""Rectification plans (XH-FAIL-1): the teacher's page of what is owed, where the plan is handed
in and its review read; bureau staff's list of the bureau's plans and their review."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import bureau_member_required, role_required
from accounts.roles import Role
from bureaus.files import serve

from .. import access, services
from ..forms import PlanFilterForm, PlanForm, PlanReviewForm
from ..models import PlanStatus


def _add_error(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@bureau_member_required
def my_plans(request):
    """The teacher's rectification plans: what is owed, by when, and how each was reviewed."""
    plans = (
        access.plans_for_user(request.user)
        .filter(enrolment__teacher__user=request.user)
        .exclude(status=PlanStatus.WITHDRAWN)
    )
    return render(
        request,
        "assessments/my_plans.html",
        {"plans": plans.order_by("due_on"), "today": timezone.localdate()},
    )


def _plan_page(request, plan, *, form=None, review_form=None):
    mine = plan.enrolment.teacher.user_id == request.user.pk
    if form is None and mine and plan.editable:
        form = PlanForm(initial={"text": plan.text})
    staff = request.user.has_role(Role.BUREAU_STAFF)
    if review_form is None and staff and plan.reviewable:
        review_form = PlanReviewForm()
    return render(
        request,
        "assessments/plan_detail.html",
        {
            "plan": plan,
            "files": plan.files.all(),
            "form": form if mine and plan.editable else None,
            "review_form": review_form if staff and plan.reviewable else None,
            "mine": mine,
            "today": timezone.localdate(),
        },
    )


@bureau_member_required
def plan_detail(request, pk: int):
    plan = access.get_plan_for_user(request.user, pk)
    if request.method != "POST":
        return _plan_page(request, plan)
    if plan.enrolment.teacher.user_id != request.user.pk:
        raise PermissionDenied
    form = PlanForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.plan_submit(
                actor=request.user,
                plan=plan,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["files"],
            )
        except ValidationError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Rectification plan handed in."))
            return redirect("assessments:plan_detail", pk=pk)
    return _plan_page(request, plan, form=form)


@require_POST
@role_required(Role.BUREAU_STAFF)
def plan_review(request, pk: int):
    plan = access.get_plan_for_user(request.user, pk)
    form = PlanReviewForm(request.POST)
    if form.is_valid():
        try:
            services.plan_review(
                actor=request.user,
                plan=plan,
                accept=form.cleaned_data["decision"] == "accept",
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Review saved."))
            return redirect("assessments:plan_list")
    return _plan_page(request, plan, review_form=form)


@bureau_member_required
def plan_file(request, pk: int, file_pk: int):
    return serve(access.get_plan_file_for_user(request.user, pk, file_pk))


@role_required(Role.BUREAU_STAFF)
def plan_list(request):
    """The bureau's rectification plans, to review, filtered by status."""
    form = PlanFilterForm(request.GET or None)
    plans = access.plans_for_user(request.user).order_by("status", "due_on", "id")
    status = form.cleaned_data["status"] if form.is_valid() else ""
    if status:
        plans = plans.filter(status=status)
    return render(
        request,
        "assessments/plan_list.html",
        {"plans": plans, "filter_form": form, "today": timezone.localdate()},
    )
