from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    """Programmes: cycle, school years, tiers and the task requirements of each tier."""

    name = "programmes"
    verbose_name = _("Programmes")

    def ready(self) -> None:
        from . import invalidation

        invalidation.connect()
        from accounts.navigation import NavItem, register_nav
        from accounts.roles import ALL_ACTIONS, Role, register_role_permissions
        from bureaus.models import AUDIT_ACTION_LABELS, AUDIT_DESCRIBERS

        models = ("programme", "phase", "milestone", "tier", "evidencekind", "requirement")
        models += ("criterion",)
        register_role_permissions(
            {
                Role.BUREAU_STAFF: {f"programmes.{m}": ALL_ACTIONS for m in models},
                Role.LEADERSHIP: {f"programmes.{m}": ("view",) for m in models},
            }
        )
        register_nav(NavItem(_("Programmes"), "programmes:programme_list", order=100))

        AUDIT_ACTION_LABELS["programme.copy"] = _("Programme copied")
        AUDIT_DESCRIBERS["programme"] = lambda entry: entry.data.get("source", "")
