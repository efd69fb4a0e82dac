from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    """Cohorts: teachers enrolled in a programme, their tier, status and evidence."""

    name = "cohorts"
    verbose_name = _("Cohorts")

    def ready(self) -> None:
        from bureaus.files import delete_files_with_rows
        from bureaus.models import AUDIT_ACTION_LABELS, AUDIT_DESCRIBERS

        from .models import EvidenceFile

        delete_files_with_rows(EvidenceFile)

        AUDIT_ACTION_LABELS.update(
            {
                "evidence.submit": _("Evidence submitted"),
                "evidence.school_approved": _("Evidence approved by the school"),
                "evidence.verified": _("Evidence verified"),
                "evidence.returned": _("Evidence returned"),
                "enrolment.status": _("Enrolment status changed"),
                "roster.import": _("Roster imported"),
                "roster.queue": _("Roster queued for import"),
                "pool.appoint": _("Appointed from the reserve pool"),
                "output.select": _("Selected for publication"),
                "output.unselect": _("No longer selected for publication"),
            }
        )
        AUDIT_DESCRIBERS["evidence"] = lambda entry: entry.data.get("comment", "")
        AUDIT_DESCRIBERS["enrolment"] = lambda entry: (
            f"{entry.data.get('before', '')} → {entry.data.get('after', '')} "
            f"{entry.data.get('reason', '')}"
        ).strip()
