"""SJ-INIT: the reserve pool's interim "assessment passed" flag becomes a trainee class teacher
assessment recorded in this app, which the pool reads from now on."""

from django.db import migrations


def carry_over(apps, schema_editor):
    ReservePoolEntry = apps.get_model("cohorts", "ReservePoolEntry")
    InitAssessment = apps.get_model("assessments", "InitAssessment")
    rows = []
    for entry in ReservePoolEntry._base_manager.filter(assessment_passed__isnull=False):
        rows.append(
            InitAssessment(
                bureau_id=entry.bureau_id,
                programme_id=entry.programme_id,
                teacher_id=entry.teacher_id,
                result="pass" if entry.assessment_passed else "fail",
                assessed_on=entry.assessed_on or entry.created_at.date(),
                comment="由储备池记录转入",
            )
        )
    InitAssessment._base_manager.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0003_consequences_plans_endings_init"),
        ("cohorts", "0006_enrolment_in_training"),
    ]

    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
