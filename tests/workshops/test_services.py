"""Writes on groups: who manages a group, what a new group owes, documents and their review."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from bureaus.models import AuditEntry
from bureaus.tenancy import bureau_scope
from tests.uploads.samples import MINIMAL_PDF
from workshops import access, rules, services
from workshops.models import (
    Deadline,
    MemberRole,
    Membership,
    Team,
    TeamDocument,
    TeamUserObjectPermission,
)

pytestmark = pytest.mark.django_db


def pdf(name="file.pdf"):
    return SimpleUploadedFile(name, MINIMAL_PDF, content_type="application/pdf")


def new_team(cast, **fields):
    values = {
        "bureau": cast.bureau,
        "programme": cast.programme,
        "kind": "workshop",
        "name": "语文工作坊",
        "workshop_type": "intra_school",
        "lead": cast.mentor,
    }
    values.update(fields)
    team = Team.objects.create(**values)
    services.team_permissions_sync(team=team)
    return team


def test_XH_WS_LEAD_a_lead_manages_only_their_own_workshop(xuhui):
    with bureau_scope(xuhui.bureau):
        theirs = xuhui.extras["team"]
        other = new_team(xuhui)
        assert access.can_manage(xuhui.lead, theirs)
        assert not access.can_manage(xuhui.lead, other)
        assert access.can_manage(xuhui.mentor, other)
        assert not access.can_manage(xuhui.teacher, theirs)  # a member sees, does not manage
        assert access.can_manage(xuhui.staff, other)
        with pytest.raises(PermissionDenied):
            services.activity_record(
                actor=xuhui.lead,
                team=other,
                data={"date": dt.date(2024, 3, 1), "kind": "集体备课", "topic": "x", "hours": 2},
                present_member_ids=[],
            )


def test_XH_WS_LEAD_a_new_lead_takes_over_the_permission_and_the_old_one_loses_it(xuhui):
    with bureau_scope(xuhui.bureau):
        team = new_team(xuhui)
        team.lead, team.assistant = xuhui.lead, xuhui.teacher
        team.save()
        services.team_permissions_sync(team=team)
        holders = set(
            TeamUserObjectPermission.objects.filter(content_object=team).values_list(
                "user_id", flat=True
            )
        )
        assert holders == {xuhui.lead.pk, xuhui.teacher.pk}
        assert not access.can_manage(xuhui.mentor, team)
        assert access.can_manage(xuhui.teacher, team)  # XC-ASSIST: the assistant files too


def test_the_object_permission_never_reaches_another_bureau(xuhui, putuo):
    with bureau_scope(xuhui.bureau):
        team = xuhui.extras["team"]
        # Putuo's staff hold the model permission in their own bureau, not on Xuhui's group.
        assert not access.can_manage(putuo.staff, team)
        assert not access.can_manage(putuo.lead, team)


def test_XH_BRIEF_a_new_workshop_gets_its_obligations_and_quarterly_briefings(xuhui):
    with bureau_scope(xuhui.bureau):
        team = new_team(xuhui)
        added = services.team_presets_apply(actor=xuhui.staff, team=team)
        assert added == 3
        assert set(team.obligations.values_list("rule", flat=True)) == {
            "XH-WS-LEAD",
            "XH-WS-OUTPUT",
        }
        schedule = team.schedules.get()
        assert (schedule.frequency, schedule.day) == ("quarterly", 28)
        dues = list(Deadline.objects.filter(team=team).values_list("due", flat=True))
        cycle = xuhui.programme.cycle
        assert dues == rules.deadlines(rules.XH_BRIEF, cycle.start, cycle.end)
        assert all(d.day == 28 and d.month in (3, 6, 9, 12) for d in dues)
        # Applying again adds nothing.
        assert services.team_presets_apply(actor=xuhui.staff, team=team) == 0
        assert team.schedules.count() == 1
        assert AuditEntry.objects.filter(action="group.presets", target_id=str(team.pk)).exists()


def test_XC_TEAM_a_cadre_team_owes_a_briefing_every_two_months_and_its_district_the_rest(xuhui):
    """The salons, plan, micro-project, summaries, meeting and portfolio are the learning
    district's duties (filed by its lead school), so the team is not asked for them again."""
    with bureau_scope(xuhui.bureau):
        team = new_team(xuhui, kind="cadre_team", name="学区干部团队", workshop_type="")
        services.team_presets_apply(actor=xuhui.staff, team=team)
        assert not team.obligations.exists()
        assert team.schedules.get().frequency == "bimonthly"


