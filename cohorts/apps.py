from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    """Cohorts: teachers enrolled in a programme, their tier, status and evidence."""

    name = "cohorts"
    verbose_name = _("Cohorts")
