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
    # Where the item stands in the bar: lower first. Apps pick a number between their neighbours'.
    order: int = 500


# The bar, assembled from what each app registers from its AppConfig.ready() (register_nav).
NAV_ITEMS: list[NavItem] = []


def register_nav(*items: NavItem) -> None:
    """Add items to the navigation bar (again: no change), kept in their ``order``."""
    for item in items:
        if item not in NAV_ITEMS:
            NAV_ITEMS.append(item)
    NAV_ITEMS.sort(key=lambda item: item.order)


register_nav(
    NavItem(_("Home"), "dashboard", order=0),
    NavItem(
        _("Schools"),
        "bureaus:school_list",
        frozenset({Role.BUREAU_STAFF, Role.LEADERSHIP}),
        order=200,
    ),
    NavItem(_("My school"), "bureaus:my_school", frozenset({Role.SCHOOL_ADMIN}), order=210),
    NavItem(_("My profile"), "profile", order=900),
    NavItem(_("Administration"), "admin:index", admin_only=True, order=1000),
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
