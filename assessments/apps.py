from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    """Annual and end-of-term assessment of participants and their consequences."""

    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        from accounts.dashboard import DASHBOARD_PANELS, Panel
        from accounts.navigation import NavItem, register_nav
        from accounts.roles import ALL_ACTIONS, Role, register_role_permissions
        from accounts.teacher_page import TeacherPanel, register_teacher_panel
        from bureaus.files import delete_files_with_rows
        from bureaus.models import AUDIT_ACTION_LABELS, AUDIT_DESCRIBERS
        from cohorts.checks import register_enrolment_check, register_pool_assessment_source
        from programmes.sections import register_copy_section
        from workshops.reminders import register_reminder_source

        from .admin import plug_assessment_schemes_into_programme_admin
        from .models import ComponentFile, PlanFile, Result, TeamAssessmentFile
        from .selectors import enrolment_check, pool_assessments
        from .services import plan_reminders, schemes_copy, self_assessment_reminders
        from .views.panels import plans_panel, title_panel
        from .views.sheets import register_stored_exports

        delete_files_with_rows(ComponentFile)
        delete_files_with_rows(TeamAssessmentFile)
        delete_files_with_rows(PlanFile)
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
            "consequence",
            "rectificationplan",
            "planfile",
            "ending",
            "initassessment",
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
                    # Written by the services when decisions are finalised or corrected.
                    "assessments.consequence": ("view",),
                    "assessments.rectificationplan": ("view",),
                    "assessments.planfile": ("view",),
                    # Recorded through the services (XH-TERMINATE, SJ-INIT).
                    "assessments.ending": ("add", "view"),
                    "assessments.initassessment": ("add", "view"),
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
                "assessment.init": _("Trainee class teacher assessed"),
                "consequence.add": _("Consequence of an assessment recorded"),
                "consequence.withdraw": _("Consequence of an assessment withdrawn"),
                "rectification.submit": _("Rectification plan handed in"),
                "rectification.accepted": _("Rectification plan accepted"),
                "rectification.returned": _("Rectification plan returned"),
                "enrolment.end": _("Participation ended"),
                "assessment.import": _("Assessment results imported from a sheet"),
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
        register_stored_exports()
        register_copy_section("assessment_schemes", copy=schemes_copy)
        # XH-FAIL-1: rectification plans in the daily reminder scan and their pages.
        register_reminder_source(plan_reminders)
        panel = Panel("assessments/plans_panel.html", plans_panel)
        if panel not in DASHBOARD_PANELS:
            DASHBOARD_PANELS.append(panel)
        register_nav(
            NavItem(
                _("Rectification plans"),
                "assessments:plan_list",
                frozenset({Role.BUREAU_STAFF}),
                order=470,
            )
        )
        # XH-FAIL-END: a barred teacher is flagged when enrolled in a later cohort.
        register_enrolment_check(enrolment_check)
        # SJ-INIT: the reserve pool reads the trainee class teacher's assessment from here.
        register_pool_assessment_source(pool_assessments)
        # SJ-TITLE: the no-paper senior title route on a class teacher's pages.
        register_teacher_panel(TeacherPanel("assessments/title_panel.html", title_panel))


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
