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
