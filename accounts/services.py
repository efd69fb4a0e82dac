"""Writes about people: granting and revoking roles, notifying a person."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from bureaus import outbox
from bureaus.models import School, SchoolUserObjectPermission
from bureaus.services import audit_record
from bureaus.tenancy import all_bureaus

from .models import Notification, User
from .roles import ADMIN_ROLES, SCHOOL_ROLES, Role, group_name, roles_of


def _check_actor(actor: User | None, user: User) -> None:
    if actor is None:  # the portal itself: demo data, imports
        return
    if actor.is_superuser and actor.bureau_id is None:
        return
    if actor.bureau_id != user.bureau_id or Role.BUREAU_STAFF not in roles_of(actor):
        raise PermissionDenied(_("Only the bureau's programme administrators can change roles."))


def _school_of_role(user: User, role: str, school: School | None) -> School | None:
    if role not in SCHOOL_ROLES:
        if school is not None:
            raise ValidationError(_("This role is not tied to a school."))
        return None
    if school is None:
        raise ValidationError(_("Choose the school this administrator is responsible for."))
    if school.bureau_id != user.bureau_id:
        raise ValidationError(_("The school belongs to another bureau."))
    return school


def _sync_is_staff(user: User) -> None:
    wants_admin = user.is_superuser or bool(roles_of(user) & ADMIN_ROLES)
    if user.is_staff != wants_admin:
        user.is_staff = wants_admin
        user.save(update_fields=["is_staff"])


def administered_school_id(user: User) -> int | None:
    """The school a school administrator is responsible for, if any."""
    return (
        SchoolUserObjectPermission.objects.filter(
            user=user, permission__codename="administer_school"
        )
        .values_list("content_object_id", flat=True)
        .first()
    )


@transaction.atomic
def role_grant(*, actor: User | None, user: User, role: str, school: School | None = None) -> bool:
    """Give ``user`` a role (a school administrator: for one school). True if anything changed."""
    role = Role(role)
    if user.bureau_id is None:
        raise ValidationError(_("Platform administrators hold no bureau roles."))
    _check_actor(actor, user)
    school = _school_of_role(user, role, school)
    changed = False
    if role not in roles_of(user):
        user.groups.add(Group.objects.get(name=group_name(role)))
        user._role_names = roles_of(user) | {role}
        changed = True
    if school is not None:
        perm = SCHOOL_ROLES[role]
        current = administered_school_id(user)
        if current != school.pk:
            if current is not None:
                remove_perm(perm, user, School.objects.get(pk=current))
            assign_perm(perm, user, school)
            changed = True
    if not changed:
        return False
    _sync_is_staff(user)
    entry = audit_record(
        bureau=user.bureau_id,
        actor=actor,
        action="role.grant",
        target=user,
        role=role.value,
        school=school.name if school else None,
        school_id=school.pk if school else None,
    )
    with translation.override(settings.LANGUAGE_CODE):
        label = str(role.label)
        where = _("%(school)s: ") % {"school": school.name} if school else ""
        values = {"name": user.get_full_name(), "where": where, "role": label}
        if actor is not None:
            values["actor"] = actor.get_full_name()
            body = _(
                "%(name)s, %(actor)s has given you the role %(where)s%(role)s in the portal. "
                "Sign in to see what it lets you do."
            )
        else:
            body = _(
                "%(name)s, you have been given the role %(where)s%(role)s in the portal. "
                "Sign in to see what it lets you do."
            )
        notification_create(
            recipient=user,
            key=f"role-grant:{entry.pk}",
            subject=_("You now hold the role %(where)s%(role)s") % values,
            body=body % values,
            link="/",
        )
    return True


@transaction.atomic
def roles_grant_bulk(
    *, actor: User | None, bureau_id: int, users: Sequence[User], role: str
) -> int:
    """Give many users of one bureau a role not tied to a school (the new teachers of a roster
    import), as ``role_grant`` does, in a few queries: the group memberships are written in bulk,
    with one audit row naming every user granted; users who hold the role already are skipped.
    No notice is sent (the users of an import sign in first through the password reset). Returns
    how many users were granted the role."""
    role = Role(role)
    if role in SCHOOL_ROLES:
        raise ValueError("a role tied to a school is given one user at a time (role_grant)")
    if any(user.bureau_id != bureau_id for user in users):
        raise ValueError("every user must belong to the bureau")
    if not users:
        return 0
    _check_actor(actor, users[0])
    group_id = Group.objects.get(name=group_name(role)).pk
    through = User.groups.through
    holding = set(
        through.objects.filter(group_id=group_id, user__bureau_id=bureau_id).values_list(
            "user_id", flat=True
        )
    )
    granted = list({user.pk: user for user in users if user.pk not in holding}.values())
    through.objects.bulk_create(
        [through(user_id=user.pk, group_id=group_id) for user in granted], batch_size=1000
    )
    for user in granted:
        user.__dict__.pop("_role_names", None)
    if role in ADMIN_ROLES:
        User.objects.all_bureaus().filter(pk__in=[u.pk for u in granted], is_staff=False).update(
            is_staff=True
        )
    if granted:
        # One row for the whole grant, naming every user: a row per user would cost an import of
        # thousands more queries than the import itself on SQLite.
        audit_record(
            bureau=bureau_id,
            actor=actor,
            action="role.grant",
            role=role.value,
            users=[user.pk for user in granted],
            count=len(granted),
        )
    return len(granted)


@transaction.atomic
def role_revoke(*, actor: User | None, user: User, role: str) -> bool:
    """Take a role away from ``user`` (with its object permissions). True if anything changed."""
    role = Role(role)
    _check_actor(actor, user)
    if role not in roles_of(user):
        return False
    user.groups.remove(Group.objects.get(name=group_name(role)))
    user._role_names = roles_of(user) - {role}
    school_name = None
    if role in SCHOOL_ROLES:
        current = administered_school_id(user)
        if current is not None:
            school = School.objects.get(pk=current)
            school_name = school.name
            remove_perm(SCHOOL_ROLES[role], user, school)
    _sync_is_staff(user)
    audit_record(
        bureau=user.bureau_id,
        actor=actor,
        action="role.revoke",
        target=user,
        role=role.value,
        school=school_name,
    )
    return True


def roles_set(
    *, actor: User | None, user: User, roles: Iterable[str], school: School | None = None
) -> bool:
    """Make ``user`` hold exactly ``roles``; grants and revocations are each audited."""
    wanted = {Role(r) for r in roles}
    changed = False
    with transaction.atomic():
        for role in sorted(roles_of(user) - wanted):
            changed |= role_revoke(actor=actor, user=user, role=role)
        for role in sorted(wanted):
            changed |= role_grant(
                actor=actor, user=user, role=role, school=school if role in SCHOOL_ROLES else None
            )
    return changed


def notification_create(
    *, recipient: User, key: str, subject: str, body: str, link: str = ""
) -> Notification | None:
    """Make a notification once per (recipient, key); e-mail it after the commit (outbox).

    Returns None when the same notice already exists.
    """
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                bureau_id=recipient.bureau_id,
                recipient=recipient,
                key=key,
                subject=subject,
                body=body,
                link=link,
            )
    except IntegrityError:
        return None
    from .tasks import deliver_notification_email

    outbox.enqueue(
        deliver_notification_email,
        notification.pk,
        notification.bureau_id,
        bureau=notification.bureau_id,
    )
    return notification


def notifications_create_bulk(rows: Iterable[Notification]) -> int:
    """Make many notifications at once (a reminder scan makes thousands), each at most once per
    (recipient, key) like ``notification_create``; returns how many this call made.

    ``rows`` are unsaved notifications with their bureau, recipient, key and text. Each is claimed
    by inserting it: one the same or another call already made is skipped by the database. The
    e-mails go out after the commit in one outbox job per bureau for the notifications claimed
    here.
    """
    from .tasks import deliver_notification_batch

    batch = uuid.uuid4()
    rows = list(rows)
    for row in rows:
        row.batch = batch
    with transaction.atomic(), all_bureaus():  # the rows may belong to several bureaus
        Notification.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        claimed = Counter(
            Notification.objects.filter(batch=batch).values_list("bureau_id", flat=True)
        )
        for bureau_id in claimed:
            outbox.enqueue(deliver_notification_batch, str(batch), bureau_id, bureau=bureau_id)
    return sum(claimed.values())


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    from django.utils import timezone

    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
