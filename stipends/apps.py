from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StipendsConfig(AppConfig):
    """Stipends and bonuses: allocation to schools by the programme's money rules."""

    name = "stipends"
    verbose_name = _("Stipends")
