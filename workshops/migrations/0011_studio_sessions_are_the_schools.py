"""SJ-SCHOOL: the monthly school-based session is a duty of the school (a duty of units). A
school studio no longer owes it as well: its preset obligation goes where the programme has the
school's duty, so nothing is owed twice."""

from django.db import migrations


def forwards(apps, schema_editor):
    Obligation = apps.get_model("workshops", "Obligation")
    UnitDuty = apps.get_model("workshops", "UnitDuty")
    with_duty = UnitDuty.objects.filter(rule="SJ-SCHOOL").values("programme_id")
    Obligation.objects.filter(
        team__kind="school_studio", rule="SJ-SCHOOL", team__programme_id__in=with_duty
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("workshops", "0010_unit_duty_phase")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
