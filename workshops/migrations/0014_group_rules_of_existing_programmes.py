"""Programmes that already run the groups of XC or PT keep what their group pages showed, now as
their own configuration, once: a programme with cadre teams or XC-TEAM duties keeps attendance
against a quarter of the hours (XC-ATTEND); one with school-based training groups or PT-HOURS
duties owes 40 class hours a year (PT-HOURS). Other programmes get no rules of their groups."""

from decimal import Decimal

from django.db import migrations


def forwards(apps, schema_editor):
    Programme = apps.get_model("programmes", "Programme")
    Team = apps.get_model("workshops", "Team")
    UnitDuty = apps.get_model("workshops", "UnitDuty")
    GroupRules = apps.get_model("workshops", "GroupRules")

    def programmes_with(team_kind: str, duty_rule: str) -> set[int]:
        teams = Team._base_manager.filter(kind=team_kind).values_list("programme_id", flat=True)
        duties = UnitDuty._base_manager.filter(rule=duty_rule).values_list(
            "programme_id", flat=True
        )
        return set(teams) | set(duties)

    attendance = programmes_with("cadre_team", "XC-TEAM")
    hours = programmes_with("training_group", "PT-HOURS")
    have = set(GroupRules._base_manager.values_list("programme_id", flat=True))
    for programme in Programme._base_manager.filter(pk__in=(attendance | hours) - have):
        GroupRules._base_manager.create(
            bureau_id=programme.bureau_id,
            programme_id=programme.pk,
            keeps_attendance=programme.pk in attendance,
            max_absent_share=Decimal("0.25"),
            training_hours_a_year=Decimal(40) if programme.pk in hours else None,
        )


class Migration(migrations.Migration):
    dependencies = [("workshops", "0013_group_rules")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
