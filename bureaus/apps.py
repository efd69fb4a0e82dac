from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BureausConfig(AppConfig):
    """The tenant (the bureau), its learning districts and schools, and the audit log."""

    name = "bureaus"
    verbose_name = _("Bureaus and schools")
