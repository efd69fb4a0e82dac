"""Due dates inside a period on the teacher's progress page, the reminders of the daily scan
(HA-PLAN, XH-CYCLE), the admin's checks, and the calendar on the programme page (HA-SCHEDULE)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Notification, TeacherProfile, User
from bureaus.tenancy import bureau_scope
from cohorts.models import Enrolment
from cohorts.selectors import due_items
from programmes.models import Criterion, EvidenceKind, Milestone, Phase
from programmes.selectors import forget_specs
from workshops.services import reminders_scan


@pytest.fixture
def today_is(monkeypatch):
    """Fix the day the pages see as today (only ``timezone.localdate()`` with no argument)."""

    def fix(day: dt.date) -> None:
        real = timezone.localdate

        def localdate(value=None, timezone=None):
            return day if value is None else real(value, timezone)

        monkeypatch.setattr("django.utils.timezone.localdate", localdate)

    return fix


def due_in_april(cast) -> Criterion:
    """The cast's yearly public lesson (clause 1, each school year) is due by 30 April."""
    with bureau_scope(cast.bureau):
        criterion = cast.programme.requirements.get().criteria.get(clause=1)
        criterion.due_month = 4
        criterion.full_clean()
        criterion.save()
        return criterion


def due_notices(cast) -> list[tuple[str, str]]:
    with bureau_scope(cast.bureau):
        return sorted(
            Notification.objects.filter(key__startswith="due:").values_list(
                "recipient__username", "key"
            )
        )


def kinds(notices) -> list[tuple[str, str]]:
    return [(user, key.split(":", 4)[4]) for user, key in notices]


# --- The progress page ------------------------------------------------------------------------


def test_HA_PLAN_the_teacher_sees_the_due_date_of_an_open_item(xuhui, today_is):
    due_in_april(xuhui)
    today_is(dt.date(2024, 9, 20))  # school year 2024: due 30 April 2025, nothing yet
    page = xuhui.client("teacher").get("/progress/").content.decode()
    assert "2025年4月30日前" in page


def test_HA_PLAN_the_teacher_sees_how_many_days_overdue_and_a_late_hand_in(xuhui, today_is):
    due_in_april(xuhui)
    today_is(dt.date(2025, 5, 3))
    page = xuhui.client("teacher").get("/progress/").content.decode()
    assert "逾期 3 天" in page
    with bureau_scope(xuhui.bureau):
        evidence = xuhui.extras["evidence"]
        evidence.pk = None
        evidence.date = dt.date(2025, 5, 2)
        evidence.save()
    page = xuhui.client("teacher").get("/progress/").content.decode()
    assert "迟交 2 天" in page and "逾期" not in page


# --- Reminders through the daily scan ----------------------------------------------------------


def test_HA_PLAN_reminders_seven_days_and_one_day_before_and_overdue_once(xuhui):
    due_in_april(xuhui)
    # The teacher's lesson of 2023-11-05 meets school year 2023; the lead has none.
    assert reminders_scan(today=dt.date(2024, 4, 23)) == 1
    assert kinds(due_notices(xuhui)) == [("xh_lead", "2023:before:7")]
    assert reminders_scan(today=dt.date(2024, 4, 23)) == 0  # the same day again: nothing
    assert reminders_scan(today=dt.date(2024, 4, 25)) == 0  # the 7-day one was sent
    assert reminders_scan(today=dt.date(2024, 4, 29)) == 1
    assert reminders_scan(today=dt.date(2024, 5, 1)) == 1  # overdue
    assert reminders_scan(today=dt.date(2024, 5, 2)) == 0  # overdue only once
    assert kinds(due_notices(xuhui)) == [
        ("xh_lead", "2023:before:1"),
        ("xh_lead", "2023:before:7"),
        ("xh_lead", "2023:overdue:1"),
    ]
    with bureau_scope(xuhui.bureau):
        notice = Notification.objects.get(key__endswith="2023:overdue:1")
    assert "逾期" in notice.subject and "2024-04-30" in notice.subject
    assert notice.link == "/progress/"


