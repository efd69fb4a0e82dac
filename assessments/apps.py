from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    """Annual and end-of-term assessment of participants and their consequences."""

    name = "assessments"
    verbose_name = _("Assessments")
