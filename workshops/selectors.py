"""Reads on groups: attendance per member and school year (XC-ATTEND, for the credits app)."""

from __future__ import annotations

from collections import defaultdict

from programmes.rules import school_year_of

from . import rules
from .models import AttendanceRecord, Group


def attendance_by_member(group: Group, school_year: int) -> dict[int, rules.Attendance]:
    """Each member's attendance over the group's activities of one school year, keyed by
    membership id. Members with no activity that year are absent from the result."""
    records = defaultdict(list)
    for membership_id, hours, present, day in AttendanceRecord.objects.filter(
        activity__group=group
    ).values_list("membership_id", "activity__hours", "present", "activity__date"):
        if school_year_of(day) == school_year:
            records[membership_id].append((hours, present))
    return {member: rules.attendance(rows) for member, rows in records.items()}
