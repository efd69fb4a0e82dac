"""Duties of units on the pages: a school's administrator files for their school (and for the
learning district it leads), the school's page and the programme's organisation page count each
unit's duties per period (SJ-SCHOOL, XC-TEAM, PT-HOURS, HA-ASSESS), and nobody else files or
reads them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import TeacherProfile, User
from accounts.roles import Role
from accounts.services import role_grant
from bureaus.models import AuditEntry, LearningDistrict, School
from bureaus.tenancy import bureau_scope
from programmes.services import programme_copy
from tests.uploads.samples import MINIMAL_PDF
from workshops.models import Membership, Team, UnitDuty, UnitFiling
from workshops.services import unit_filing_create

TODAY = dt.date(2024, 3, 10)


@pytest.fixture
def today(monkeypatch):
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return TODAY if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    return TODAY


def teams_url(cast) -> str:
    return f"/programmes/{cast.programme.pk}/groups/"


def school_filing_url(cast, school) -> str:
    return f"/programmes/{cast.programme.pk}/schools/{school.pk}/filings/new/"


def district_filing_url(cast, district) -> str:
    return f"/programmes/{cast.programme.pk}/districts/{district.pk}/filings/new/"


def pdf(name="记录.pdf"):
    return SimpleUploadedFile(name, MINIMAL_PDF, content_type="application/pdf")


def duty(cast, title, **fields) -> UnitDuty:
    values = {"owed_by": "every_school", "period": "month", "kinds": ["training_session"]}
    values.update(fields)
    return UnitDuty.objects.create(
        bureau=cast.bureau, programme=cast.programme, title=title, **values
    )


def school(cast, name, classes, **fields) -> School:
    return School.objects.create(
        bureau=cast.bureau, name=name, stage="junior", number_of_classes=classes, **fields
    )


def admin_of(cast, school_, key) -> User:
    user = User.objects.create_user(
        username=f"{cast.bureau.code}_{key}",
        password="x",
        full_name=f"{key}专管员",
        bureau=cast.bureau,
    )
    role_grant(actor=None, user=user, role=Role.SCHOOL_ADMIN, school=school_)
    return user


# --- SJ-SCHOOL: the studio check over every school of the bureau ---------------------------------


def test_SJ_SCHOOL_a_15_class_school_without_a_studio_is_listed_with_no_enrolled_teacher(
    xuhui, today
):
    """Songjiang's organisation page lists every school with ≥15 classes and no studio of ≥8,
    enrolled teachers or not; a 14-class school is not listed; a studio of 8 clears it."""
    client = xuhui.client("staff")
    with bureau_scope(xuhui.bureau):
        UnitDuty.objects.update(rule="SJ-SCHOOL")  # the programme carries Songjiang's duty
        fifteen = school(xuhui, "十五班学校", 15)
        school(xuhui, "十四班学校", 14)
        xuhui.school.number_of_classes = 10  # the cast's school is out of the way
        xuhui.school.save()
    page = client.get(teams_url(xuhui)).content.decode()
    section = page[page.index('data-testid="studio-shortfalls"') :]
    assert "十五班学校" in section and "十四班学校" not in section
    with bureau_scope(xuhui.bureau):
        studio = Team.objects.create(
            bureau=xuhui.bureau,
            programme=xuhui.programme,
            kind="school_studio",
            name="十五班学校班主任工作室",
            lead=xuhui.lead,
            school=fifteen,
        )
        for i in range(8):
            user = User.objects.create_user(
                username=f"xh_s{i}", password="x", full_name=f"成员{i}", bureau=xuhui.bureau
            )
            profile = TeacherProfile.objects.create(
                bureau=xuhui.bureau,
                user=user,
                staff_number=f"S{i}",
                gender="F",
                school=fifteen,
                subject="maths",
                stage="junior",
            )
            Membership.objects.create(bureau=xuhui.bureau, team=studio, teacher=profile)
    page = client.get(teams_url(xuhui)).content.decode()
    section = page[page.index('data-testid="studio-shortfalls"') :]
    assert "十五班学校" not in section.split("</section>")[0]


def test_SJ_SCHOOL_the_monthly_session_shows_per_school_with_what_is_missing(xuhui, today):
    with bureau_scope(xuhui.bureau):
        school(xuhui, "未参加学校", 6)
    page = xuhui.client("staff").get(teams_url(xuhui)).content.decode()
    section = page[page.index('data-testid="unit-duties"') :].split("</section>")[0]
    # Every school owes it, the one without participants too; none filed in March 2024 yet.
    assert "未参加学校" in section and xuhui.school.name in section
    assert "还差 1 次（已有 0 次，需 1 次）" in section
    assert "SJ-SCHOOL" not in page
    missed = xuhui.client("staff").get(teams_url(xuhui) + "?units=missed").content.decode()
    assert "未参加学校" in missed  # it missed September 2023 onwards


# --- Filing for a school ----------------------------------------------------------------------


def test_SJ_SCHOOL_a_school_administrator_files_a_session_for_their_school(xuhui, today):
    client = xuhui.client("school_admin")
    url = school_filing_url(xuhui, xuhui.school)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kind": "training_session",
            "title": "三月分层研修",
            "date": "2024-03-08",
            "files": [pdf()],
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/schools/{xuhui.school.pk}/#duties")
    with bureau_scope(xuhui.bureau):
        filing = UnitFiling.objects.get(title="三月分层研修")
        assert (filing.school, filing.filed_by) == (xuhui.school, xuhui.school_admin)
        stored = filing.files.get()
        assert AuditEntry.objects.filter(
            action="unit_filing.create", target_id=str(filing.pk)
        ).exists()
    page = client.get(f"/schools/{xuhui.school.pk}/").content.decode()
    assert 'data-testid="unit-duties"' in page and "三月分层研修" in page
    assert "SJ-SCHOOL" not in page
    download = client.get(f"/unit-filings/{filing.pk}/files/{stored.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == MINIMAL_PDF


def test_a_school_administrator_cannot_file_for_another_school_same_404_as_missing(xuhui, today):
    client = xuhui.client("school_admin")
    other = client.get(school_filing_url(xuhui, xuhui.other_school))
    missing = client.get(f"/programmes/{xuhui.programme.pk}/schools/999999/filings/new/")
    assert other.status_code == missing.status_code == 404
    posted = client.post(
        school_filing_url(xuhui, xuhui.other_school),
        {"kind": "training_session", "title": "x", "date": "2024-03-01"},
    )
    assert posted.status_code == 404
    with bureau_scope(xuhui.bureau):
        assert not UnitFiling.objects.filter(school=xuhui.other_school).exists()
        stored = xuhui.extras["unit_filing_file"]
        admin = admin_of(xuhui, xuhui.other_school, "other_admin")
    # Another school's administrator does not read this school's files either.
    other_client = xuhui.client("teacher")
    other_client.force_login(admin)
    url = f"/unit-filings/{stored.filing_id}/files/{stored.pk}/"
    assert other_client.get(url).status_code == 404
    # Leadership reads but does not file.
    assert xuhui.client("leader").get(url).status_code == 200
    assert xuhui.client("leader").get(school_filing_url(xuhui, xuhui.school)).status_code == 403


def test_bad_input_gets_a_message_not_a_500(xuhui, today):
    client = xuhui.client("school_admin")
    url = school_filing_url(xuhui, xuhui.school)
    future = client.post(url, {"kind": "training_session", "title": "x", "date": "2024-04-01"})
    assert future.status_code == 200 and "日期不能是将来的日期" in future.content.decode()
    before = client.post(url, {"kind": "training_session", "title": "x", "date": "2020-01-01"})
    assert before.status_code == 200 and "日期不在培养周期内" in before.content.decode()
    unknown = client.post(url, {"kind": "salon", "title": "x", "date": "2024-03-01"})
    assert unknown.status_code == 200
    with bureau_scope(xuhui.bureau):
        assert UnitFiling.objects.filter(title="x").count() == 0


# --- PT-HOURS: 40 class hours a school year, as the school's duty ---------------------------------


def test_PT_HOURS_the_school_files_sessions_with_class_hours_towards_40_a_school_year(xuhui, today):
    with bureau_scope(xuhui.bureau):
        UnitDuty.objects.all().delete()
        duty(
            xuhui,
            "班主任校本研修课时",
            rule="PT-HOURS",
            period="year",
            min_hours=Decimal(40),
        )
        duty(
            xuhui,
            "班主任校本研修计划",
            rule="PT-HOURS",
            period="year",
            kinds=["training_plan"],
        )
    client = xuhui.client("school_admin")
    url = school_filing_url(xuhui, xuhui.school)
    no_hours = client.post(url, {"kind": "training_session", "title": "讲座", "date": "2024-03-01"})
    assert no_hours.status_code == 200 and "请填写课时" in no_hours.content.decode()
    for day, hours in (("2023-10-12", "16"), ("2024-03-01", "12")):
        response = client.post(
            url, {"kind": "training_session", "title": "讲座", "date": day, "hours": hours}
        )
        assert response.status_code == 302
    page = client.get(f"/schools/{xuhui.school.pk}/").content.decode()
    assert "还差 12 课时（已有 28 课时，需 40 课时）" in page
    assert "PT-HOURS" not in page


# --- XC-TEAM: the learning district's duties, filed by its lead school ---------------------------


def test_XC_TEAM_the_lead_schools_administrator_files_for_the_learning_district(xuhui, today):
    with bureau_scope(xuhui.bureau):
        UnitDuty.objects.all().delete()
        duty(xuhui, "校长沙龙", rule="XC-TEAM", owed_by="learning_district", kinds=["salon"])
        other_district = LearningDistrict.objects.create(bureau=xuhui.bureau, name="第二学区")
        admin = admin_of(xuhui, xuhui.other_school, "other_admin")
    client = xuhui.client("school_admin")  # the cast's school leads the cast's district
    response = client.post(
        district_filing_url(xuhui, xuhui.district),
        {"kind": "salon", "title": "三月校长沙龙", "date": "2024-03-05"},
    )
    assert response.status_code == 302
    with bureau_scope(xuhui.bureau):
        filing = UnitFiling.objects.get(title="三月校长沙龙")
        assert (filing.learning_district, filing.school) == (xuhui.district, None)
    assert client.get(district_filing_url(xuhui, other_district)).status_code == 404
    client.force_login(admin)  # a school that does not lead the district
    assert client.get(district_filing_url(xuhui, xuhui.district)).status_code == 404
    staff_page = xuhui.client("staff").get(teams_url(xuhui)).content.decode()
    section = staff_page[staff_page.index('data-testid="unit-duties"') :].split("</section>")[0]
    assert xuhui.district.name in section and "第二学区" in section
    school_page = xuhui.client("school_admin").get(f"/schools/{xuhui.school.pk}/")
    text = school_page.content.decode()
    assert "三月校长沙龙" in text and "本校为牵头单位" in text


# --- HA-ASSESS: the year-end assessment of each unit, filed by bureau staff ----------------------


def test_HA_ASSESS_staff_file_the_year_end_assessment_of_a_unit(xuhui, today):
    with bureau_scope(xuhui.bureau):
        UnitDuty.objects.all().delete()
        duty(
            xuhui,
            "年度单位考核",
            rule="HA-ASSESS",
            period="year",
            kinds=["unit_assessment"],
        )
    client = xuhui.client("staff")
    response = client.post(
        school_filing_url(xuhui, xuhui.other_school),
        {"kind": "unit_assessment", "title": "2023学年单位考核", "date": "2024-03-01"},
    )
    assert response.status_code == 302
    page = client.get(teams_url(xuhui) + "?units=met").content.decode()
    section = page[page.index('data-testid="unit-duties"') :].split("</section>")[0]
    assert xuhui.other_school.name in section and xuhui.school.name not in section


# --- Constant queries as units grow ---------------------------------------------------------------


def _add_units(cast, n: int, start: int) -> None:
    with bureau_scope(cast.bureau):
        for i in range(start, start + n):
            new = school(cast, f"学校{i}", 10 + i % 10)
            district = LearningDistrict.objects.create(
                bureau=cast.bureau, name=f"学区{i}", lead_school=new
            )
            unit_filing_create(
                actor=cast.staff,
                programme=cast.programme,
                school=new,
                data={"kind": "training_session", "title": f"研修{i}", "date": TODAY},
            )
            unit_filing_create(
                actor=cast.staff,
                programme=cast.programme,
                district=district,
                data={"kind": "salon", "title": f"沙龙{i}", "date": TODAY},
            )


def test_the_organisation_page_and_the_school_page_take_the_same_queries_as_units_grow(
    xuhui, today
):
    with bureau_scope(xuhui.bureau):
        duty(xuhui, "校长沙龙", rule="XC-TEAM", owed_by="learning_district", kinds=["salon"])
        duty(xuhui, "工作室", owed_by="schools_with_classes", min_classes=15, period="cycle")
    client = xuhui.client("staff")

    def count(url) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    school_url = f"/schools/{xuhui.school.pk}/"
    _add_units(xuhui, 2, 0)
    small = count(teams_url(xuhui)), count(school_url)
    _add_units(xuhui, 12, 2)
    large = count(teams_url(xuhui)), count(school_url)
    assert small == large


# --- Configuration: the admin and the next cycle ---------------------------------------------


def test_staff_edit_the_duties_of_units_on_the_programme_and_a_copy_takes_them_along(xuhui):
    client = xuhui.client("staff")
    page = client.get(f"/admin/programmes/programme/{xuhui.programme.pk}/change/")
    assert page.status_code == 200 and "unit_duties-TOTAL_FORMS" in page.content.decode()
    with bureau_scope(xuhui.bureau):
        copy = programme_copy(
            actor=xuhui.staff,
            programme=xuhui.programme,
            name="下一轮",
            code="next",
            start_month=dt.date(2026, 9, 1),
        )
        assert list(copy.unit_duties.values_list("title", "period")) == list(
            xuhui.programme.unit_duties.values_list("title", "period")
        )


def test_the_service_refuses_a_teacher_and_another_bureaus_staff(xuhui, putuo):
    from django.core.exceptions import PermissionDenied

    data = {"kind": "training_session", "title": "x", "date": dt.date(2024, 3, 1)}
    with bureau_scope(xuhui.bureau):
        for actor in (xuhui.teacher, xuhui.lead, putuo.staff):
            with pytest.raises(PermissionDenied):
                unit_filing_create(
                    actor=actor, programme=xuhui.programme, school=xuhui.school, data=data
                )
        assert not UnitFiling.objects.filter(title="x").exists()


def test_a_duty_of_large_schools_needs_its_number_of_classes_and_known_kinds(xuhui):
    from django.core.exceptions import ValidationError

    with bureau_scope(xuhui.bureau):
        duty_ = UnitDuty(
            bureau=xuhui.bureau,
            programme=xuhui.programme,
            title="工作室活动",
            owed_by="schools_with_classes",
            period="month",
            kinds=["training_session"],
        )
        with pytest.raises(ValidationError) as error:
            duty_.full_clean()
        assert "min_classes" in error.value.message_dict
        duty_.min_classes, duty_.kinds = 15, ["seminar"]
        with pytest.raises(ValidationError) as error:
            duty_.full_clean()
        assert "kinds" in error.value.message_dict


def test_a_seed_with_an_unknown_unit_scope_is_refused_with_its_place(tmp_path):
    import json

    from demo import schema
    from demo.programmes import SEED_DIR

    data = json.loads((SEED_DIR / "xc.json").read_text(encoding="utf-8"))
    data["unit_duties"][1]["owed_by"] = "every_town"
    path = tmp_path / "xc.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match="unknown unit scope 'every_town'"):
        schema.read(path, "programme")


def test_XC_TEAM_a_cadre_teams_obligations_move_to_its_learning_district_once(xuhui):
    import importlib

    from django.apps import apps

    from bureaus.tenancy import all_bureaus
    from workshops.models import Obligation

    forwards = importlib.import_module(
        "workshops.migrations.0009_cadre_team_duties_to_districts"
    ).forwards
    with bureau_scope(xuhui.bureau):
        UnitDuty.objects.all().delete()
        teams = [
            Team.objects.create(
                bureau=xuhui.bureau,
                programme=xuhui.programme,
                kind="cadre_team",
                name=name,
                lead=xuhui.lead,
            )
            for name in ("甲学区干部团队", "乙学区干部团队")
        ]
        for team in teams:
            for title, period, kinds in (
                ("校长沙龙", "month", ["校长沙龙"]),
                ("学期工作总结", "semester", ["summary"]),
            ):
                Obligation.objects.create(
                    bureau=xuhui.bureau,
                    team=team,
                    rule="XC-TEAM",
                    title=title,
                    counts="activities",
                    kinds=kinds,
                    period=period,
                )
    with all_bureaus():
        forwards(apps, None)
    with bureau_scope(xuhui.bureau):
        assert not Obligation.objects.filter(team__kind="cadre_team").exists()
        duties = UnitDuty.objects.filter(programme=xuhui.programme).order_by("order")
        assert [(d.title, d.owed_by, d.kinds) for d in duties] == [
            ("校长沙龙", "learning_district", ["salon"]),
            ("学期工作总结", "learning_district", ["work_summary"]),
        ]
