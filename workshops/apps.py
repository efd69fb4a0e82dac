from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopsConfig(AppConfig):
    """Workshops, teams and mentoring pairs: members, activities and briefings."""

    name = "workshops"
    verbose_name = _("Workshops")

    def ready(self) -> None:
        from accounts.dashboard import DASHBOARD_PANELS, Panel
        from bureaus.files import delete_files_with_rows
        from bureaus.models import AUDIT_ACTION_LABELS, AUDIT_DESCRIBERS

        from .models import ActivityFile, BriefingFile, TeamDocument
        from .selectors import dashboard_panel

        for model in (ActivityFile, BriefingFile, TeamDocument):
            delete_files_with_rows(model)

        panel = Panel("workshops/dashboard_panel.html", dashboard_panel)
        if panel not in DASHBOARD_PANELS:
            DASHBOARD_PANELS.append(panel)

        AUDIT_ACTION_LABELS.update(
            {
                "briefing.file": _("Briefing filed"),
                "deadline.extend": _("Deadline extended"),
                "activity.record": _("Activity recorded"),
                "group.presets": _("Obligations of its form added"),
                "membership.add": _("Member added"),
                "membership.update": _("Task division changed"),
                "membership.remove": _("Member removed"),
                "document.upload": _("Document filed"),
                "document.review": _("Document reviewed"),
                "course.record": _("Course recorded"),
            }
        )
        AUDIT_DESCRIBERS["membership"] = lambda entry: " ".join(
            str(v) for v in (entry.data.get("teacher"), entry.data.get("after")) if v
        )
        AUDIT_DESCRIBERS["document"] = lambda entry: entry.data.get("title", "")
        AUDIT_DESCRIBERS["course"] = lambda entry: entry.data.get("title", "")
        AUDIT_DESCRIBERS["activity"] = lambda entry: entry.data.get("topic", "")
        AUDIT_DESCRIBERS["deadline"] = lambda entry: entry.data.get("reason", "")
