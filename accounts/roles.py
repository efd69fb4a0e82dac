"""The roles a person can hold in a bureau, and what each may do.

A role is a Django group (the same six groups serve every bureau: the bureau boundary comes from
the user, not the group) carrying model permissions, plus django-guardian object permissions where
a role is tied to one object: a school administrator to their school. Grants and revocations go
through ``accounts.services``; nothing here writes a user's roles.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BUREAU_STAFF = "bureau_staff", _("Programme administrator (bureau staff)")
    LEADERSHIP = "leadership", _("Leadership")
    SCHOOL_ADMIN = "school_admin", _("School training administrator")
    WORKSHOP_LEAD = "workshop_lead", _("Workshop lead")
    MENTOR = "mentor", _("Mentor")
    TEACHER = "teacher", _("Teacher")


GROUP_PREFIX = "role:"

# Roles that work in the Django admin (they configure or read the bureau's data there).
ADMIN_ROLES = frozenset({Role.BUREAU_STAFF, Role.LEADERSHIP})

# Roles tied to one school, given as an object permission on that school.
SCHOOL_ROLES = {Role.SCHOOL_ADMIN: "bureaus.administer_school"}

ALL_ACTIONS = ("add", "change", "delete", "view")
_ALL = ALL_ACTIONS

# Model permissions per role, as app_label.model -> actions: the whole matrix, assembled from
# what each app registers from its AppConfig.ready() (register_role_permissions). accounts lists
# only its own models and those of bureaus below it; ``manage.py role_permissions`` prints it.
ROLE_MODEL_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {role: {} for role in Role}


def register_role_permissions(permissions: dict[str, dict[str, tuple[str, ...]]]) -> None:
    """Add an app's model permissions per role (``{role: {"app.model": actions}}``).

    Registering the same entry again changes nothing; a different one for a model already
    registered is an error, so two apps cannot quietly disagree about one model.
    """
    for role, models_actions in permissions.items():
        granted = ROLE_MODEL_PERMISSIONS[Role(role)]
        for label, actions in models_actions.items():
            actions = tuple(actions)
            if granted.get(label, actions) != actions:
                raise ValueError(f"Role {role}: {label} is registered already with other actions")
            granted[label] = actions


register_role_permissions(
    {
        Role.BUREAU_STAFF: {
            "bureaus.learningdistrict": _ALL,
            "bureaus.school": _ALL,
            "bureaus.levelname": _ALL,
            "bureaus.auditentry": ("view",),
            # "change" lets staff run a failed job again (an admin action); nothing else is
            # editable.
            "bureaus.outboxjob": ("change", "view"),
            "accounts.user": _ALL,
            "accounts.teacherprofile": _ALL,
        },
        Role.LEADERSHIP: {
            "bureaus.learningdistrict": ("view",),
            "bureaus.school": ("view",),
            "bureaus.levelname": ("view",),
            "bureaus.auditentry": ("view",),
            "accounts.user": ("view",),
            "accounts.teacherprofile": ("view",),
        },
    }
)


def role_permission_table() -> dict[str, list[tuple[str, dict[str, tuple[str, ...]]]]]:
    """The matrix per app, in INSTALLED_APPS order: app -> [(model label, {role: actions})]."""
    rows: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {}
    for role, models_actions in ROLE_MODEL_PERMISSIONS.items():
        for label, actions in models_actions.items():
            rows.setdefault(label, {})[role] = actions
    order = [config.label for config in global_apps.get_app_configs()]
    table: dict[str, list[tuple[str, dict[str, tuple[str, ...]]]]] = {}
    for label in sorted(rows, key=lambda lbl: (order.index(lbl.split(".")[0]), lbl)):
        table.setdefault(label.split(".")[0], []).append((label, rows[label]))
    return table


def describe_role_audit(entry) -> str:
    """The role (and school) of a role.grant / role.revoke audit entry, in the reader's language."""
    code = entry.data.get("role", "")
    label = str(Role(code).label) if code in Role.values else code
    school = entry.data.get("school")
    return f"{label}（{school}）" if school else label


def group_name(role: str) -> str:
    return f"{GROUP_PREFIX}{role}"


def roles_of(user) -> frozenset[str]:
    """The roles a user holds; one query per user instance, then cached on it."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        names = user.groups.filter(name__startswith=GROUP_PREFIX).values_list("name", flat=True)
        cached = frozenset(name[len(GROUP_PREFIX) :] for name in names)
        user._role_names = cached
    return cached


def sync_role_groups(*, apps=global_apps, verbosity=1, **kwargs) -> None:
    """Make the role groups and their permissions match ROLE_MODEL_PERMISSIONS (idempotent).

    Runs after every ``migrate``; permissions of all apps are created first, as this can run
    before the later apps' own post-migrate handlers.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    Group = global_apps.get_model("auth", "Group")
    Permission = global_apps.get_model("auth", "Permission")
    by_key = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type")
    }
    for role, models_actions in ROLE_MODEL_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=group_name(role))
        wanted = []
        for label, actions in models_actions.items():
            app_label, model_name = label.split(".")
            for action in actions:
                perm = by_key.get(f"{app_label}.{action}_{model_name}")
                if perm is None:
                    raise LookupError(f"Role {role}: no permission {action}_{model_name}")
                wanted.append(perm)
        group.permissions.set(wanted)