def test_XC_MENTEE_a_mentee_files_their_own_documents_and_the_mentor_reviews_them(xuhui):
    with bureau_scope(xuhui.bureau):
        pair = new_team(xuhui, kind="mentoring_pair", name="带教：张", workshop_type="")
        Membership.objects.create(
            bureau=xuhui.bureau,
            team=pair,
            teacher=xuhui.teacher.teacher_profile,
            role=MemberRole.MENTEE,
        )
        portfolio = services.document_upload(
            actor=xuhui.teacher,
            team=pair,
            kind="personal_portfolio",
            title="个人档案袋",
            upload=pdf(),
        )
        with pytest.raises(PermissionDenied):  # the pair's own documents are the mentor's
            services.document_upload(
                actor=xuhui.teacher, team=pair, kind="mentoring_plan", title="x", upload=pdf()
            )
        with pytest.raises(PermissionDenied):  # the mentee does not review
            services.document_review(actor=xuhui.teacher, document=portfolio, comment="好")
        with pytest.raises(ValidationError):
            services.document_review(actor=xuhui.mentor, document=portfolio, comment=" ")
        services.document_review(actor=xuhui.mentor, document=portfolio, comment="材料齐全")
        portfolio.refresh_from_db()
        assert portfolio.reviewed_by == xuhui.mentor
        assert portfolio.review_comment == "材料齐全"
        assert AuditEntry.objects.filter(action="document.review").count() == 1


def test_a_document_with_a_bad_file_is_refused_and_nothing_is_written(xuhui):
    with bureau_scope(xuhui.bureau):
        team = xuhui.extras["team"]
        before = TeamDocument.objects.count()
        fake = SimpleUploadedFile("plan.pdf", b"not a pdf", content_type="application/pdf")
        with pytest.raises(ValidationError) as error:
            services.document_upload(
                actor=xuhui.lead, team=team, kind="research_plan", title="方案", upload=fake
            )
        assert "files" in error.value.message_dict
        assert TeamDocument.objects.count() == before


def test_a_briefing_is_filed_once_and_a_filed_one_cannot_be_extended(xuhui):
    with bureau_scope(xuhui.bureau):
        deadline = xuhui.extras["deadline"]  # filed by the cast
        with pytest.raises(ValidationError):
            services.briefing_file(actor=xuhui.lead, deadline=deadline, text="again")
        with pytest.raises(ValidationError):
            services.deadline_extend(
                actor=xuhui.staff, deadline=deadline, to=dt.date(2030, 1, 1), reason="x"
            )


def test_a_member_cannot_file_the_teams_briefing(xuhui):
    with bureau_scope(xuhui.bureau):
        deadline = Deadline.objects.filter(team=xuhui.extras["team"], briefing=None).first()
        with pytest.raises(PermissionDenied):
            services.briefing_file(actor=xuhui.teacher, deadline=deadline, text="简报")


def test_the_lead_adds_edits_and_removes_members_with_audit_rows(xuhui):
    with bureau_scope(xuhui.bureau):
        team = xuhui.extras["team"]
        candidates = list(services.enrolled_teachers(team))
        assert xuhui.teacher.teacher_profile not in candidates  # already a member
        teacher = candidates[0]
        member = services.membership_add(
            actor=xuhui.lead, team=team, teacher=teacher, task_division="课例研究"
        )
        with pytest.raises(ValidationError):
            services.membership_add(actor=xuhui.lead, team=team, teacher=teacher)
        services.membership_update(actor=xuhui.lead, membership=member, task_division="资源开发")
        services.membership_remove(actor=xuhui.lead, membership=member)
        actions = list(
            AuditEntry.objects.filter(action__startswith="membership.").values_list(
                "action", flat=True
            )
        )
        assert sorted(actions) == ["membership.add", "membership.remove", "membership.update"]
        with pytest.raises(PermissionDenied):
            services.membership_add(actor=xuhui.teacher, team=team, teacher=teacher)


def test_the_home_page_lists_my_teams_with_the_next_briefing_and_what_is_missing(xuhui, client):
    today = dt.date(2026, 11, 22)
    with bureau_scope(xuhui.bureau):
        team = xuhui.extras["team"]
        schedule = team.schedules.get()
        schedule.ends = dt.date(2027, 6, 30)
        schedule.save()
        services.schedule_deadlines_sync(schedule)
        from workshops.selectors import my_teams

        (mine,) = my_teams(xuhui.lead, today=today)
        assert mine.manages and mine.next_deadline.due == dt.date(2026, 12, 28)
        assert (
            mine.missing == Deadline.objects.filter(team=team, briefing=None, due__lt=today).count()
        )
        (theirs,) = my_teams(xuhui.teacher, today=today)
        assert not theirs.manages
        assert my_teams(xuhui.staff, today=today) == []
    client.force_login(xuhui.lead)
    page = client.get("/")
    assert page.status_code == 200
    assert team.name in page.content.decode()
