from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopsConfig(AppConfig):
    """Workshops, teams and mentoring pairs: members, activities and briefings."""

    name = "workshops"
    verbose_name = _("Workshops")

    def ready(self) -> None:
        from accounts.dashboard import DASHBOARD_PANELS, Panel
        from accounts.navigation import NavItem, register_nav
        from accounts.roles import ALL_ACTIONS, Role, register_role_permissions
        from accounts.school_page import SchoolPanel, register_school_panel
        from bureaus.files import delete_files_with_rows
        from bureaus.models import AUDIT_ACTION_LABELS, AUDIT_DESCRIBERS
        from cohorts.facts import register_fact_source
        from programmes.sections import (
            ProgrammeLink,
            register_copy_section,
            register_programme_link,
        )

        from .admin import (
            plug_group_rules_into_programme_admin,
            plug_unit_duties_into_programme_admin,
        )
        from .models import ActivityFile, BriefingFile, TeamDocument, UnitFilingFile
        from .selectors import dashboard_panel, led_group_facts, training_hours_a_year
        from .services import group_rules_copy, unit_duties_copy
        from .views.units import school_panel

        for model in (ActivityFile, BriefingFile, TeamDocument, UnitFilingFile):
            delete_files_with_rows(model)

        register_role_permissions(
            {
                Role.BUREAU_STAFF: {
                    # "manage" is the team's own permission (manage_team), held for every team.
                    "workshops.team": (*ALL_ACTIONS, "manage"),
                    "workshops.membership": ALL_ACTIONS,
                    "workshops.reportingschedule": ALL_ACTIONS,
                    "workshops.deadline": ("change", "view"),
                    "workshops.briefing": ("view",),
                    "workshops.briefingfile": ("view",),
                    "workshops.activityrecord": ALL_ACTIONS,
                    "workshops.activityfile": ("view",),
                    "workshops.attendancerecord": ("change", "view"),
                    "workshops.obligation": ALL_ACTIONS,
                    "workshops.workshopcourse": ALL_ACTIONS,
                    "workshops.teamdocument": ("view",),
                    "workshops.unitduty": ALL_ACTIONS,
                    "workshops.unitfiling": ("view",),
                    "workshops.unitfilingfile": ("view",),
                    "workshops.grouprules": ALL_ACTIONS,
                },
                Role.LEADERSHIP: {
                    f"workshops.{m}": ("view",)
                    for m in (
                        "team",
                        "membership",
                        "reportingschedule",
                        "deadline",
                        "briefing",
                        "briefingfile",
                        "activityrecord",
                        "activityfile",
                        "attendancerecord",
                        "obligation",
                        "workshopcourse",
                        "teamdocument",
                        "unitduty",
                        "unitfiling",
                        "unitfilingfile",
                        "grouprules",
                    )
                },
            }
        )
        register_nav(NavItem(_("Groups"), "workshops:team_list", order=400))

        def is_staff(user) -> bool:
            return user.is_staff

        register_programme_link(
            ProgrammeLink(_("Groups"), "workshops:team_list", with_pk=False, order=600),
            ProgrammeLink(
                _("Groups of the programme"),
                "workshops:programme_teams",
                place="board",
                visible=is_staff,
                order=600,
            ),
            ProgrammeLink(
                _("Briefing board"),
                "workshops:briefing_board",
                place="board",
                visible=is_staff,
                order=610,
            ),
            ProgrammeLink(
                _("School-based training hours"),
                "workshops:session_hours",
                place="board",
                visible=lambda user: user.is_staff or Role.SCHOOL_ADMIN in user.role_names,
                order=620,
                # PT-HOURS: only a programme with a yearly figure has this page.
                applies=lambda programme: training_hours_a_year(programme) is not None,
            ),
        )

        # XH-T3: a group the participant leads counts as a 指导团队 where the bureau says so.
        register_fact_source(led_group_facts)

        panel = Panel("workshops/dashboard_panel.html", dashboard_panel)
        if panel not in DASHBOARD_PANELS:
            DASHBOARD_PANELS.append(panel)

        AUDIT_ACTION_LABELS.update(
            {
                "briefing.file": _("Briefing filed"),
                "deadline.extend": _("Deadline extended"),
                "activity.record": _("Activity recorded"),
                "activity.attendance_complete": _("Attendance filled in"),
                "group.presets": _("Obligations of its form added"),
                "membership.add": _("Member added"),
                "membership.update": _("Task division changed"),
                "membership.remove": _("Member removed"),
                "document.upload": _("Document filed"),
                "document.review": _("Document reviewed"),
                "course.record": _("Course recorded"),
                "unit_filing.create": _("Record filed for a unit's duty"),
            }
        )
        AUDIT_DESCRIBERS["unit_filing"] = lambda entry: " ".join(
            str(v) for v in (entry.data.get("unit"), entry.data.get("title")) if v
        )
        register_school_panel(SchoolPanel("workshops/school_duties_panel.html", school_panel))
        plug_unit_duties_into_programme_admin()
        register_copy_section("unit_duties", copy=unit_duties_copy)
        plug_group_rules_into_programme_admin()
        register_copy_section("group_rules", copy=group_rules_copy)
        AUDIT_DESCRIBERS["membership"] = lambda entry: " ".join(
            str(v) for v in (entry.data.get("teacher"), entry.data.get("after")) if v
        )
        AUDIT_DESCRIBERS["document"] = lambda entry: entry.data.get("title", "")
        AUDIT_DESCRIBERS["course"] = lambda entry: entry.data.get("title", "")
        AUDIT_DESCRIBERS["activity"] = lambda entry: entry.data.get("topic", "")
        AUDIT_DESCRIBERS["deadline"] = lambda entry: entry.data.get("reason", "")
