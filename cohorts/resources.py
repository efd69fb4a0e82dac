"""Roster import and export (django-import-export).

A roster is the list of a programme's participants: one row per teacher with staff number, name,
school and tier, and for a teacher new to the bureau their gender, subject and stage. The whole
file is checked before anything is written: the rows are validated together against lookups read
once (``cohorts.rules.validate_roster_row``), new teachers are created in bulk, enrolments are
written in batches, and if any row is invalid nothing is kept.
"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from accounts.models import (
    ClassTeacherStage,
    Gender,
    ProfessionalTitle,
    Subject,
    TeacherProfile,
    TeachingStage,
    User,
)
from accounts.roles import Role
from accounts.services import roles_grant_bulk
from bureaus.models import School
from bureaus.services import audit_record
from programmes.models import Tier

from . import rules
from .checks import enrolment_objections
from .models import Enrolment, EnrolmentStatus, EnrolmentStatusChange


def choice_lookup(choices) -> dict[str, str]:
    """Every way a user may write a choice: its code, its Chinese and its English label."""
    found = {}
    for code, label in choices.choices:
        found[code] = code
        for language in ("zh-hans", "en"):
            with translation.override(language):
                found[str(label)] = code
    return found


class RosterResource(resources.ModelResource):
    staff_number = fields.Field(column_name="工号", attribute="teacher__staff_number")
    full_name = fields.Field(column_name="姓名", attribute="teacher__user__full_name")
    school = fields.Field(column_name="学校", attribute="school__name")
    tier = fields.Field(column_name="层次", attribute="tier__name")
    gender = fields.Field(column_name="性别")
    subject = fields.Field(column_name="学科")
    stage = fields.Field(column_name="学段")
    professional_title = fields.Field(column_name="职称")
    # Numbers and dates are exported typed: numbers and dates in xlsx.
    years_teaching = fields.Field(
        column_name="教龄", attribute="teacher__years_teaching", widget=widgets.IntegerWidget()
    )
    years_class_teacher = fields.Field(
        column_name="班主任年限",
        attribute="teacher__years_class_teacher",
        widget=widgets.IntegerWidget(),
    )
    class_teacher_stage = fields.Field(column_name="班主任阶段")
    contact = fields.Field(column_name="联系方式", attribute="teacher__contact")
    email = fields.Field(column_name="邮箱", attribute="teacher__user__email")
    enrolled_on = fields.Field(
        column_name="入选日期", attribute="enrolled_on", widget=widgets.DateWidget()
    )
    plan_due = fields.Field(
        column_name="规划截止", attribute="plan_due", widget=widgets.DateWidget()
    )
    status = fields.Field(column_name="状态")

    class Meta:
        model = Enrolment
        fields = (
            "staff_number",
            "full_name",
            "school",
            "tier",
            "gender",
            "subject",
            "stage",
            "professional_title",
            "years_teaching",
            "years_class_teacher",
            "class_teacher_stage",
            "contact",
            "email",
            "enrolled_on",
            "plan_due",
            "status",
        )
        import_id_fields = ()
        use_bulk = True
        batch_size = 1000
        skip_diff = True
        use_transactions = True
        clean_model_instances = False

    def __init__(self, programme=None, actor=None, progress=None, **kwargs):
        super().__init__(**kwargs)
        self.programme = programme
        self.actor = actor
        # Called as progress(rows_checked, total_rows) while the file is checked.
        self.progress = progress
        self._cleaned: dict[int, rules.RosterRow] = {}
        self._errors: dict[int, list[str]] = {}
        self._existing: dict[int, Enrolment] = {}
        self._refused = False  # the file itself cannot be imported: its rows are not looked at

    # --- export ---------------------------------------------------------------------------

    def dehydrate_gender(self, enrolment):
        return enrolment.teacher.get_gender_display()

    def dehydrate_subject(self, enrolment):
        return enrolment.teacher.get_subject_display()

    def dehydrate_stage(self, enrolment):
        return enrolment.teacher.get_stage_display()

    def dehydrate_professional_title(self, enrolment):
        return enrolment.teacher.get_professional_title_display()

    def dehydrate_class_teacher_stage(self, enrolment):
        return enrolment.teacher.get_class_teacher_stage_display()

    def dehydrate_status(self, enrolment):
        return enrolment.get_status_display()

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("teacher__user", "school", "tier")

    # --- import ---------------------------------------------------------------------------

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ):
        # Nothing is kept unless every row is valid, in the admin's confirm step too.
        return super().import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=raise_errors,
            use_transactions=use_transactions,
            collect_failed_rows=collect_failed_rows,
            rollback_on_validation_errors=True,
            **kwargs,
        )

    def _check_import_id_fields(self, headers):
        # Rows are matched by staff number in before_import(), which names missing columns.
        return None

    def before_import(self, dataset, **kwargs):
        if self.programme is None:
            self._refused = True
            raise ValidationError(_("Choose the programme the roster is for."))
        missing = rules.missing_roster_columns(dataset.headers or [])
        if missing:
            self._refused = True
            raise ValidationError(
                _(
                    "The file lacks the columns: %(columns)s. The first row must hold the column "
                    "names %(expected)s."
                )
                % {"columns": "、".join(missing), "expected": "、".join(rules.ROSTER_COLUMNS)}
            )
        programme = self.programme
        tiers = {}
        for tier_id, code, name in Tier.objects.filter(programme=programme).values_list(
            "pk", "code", "name"
        ):
            tiers[code] = tiers[name] = tier_id
        teachers = {
            number: (pk, name)
            for pk, number, name in TeacherProfile.objects.values_list(
                "pk", "staff_number", "user__full_name"
            )
        }
        lookups = rules.RosterLookups(
            schools=dict(School.objects.values_list("name", "pk")),
            tiers=tiers,
            teachers=teachers,
            choices={
                "性别": choice_lookup(Gender),
                "学科": choice_lookup(Subject),
                "学段": choice_lookup(TeachingStage),
                "职称": choice_lookup(ProfessionalTitle),
                "班主任阶段": choice_lookup(ClassTeacherStage),
            },
            today=timezone.localdate(),
        )
        seen: dict[str, int] = {}
        headers = [str(h).strip() if h is not None else "" for h in dataset.headers]
        for index, values in enumerate(dataset, 1):
            cleaned, problems = rules.validate_roster_row(
                dict(zip(headers, values, strict=False)), index + 1, lookups, seen
            )
            if problems:
                self._errors[index] = problems
            else:
                self._cleaned[index] = cleaned
            if self.progress is not None and index % 500 == 0:
                self.progress(index, len(dataset))
        self._check_objections(programme, dataset, headers)
        if self._errors:
            return  # every row is reported; nothing will be kept
        self._create_teachers(programme)
        self._update_stages()
        self._existing = {e.teacher_id: e for e in Enrolment.objects.filter(programme=programme)}

    def _check_objections(self, programme, dataset, headers) -> None:
        """Rows of teachers another app objects to (XH-FAIL-END: barred from the next cohort)
        are refused unless the override column gives the reason; an override is audited."""
        objections = enrolment_objections(
            bureau_id=programme.bureau_id,
            programme=programme,
            teacher_ids=[row.teacher_id for row in self._cleaned.values()],
        )
        self._overrides = []
        if not objections:
            return
        column = headers.index(rules.ROSTER_OVERRIDE) if rules.ROSTER_OVERRIDE in headers else None
        for index, row in list(self._cleaned.items()):
            found = objections.get(row.teacher_id)
            if not found:
                continue
            values = dataset[index - 1]
            override = values[column] if column is not None and column < len(values) else None
            override = "" if override is None else str(override).strip()
            problems = rules.objection_problems(index + 1, found, override)
            if problems:
                self._errors[index] = problems
                del self._cleaned[index]
            else:
                self._overrides.append((row, override, found))

    def _update_stages(self) -> None:
        """A class-teacher stage given for a teacher already in the bureau (SJ-INIT: first-time
        class teachers) is written to their profile; one update per stage."""
        by_stage: dict[str, list[int]] = {}
        for row in self._cleaned.values():
            if row.class_teacher_stage and row.teacher_id is not None:
                by_stage.setdefault(row.class_teacher_stage, []).append(row.teacher_id)
        updated = 0
        for stage, ids in by_stage.items():
            updated += (
                TeacherProfile.objects.filter(pk__in=ids)
                .exclude(class_teacher_stage=stage)
                .update(class_teacher_stage=stage)
            )
        self._stages_updated = updated

    def _create_teachers(self, programme) -> None:
        """Create the users and profiles of teachers new to the bureau, in bulk."""
        new = [row for row in self._cleaned.values() if row.teacher_id is None]
        if not new:
            return
        bureau = programme.bureau
        taken = set(
            User.objects.all_bureaus()
            .filter(username__startswith=f"{bureau.code}-")
            .values_list("username", flat=True)
        )
        password = make_password(None)  # no password until they reset it by e-mail
        users = []
        for row in new:
            username = f"{bureau.code}-{row.staff_number}".lower()[:150]
            while username in taken:
                username += "x"
            taken.add(username)
            users.append(
                User(
                    username=username,
                    full_name=row.full_name,
                    bureau=bureau,
                    password=password,
                    email=row.email,
                )
            )
        users = User.objects.bulk_create(users, batch_size=1000)
        if users and users[0].pk is None:  # backends that do not return ids
            by_name = dict(
                User.objects.filter(username__in=[u.username for u in users]).values_list(
                    "username", "pk"
                )
            )
            for user in users:
                user.pk = by_name[user.username]
        roles_grant_bulk(actor=self.actor, bureau_id=bureau.pk, users=users, role=Role.TEACHER)
        profiles = TeacherProfile.objects.bulk_create(
            [
                TeacherProfile(
                    bureau=bureau,
                    user_id=user.pk,
                    staff_number=row.staff_number,
                    gender=row.gender,
                    school_id=row.school_id,
                    subject=row.subject,
                    stage=row.stage,
                    professional_title=row.professional_title or "unranked",
                    years_teaching=row.years_teaching,
                    years_class_teacher=row.years_class_teacher,
                    class_teacher_stage=row.class_teacher_stage,
                    contact=row.contact,
                )
                for user, row in zip(users, new, strict=True)
            ],
            batch_size=1000,
        )
        ids = (
            dict(
                TeacherProfile.objects.filter(
                    staff_number__in=[row.staff_number for row in new]
                ).values_list("staff_number", "pk")
            )
            if profiles and profiles[0].pk is None
            else {p.staff_number: p.pk for p in profiles}
        )
        for index, row in list(self._cleaned.items()):
            if row.teacher_id is None:
                self._cleaned[index] = rules.RosterRow(
                    **{**row.__dict__, "teacher_id": ids[row.staff_number]}
                )
        self._new_teachers = len(new)

    def before_import_row(self, row, **kwargs):
        problems = self._errors.get(kwargs["row_number"])
        if problems:
            raise ValidationError(problems)

    def import_row(self, row, instance_loader, **kwargs):
        if self._refused:
            skipped = self.get_row_result_class()()
            skipped.import_type = resources.RowResult.IMPORT_TYPE_SKIP
            return skipped
        self._row_number = kwargs["row_number"]
        return super().import_row(row, instance_loader, **kwargs)

    def get_or_init_instance(self, instance_loader, row):
        """The enrolment of the row's teacher in the programme, or a new one (no query)."""
        cleaned = self._cleaned[self._row_number]
        existing = self._existing.get(cleaned.teacher_id)
        if existing is not None:
            existing.tier_id, existing.school_id = cleaned.tier_id, cleaned.school_id
            if cleaned.plan_due:
                existing.plan_due = cleaned.plan_due
            return existing, False
        return Enrolment(
            bureau_id=self.programme.bureau_id,
            programme=self.programme,
            teacher_id=cleaned.teacher_id,
            tier_id=cleaned.tier_id,
            school_id=cleaned.school_id,
            enrolled_on=cleaned.enrolled_on,
            plan_due=cleaned.plan_due,
            status=EnrolmentStatus.ACTIVE,
        ), True

    def import_instance(self, instance, row, **kwargs):
        # get_or_init_instance() already set every field from the cleaned row.
        return None

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # The whole file was validated in before_import().
        return None

    def save_instance(self, instance, is_create, row, **kwargs):
        if self._errors:
            return  # the file has invalid rows: the good ones are reported, nothing is written
        super().save_instance(instance, is_create, row, **kwargs)

    def save_m2m(self, instance, row, **kwargs):
        return None

    def get_bulk_update_fields(self):
        return ["tier", "school", "plan_due"]

    def get_row_result_class(self):
        return RosterRowResult

    def after_import(self, dataset, result, **kwargs):
        if self._refused or self._errors or result.has_errors():
            return
        created = Enrolment.objects.filter(
            programme=self.programme, status_changes__isnull=True
        ).values_list("pk", "enrolled_on")
        EnrolmentStatusChange.objects.bulk_create(
            [
                EnrolmentStatusChange(
                    bureau_id=self.programme.bureau_id,
                    enrolment_id=pk,
                    from_status="",
                    to_status=EnrolmentStatus.ACTIVE,
                    effective_on=day,
                    reason=_("Roster import"),
                    actor=self.actor,
                )
                for pk, day in created
            ],
            batch_size=1000,
        )
        for row, override, found in getattr(self, "_overrides", ()):
            audit_record(
                bureau=self.programme.bureau_id,
                actor=self.actor,
                action="enrolment.override",
                target=self.programme,
                staff_number=row.staff_number,
                teacher=row.full_name,
                objections=found,
                reason=override,
            )
        audit_record(
            bureau=self.programme.bureau_id,
            actor=self.actor,
            action="roster.import",
            target=self.programme,
            rows=len(self._cleaned),
            new_teachers=getattr(self, "_new_teachers", 0),
            stages_updated=getattr(self, "_stages_updated", 0),
            file=kwargs.get("file_name") or "",
        )


class RosterRowResult(resources.RowResult):
    """Describes the row by the teacher's staff number, without reading the teacher."""

    def add_instance_info(self, instance):
        self.object_id = getattr(instance, "pk", None)
        self.object_repr = str(getattr(instance, "teacher_id", ""))
