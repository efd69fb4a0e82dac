"""Activity records with attendance, and XC-ATTEND for the credits app."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bureaus.tenancy import bureau_scope
from tests.programmes.test_admin import inline_management
from workshops.models import AttendanceRecord, Membership
from workshops.selectors import attendance_by_member
from workshops.services import activity_record

from .test_group_rules import keep_group_rules


def record(cast, day, hours, present):
    return activity_record(
        actor=cast.lead,
        team=cast.extras["team"],
        present_member_ids=present,
        data={"date": day, "kind": "课堂观摩", "topic": f"观摩{day}", "hours": hours},
    )


def test_XC_ATTEND_a_member_absent_from_over_a_quarter_of_the_hours_earns_no_credit(xuhui):
    keep_group_rules(xuhui, keeps_attendance=True)
    with bureau_scope(xuhui.bureau):
        member = xuhui.extras["membership"]
        other = Membership.objects.create(
            bureau=xuhui.bureau, team=xuhui.extras["team"], teacher=xuhui.mentor.teacher_profile
        )
        # 2023学年: the cast's 3-hour activity (member present), plus these.
        record(xuhui, dt.date(2023, 11, 2), 3, [member.pk, other.pk])
        record(xuhui, dt.date(2024, 3, 14), 2, [member.pk])
        record(xuhui, dt.date(2024, 9, 20), 4, [other.pk])  # 2024学年: not counted below
        found = attendance_by_member(xuhui.extras["team"], 2023)
        assert found[member.pk].total_hours == Decimal(8) and found[member.pk].earns_credit
        # The other member joined after the cast's activity: of their 5 hours (3 present,
        # 2 absent) they missed 2, more than a quarter.
        assert found[other.pk].total_hours == Decimal(5)
        assert found[other.pk].absent_hours == Decimal(2)
        assert not found[other.pk].earns_credit
        assert attendance_by_member(xuhui.extras["team"], 2024)[member.pk].ratio == 0


def test_every_member_gets_an_attendance_row_and_only_members_count(xuhui):
    with bureau_scope(xuhui.bureau):
        activity = xuhui.extras["activity"]
        assert AttendanceRecord.objects.filter(activity=activity, present=True).count() == 1
        with pytest.raises(ValidationError):
            record(xuhui, dt.date(2023, 12, 1), 2, [999999])
        with pytest.raises(PermissionDenied):
            activity_record(
                actor=xuhui.teacher,
                team=xuhui.extras["team"],
                present_member_ids=[],
                data={"date": dt.date(2023, 12, 1), "kind": "x", "topic": "x", "hours": 1},
            )


def test_staff_record_an_activity_in_the_admin_and_every_member_is_listed(xuhui):
    client = xuhui.client("staff")
    page = client.get("/admin/workshops/activityrecord/add/")
    assert page.status_code == 200
    data = inline_management(page, {})
    data.update(
        {
            "team": xuhui.extras["team"].pk,
            "date": "2024-04-01",
            "kind": "学科培训",
            "topic": "大单元教学培训",
            "hours": "2",
            "place": "教育学院",
            "notes": "",
        }
    )
    response = client.post("/admin/workshops/activityrecord/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    with bureau_scope(xuhui.bureau):
        rows = AttendanceRecord.objects.filter(activity__topic="大单元教学培训")
        assert rows.count() == 1 and rows.get().present


def test_an_activity_saved_in_the_admin_lists_every_member_once(xuhui):
    from bureaus.models import AuditEntry
    from workshops.services import activity_attendance_complete

    with bureau_scope(xuhui.bureau):
        activity = xuhui.extras["activity"]
        other = Membership.objects.create(
            bureau=xuhui.bureau, team=xuhui.extras["team"], teacher=xuhui.mentor.teacher_profile
        )
        assert activity_attendance_complete(actor=xuhui.staff, activity=activity) == 1
        assert AttendanceRecord.objects.filter(activity=activity, membership=other).exists()
        assert activity_attendance_complete(actor=xuhui.staff, activity=activity) == 0
        assert AuditEntry.objects.filter(action="activity.attendance_complete").count() == 1
