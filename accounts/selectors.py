from __future__ import annotations

from django.contrib.auth.models import Group
from django.db.models import Count, Q, QuerySet

from bureaus.models import AuditEntry, LearningDistrict, School

from .models import Notification, TeacherProfile, User
from .roles import GROUP_PREFIX, Role


def bureau_overview() -> dict:
    """Counts for the bureau in scope: schools, districts, teachers, people per role."""
    per_role = dict(
        Group.objects.filter(name__startswith=GROUP_PREFIX)
        .annotate(n=Count("user", filter=Q(user__in=User.objects.filter(is_active=True))))
        .values_list("name", "n")
    )
    return {
        "schools": School.objects.count(),
        "districts": LearningDistrict.objects.count(),
        "teachers": TeacherProfile.objects.count(),
        "roles": [
            {"label": role.label, "count": per_role.get(f"{GROUP_PREFIX}{role.value}", 0)}
            for role in Role
        ],
    }


def recent_audit(limit: int = 10):
    return AuditEntry.objects.select_related("actor")[:limit]


def notifications_for(user, limit: int = 50):
    return Notification.objects.filter(recipient=user)[:limit]


def profile_of(user) -> TeacherProfile | None:
    return (
        TeacherProfile.objects.filter(user=user).select_related("school__learning_district").first()
    )


def failed_jobs_panel(request) -> dict | None:
    """For bureau staff: background jobs of the bureau that failed and need a look."""
    from bureaus.models import OutboxJob, OutboxStatus

    user = request.user
    if not user.is_authenticated or not user.has_role(Role.BUREAU_STAFF):
        return None
    failed = OutboxJob.objects.filter(status=OutboxStatus.FAILED).count()
    if not failed:
        return None
    return {"failed_jobs": failed}


def school_list_rows(schools: QuerySet[School]) -> QuerySet[School]:
    return schools.annotate(teacher_count=Count("teacher_profiles")).order_by(
        "learning_district__name", "name"
    )


def teachers_of_school(school: School) -> QuerySet[TeacherProfile]:
    return (
        TeacherProfile.objects.filter(school=school)
        .select_related("user")
        .order_by("user__full_name")
    )
