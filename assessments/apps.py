from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    """Annual and end-of-term assessment of participants and their consequences."""

    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        from accounts.roles import ALL_ACTIONS, Role, register_role_permissions
        from bureaus.files import delete_files_with_rows
        from bureaus.models import AUDIT_ACTION_LABELS, AUDIT_DESCRIBERS
        from programmes.sections import register_copy_section

        from .admin import plug_assessment_schemes_into_programme_admin
        from .models import ComponentFile, Result
        from .services import schemes_copy
        from .views.sheets import register_stored_exports

        delete_files_with_rows(ComponentFile)
        models = (
            "assessmentscheme",
            "assessmentcomponent",
            "assessment",
            "componentassessment",
            "componentfile",
            "assessmentdecision",
            "unitassessment",
        )
        register_role_permissions(
            {
                Role.BUREAU_STAFF: {
                    "assessments.assessmentscheme": ALL_ACTIONS,
                    "assessments.assessmentcomponent": ALL_ACTIONS,
                    # Records are filed and decided through the services: read here, and a
                    # draft decision revised and finalised.
                    "assessments.assessment": ("view",),
                    "assessments.componentassessment": ("view",),
                    "assessments.componentfile": ("view",),
                    "assessments.assessmentdecision": ("change", "view"),
                    "assessments.unitassessment": ("add", "change", "view"),
                },
                Role.LEADERSHIP: {f"assessments.{m}": ("view",) for m in models},
            }
        )
        AUDIT_ACTION_LABELS.update(
            {
                "assessment.component_file": _("Part of an assessment filed"),
                "assessment.decide": _("Assessment decided"),
                "assessment.finalise": _("Assessment finalised"),
                "assessment.correct": _("Assessment corrected"),
                "assessment.unit_decide": _("Unit assessed"),
                "assessment.import": _("Assessment results imported from a sheet"),
            }
        )

        def describe(entry) -> str:
            result = entry.data.get("result")
            shown = Result(result).label if result in Result.values else result
            parts = (entry.data.get("component"), entry.data.get("unit"), shown)
            return " ".join(str(v) for v in parts if v)

        AUDIT_DESCRIBERS["assessment"] = describe
        plug_assessment_schemes_into_programme_admin()
        register_stored_exports()
        register_copy_section("assessment_schemes", copy=schemes_copy)
