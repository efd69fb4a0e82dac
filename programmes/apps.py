from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    """Programmes: cycle, school years, tiers and the task requirements of each tier."""

    name = "programmes"
    verbose_name = _("Programmes")

    def ready(self) -> None:
        from bureaus.models import AUDIT_ACTION_LABELS, AUDIT_DESCRIBERS

        AUDIT_ACTION_LABELS["programme.copy"] = _("Programme copied")
        AUDIT_DESCRIBERS["programme"] = lambda entry: entry.data.get("source", "")
