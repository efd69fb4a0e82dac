"""The navigation bar: what each role reaches from every page."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .roles import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str] | None = None  # None: everybody signed in to a bureau
    admin_only: bool = False


NAV_ITEMS = (
    NavItem(_("Home"), "dashboard"),
    NavItem(_("Programmes"), "programmes:programme_list"),
    NavItem(_("Schools"), "bureaus:school_list", frozenset({Role.BUREAU_STAFF, Role.LEADERSHIP})),
    NavItem(_("My school"), "bureaus:my_school", frozenset({Role.SCHOOL_ADMIN})),
    NavItem(_("My progress"), "cohorts:my_progress", frozenset({Role.TEACHER})),
    NavItem(_("My evidence"), "cohorts:evidence_list", frozenset({Role.TEACHER})),
    NavItem(_("Groups"), "workshops:team_list"),
    NavItem(
        _("Review evidence"),
        "cohorts:review_queue",
        frozenset({Role.BUREAU_STAFF, Role.SCHOOL_ADMIN}),
    ),
    NavItem(_("My profile"), "profile"),
    NavItem(_("Administration"), "admin:index", admin_only=True),
)


def navigation_for(user, current_path: str) -> list[dict]:
    roles = user.role_names
    items = []
    for item in NAV_ITEMS:
        if item.admin_only:
            if not user.is_staff:
                continue
        elif item.roles is not None and not (roles & item.roles):
            continue
        elif user.bureau_id is None:
            continue
        items.append({"label": item.label, "url": reverse(item.url_name), "active": False})
    # The longest matching link is the current one (/evidence/review/ over /evidence/).
    matching = [i for i in items if i["url"] != "/" and current_path.startswith(i["url"])]
    matching += [i for i in items if i["url"] == "/" and current_path == "/"]
    if matching:
        max(matching, key=lambda i: len(i["url"]))["active"] = True
    return items
