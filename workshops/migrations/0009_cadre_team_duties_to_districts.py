"""XC-TEAM's plan, salons, micro-project, summaries, meeting and portfolio are owed by the learning
district (its lead school files them), no longer by the cadre team: a programme whose cadre teams
carry these obligations gets them as duties of its learning districts, once, and the teams keep
their members, activities, documents and briefing schedule. Nothing is owed twice."""

from django.db import migrations

# The team obligation's kinds → the kind of filing a district files for it.
_KINDS = {
    "work_plan": "team_plan",
    "校长沙龙": "salon",
    "micro_project": "micro_project",
    "summary": "work_summary",
    "团队建设会议": "team_meeting",
    "portfolio": "portfolio",
}


def forwards(apps, schema_editor):
    Obligation = apps.get_model("workshops", "Obligation")
    UnitDuty = apps.get_model("workshops", "UnitDuty")
    moved = Obligation._base_manager.filter(team__kind="cadre_team", rule="XC-TEAM").order_by(
        "team__programme_id", "order", "id"
    )
    seen: dict[int, set] = {}
    for obligation in moved.select_related("team"):
        programme_id = obligation.team.programme_id
        if programme_id not in seen:
            # A programme that has district duties already keeps them as they are.
            has = UnitDuty._base_manager.filter(
                programme_id=programme_id, owed_by="learning_district"
            ).exists()
            seen[programme_id] = None if has else set()
        done = seen[programme_id]
        key = (obligation.title, obligation.period)
        if done is None or key in done:
            continue
        done.add(key)
        UnitDuty._base_manager.create(
            bureau_id=obligation.bureau_id,
            programme_id=programme_id,
            rule="XC-TEAM",
            title=obligation.title,
            owed_by="learning_district",
            kinds=sorted({_KINDS[k] for k in obligation.kinds or () if k in _KINDS}),
            period=obligation.period,
            min_count=obligation.min_count,
            order=len(done),
        )
    moved.delete()


class Migration(migrations.Migration):
    dependencies = [("workshops", "0008_unit_duties_and_filings")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
