"""Rename workshops.Group to Team (and its relatives), keeping every row.

The auth ``Group`` holds the roles; the workshops model had the same name. The tables are renamed
in place (RenameModel, RenameField), so rows, ids and foreign keys stay as they are. Renaming the
models also renames their content types, and the data step below renames the permissions that
belong to them (``manage_group`` → ``manage_team``, ``view_group`` → ``view_team`` …) in place:
the auth groups' grants and django-guardian's object grants point at a permission by id, so they
keep working.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (model after the rename, codename before, codename after)
_CODENAMES = [
    ("team", "manage_group", "manage_team"),
    *[
        ("team", f"{action}_group", f"{action}_team")
        for action in ("add", "change", "delete", "view")
    ],
    *[
        ("teamdocument", f"{action}_groupdocument", f"{action}_teamdocument")
        for action in ("add", "change", "delete", "view")
    ],
    *[
        (
            "teamuserobjectpermission",
            f"{action}_groupuserobjectpermission",
            f"{action}_teamuserobjectpermission",
        )
        for action in ("add", "change", "delete", "view")
    ],
]


def _rename_permissions(apps, schema_editor, *, forward: bool) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    for model, before, after in _CODENAMES:
        old, new = (before, after) if forward else (after, before)
        # Renaming a model renames its content type on migrate (django.contrib.contenttypes);
        # both names are looked up all the same. A new database has none yet: nothing to do.
        names = {model, model.replace("team", "group", 1)}
        content_types = ContentType.objects.using(db).filter(app_label="workshops", model__in=names)
        permissions = Permission.objects.using(db).filter(content_type__in=content_types)
        if permissions.filter(codename=new).exists():
            continue  # there already: leave both rather than merge their grants
        permissions.filter(codename=old).update(codename=new)


def forwards(apps, schema_editor):
    _rename_permissions(apps, schema_editor, forward=True)


def backwards(apps, schema_editor):
    _rename_permissions(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("bureaus", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("programmes", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("workshops", "0003_documents_files_obligations_courses"),
    ]

    operations = [
        migrations.RenameModel(old_name="Group", new_name="Team"),
        migrations.RenameModel(old_name="GroupDocument", new_name="TeamDocument"),
        migrations.RenameModel(
            old_name="GroupUserObjectPermission", new_name="TeamUserObjectPermission"
        ),
        # A constraint and an index name the renamed field; SQLite rebuilds a table to rename a
        # foreign key's column, so they are dropped first and made again on the new column.
        migrations.RemoveConstraint(model_name="membership", name="uniq_member"),
        migrations.RemoveIndex(model_name="teamdocument", name="workshops_g_group_i_fcf3c2_idx"),
        migrations.RenameField(model_name="membership", old_name="group", new_name="team"),
        migrations.RenameField(model_name="reportingschedule", old_name="group", new_name="team"),
        migrations.RenameField(model_name="deadline", old_name="group", new_name="team"),
        migrations.RenameField(model_name="activityrecord", old_name="group", new_name="team"),
        migrations.RenameField(model_name="teamdocument", old_name="group", new_name="team"),
        migrations.RenameField(model_name="obligation", old_name="group", new_name="team"),
        migrations.RenameField(model_name="workshopcourse", old_name="group", new_name="team"),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.UniqueConstraint(
                fields=("bureau", "team", "teacher"), name="uniq_member"
            ),
        ),
        migrations.AddIndex(
            model_name="teamdocument",
            index=models.Index(fields=["team", "kind"], name="workshops_t_team_id_eca60c_idx"),
        ),
        migrations.RemoveConstraint(model_name="team", name="uniq_group_name_per_programme"),
        migrations.AddConstraint(
            model_name="team",
            constraint=models.UniqueConstraint(
                fields=("bureau", "programme", "name"), name="uniq_team_name_per_programme"
            ),
        ),
        migrations.AlterModelOptions(
            name="membership",
            options={
                "ordering": ["team", "role", "id"],
                "verbose_name": "membership",
                "verbose_name_plural": "members",
            },
        ),
        migrations.AlterModelOptions(
            name="obligation",
            options={
                "ordering": ["team", "order", "id"],
                "verbose_name": "obligation",
                "verbose_name_plural": "obligations",
            },
        ),
        migrations.AlterModelOptions(
            name="reportingschedule",
            options={
                "ordering": ["team", "id"],
                "verbose_name": "reporting schedule",
                "verbose_name_plural": "reporting schedules",
            },
        ),
        migrations.AlterModelOptions(
            name="team",
            options={
                "ordering": ["programme", "kind", "name"],
                "permissions": [
                    (
                        "manage_team",
                        "Manage the group: members, activities, documents, briefings",
                    )
                ],
                "verbose_name": "group",
                "verbose_name_plural": "groups",
            },
        ),
        migrations.AlterModelOptions(
            name="workshopcourse",
            options={
                "ordering": ["team", "-completed_on", "id"],
                "verbose_name": "workshop course",
                "verbose_name_plural": "workshop courses",
            },
        ),
        migrations.AlterField(
            model_name="team",
            name="assistant",
            field=models.ForeignKey(
                blank=True,
                help_text="XC-ASSIST: collects briefings and portfolios; reminded with the lead.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="assisted_teams",
                to=settings.AUTH_USER_MODEL,
                verbose_name="project assistant",
            ),
        ),
        migrations.AlterField(
            model_name="team",
            name="lead",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="led_teams",
                to=settings.AUTH_USER_MODEL,
                verbose_name="lead",
            ),
        ),
        migrations.AlterField(
            model_name="team",
            name="learning_district",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="teams",
                to="bureaus.learningdistrict",
                verbose_name="learning district",
            ),
        ),
        migrations.AlterField(
            model_name="team",
            name="programme",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="teams",
                to="programmes.programme",
                verbose_name="programme",
            ),
        ),
        migrations.AlterField(
            model_name="team",
            name="school",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="teams",
                to="bureaus.school",
                verbose_name="school",
            ),
        ),
        # The permissions of the renamed models keep their ids, and so every grant of them.
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
