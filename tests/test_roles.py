"""Roles: groups plus django-guardian object permissions, granted in services, audit-logged."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from guardian.shortcuts import get_objects_for_user

from accounts.models import Notification
from accounts.roles import Role, roles_of
from accounts.services import administered_school_id, role_grant, role_revoke, roles_set
from bureaus.models import AuditEntry, School
from bureaus.tenancy import bureau_scope


def test_staff_grant_a_role_with_an_audit_row(xuhui):
    with bureau_scope(xuhui.bureau):
        assert role_grant(actor=xuhui.staff, user=xuhui.teacher, role=Role.MENTOR)
        assert Role.MENTOR in roles_of(xuhui.teacher)
        entry = AuditEntry.objects.filter(action="role.grant", target_id=str(xuhui.teacher.pk))
        entry = entry.latest("created_at")
        assert entry.actor == xuhui.staff and entry.data["role"] == "mentor"
        assert entry.bureau_id == xuhui.bureau.pk
        # Granting again changes nothing and writes nothing.
        before = AuditEntry.objects.count()
        assert not role_grant(actor=xuhui.staff, user=xuhui.teacher, role=Role.MENTOR)
        assert AuditEntry.objects.count() == before


def test_school_admin_holds_an_object_permission_on_one_school(xuhui):
    with bureau_scope(xuhui.bureau):
        user = xuhui.school_admin
        assert user.has_perm("bureaus.administer_school", xuhui.school)
        assert not user.has_perm("bureaus.administer_school", xuhui.other_school)
        schools = get_objects_for_user(user, "bureaus.administer_school", School.objects.all())
        assert list(schools) == [xuhui.school]
        # Moving them to another school moves the permission, audited.
        role_grant(actor=xuhui.staff, user=user, role=Role.SCHOOL_ADMIN, school=xuhui.other_school)
        assert administered_school_id(user) == xuhui.other_school.pk
        user = type(user).objects.get(pk=user.pk)  # fresh permission cache
        assert not user.has_perm("bureaus.administer_school", xuhui.school)
        assert user.has_perm("bureaus.administer_school", xuhui.other_school)


def test_revoking_a_school_role_removes_the_permission(xuhui):
    with bureau_scope(xuhui.bureau):
        assert role_revoke(actor=xuhui.staff, user=xuhui.school_admin, role=Role.SCHOOL_ADMIN)
        assert administered_school_id(xuhui.school_admin) is None
        assert AuditEntry.objects.filter(
            action="role.revoke", data__school=xuhui.school.name
        ).exists()


def test_a_school_role_needs_a_school_of_the_same_bureau(xuhui, putuo):
    with bureau_scope(xuhui.bureau):
        with pytest.raises(ValidationError):
            role_grant(actor=xuhui.staff, user=xuhui.teacher, role=Role.SCHOOL_ADMIN)
        with pytest.raises(ValidationError):
            role_grant(
                actor=xuhui.staff, user=xuhui.teacher, role=Role.SCHOOL_ADMIN, school=putuo.school
            )


def test_only_the_same_bureaus_staff_may_grant(xuhui, putuo):
    with bureau_scope(xuhui.bureau):
        with pytest.raises(PermissionDenied):
            role_grant(actor=xuhui.teacher, user=xuhui.lead, role=Role.MENTOR)
        with pytest.raises(PermissionDenied):
            role_grant(actor=putuo.staff, user=xuhui.teacher, role=Role.MENTOR)


def test_admin_roles_make_a_user_staff_and_revoking_undoes_it(xuhui):
    with bureau_scope(xuhui.bureau):
        assert not xuhui.teacher.is_staff
        role_grant(actor=xuhui.staff, user=xuhui.teacher, role=Role.LEADERSHIP)
        xuhui.teacher.refresh_from_db()
        assert xuhui.teacher.is_staff
        roles_set(actor=xuhui.staff, user=xuhui.teacher, roles=[Role.TEACHER])
        xuhui.teacher.refresh_from_db()
        assert not xuhui.teacher.is_staff


def test_a_grant_notifies_the_person_once(xuhui, django_capture_on_commit_callbacks):
    from accounts.tasks import deliver_notification_email

    with bureau_scope(xuhui.bureau):
        with django_capture_on_commit_callbacks() as callbacks:
            role_grant(actor=xuhui.staff, user=xuhui.teacher, role=Role.MENTOR)
        assert len(callbacks) == 1  # the e-mail is enqueued after the commit, not before
        notice = Notification.objects.filter(recipient=xuhui.teacher).latest("created_at")
        assert "导师" in notice.subject and notice.emailed_at is None
    assert deliver_notification_email(notice.pk, xuhui.bureau.pk) == "sent"
    assert deliver_notification_email(notice.pk, xuhui.bureau.pk) == "already sent or gone"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["xh_teacher@example.edu.cn"]
    with bureau_scope(xuhui.bureau):
        notice.refresh_from_db()
        assert notice.emailed_at is not None


def test_a_role_granted_in_bulk_writes_an_audit_row_per_user_and_skips_holders(xuhui, putuo):
    from accounts.services import roles_grant_bulk

    with bureau_scope(xuhui.bureau):
        users = [xuhui.mentor, xuhui.teacher]
        granted = roles_grant_bulk(
            actor=xuhui.staff, bureau_id=xuhui.bureau.pk, users=users, role=Role.LEADERSHIP
        )
        assert granted == 2
        assert all(Role.LEADERSHIP in roles_of(user) for user in users)
        again = roles_grant_bulk(
            actor=xuhui.staff, bureau_id=xuhui.bureau.pk, users=users, role=Role.LEADERSHIP
        )
        assert again == 0
        entry = AuditEntry.objects.filter(action="role.grant").latest("created_at")
        assert entry.actor == xuhui.staff and entry.data["role"] == Role.LEADERSHIP.value
        assert sorted(entry.data["users"]) == sorted(user.pk for user in users)
        with pytest.raises(PermissionDenied):
            roles_grant_bulk(
                actor=putuo.staff, bureau_id=xuhui.bureau.pk, users=users, role=Role.TEACHER
            )
