"""XH-WS-TYPES: a 研训员 is now a person the bureau marks (``User.trainer_researcher``), no longer
anyone who leads a workshop without being enrolled in its programme. The leads that reading took
for 研训员 (of a 院校合作 workshop, not enrolled in its programme) are marked as such, once, so
what their workshops owe does not change."""

from django.db import migrations


def forwards(apps, schema_editor):
    Team = apps.get_model("workshops", "Team")
    Enrolment = apps.get_model("cohorts", "Enrolment")
    User = apps.get_model("accounts", "User")
    leads = set()
    for programme_id, lead_id in Team._base_manager.filter(
        kind="workshop", workshop_type="college_school"
    ).values_list("programme_id", "lead_id"):
        enrolled = Enrolment._base_manager.filter(
            programme_id=programme_id, teacher__user_id=lead_id
        ).exists()
        if not enrolled:
            leads.add(lead_id)
    User._base_manager.filter(pk__in=leads).update(trainer_researcher=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_user_trainer_researcher"),
        ("cohorts", "0005_provincial_level_national_to_6"),
        ("workshops", "0011_studio_sessions_are_the_schools"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
