"""Who may see and manage which group. Views, downloads and services all go through here.

Bureau staff and leadership see every group of the bureau; a school administrator the groups
with a member from their school; everybody else the groups they lead, assist or belong to. A
group is managed (members' tasks, activities, documents, briefings) by bureau staff and by whoever
holds the ``manage_team`` object permission on it: its lead and its project assistant, granted
by ``services.team_permissions_sync``. Another bureau's group is never in the queryset: the
same 404 as a missing one.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from accounts.roles import Role
from accounts.services import administered_school_id

from .models import (
    ActivityFile,
    ActivityRecord,
    BriefingFile,
    Deadline,
    Membership,
    Team,
    TeamDocument,
)

MANAGE = "workshops.manage_team"


def teams_for_user(user) -> QuerySet[Team]:
    """The groups of the bureau in scope that ``user`` may see."""
    teams = Team.objects.select_related("programme", "lead", "assistant")
    if user.has_role(Role.BUREAU_STAFF, Role.LEADERSHIP):
        return teams
    mine = Q(lead=user) | Q(assistant=user)
    member = Membership.objects.filter(team=OuterRef("pk"), teacher__user=user)
    visible = mine | Exists(member)
    if user.has_role(Role.SCHOOL_ADMIN):
        school_id = administered_school_id(user)
        if school_id is not None:
            from_school = Membership.objects.filter(
                team=OuterRef("pk"), teacher__school_id=school_id
            )
            visible |= Q(school_id=school_id) | Exists(from_school)
    return teams.filter(visible)


def can_manage(user, team: Team) -> bool:
    """Bureau staff, or the holder of the object permission on this group (lead, assistant)."""
    if not getattr(user, "is_authenticated", False) or user.bureau_id != team.bureau_id:
        return False
    if user.has_role(Role.BUREAU_STAFF):
        return True
    return user.has_perm(MANAGE, team)


def is_member(user, team: Team) -> bool:
    return Membership.objects.filter(team=team, teacher__user=user).exists()


def get_team_for_user(user, pk: int, *, manage: bool = False) -> Team:
    team = teams_for_user(user).filter(pk=pk).first()
    if team is None:
        raise Http404
    if manage and not can_manage(user, team):
        raise PermissionDenied
    return team


def get_membership_for_user(user, team_pk: int, pk: int, *, manage: bool = False) -> Membership:
    """A membership of a group ``user`` may see (``manage``: may manage)."""
    team = get_team_for_user(user, team_pk, manage=manage)
    membership = (
        Membership.objects.select_related("team", "teacher__user", "teacher__school")
        .filter(pk=pk, team=team)
        .first()
    )
    if membership is None:
        raise Http404
    membership.team = team  # the group as resolved above
    return membership


def get_deadline_for_user(user, pk: int) -> Deadline:
    deadline = (
        Deadline.objects.select_related("team__programme", "schedule")
        .filter(pk=pk, team__in=teams_for_user(user))
        .first()
    )
    if deadline is None:
        raise Http404
    return deadline


def get_activity_for_user(user, pk: int) -> ActivityRecord:
    activity = (
        ActivityRecord.objects.select_related("team__programme", "recorded_by")
        .filter(pk=pk, team__in=teams_for_user(user))
        .first()
    )
    if activity is None:
        raise Http404
    return activity


def get_document_for_user(user, pk: int) -> TeamDocument:
    document = (
        TeamDocument.objects.select_related("team", "author", "reviewed_by")
        .filter(pk=pk, team__in=teams_for_user(user))
        .first()
    )
    if document is None:
        raise Http404
    return document


def get_activity_file_for_user(user, activity_pk: int, file_pk: int) -> ActivityFile:
    activity = get_activity_for_user(user, activity_pk)
    found = ActivityFile.objects.filter(pk=file_pk, activity=activity).first()
    if found is None:
        raise Http404
    return found


def get_briefing_file_for_user(user, deadline_pk: int, file_pk: int) -> BriefingFile:
    deadline = get_deadline_for_user(user, deadline_pk)
    found = BriefingFile.objects.filter(pk=file_pk, briefing__deadline=deadline).first()
    if found is None:
        raise Http404
    return found


# --- Duties of units: who files for a school or a learning district --------------------------


def unit_schools_for_user(user) -> QuerySet:
    """The schools ``user`` files and reads unit duties for: every school of the bureau for its
    staff and leadership, their own school for a school administrator, none otherwise."""
    from bureaus.models import School

    schools = School.objects.select_related("learning_district")
    if user.has_role(Role.BUREAU_STAFF, Role.LEADERSHIP):
        return schools
    if user.has_role(Role.SCHOOL_ADMIN):
        school_id = administered_school_id(user)
        if school_id is not None:
            return schools.filter(pk=school_id)
    return schools.none()


def get_unit_school_for_user(user, pk: int, action: str = "view"):
    """A school whose duties ``user`` may read (``view``) or file for (``file``: bureau staff and
    the school's own administrator, not leadership); otherwise the same 404 as a missing one."""
    schools = unit_schools_for_user(user)
    if action == "file" and not user.has_role(Role.BUREAU_STAFF, Role.SCHOOL_ADMIN):
        schools = schools.none()
    if action == "file" and not user.has_role(Role.BUREAU_STAFF):
        schools = schools.filter(pk=administered_school_id(user))
    school = schools.filter(pk=pk).first()
    if school is None:
        raise Http404
    return school


def get_unit_district_for_user(user, pk: int, action: str = "view"):
    """A learning district whose duties ``user`` may read or file for: bureau staff (and, to
    read, leadership), and the administrator of its lead school; otherwise a 404."""
    from bureaus.models import LearningDistrict

    districts = LearningDistrict.objects.select_related("lead_school")
    every = user.has_role(Role.BUREAU_STAFF) or (
        action == "view" and user.has_role(Role.LEADERSHIP)
    )
    if not every:
        school_id = administered_school_id(user) if user.has_role(Role.SCHOOL_ADMIN) else None
        districts = (
            districts.filter(lead_school_id=school_id)
            if school_id is not None
            else districts.none()
        )
    district = districts.filter(pk=pk).first()
    if district is None:
        raise Http404
    return district


def get_unit_filing_file_for_user(user, pk: int, file_pk: int):
    """A file of a unit's filing, if ``user`` may read that unit's duties; otherwise a 404."""
    from .models import UnitFilingFile

    stored = (
        UnitFilingFile.objects.select_related("filing").filter(filing_id=pk, pk=file_pk).first()
    )
    if stored is None:
        raise Http404
    filing = stored.filing
    if filing.school_id is not None:
        get_unit_school_for_user(user, filing.school_id)
    else:
        get_unit_district_for_user(user, filing.learning_district_id)
    return stored