def test_HA_PLAN_no_reminder_for_a_met_item(xuhui):
    due_in_april(xuhui)
    reminders_scan(today=dt.date(2024, 4, 29))
    assert [user for user, _key in due_notices(xuhui)] == ["xh_lead"]  # not the teacher: met


def test_no_reminder_for_an_enrolment_that_is_not_active(xuhui):
    due_in_april(xuhui)
    with bureau_scope(xuhui.bureau):
        Enrolment.objects.filter(pk=xuhui.extras["enrolment_leader"].pk).update(status="withdrawn")
    assert reminders_scan(today=dt.date(2024, 4, 29)) == 0
    assert due_notices(xuhui) == []


def test_XH_CYCLE_a_fixed_due_date_reminds_before_it(xuhui):
    with bureau_scope(xuhui.bureau):
        criterion = xuhui.programme.requirements.get().criteria.get(clause=1)
        criterion.due_date = dt.date(2023, 11, 30)
        criterion.full_clean()
        criterion.save()
    assert reminders_scan(today=dt.date(2023, 11, 23)) == 1
    assert kinds(due_notices(xuhui)) == [("xh_lead", "2023:before:7")]
    assert reminders_scan(today=dt.date(2024, 11, 23)) == 0  # no due date in other years


def test_the_reminder_scan_reads_a_fixed_number_of_queries(xuhui, putuo):
    due_in_april(xuhui)
    due_in_april(putuo)
    today = dt.date(2025, 4, 29)
    forget_specs()  # both counts with the programmes' configuration read afresh
    with CaptureQueriesContext(connection) as few:
        assert len(due_items(today=today, lookahead=7, lookback=8)) == 4
    with bureau_scope(xuhui.bureau):
        for n in range(5):
            user = User.objects.create(bureau=xuhui.bureau, username=f"xh_more{n}")
            profile = TeacherProfile.objects.create(
                bureau=xuhui.bureau,
                user=user,
                staff_number=f"XH-more{n}",
                gender="M",
                school=xuhui.school,
                subject="maths",
                stage="junior",
            )
            Enrolment.objects.create(
                bureau=xuhui.bureau,
                programme=xuhui.programme,
                teacher=profile,
                tier=xuhui.programme.tiers.get(code="backbone"),
                school=xuhui.school,
                enrolled_on=dt.date(2023, 9, 1),
            )
    forget_specs()
    with CaptureQueriesContext(connection) as many:
        assert len(due_items(today=today, lookahead=7, lookback=8)) == 9
    assert len(many) == len(few) <= 14  # calendars, mentees and level names: once, too
    with CaptureQueriesContext(connection) as warm:
        assert len(due_items(today=today, lookahead=7, lookback=8)) == 9
    # The configuration unchanged: its stamps are read instead of seven tables, and the level
    # names are not needed for either bureau.
    assert len(warm) == len(many) - 8


# --- The admin's checks -----------------------------------------------------------------------


def test_a_criterion_deadline_must_fit_its_period_and_cycle(xuhui):
    with bureau_scope(xuhui.bureau):
        criterion = xuhui.programme.requirements.get().criteria.get(clause=1)
        criterion.due_date = dt.date(2027, 1, 1)
        with pytest.raises(ValidationError, match="培养周期") as outside:
            criterion.full_clean()
        assert "due_date" in outside.value.message_dict
        criterion.due_date, criterion.due_month = dt.date(2024, 4, 30), 4
        with pytest.raises(ValidationError) as both:
            criterion.full_clean()
        assert "due_month" in both.value.message_dict
        cycle = xuhui.programme.requirements.get().criteria.get(clause=2)
        cycle.due_month = 4  # the cycle has three Aprils
        with pytest.raises(ValidationError) as repeats:
            cycle.full_clean()
        assert "due_month" in repeats.value.message_dict
        criterion.due_date, criterion.due_month, criterion.due_day = None, None, 12
        with pytest.raises(ValidationError) as alone:
            criterion.full_clean()
        assert "due_day" in alone.value.message_dict


