from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    """Programmes: cycle, school years, tiers and the task requirements of each tier."""

    name = "programmes"
    verbose_name = _("Programmes")
