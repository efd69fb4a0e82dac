"""Rules that belong to one programme are configuration of that programme: attendance against a
threshold (XC-ATTEND) is shown only on the groups of a programme that keeps it, with its
threshold; school-based training hours (PT-HOURS) only for a programme with a yearly figure."""

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from bureaus.tenancy import bureau_scope
from demo import schema
from demo.programmes import SEED_DIR
from programmes.services import programme_copy
from workshops import rules, selectors
from workshops.models import GroupRules, Membership, Team
from workshops.services import activity_record


def keep_group_rules(cast, **fields) -> GroupRules:
    """Give the cast's programme rules of its groups (e.g. ``keeps_attendance=True``)."""
    with bureau_scope(cast.bureau):
        found, _created = GroupRules.objects.update_or_create(
            programme=cast.programme, defaults={"bureau": cast.bureau, **fields}
        )
    return found


def team_url(cast) -> str:
    return f"/groups/{cast.extras['team'].pk}/"


def sessions_url(cast) -> str:
    return f"/programmes/{cast.programme.pk}/sessions/"


def programme_url(cast) -> str:
    return f"/programmes/{cast.programme.pk}/"


# --- The pure rule ------------------------------------------------------------------------------


def test_XC_ATTEND_the_threshold_is_data_a_third_lets_more_members_earn_credit():
    # Absent 2 of 6 hours: a third. More than a quarter, not more than a third.
    records = [(Decimal(2), True), (Decimal(2), True), (Decimal(2), False)]
    assert not rules.attendance(records, max_absent_share=rules.QUARTER).earns_credit
    assert rules.attendance(records, max_absent_share=Decimal("0.3333")).earns_credit
    assert rules.attendance(records, max_absent_share=Decimal(1) / 3).earns_credit
    # Absent 3.5 of 10 hours: more than a third too.
    more = [(Decimal("6.5"), True), (Decimal("3.5"), False)]
    assert not rules.attendance(more, max_absent_share=Decimal("0.3333")).earns_credit
    # Exactly a quarter still earns credit; nothing missed earns it even at a share of 0.
    quarter = [(Decimal(3), True), (Decimal(1), False)]
    assert rules.attendance(quarter, max_absent_share=rules.QUARTER).earns_credit
    assert rules.attendance([(Decimal(3), True)], max_absent_share=Decimal(0)).earns_credit
    assert not rules.attendance(quarter, max_absent_share=Decimal(0)).earns_credit


# --- XC-ATTEND on the group page -----------------------------------------------------------------


def absent_from_a_third(cast) -> Membership:
    """A second member who attends the cast's 3-hour activity of 2023-10-12 and one of 3 hours
    more, and misses one of 3: absent from 3 of 9 hours in 2023学年 (a third). The cast's
    member attends only the first: absent from 6 of 9."""
    with bureau_scope(cast.bureau):
        team = cast.extras["team"]
        second = Membership.objects.create(
            bureau=cast.bureau, team=team, teacher=cast.mentor.teacher_profile
        )
        team.activities.get().attendance.create(bureau=cast.bureau, membership=second, present=True)
        for day, present in ((dt.date(2023, 11, 2), [second]), (dt.date(2024, 3, 14), [])):
            activity_record(
                actor=cast.lead,
                team=team,
                present_member_ids=[m.pk for m in present],
                data={"date": day, "kind": "集体备课", "topic": f"研讨{day}", "hours": 3},
            )
    return second


def no_credit_names(page: str) -> set[str]:
    import re

    section = page[page.index('id="attendance"') :]
    rows = re.findall(r"<tr><td>(.*?)</td>(.*?)</tr>", section, re.S)
    return {name for name, cells in rows if 'data-testid="no-credit"' in cells}


def test_XC_ATTEND_shown_on_the_group_of_a_programme_that_keeps_it(xuhui):
    absent_from_a_third(xuhui)
    keep_group_rules(xuhui, keeps_attendance=True)
    page = xuhui.client("teacher").get(team_url(xuhui)).content.decode()
    assert 'id="attendance"' in page and "25%" in page
    assert no_credit_names(page) == {xuhui.teacher.full_name, xuhui.mentor.full_name}


