from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BureausConfig(AppConfig):
    """The tenant (the bureau), its learning districts and schools, and the audit log."""

    name = "bureaus"
    verbose_name = _("Bureaus and schools")

    def ready(self) -> None:
        from .files import delete_files_with_rows
        from .models import StoredExport

        delete_files_with_rows(StoredExport)