def test_the_admin_refuses_a_month_for_a_semester_clause_with_a_message(xuhui):
    with bureau_scope(xuhui.bureau):
        requirement = xuhui.programme.requirements.get()
        criterion = requirement.criteria.get(clause=1)
    client = xuhui.client("staff")
    url = f"/admin/programmes/requirement/{requirement.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        "bureau": xuhui.bureau.pk,
        "programme": requirement.programme_id,
        "order": requirement.order,
        "code": requirement.code,
        "title": requirement.title,
        "tiers": [t.pk for t in form.initial["tiers"]],
        "description": "",
    }
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(formset.initial_form_count())
        data[f"{formset.prefix}-INITIAL_FORMS"] = str(formset.initial_form_count())
        for i, sub in enumerate(formset.forms):
            for name, field in sub.fields.items():
                value = sub.initial.get(name, field.initial)
                if hasattr(value, "all"):
                    value = [v.pk for v in value.all()]
                elif isinstance(value, list):
                    value = [getattr(v, "pk", v) for v in value]
                if value is not None:
                    data[f"{formset.prefix}-{i}-{name}"] = value
            if sub.instance.pk == criterion.pk:
                data[f"{formset.prefix}-{i}-period"] = "semester"
                data[f"{formset.prefix}-{i}-due_month"] = "4"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "按学期、月或两周计的，请填写固定日期" in response.content.decode()


def test_a_milestone_must_say_when_it_happens(xuhui):
    with bureau_scope(xuhui.bureau):
        cases = [
            (Milestone(repeat="once"), "due"),
            (Milestone(repeat="yearly", due=dt.date(2024, 4, 1)), "month"),
            (Milestone(repeat="all_year", month=4), "month"),
            (Milestone(repeat="biennial", due=dt.date(2024, 11, 1), month=4), "month"),
        ]
        for milestone, field in cases:
            milestone.bureau, milestone.programme, milestone.title = (
                xuhui.bureau,
                xuhui.programme,
                "展示",
            )
            with pytest.raises(ValidationError) as problem:
                milestone.full_clean()
            assert field in problem.value.message_dict


# --- The programme page ------------------------------------------------------------------------


def test_HA_SCHEDULE_the_programme_page_lists_repeating_events_sensibly(xuhui):
    with bureau_scope(xuhui.bureau):
        programme = xuhui.programme
        for repeat, due, month, title in [
            ("once", dt.date(2023, 10, 31), None, "召开启动大会"),
            ("month", dt.date(2024, 4, 1), None, "制定三年成长规划"),
            ("yearly", None, 12, "年度考核"),
            ("biennial", None, None, "区级基本功展示"),
            ("all_year", None, None, "学科研训活动"),
        ]:
            milestone = Milestone(
                bureau=xuhui.bureau,
                programme=programme,
                repeat=repeat,
                due=due,
                month=month,
                title=title,
            )
            milestone.full_clean()
            milestone.save()
        criterion = programme.requirements.get().criteria.get(clause=1)
        criterion.due_month = 4
        criterion.save()
    page = xuhui.client("teacher").get(f"/programmes/{programme.pk}/").content.decode()
    for text in ["2023-10-31", "2024年4月", "每年12月", "每两年一次", "全年", "4月底前"]:
        assert text in page
    # The whole year first, then in calendar order.
    order = ["学科研训活动", "召开启动大会", "年度考核", "制定三年成长规划"]
    assert sorted(order, key=page.index) == order


