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

from .models import (
    Assessment,
    AssessmentComponent,
    AssessmentDecision,
    ComponentFile,
    FilingLevel,
    TeamAssessmentFile,
)


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


def may_read_results(user, row) -> bool:
    """The bureau's leadership and programme staff read the results of its assessments."""
    return same_bureau(user, row) and user.has_role(Role.BUREAU_STAFF, Role.LEADERSHIP)


def schemes_for_user(user, *, action: str = "decide"):
    """The bureau's assessment schemes ``user`` may decide on (``action="decide"``: staff) or
    read the results of (``action="read"``: staff and leadership); none otherwise."""
    from .models import AssessmentScheme

    schemes = AssessmentScheme.objects.select_related("programme")
    if not getattr(user, "is_authenticated", False):
        return schemes.none()
    roles = (Role.BUREAU_STAFF,) if action == "decide" else (Role.BUREAU_STAFF, Role.LEADERSHIP)
    if not user.has_role(*roles):
        return schemes.none()
    return schemes.filter(bureau_id=user.bureau_id)


def get_scheme_for_user(user, pk: int, *, action: str = "decide"):
    """A scheme of the user's bureau they may decide on or read; anything else is a 404."""
    scheme = schemes_for_user(user, action=action).filter(pk=pk).first()
    if scheme is None:
        raise Http404
    return scheme


def get_decision_for_user(user, pk: int) -> AssessmentDecision:
    """A decision staff may finalise or correct; another bureau's is a 404 like a missing one."""
    decision = (
        AssessmentDecision.objects.select_related("assessment__scheme__programme")
        .filter(pk=pk, bureau_id=getattr(user, "bureau_id", None))
        .first()
    )
    if decision is None or not may_decide(user, decision):
        raise Http404
    return decision


# --- Reading assessments and their files --------------------------------------------------------


def _leads_teacher(user, enrolment) -> bool:
    from workshops.models import Membership

    return Membership.objects.filter(
        team__programme_id=enrolment.programme_id, team__lead=user, teacher_id=enrolment.teacher_id
    ).exists()


def may_see_assessment(user, enrolment) -> bool:
    """May ``user`` read the assessments of ``enrolment``: the teacher, the lead of a group of
    the programme they belong to, the administrator of their school, and the bureau's staff and
    leadership. What the teacher reads of other levels is limited further (``teacher_sees``)."""
    if not same_bureau(user, enrolment):
        return False
    if user.has_role(Role.BUREAU_STAFF, Role.LEADERSHIP):
        return True
    if enrolment.teacher.user_id == user.pk:
        return True
    if user.has_role(Role.SCHOOL_ADMIN) and administered_school_id(user) == enrolment.school_id:
        return True
    return _leads_teacher(user, enrolment)


def teacher_sees(level: str, *, final: bool) -> bool:
    """The teacher reads their own self-assessment at any time and what the other levels filed
    (result, text, files) only once the decision is finalised; drafts never."""
    return level == FilingLevel.SELF or final


def get_component_file_for_user(user, pk: int) -> ComponentFile:
    """A file of a filed component, for those who may read the assessment; to the teacher a
    file of another level only once the assessment is finalised. Otherwise the same 404 as a
    file that does not exist."""
    found = (
        ComponentFile.objects.select_related(
            "filing__assessment__enrolment__teacher", "filing__component"
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    assessment = found.filing.assessment
    enrolment = assessment.enrolment
    if not may_see_assessment(user, enrolment):
        raise Http404
    is_teacher = enrolment.teacher.user_id == user.pk
    if is_teacher and not user.has_role(Role.BUREAU_STAFF, Role.LEADERSHIP):
        final = assessment.decisions.filter(finalised_at__isnull=False).exists()
        if not teacher_sees(found.filing.level, final=final):
            raise Http404
    return found


def may_assess_team(user, team) -> bool:
    """XH-WS-LEAD: the group's lead assesses the group; bureau staff may file it for them."""
    if not same_bureau(user, team):
        return False
    return team.lead_id == user.pk or user.has_role(Role.BUREAU_STAFF)


def check_may_assess_team(user, team) -> None:
    if not may_assess_team(user, team):
        raise PermissionDenied(_("Only the group's lead assesses the group."))


def get_team_assessment_file_for_user(user, pk: int) -> TeamAssessmentFile:
    """A file of a group's assessment: for its lead and the bureau's staff and leadership."""
    found = TeamAssessmentFile.objects.select_related("team_assessment__team").filter(pk=pk).first()
    if found is None:
        raise Http404
    team = found.team_assessment.team
    if not same_bureau(user, team):
        raise Http404
    if not (team.lead_id == user.pk or user.has_role(Role.BUREAU_STAFF, Role.LEADERSHIP)):
        raise Http404
    return found


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
