from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopsConfig(AppConfig):
    """Workshops, teams and mentoring pairs: members, activities and briefings."""

    name = "workshops"
    verbose_name = _("Workshops")

    def ready(self) -> None:
        from bureaus.models import AUDIT_ACTION_LABELS

        AUDIT_ACTION_LABELS.update(
            {
                "briefing.file": _("Briefing filed"),
                "deadline.extend": _("Deadline extended"),
                "activity.record": _("Activity recorded"),
            }
        )