def test_existing_milestones_keep_their_date_once(xuhui):
    with bureau_scope(xuhui.bureau):
        milestone = Milestone.objects.create(
            bureau=xuhui.bureau, programme=xuhui.programme, due=dt.date(2024, 6, 30), title="考核"
        )
        assert milestone.repeat == "once" and milestone.when == "2024-06-30"


def plan_notices(cast) -> list[tuple[str, str]]:
    with bureau_scope(cast.bureau):
        return sorted(
            Notification.objects.filter(key__startswith="plan:").values_list(
                "recipient__username", "subject"
            )
        )


def test_XH_CYCLE_the_development_plan_due_by_2023_11_30_is_reminded_once_each(xuhui):
    with bureau_scope(xuhui.bureau):
        Enrolment.objects.filter(pk=xuhui.extras["enrolment_backbone"].pk).update(
            plan_due=dt.date(2023, 11, 30)
        )
    assert reminders_scan(today=dt.date(2023, 11, 23)) == 1
    assert reminders_scan(today=dt.date(2023, 11, 23)) == 0
    assert reminders_scan(today=dt.date(2023, 11, 29)) == 1
    assert reminders_scan(today=dt.date(2023, 12, 1)) == 1
    assert reminders_scan(today=dt.date(2023, 12, 2)) == 0
    assert plan_notices(xuhui) == [
        ("xh_teacher", "个人三年发展规划 1 天后截止"),
        ("xh_teacher", "个人三年发展规划 7 天后截止"),
        ("xh_teacher", "逾期：个人三年发展规划（截止 2023-11-30）"),
    ]


def test_XH_CYCLE_no_plan_reminder_once_it_is_handed_in(xuhui):
    with bureau_scope(xuhui.bureau):
        Enrolment.objects.filter(pk=xuhui.extras["enrolment_backbone"].pk).update(
            plan_due=dt.date(2023, 11, 30)
        )
        plan = xuhui.extras["evidence"]
        plan.pk = None
        plan.kind = EvidenceKind.objects.create(
            bureau=xuhui.bureau, code="development_plan", name="个人三年发展规划"
        )
        plan.state = "submitted"
        plan.save()
    assert reminders_scan(today=dt.date(2023, 11, 29)) == 0


def test_HA_PLAN_a_plan_with_its_own_due_date_in_the_requirements_is_reminded_once(xuhui):
    """A programme that gives the plan a due date in its requirements reminds through them, not
    a second time through the enrolment's plan date."""
    with bureau_scope(xuhui.bureau):
        kind = EvidenceKind.objects.create(
            bureau=xuhui.bureau, code="development_plan", name="个人三年发展规划"
        )
        criterion = xuhui.programme.requirements.get().criteria.get(clause=1)
        criterion.kinds.add(kind)
        Enrolment.objects.filter(pk=xuhui.extras["enrolment_leader"].pk).update(
            plan_due=dt.date(2024, 4, 30)
        )
    due_in_april(xuhui)
    assert reminders_scan(today=dt.date(2024, 4, 29)) == 1
    assert plan_notices(xuhui) == [] and len(due_notices(xuhui)) == 1


def test_a_copy_to_a_new_cycle_keeps_how_events_repeat_and_moves_due_dates(xuhui):
    from programmes.services import programme_copy

    with bureau_scope(xuhui.bureau):
        Milestone.objects.create(
            bureau=xuhui.bureau, programme=xuhui.programme, repeat="yearly", month=4, title="规划"
        )
        Milestone.objects.create(
            bureau=xuhui.bureau, programme=xuhui.programme, repeat="all_year", title="研训"
        )
        criteria = xuhui.programme.requirements.get().criteria
        criteria.filter(clause=1).update(due_month=4, due_day=15)
        criteria.filter(clause=2).update(due_date=dt.date(2023, 11, 30))
        new = programme_copy(
            actor=xuhui.staff,
            programme=xuhui.programme,
            code="next-cycle",
            name="next cycle",
            start_month=dt.date(2026, 9, 1),
        )
        events = sorted(new.milestones.values_list("repeat", "due", "month"))
        copied = new.requirements.get().criteria.order_by("clause")
        dues = list(copied.values_list("due_date", "due_month", "due_day"))
    assert events == [("all_year", None, None), ("yearly", None, 4)]
    assert dues == [(None, 4, 15), (dt.date(2026, 11, 30), None, None)]


