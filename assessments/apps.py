from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    """Annual and end-of-term assessment of participants and their consequences."""

    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        from accounts.navigation import NavItem, register_nav
        from accounts.roles import ALL_ACTIONS, Role, register_role_permissions
        from bureaus.files import delete_files_with_rows
        from bureaus.models import AUDIT_ACTION_LABELS, AUDIT_DESCRIBERS
        from programmes.sections import register_copy_section
        from workshops.services import register_reminder_source

        from .admin import plug_assessment_schemes_into_programme_admin
        from .models import ComponentFile, Result, TeamAssessmentFile
        from .services import schemes_copy, self_assessment_reminders

        delete_files_with_rows(ComponentFile)
        delete_files_with_rows(TeamAssessmentFile)
        models = (
            "assessmentscheme",
            "assessmentcomponent",
            "assessment",
            "componentassessment",
            "componentfile",
            "assessmentdecision",
            "unitassessment",
            "teamassessment",
            "teamassessmentfile",
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
                    # Filed by the group's lead on the portal's pages (XH-WS-LEAD).
                    "assessments.teamassessment": ("view",),
                    "assessments.teamassessmentfile": ("view",),
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
                "assessment.team_file": _("Group assessed"),
            }
        )

        def describe(entry) -> str:
            result = entry.data.get("result")
            shown = Result(result).label if result in Result.values else result
            parts = (
                entry.data.get("component"),
                entry.data.get("unit"),
                entry.data.get("group"),
                shown,
            )
            return " ".join(str(v) for v in parts if v)

        AUDIT_DESCRIBERS["assessment"] = describe
        plug_assessment_schemes_into_programme_admin()
        register_nav(
            NavItem(
                _("My assessments"),
                "assessments:my_assessments",
                frozenset({Role.TEACHER}),
                order=320,
            ),
            NavItem(
                _("Assess my group"),
                "assessments:team_list",
                frozenset({Role.WORKSHOP_LEAD, Role.MENTOR}),
                order=410,
            ),
            NavItem(
                _("My school's assessments"),
                "assessments:school",
                frozenset({Role.SCHOOL_ADMIN}),
                order=220,
            ),
        )
        register_reminder_source(self_assessment_reminders)
        register_board_pages()
        register_copy_section("assessment_schemes", copy=schemes_copy)


def register_board_pages() -> None:
    """The staff's assessment board and the results in the navigation bar."""
    from accounts.navigation import NavItem, register_nav
    from accounts.roles import Role
    from programmes.sections import ProgrammeLink, register_programme_link

    register_nav(
        NavItem(
            _("Assessment board"),
            "assessments:board_index",
            frozenset({Role.BUREAU_STAFF}),
            order=450,
        ),
        NavItem(
            _("Assessment results"),
            "assessments:results_index",
            frozenset({Role.BUREAU_STAFF, Role.LEADERSHIP}),
            order=460,
        ),
    )
    register_programme_link(
        ProgrammeLink(
            _("Assessment board"),
            "assessments:board_index",
            visible=lambda user: user.has_role(Role.BUREAU_STAFF),
            with_pk=False,
            order=530,
        ),
        ProgrammeLink(
            _("Assessment results"),
            "assessments:results_index",
            visible=lambda user: user.has_role(Role.BUREAU_STAFF, Role.LEADERSHIP),
            with_pk=False,
            order=540,
        ),
    )