def test_XC_ATTEND_a_threshold_of_a_third_changes_who_earns_credit(xuhui):
    absent_from_a_third(xuhui)
    keep_group_rules(xuhui, keeps_attendance=True, max_absent_share=Decimal("0.3333"))
    page = xuhui.client("lead").get(team_url(xuhui)).content.decode()
    assert "33.33%" in page
    assert no_credit_names(page) == {xuhui.teacher.full_name}
    with bureau_scope(xuhui.bureau):
        found = selectors.attendance_by_member(xuhui.extras["team"], 2023)
    assert sorted(a.earns_credit for a in found.values()) == [False, True]


def test_XC_ATTEND_not_shown_on_a_workshop_of_a_programme_without_it(xuhui):
    absent_from_a_third(xuhui)
    for rules_ in ({}, {"keeps_attendance": False, "training_hours_a_year": Decimal(40)}):
        if rules_:
            keep_group_rules(xuhui, **rules_)
        for who in ("teacher", "lead", "staff"):
            response = xuhui.client(who).get(team_url(xuhui))
            assert response.status_code == 200
            assert 'id="attendance"' not in response.content.decode()
            assert response.context["attendance"] == []
        with bureau_scope(xuhui.bureau):
            assert selectors.attendance_by_year(xuhui.extras["team"]) == {}


# --- PT-HOURS: the school-based training hours ---------------------------------------------------


def test_PT_HOURS_the_page_uses_the_programmes_yearly_figure(xuhui):
    keep_group_rules(xuhui, training_hours_a_year=Decimal(40))
    response = xuhui.client("staff").get(sessions_url(xuhui), {"school_year": "2023"})
    assert response.status_code == 200 and response.context["min_hours"] == 40
    assert "40" in response.content.decode()
    keep_group_rules(xuhui, training_hours_a_year=Decimal("12.5"))
    response = xuhui.client("staff").get(sessions_url(xuhui), {"school_year": "2023"})
    assert response.context["min_hours"] == Decimal("12.5")
    assert "12.5" in response.content.decode()


def test_PT_HOURS_no_page_and_no_export_for_a_programme_without_the_figure(xuhui):
    for rules_ in ({}, {"keeps_attendance": True, "training_hours_a_year": None}):
        if rules_:
            keep_group_rules(xuhui, **rules_)
        for who in ("staff", "leader", "school_admin"):
            client = xuhui.client(who)
            assert client.get(sessions_url(xuhui)).status_code == 404
            assert client.get(sessions_url(xuhui), {"format": "xlsx"}).status_code == 404


def test_PT_HOURS_the_link_is_only_on_a_programme_with_the_figure(xuhui):
    page = xuhui.client("staff").get(programme_url(xuhui)).content.decode()
    assert f'href="{sessions_url(xuhui)}"' not in page
    assert f'href="/programmes/{xuhui.programme.pk}/briefings/"' in page  # the other boards stay
    keep_group_rules(xuhui, training_hours_a_year=Decimal(40))
    for who in ("staff", "school_admin"):
        page = xuhui.client(who).get(programme_url(xuhui)).content.decode()
        assert f'href="{sessions_url(xuhui)}"' in page


# --- The seeds and the demo -------------------------------------------------------------------


@pytest.fixture
def seeded_programmes(db) -> None:
    call_command("load_demo", stdout=StringIO())
    call_command("load_programmes", stdout=StringIO())


def test_XC_ATTEND_and_PT_HOURS_come_with_the_xc_and_pt_seeds_only(seeded_programmes):
    found = {
        rules_.programme.code[:2]: rules_
        for rules_ in GroupRules.objects.all_bureaus().select_related("programme")
    }
    assert set(found) == {"xc", "pt"}
    assert found["xc"].keeps_attendance and found["xc"].max_absent_share == Decimal("0.25")
    assert found["xc"].training_hours_a_year is None
    assert not found["pt"].keeps_attendance and found["pt"].training_hours_a_year == 40


def test_a_seed_with_a_share_of_one_or_a_share_without_attendance_is_refused(tmp_path):
    data = json.loads((SEED_DIR / "xc.json").read_text(encoding="utf-8"))
    path = tmp_path / "xc.json"
    for rules_, message in (
        ({"keeps_attendance": True, "max_absent_share": 1}, "must be a share from 0"),
        ({"max_absent_share": 0.25}, "goes with 'keeps_attendance': true"),
        ({"training_hours_a_year": 0}, "must be more than 0"),
    ):
        data["group_rules"] = rules_
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        with pytest.raises(ValueError, match=message):
            schema.read(path, "programme")


