"""Panels the assessments app adds to other apps' pages: the no-paper senior title route
(SJ-TITLE) on a class teacher's pages, and the rectification plans owed on the teacher's home."""

from __future__ import annotations

from ..models import PlanStatus
from ..selectors import title_route


def title_panel(request, profile, own: bool) -> dict | None:
    """SJ-TITLE, each condition met or not: on a class teacher's own profile, and for staff and
    the school administrator on the page of a teacher who is or has been a class teacher."""
    if not (profile.class_teacher_stage or profile.years_class_teacher):
        return None
    if own and not profile.class_teacher_stage:
        return None
    route = title_route(profile)
    return {"route": route, "own": own}


def plans_panel(request) -> dict | None:
    """XH-FAIL-1: the teacher's rectification plans still to hand in."""
    from ..access import plans_for_user

    user = request.user
    if not user.is_authenticated or user.bureau_id is None:
        return None
    plans = list(
        plans_for_user(user)
        .filter(enrolment__teacher__user=user, status__in=(PlanStatus.OWED, PlanStatus.RETURNED))
        .order_by("due_on")
    )
    if not plans:
        return None
    return {"plans": plans}
