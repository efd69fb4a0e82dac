"""Who may file which component of an assessment, and who decides. Services call these before
writing; the pages to come will call them too.

A component is filed at its level: the self-assessment by the teacher assessed, the group
lead's assessment (XH-WS-LEAD) by the lead of a group of the programme the teacher belongs to,
the school's by the administrator of the teacher's school, the district's and the leading
group's by bureau staff, who may file any component on someone's behalf. Only bureau staff
decide. Another bureau's assessment is refused like a missing one.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.roles import Role
from accounts.services import administered_school_id

from .models import Assessment, AssessmentComponent, FilingLevel


def same_bureau(user, row) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.bureau_id == row.bureau_id


def may_file(user, assessment: Assessment, component: AssessmentComponent) -> bool:
    """May ``user`` file ``component`` of ``assessment``?"""
    if not same_bureau(user, assessment):
        return False
    if user.has_role(Role.BUREAU_STAFF):
        return True
    enrolment = assessment.enrolment
    if component.level == FilingLevel.SELF:
        return enrolment.teacher.user_id == user.pk
    if component.level == FilingLevel.TEAM_LEAD:
        from workshops.models import Membership

        return Membership.objects.filter(
            team__programme_id=enrolment.programme_id,
            team__lead=user,
            teacher_id=enrolment.teacher_id,
        ).exists()
    if component.level == FilingLevel.SCHOOL:
        return user.has_role(Role.SCHOOL_ADMIN) and administered_school_id(user) == (
            enrolment.school_id
        )
    return False


def check_may_file(user, assessment: Assessment, component: AssessmentComponent) -> None:
    if not may_file(user, assessment, component):
        raise PermissionDenied(_("You may not file this part of the assessment."))


def may_decide(user, row) -> bool:
    """Bureau staff of the row's bureau decide and finalise."""
    return same_bureau(user, row) and user.has_role(Role.BUREAU_STAFF)


def check_may_decide(user, row) -> None:
    if not may_decide(user, row):
        raise PermissionDenied(_("Only the bureau's programme staff decide assessments."))


# --- Rectification plans (XH-FAIL-1) -------------------------------------------------------------


def plans_for_user(user):
    """The rectification plans ``user`` sees: every plan of the bureau for its staff, their own
    for a teacher."""
    from .models import RectificationPlan

    plans = RectificationPlan.objects.select_related(
        "enrolment__teacher__user", "enrolment__programme", "consequence", "reviewed_by"
    )
    if not getattr(user, "is_authenticated", False) or user.bureau_id is None:
        return plans.none()
    if user.has_role(Role.BUREAU_STAFF):
        return plans
    return plans.filter(enrolment__teacher__user=user)


def get_plan_for_user(user, pk: int):
    """A plan the user may see; another bureau's plan is missing, like one that does not
    exist."""
    plan = plans_for_user(user).filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


def get_plan_file_for_user(user, pk: int, file_pk: int):
    from .models import PlanFile

    plan = get_plan_for_user(user, pk)
    found = PlanFile.objects.filter(pk=file_pk, plan=plan).first()
    if found is None:
        raise Http404
    return found
