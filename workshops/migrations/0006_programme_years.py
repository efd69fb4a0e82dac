"""A programme's year is now its own: "school_year" criteria count by the programme's year, and a
programme that counted by calendar year gets the calendar year as its year."""

from django.db import migrations


def forwards(apps, schema_editor):
    Programme = apps.get_model("programmes", "Programme")
    Criterion = apps.get_model("programmes", "Criterion")
    Obligation = apps.get_model("workshops", "Obligation")
    calendar = set(
        Criterion.objects.using(schema_editor.connection.alias)
        .filter(period="year")
        .values_list("requirement__programme_id", flat=True)
    ) | set(
        Obligation.objects.using(schema_editor.connection.alias)
        .filter(period="year")
        .values_list("team__programme_id", flat=True)
    )
    Programme.objects.filter(pk__in=calendar).update(year_basis="calendar_year")
    Criterion.objects.filter(period="school_year").update(period="year")
    Obligation.objects.filter(period="school_year").update(period="year")


def backwards(apps, schema_editor):
    Programme = apps.get_model("programmes", "Programme")
    Criterion = apps.get_model("programmes", "Criterion")
    Obligation = apps.get_model("workshops", "Obligation")
    school = Programme.objects.exclude(year_basis="calendar_year")
    Criterion.objects.filter(period="year", requirement__programme__in=school).update(
        period="school_year"
    )
    Obligation.objects.filter(period="year", team__programme__in=school).update(
        period="school_year"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0005_obligation_phase"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