def test_the_progress_page_leaves_out_the_due_dates_of_years_not_begun(xuhui, today_is):
    due_in_april(xuhui)
    today_is(dt.date(2024, 9, 20))
    page = xuhui.client("lead").get("/progress/").content.decode()
    assert "2025年4月30日前" in page and "2026年4月30日前" not in page


def post_criterion(cast, **changes):
    """Post the requirement's admin page with its clause-1 criterion changed."""
    with bureau_scope(cast.bureau):
        requirement = cast.programme.requirements.get()
        criterion = requirement.criteria.get(clause=1)
    client = cast.client("staff")
    url = f"/admin/programmes/requirement/{requirement.pk}/change/"
    page = client.get(url)
    form = page.context["adminform"].form
    data = {
        "bureau": cast.bureau.pk,
        "programme": requirement.programme_id,
        "order": requirement.order,
        "code": requirement.code,
        "title": requirement.title,
        "tiers": [t.pk for t in form.initial["tiers"]],
        "description": "",
    }
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(formset.initial_form_count())
        data[f"{formset.prefix}-INITIAL_FORMS"] = str(formset.initial_form_count())
        for i, sub in enumerate(formset.forms):
            for name, field in sub.fields.items():
                value = sub.initial.get(name, field.initial)
                if hasattr(value, "all"):
                    value = [v.pk for v in value.all()]
                elif isinstance(value, list):
                    value = [getattr(v, "pk", v) for v in value]
                if value is not None:
                    data[f"{formset.prefix}-{i}-{name}"] = value
            if sub.instance.pk == criterion.pk:
                for name, value in changes.items():
                    data[f"{formset.prefix}-{i}-{name}"] = value
    return client.post(url, data)


@pytest.mark.parametrize("day", ["0", "32"])
def test_a_due_day_out_of_range_is_a_message_not_a_500(xuhui, day):
    response = post_criterion(xuhui, period="year", due_month="4", due_day=day)
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.errors


def test_XC_PHASES_a_due_date_is_checked_against_the_clauses_phase(xuhui):
    """A clause owed only in a phase is due inside that phase, not anywhere in the cycle."""
    with bureau_scope(xuhui.bureau):
        phase = Phase.objects.create(
            bureau=xuhui.bureau,
            programme=xuhui.programme,
            name="实施阶段",
            starts=dt.date(2024, 9, 1),
            ends=dt.date(2025, 8, 31),
        )
    before = post_criterion(xuhui, period="cycle", phase=str(phase.pk), due_date="2024-03-01")
    assert before.status_code == 200
    assert "培养周期" in before.content.decode()  # the due date must fall inside (the phase)
    inside = post_criterion(xuhui, period="cycle", phase=str(phase.pk), due_date="2025-03-01")
    assert inside.status_code == 302


def test_a_phase_outside_the_cycle_is_refused(xuhui):
    with bureau_scope(xuhui.bureau):
        phase = Phase(
            bureau=xuhui.bureau,
            programme=xuhui.programme,
            name="超出周期",
            starts=dt.date(2030, 1, 1),
            ends=dt.date(2030, 6, 30),
        )
        with pytest.raises(ValidationError):
            phase.full_clean()


def test_no_reminder_for_a_programme_not_active(xuhui):
    due_in_april(xuhui)
    with bureau_scope(xuhui.bureau):
        xuhui.programme.status = "draft"
        xuhui.programme.save()
    assert due_items(today=dt.date(2024, 4, 25), lookahead=7, lookback=8) == []