# --- Validation, the admin and the next cycle ---------------------------------------------------


def test_the_rules_refuse_a_share_of_one_or_more_and_hours_of_zero_with_clear_messages(xuhui):
    with bureau_scope(xuhui.bureau):
        for field, value in (
            ("max_absent_share", Decimal(1)),
            ("max_absent_share", Decimal("-0.1")),
            ("training_hours_a_year", Decimal(0)),
        ):
            found = GroupRules(bureau=xuhui.bureau, programme=xuhui.programme, **{field: value})
            with pytest.raises(ValidationError) as error:
                found.full_clean()
            assert list(error.value.message_dict) == [field]
        GroupRules(
            bureau=xuhui.bureau,
            programme=xuhui.programme,
            keeps_attendance=True,
            max_absent_share=Decimal("0.3333"),
            training_hours_a_year=Decimal(40),
        ).full_clean()


def test_staff_see_the_rules_on_the_programmes_admin_and_a_copy_takes_them_along(xuhui):
    keep_group_rules(
        xuhui, keeps_attendance=True, max_absent_share=Decimal("0.3"), training_hours_a_year=40
    )
    page = xuhui.client("staff").get(f"/admin/programmes/programme/{xuhui.programme.pk}/change/")
    assert page.status_code == 200 and "group_rules-TOTAL_FORMS" in page.content.decode()
    with bureau_scope(xuhui.bureau):
        copy = programme_copy(
            actor=xuhui.staff,
            programme=xuhui.programme,
            name="下一轮",
            code="next",
            start_month=dt.date(2026, 9, 1),
        )
        copied = GroupRules.objects.get(programme=copy)
    assert (copied.keeps_attendance, copied.max_absent_share, copied.training_hours_a_year) == (
        True,
        Decimal("0.3"),
        40,
    )
    assert copied.bureau_id == xuhui.bureau.pk


def test_existing_xc_and_pt_programmes_get_their_rules_once(xuhui):
    import importlib

    from django.apps import apps

    forwards = importlib.import_module(
        "workshops.migrations.0014_group_rules_of_existing_programmes"
    ).forwards
    with bureau_scope(xuhui.bureau):
        Team.objects.create(
            bureau=xuhui.bureau,
            programme=xuhui.programme,
            kind="training_group",
            name="校本研修组",
            lead=xuhui.lead,
            school=xuhui.school,
        )
    forwards(apps, None)
    forwards(apps, None)
    with bureau_scope(xuhui.bureau):
        [found] = GroupRules.objects.all()
    assert found.programme_id == xuhui.programme.pk and found.training_hours_a_year == 40
    assert not found.keeps_attendance
    assert not GroupRules.objects.all_bureaus().exclude(programme=xuhui.programme).exists()


def change_form_data(response) -> dict:
    """What the admin's change page would post back unchanged: the form and every inline."""
    data: dict = {}

    def add(form) -> None:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            if isinstance(value, list | tuple):
                data[field.html_name] = [str(v) for v in value]
            else:
                data[field.html_name] = "on" if value is True else str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for field in formset.management_form:
            data[field.html_name] = str(field.value())
        for form in formset.initial_forms:
            add(form)
    return data


def test_staff_keep_a_third_on_the_programmes_admin_and_are_told_a_share_of_one_is_wrong(xuhui):
    client = xuhui.client("staff")
    url = f"/admin/programmes/programme/{xuhui.programme.pk}/change/"
    data = change_form_data(client.get(url))
    data.update(
        {
            "group_rules-TOTAL_FORMS": "1",
            "group_rules-0-keeps_attendance": "on",
            "group_rules-0-max_absent_share": "1",
            "group_rules-0-training_hours_a_year": "",
        }
    )
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "请以占课时的比例填写最大缺勤比例" in refused.content.decode()
    with bureau_scope(xuhui.bureau):
        assert not GroupRules.objects.exists()
    data["group_rules-0-max_absent_share"] = "0.3333"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    with bureau_scope(xuhui.bureau):
        found = GroupRules.objects.get()
    assert (found.programme_id, found.bureau_id) == (xuhui.programme.pk, xuhui.bureau.pk)
    assert found.keeps_attendance and found.max_absent_share == Decimal("0.3333")
    assert found.training_hours_a_year is None
