"""Walk every URL of the portal (site and admin) as each Putuo role, aimed at Xuhui's objects.

Another bureau's object must be the same 404 (or 403) as a missing one, and no page may carry
Xuhui's canary text. The walk fails when a URL pattern exists that it does not cover: a new
URL has to be added here, with the Xuhui object it is aimed at.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import TeacherProfile
from bureaus.models import AuditEntry, LevelName, OutboxJob
from bureaus.tenancy import all_bureaus, bureau_scope
from programmes.models import EvidenceKind
from workshops.models import GroupRules

from .conftest import CANARY

PAGE = "page"  # any answer but a 500, without the canary
OBJECT = "object"  # aimed at a Xuhui object: 403/404 (or a sign-in page), without the canary

ADMIN_MODEL_ACTIONS = ("changelist", "add", "history", "delete", "change")


@dataclass(frozen=True)
class Case:
    route: str  # the URL pattern the case is aimed at, as resolve() reports it
    url: str
    kind: str
    method: str = "get"
    data: tuple = ()  # form data to post, as pairs


def url_patterns() -> dict[tuple[str, object], str]:
    """Every URL pattern, keyed by its full route and the view it calls (for the messages: the
    view's dotted path). A pattern is its route and view, not its name: a name may be reused."""
    found: dict[tuple[str, object], str] = {}

    def walk(patterns, prefix: str):
        for p in patterns:
            # How resolve() joins the routes of nested patterns into ResolverMatch.route.
            route = prefix + str(p.pattern).removeprefix("^") if prefix else str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern):
                found[(route, p.callback)] = p.lookup_str

    walk(get_resolver().url_patterns, "")
    return found


def resolved_patterns(cases: list[Case]) -> set[tuple[str, object]]:
    """The pattern each case's URL resolves to, checked against the one the case claims."""
    resolved = set()
    for case in cases:
        match = resolve(urlsplit(case.url).path)
        assert match.route == case.route, (
            f"{case.url} resolves to the pattern {match.route!r} ({match._func_path}), "
            f"not to {case.route!r} as the case claims"
        )
        resolved.add((match.route, match.func))
    return resolved


def uncovered_patterns(cases: list[Case]) -> list[str]:
    covered = resolved_patterns(cases)
    return sorted(
        f"{route} -> {view}"
        for (route, callback), view in url_patterns().items()
        if (route, callback) not in covered
    )


def xuhui_objects(x) -> dict[str, object]:
    """One Xuhui object for every model in the admin."""
    with bureau_scope(x.bureau):
        audit = AuditEntry.objects.first()
        profile = TeacherProfile.objects.get(user=x.teacher)
    with all_bureaus():
        attempt = AccessAttempt.objects.create(
            username=f"{CANARY}-user",
            ip_address="10.0.0.1",
            user_agent=CANARY,
            failures_since_start=1,
            get_data="",
            post_data="",
            http_accept="",
            path_info="/",
        )
        log = AccessLog.objects.create(
            username=f"{CANARY}-user",
            ip_address="10.0.0.1",
            user_agent=CANARY,
            http_accept="",
            path_info="/",
        )
        failure = AccessFailureLog.objects.create(
            username=f"{CANARY}-user",
            ip_address="10.0.0.1",
            user_agent=CANARY,
            http_accept="",
            path_info="/",
            locked_out=False,
        )
    with bureau_scope(x.bureau):
        requirement = x.programme.requirements.get()
        kind = EvidenceKind.objects.get()
        job = OutboxJob.objects.order_by("pk").first()
        OutboxJob.objects.filter(pk=job.pk).update(status="failed", last_error=CANARY)
        level_name = LevelName.objects.create(bureau=x.bureau, level=3, name=f"{CANARY}区级")
        # XC-ATTEND and PT-HOURS: the group page's attendance and the session hours exist for
        # Xuhui's programme, so their 404 to Putuo is the bureau's, not a missing rule's.
        GroupRules.objects.update_or_create(
            programme=x.programme,
            defaults={
                "bureau": x.bureau,
                "keeps_attendance": True,
                "training_hours_a_year": Decimal(40),
            },
        )
    from tests.assessments.helpers import assessment_records

    assessed = assessment_records(x)
    from tests.certificates.helpers import certificate_records

    return {
        **certificate_records(x),
        **{k: v for k, v in assessed.items() if k.startswith("assessments.")},
        "filing": assessed["filing"],
        "component_file": assessed["component_file"],
        "team_assessment_file": assessed["team_assessment_file"],
        "bureaus.levelname": level_name,
        "bureaus.outboxjob": job,
        "cohorts.enrolment": x.extras["enrolment_backbone"],
        "cohorts.reservepoolentry": x.extras["pool_entry"],
        "cohorts.rosterimport": x.extras["roster_import"],
        "workshops.team": x.extras["team"],
        "workshops.deadline": x.extras["deadline"],
        "workshops.briefing": x.extras["briefing"],
        "workshops.activityrecord": x.extras["activity"],
        "workshops.teamdocument": x.extras["document"],
        "cohorts.outputcall": x.extras["output_call"],
        "programmes.programme": x.programme,
        "programmes.requirement": requirement,
        "programmes.evidencekind": kind,
        "bureaus.bureau": x.bureau,
        "bureaus.learningdistrict": x.district,
        "bureaus.school": x.school,
        "bureaus.auditentry": audit,
        "accounts.user": x.teacher,
        "accounts.teacherprofile": profile,
        "auth.group": Group.objects.get(name="role:teacher"),
        "axes.accessattempt": attempt,
        "axes.accesslog": log,
        "axes.accessfailurelog": failure,
    }


def build_cases(x) -> list[Case]:
    objects = xuhui_objects(x)
    uid = urlsafe_base64_encode(force_bytes(x.teacher.pk))
    token = default_token_generator.make_token(x.teacher)
    school_ct = ContentType.objects.get_for_model(x.school).pk
    ev, ev_file = x.extras["evidence"], x.extras["evidence_file"]
    cases = [
        Case("", "/", PAGE),
        Case("me/", "/me/", PAGE),
        Case("notifications/", "/notifications/", PAGE),
        Case("notifications/read/", "/notifications/read/", PAGE, "post"),
        Case("accounts/login/", "/accounts/login/", PAGE),
        Case("accounts/logout/", "/accounts/logout/", PAGE),  # GET: 405, does not sign out
        Case("accounts/password/change/", "/accounts/password/change/", PAGE),
        Case("accounts/password/change/done/", "/accounts/password/change/done/", PAGE),
        Case("accounts/password/reset/", "/accounts/password/reset/", PAGE),
        Case("accounts/password/reset/done/", "/accounts/password/reset/done/", PAGE),
        Case("accounts/reset/<uidb64>/<token>/", f"/accounts/reset/{uid}/{token}/", PAGE),
        Case("accounts/reset/done/", "/accounts/reset/done/", PAGE),
        Case("healthz", "/healthz", PAGE),
        Case("i18n/setlang/", "/i18n/setlang/", PAGE),
        Case("schools/", "/schools/", PAGE),
        Case("schools/mine/", "/schools/mine/", PAGE),
        Case("schools/<int:pk>/", f"/schools/{x.school.pk}/", OBJECT),
        Case("evidence/", "/evidence/", PAGE),
        Case("evidence/new/", "/evidence/new/", PAGE),
        Case("evidence/review/", "/evidence/review/", PAGE),
        Case("evidence/review/", "/evidence/review/?state=verified", PAGE),
        Case("progress/", "/progress/", PAGE),
        Case("programmes/", "/programmes/", PAGE),
        Case("programmes/<int:pk>/coverage/", f"/programmes/{x.programme.pk}/coverage/", OBJECT),
        Case("programmes/<int:pk>/outputs/", f"/programmes/{x.programme.pk}/outputs/", OBJECT),
        Case("outputs/<int:pk>/", f"/outputs/{x.extras['output_call'].pk}/", OBJECT),
        Case(
            "outputs/<int:pk>/select/<int:evidence_pk>/",
            f"/outputs/{x.extras['output_call'].pk}/select/{ev.pk}/",
            OBJECT,
            "post",
            (("selected", "1"),),
        ),
        Case("programmes/<int:pk>/", f"/programmes/{x.programme.pk}/", OBJECT),
        Case("programmes/<int:pk>/progress/", f"/programmes/{x.programme.pk}/progress/", OBJECT),
        Case(
            "programmes/<int:pk>/progress/",
            f"/programmes/{x.programme.pk}/progress/?format=xlsx",
            OBJECT,
        ),
        Case("evidence/<int:pk>/", f"/evidence/{ev.pk}/", OBJECT),
        Case("evidence/<int:pk>/edit/", f"/evidence/{ev.pk}/edit/", OBJECT),
        Case("evidence/<int:pk>/edit/", f"/evidence/{ev.pk}/edit/", OBJECT, "post"),
        Case("evidence/<int:pk>/submit/", f"/evidence/{ev.pk}/submit/", OBJECT, "post"),
        Case("evidence/<int:pk>/review/", f"/evidence/{ev.pk}/review/", OBJECT, "post"),
        Case(
            "evidence/<int:pk>/files/<int:file_pk>/",
            f"/evidence/{ev.pk}/files/{ev_file.pk}/",
            OBJECT,
        ),
        Case(
            "admin/r/<int:content_type_id>/<path:object_id>/",
            f"/admin/r/{school_ct}/{x.school.pk}/",
            OBJECT,
        ),
        *workshop_cases(x),
        *assessment_board_cases(x, objects),
        *assessment_filing_cases(x, objects),
        *assessment_cases(x, objects),
        *sheet_cases(x, objects["assessments.assessmentscheme"]),
        *certificate_cases(x, objects),
        *certificate_page_cases(x, objects),
        Case("admin/", "/admin/", PAGE),
        Case("admin/login/", "/admin/login/", PAGE),
        Case("admin/logout/", "/admin/logout/", PAGE),
        Case("admin/password_change/", "/admin/password_change/", PAGE),
        Case("admin/password_change/done/", "/admin/password_change/done/", PAGE),
        Case("admin/jsi18n/", "/admin/jsi18n/", PAGE),
        Case("admin/(?P<url>.*)$", "/admin/no-such-page/", PAGE),
        Case(
            "admin/accounts/user/<id>/password/",
            f"/admin/accounts/user/{x.teacher.pk}/password/",
            OBJECT,
        ),
    ]
    app_labels = []
    for model in admin.site._registry:
        opts = model._meta
        if opts.app_label not in app_labels:
            app_labels.append(opts.app_label)
        obj = objects[opts.label_lower]
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        route = base.removeprefix("/")
        cases += [
            Case(route, base, PAGE),
            Case(route, f"{base}?q=第一中学", PAGE),
            Case(f"{route}add/", f"{base}add/", PAGE),
            Case(
                f"{route}<path:object_id>/history/",
                f"{base}{obj.pk}/history/",
                OBJECT,
            ),
            Case(
                f"{route}<path:object_id>/delete/",
                f"{base}{obj.pk}/delete/",
                OBJECT,
            ),
            Case(
                f"{route}<path:object_id>/delete/",
                f"{base}{obj.pk}/delete/",
                OBJECT,
                "post",
            ),
            Case(
                f"{route}<path:object_id>/change/",
                f"{base}{obj.pk}/change/",
                OBJECT,
            ),
            Case(
                f"{route}<path:object_id>/change/",
                f"{base}{obj.pk}/change/",
                OBJECT,
                "post",
            ),
            Case(
                f"{route}<path:object_id>/",
                f"{base}{obj.pk}/",
                OBJECT,
            ),
        ]
        for field in (
            "learning_district",
            "lead_school",
            "school",
            "user",
            "programme",
            "lead",
            "teacher",
        ):
            cases.append(
                Case(
                    "admin/autocomplete/",
                    f"/admin/autocomplete/?app_label={opts.app_label}&model_name={opts.model_name}"
                    f"&field_name={field}&term=",
                    PAGE,
                )
            )
    roster = (
        ("format", "1"),
        ("programme", str(x.programme.pk)),
        ("import_file_name", "x.csv"),
        ("original_file_name", "x.csv"),
    )
    cases += [
        Case("admin/cohorts/enrolment/import/", "/admin/cohorts/enrolment/import/", PAGE),
        Case(
            "admin/cohorts/enrolment/import/",
            "/admin/cohorts/enrolment/import/",
            PAGE,
            "post",
            roster,
        ),
        Case(
            "admin/cohorts/enrolment/process_import/",
            "/admin/cohorts/enrolment/process_import/",
            PAGE,
            "post",
            roster,
        ),
        Case("admin/cohorts/enrolment/export/", "/admin/cohorts/enrolment/export/", PAGE),
        Case(
            "admin/cohorts/enrolment/export/",
            "/admin/cohorts/enrolment/export/",
            PAGE,
            "post",
            (
                ("format", "1"),
                ("resource", "0"),
                ("rosterresource_full_name", "on"),
                ("rosterresource_school", "on"),
            ),
        ),
    ]
    # The admin's app index is one regular expression over the registered apps, in their order.
    app_list = "admin/(?P<app_label>" + "|".join(app_labels) + ")/$"
    for label in app_labels:
        cases.append(Case(app_list, f"/admin/{label}/", PAGE))
    return cases


def assessment_filing_cases(x, objects) -> list[Case]:
    """The filing pages, aimed at Xuhui's teacher's assessment, group and files."""
    filing, team = objects["filing"], x.extras["team"]
    enrolment, part = filing.assessment.enrolment_id, filing.component_id
    form = f"/assessments/file/{enrolment}/{part}/2023/"
    group = f"/assessments/groups/{team.pk}/2023/"
    return [
        Case("assessments/mine/", "/assessments/mine/", PAGE),
        Case("assessments/groups/", "/assessments/groups/", PAGE),
        Case("assessments/school/", "/assessments/school/", PAGE),
        Case(
            "assessments/school/",
            f"/assessments/school/?scheme={filing.assessment.scheme_id}&year=2023",
            PAGE,
        ),
        Case(
            "assessments/file/<int:enrolment_pk>/<int:component_pk>/<str:year_key>/", form, OBJECT
        ),
        Case(
            "assessments/file/<int:enrolment_pk>/<int:component_pk>/<str:year_key>/",
            form,
            OBJECT,
            "post",
            (("text", "x"), ("result", "pass")),
        ),
        Case(
            "assessments/file/<int:enrolment_pk>/<int:component_pk>/",
            f"/assessments/file/{enrolment}/{part}/",
            OBJECT,
        ),
        Case(
            "assessments/files/<int:pk>/",
            f"/assessments/files/{objects['component_file'].pk}/",
            OBJECT,
        ),
        Case("assessments/groups/<int:pk>/<str:year_key>/", group, OBJECT),
        Case(
            "assessments/groups/<int:pk>/<str:year_key>/",
            group,
            OBJECT,
            "post",
            (("result", "pass"), ("text", "x")),
        ),
        Case(
            "assessments/group-files/<int:pk>/",
            f"/assessments/group-files/{objects['team_assessment_file'].pk}/",
            OBJECT,
        ),
    ]


def assessment_cases(x, objects) -> list[Case]:
    plan = objects["assessments.rectificationplan"]
    with bureau_scope(x.bureau):
        stored = plan.files.get()
        profile = TeacherProfile.objects.get(user=x.teacher)
    return [
        Case("assessments/plans/", "/assessments/plans/", PAGE),
        Case("assessments/plans/review/", "/assessments/plans/review/", PAGE),
        Case("assessments/plans/review/", "/assessments/plans/review/?status=submitted", PAGE),
        Case("assessments/plans/<int:pk>/", f"/assessments/plans/{plan.pk}/", OBJECT),
        Case(
            "assessments/plans/<int:pk>/",
            f"/assessments/plans/{plan.pk}/",
            OBJECT,
            "post",
            (("text", "x"),),
        ),
        Case(
            "assessments/plans/<int:pk>/review/",
            f"/assessments/plans/{plan.pk}/review/",
            OBJECT,
            "post",
            (("decision", "accept"),),
        ),
        Case(
            "assessments/plans/<int:pk>/files/<int:file_pk>/",
            f"/assessments/plans/{plan.pk}/files/{stored.pk}/",
            OBJECT,
        ),
        Case("schools/teachers/<int:pk>/", f"/schools/teachers/{profile.pk}/", OBJECT),
    ]


def sheet_cases(x, scheme) -> list[Case]:
    """The assessment spreadsheets, aimed at Xuhui's programme and a stored export of Xuhui's."""
    from django.core.files.base import ContentFile

    from bureaus.models import StoredExport

    with bureau_scope(x.bureau):
        export = StoredExport(
            bureau=x.bureau,
            kind="assessments.teachers",
            params={"scheme": scheme.pk},
            title=f"{CANARY}考核表",
            file_format="csv",
            status="done",
            original_name=f"{CANARY}.csv",
            content_type="text/csv",
            created_by=x.staff,
        )
        export.file.save("sheet.csv", ContentFile(CANARY.encode()), save=True)
    chosen = (
        ("subject", "teachers"),
        ("programme", str(x.programme.pk)),
        ("kind", "annual"),
        ("year", "2023"),
        ("file_format", "csv"),
    )
    return [
        Case("assessments/sheets/export/", "/assessments/sheets/export/", PAGE),
        Case("assessments/sheets/export/", "/assessments/sheets/export/", PAGE, "post", chosen),
        Case(
            "assessments/sheets/export/<int:pk>/",
            f"/assessments/sheets/export/{export.pk}/",
            OBJECT,
        ),
        Case(
            "assessments/sheets/export/<int:pk>/file/",
            f"/assessments/sheets/export/{export.pk}/file/",
            OBJECT,
        ),
        Case("assessments/sheets/import/", "/assessments/sheets/import/", PAGE),
        Case("assessments/sheets/import/", "/assessments/sheets/import/", PAGE, "post", chosen),
        Case(
            "assessments/sheets/import/confirm/",
            "/assessments/sheets/import/confirm/",
            PAGE,
            "post",
            (("token", "0123abcd"),),
        ),
    ]


def workshop_cases(x) -> list[Case]:
    """The group pages, aimed at Xuhui's workshop and everything in it."""
    team, member = x.extras["team"], x.extras["membership"]
    activity, deadline = x.extras["activity"], x.extras["deadline"]
    document, pk = x.extras["document"], x.programme.pk
    activity_file, briefing_file = x.extras["activity_file"], x.extras["briefing_file"]
    return [
        Case("groups/", "/groups/", PAGE),
        Case("groups/", f"/groups/?programme={pk}&q=数学", PAGE),
        Case("groups/<int:pk>/", f"/groups/{team.pk}/", OBJECT),
        Case("groups/<int:pk>/members/add/", f"/groups/{team.pk}/members/add/", OBJECT),
        Case(
            "groups/<int:pk>/members/add/",
            f"/groups/{team.pk}/members/add/",
            OBJECT,
            "post",
            (("teacher", str(member.teacher_id)), ("role", "member")),
        ),
        Case(
            "groups/<int:pk>/members/<int:member_pk>/",
            f"/groups/{team.pk}/members/{member.pk}/",
            OBJECT,
        ),
        Case(
            "groups/<int:pk>/members/<int:member_pk>/",
            f"/groups/{team.pk}/members/{member.pk}/",
            OBJECT,
            "post",
            (("task_division", "x"),),
        ),
        Case(
            "groups/<int:pk>/members/<int:member_pk>/",
            f"/groups/{team.pk}/members/{member.pk}/",
            OBJECT,
            "post",
            (("remove", "1"),),
        ),
        Case("groups/<int:pk>/activities/new/", f"/groups/{team.pk}/activities/new/", OBJECT),
        Case(
            "groups/<int:pk>/activities/new/",
            f"/groups/{team.pk}/activities/new/",
            OBJECT,
            "post",
            (("date", "2024-03-01"), ("kind", "x"), ("topic", "x"), ("hours", "2")),
        ),
        Case("groups/<int:pk>/documents/new/", f"/groups/{team.pk}/documents/new/", OBJECT),
        Case(
            "groups/<int:pk>/documents/new/",
            f"/groups/{team.pk}/documents/new/",
            OBJECT,
            "post",
            (("kind", "other"), ("title", "x")),
        ),
        Case("groups/<int:pk>/courses/new/", f"/groups/{team.pk}/courses/new/", OBJECT),
        Case(
            "groups/<int:pk>/courses/new/",
            f"/groups/{team.pk}/courses/new/",
            OBJECT,
            "post",
            (("title", "x"), ("hours", "10")),
        ),
        Case("activities/<int:pk>/", f"/activities/{activity.pk}/", OBJECT),
        Case(
            "activities/<int:pk>/files/<int:file_pk>/",
            f"/activities/{activity.pk}/files/{activity_file.pk}/",
            OBJECT,
        ),
        Case("documents/<int:pk>/", f"/documents/{document.pk}/", OBJECT),
        Case(
            "documents/<int:pk>/review/",
            f"/documents/{document.pk}/review/",
            OBJECT,
            "post",
            (("comment", "x"),),
        ),
        Case("deadlines/<int:pk>/", f"/deadlines/{deadline.pk}/", OBJECT),
        Case(
            "deadlines/<int:pk>/",
            f"/deadlines/{deadline.pk}/",
            OBJECT,
            "post",
            (("text", "x"),),
        ),
        Case(
            "deadlines/<int:pk>/extend/",
            f"/deadlines/{deadline.pk}/extend/",
            OBJECT,
            "post",
            (("to", "2030-01-01"), ("reason", "x")),
        ),
        Case(
            "deadlines/<int:pk>/files/<int:file_pk>/",
            f"/deadlines/{deadline.pk}/files/{briefing_file.pk}/",
            OBJECT,
        ),
        Case("programmes/<int:pk>/briefings/", f"/programmes/{pk}/briefings/", OBJECT),
        Case("programmes/<int:pk>/briefings/", f"/programmes/{pk}/briefings/?format=xlsx", OBJECT),
        Case("programmes/<int:pk>/groups/", f"/programmes/{pk}/groups/", OBJECT),
        Case("programmes/<int:pk>/sessions/", f"/programmes/{pk}/sessions/", OBJECT),
        Case("programmes/<int:pk>/sessions/", f"/programmes/{pk}/sessions/?format=xlsx", OBJECT),
        *unit_cases(x),
    ]


def assessment_board_cases(x, objects) -> list[Case]:
    """The assessment board, decisions, units and results, aimed at Xuhui's scheme, enrolment,
    decision and a filed file."""
    from django.core.files.base import ContentFile

    from assessments.models import ComponentAssessment, ComponentFile

    from .uploads.samples import MINIMAL_PDF

    scheme = objects["assessments.assessmentscheme"]
    decision = objects["assessments.assessmentdecision"]
    enrolment = x.extras["enrolment_backbone"].pk
    with bureau_scope(x.bureau):
        filing = ComponentAssessment.objects.filter(assessment__scheme=scheme).first()
        stored = ComponentFile(
            bureau=x.bureau,
            filing=filing,
            original_name=f"{CANARY}.pdf",
            size=len(MINIMAL_PDF),
            content_type="application/pdf",
        )
        stored.file.save("self.pdf", ContentFile(MINIMAL_PDF), save=True)
    s, pk = scheme.pk, x.programme.pk
    decide = (("year", "2023"), ("result", "fail"), ("comment", "x"))
    return [
        Case("assessments/board/", "/assessments/board/", PAGE),
        Case("assessments/results/", "/assessments/results/", PAGE),
        Case("assessments/schemes/<int:pk>/board/", f"/assessments/schemes/{s}/board/", OBJECT),
        Case(
            "assessments/schemes/<int:pk>/board/",
            f"/assessments/schemes/{s}/board/?year=2023&state=missing",
            OBJECT,
        ),
        Case(
            "assessments/schemes/<int:pk>/board/finalise/",
            f"/assessments/schemes/{s}/board/finalise/",
            OBJECT,
            "post",
            (("year", "2023"), ("all_complete", "1")),
        ),
        Case(
            "assessments/schemes/<int:pk>/board/<int:enrolment_pk>/",
            f"/assessments/schemes/{s}/board/{enrolment}/?year=2023",
            OBJECT,
        ),
        Case(
            "assessments/schemes/<int:pk>/board/<int:enrolment_pk>/decide/",
            f"/assessments/schemes/{s}/board/{enrolment}/decide/",
            OBJECT,
            "post",
            decide,
        ),
        Case(
            "assessments/schemes/<int:pk>/files/<int:file_pk>/",
            f"/assessments/schemes/{s}/files/{stored.pk}/",
            OBJECT,
        ),
        Case(
            "assessments/decisions/<int:pk>/finalise/",
            f"/assessments/decisions/{decision.pk}/finalise/",
            OBJECT,
            "post",
        ),
        Case(
            "assessments/decisions/<int:pk>/correct/",
            f"/assessments/decisions/{decision.pk}/correct/",
            OBJECT,
            "post",
            (("result", "fail"), ("reason", "x")),
        ),
        Case(
            "assessments/programmes/<int:pk>/units/",
            f"/assessments/programmes/{pk}/units/?year=2023",
            OBJECT,
        ),
        Case(
            "assessments/programmes/<int:pk>/units/",
            f"/assessments/programmes/{pk}/units/",
            OBJECT,
            "post",
            (("unit", f"district-{x.district.pk}"), ("year", "2023"), ("result", "fail")),
        ),
        Case(
            "assessments/schemes/<int:pk>/results/",
            f"/assessments/schemes/{s}/results/?year=2023",
            OBJECT,
        ),
    ]


def certificate_page_cases(x, objects) -> list[Case]:
    """The certificate pages, aimed at a Xuhui kind, certificate, batch and school export."""
    from bureaus.models import StoredExport
    from certificates.models import CertificateBatch

    kind, certificate = objects["certificates.certificatekind"], objects["certificates.certificate"]
    with bureau_scope(x.bureau):
        batch = CertificateBatch.objects.create(
            bureau=x.bureau, kind=kind, school=x.school, requested_by=x.staff, total=1
        )
        export = StoredExport.objects.create(
            bureau=x.bureau,
            kind="certificates.zip",
            params={"school": x.school.pk},
            title=f"{CANARY}证书",
            file_format="zip",
            created_by=x.school_admin,
        )
    k, b, e = kind.pk, batch.pk, export.pk
    return [
        Case("certificates/", "/certificates/", PAGE),
        Case("certificates/kinds/<int:pk>/", f"/certificates/kinds/{k}/", OBJECT),
        Case(
            "certificates/kinds/<int:pk>/issue-all/",
            f"/certificates/kinds/{k}/issue-all/",
            OBJECT,
            "post",
            (("school", str(x.school.pk)),),
        ),
        Case("certificates/batches/<int:pk>/", f"/certificates/batches/{b}/", OBJECT),
        Case(
            "certificates/batches/<int:pk>/progress/",
            f"/certificates/batches/{b}/progress/",
            OBJECT,
        ),
        Case("certificates/issued/", "/certificates/issued/", PAGE),
        Case("certificates/issued/", f"/certificates/issued/?school={x.school.pk}&q=徐汇", PAGE),
        Case("certificates/school/", "/certificates/school/", PAGE),
        Case(
            "certificates/school/export/",
            "/certificates/school/export/",
            PAGE,
            "post",
            (("what", "certificates.zip"),),
        ),
        Case("certificates/exports/<int:pk>/", f"/certificates/exports/{e}/", OBJECT),
        Case("certificates/exports/<int:pk>/file/", f"/certificates/exports/{e}/file/", OBJECT),
        Case("certificates/mine/", "/certificates/mine/", PAGE),
        Case("certificates/<int:pk>/pdf/", f"/certificates/{certificate.pk}/pdf/", OBJECT),
    ]


def unit_cases(x) -> list[Case]:
    """Filing for Xuhui's school and learning district, and Xuhui's filed files."""
    pk, school, district = x.programme.pk, x.school.pk, x.district.pk
    filing, stored = x.extras["unit_filing"], x.extras["unit_filing_file"]
    form = (("kind", "training_session"), ("title", "x"), ("date", "2024-03-01"))
    return [
        Case(
            "programmes/<int:pk>/schools/<int:school_pk>/filings/new/",
            f"/programmes/{pk}/schools/{school}/filings/new/",
            OBJECT,
        ),
        Case(
            "programmes/<int:pk>/schools/<int:school_pk>/filings/new/",
            f"/programmes/{pk}/schools/{school}/filings/new/",
            OBJECT,
            "post",
            form,
        ),
        Case(
            "programmes/<int:pk>/districts/<int:district_pk>/filings/new/",
            f"/programmes/{pk}/districts/{district}/filings/new/",
            OBJECT,
        ),
        Case(
            "programmes/<int:pk>/districts/<int:district_pk>/filings/new/",
            f"/programmes/{pk}/districts/{district}/filings/new/",
            OBJECT,
            "post",
            form,
        ),
        Case(
            "unit-filings/<int:pk>/files/<int:file_pk>/",
            f"/unit-filings/{filing.pk}/files/{stored.pk}/",
            OBJECT,
        ),
    ]


def certificate_cases(x, objects) -> list[Case]:
    """The verification page is public by design: anyone reaches a Xuhui certificate's page,
    which shows its printed snapshot only (the walk's certificate prints no canary, so any other
    Xuhui text on the page fails the walk). An unknown code is the same page."""
    certificate = objects["certificates.certificate"]
    key = objects["certificates.signingkey"].fingerprint.replace(" ", "")
    kind = objects["certificates.certificatekind"]
    preview = "admin/certificates/certificatekind/"
    return [
        Case(
            f"{preview}<path:object_id>/preview/",
            f"/{preview}{kind.pk}/preview/",
            OBJECT,
            "post",
            (("template_html", "<p>{{ holder_name }}</p>"),),
        ),
        Case(f"{preview}preview/", f"/{preview}preview/", PAGE, "post", (("type", "honour"),)),
        Case("v/<str:code>/", f"/v/{certificate.code}/", PAGE),
        Case("v/<str:code>/", "/v/NOSUCHCODE/", PAGE),
        Case("v/key/<str:fingerprint>.pem", f"/v/key/{key}.pem", PAGE),
    ]


LOGIN = "login"  # stopped at a sign-in page before any bureau check
REFUSED = "refused"  # 403/404/405: reached the view, which refused it
ANSWERED = "answered"  # any other answer


def check(response, case: Case) -> str:
    """Check one answer; say how it ended."""
    body = response.content.decode("utf-8", "replace")
    assert response.status_code != 500, case
    assert CANARY not in body, f"{case}: Xuhui text leaked ({response.status_code})"
    assert "xh_" not in body, f"{case}: a Xuhui username leaked ({response.status_code})"
    final_path = response.request["PATH_INFO"]
    if response.redirect_chain and final_path in ("/admin/login/", "/accounts/login/"):
        outcome = LOGIN
    elif response.status_code in (403, 404, 405):
        outcome = REFUSED
    else:
        outcome = ANSWERED
    if case.kind == OBJECT:
        assert outcome in (LOGIN, REFUSED), (
            f"{case}: answered {response.status_code} at {final_path}"
        )
    return outcome


ROLES = ["staff", "leader", "school_admin", "lead", "mentor", "teacher"]
ADMIN_ROLES = {"staff", "leader"}  # accounts.roles.ADMIN_ROLES: they work in the admin

# The one admin page that answers a signed-in user without admin access instead of sending them
# to sign in: the sign-in page itself.
ADMIN_WITHOUT_SIGN_IN = {"admin/login/"}


def is_admin(case: Case) -> bool:
    return case.route.startswith("admin/")


def test_every_case_resolves_to_the_pattern_it_claims_and_every_pattern_is_walked(xuhui):
    cases = build_cases(xuhui)
    missing = uncovered_patterns(cases)
    assert not missing, f"URL patterns the cross-bureau walk does not cover: {missing}"


def test_a_view_filed_under_an_existing_name_is_not_covered(xuhui, settings):
    """The walk keys on the pattern, so a new view reusing a walked URL name is still missing."""
    import types

    from django.urls import clear_url_caches, include, path

    from config import urls as real

    def leak(request, pk):  # pragma: no cover - never called
        raise AssertionError

    module = types.ModuleType("leaking_urls")
    module.urlpatterns = [
        path("evidence/<int:pk>/raw/", leak, name="evidence_detail"),
        path("", include(real.urlpatterns)),
    ]
    settings.ROOT_URLCONF = module
    clear_url_caches()
    try:
        cases = build_cases(xuhui)
        assert uncovered_patterns(cases) == [
            f"evidence/<int:pk>/raw/ -> {__name__}.{leak.__qualname__}"
        ]
        wrong = Case("evidence/<int:pk>/", f"/evidence/{xuhui.extras['evidence'].pk}/raw/", OBJECT)
        with pytest.raises(AssertionError, match="resolves to the pattern"):
            resolved_patterns([wrong])
    finally:
        clear_url_caches()


@pytest.mark.parametrize("role", ROLES)
def test_putuo_sees_nothing_of_xuhui_at_any_url(xuhui, putuo, role):
    cases = build_cases(xuhui)
    missing = uncovered_patterns(cases)
    assert not missing, f"URL patterns the cross-bureau walk does not cover: {missing}"
    client = putuo.client(role)
    admin_outcomes: Counter = Counter()
    admin_not_at_sign_in = set()
    for case in cases:
        if case.method == "post":
            response = client.post(case.url, dict(case.data) or {"name": CANARY}, follow=True)
        else:
            response = client.get(case.url, follow=True)
        outcome = check(response, case)
        if is_admin(case):
            admin_outcomes[outcome, case.kind] += 1
            if outcome != LOGIN:
                admin_not_at_sign_in.add(case.route)
    admin_cases = Counter(c.kind for c in cases if is_admin(c))
    if role in ADMIN_ROLES:
        # Every admin case aimed at a Xuhui object reaches the bureau check; none is stopped at
        # the sign-in page, which would pass without testing anything.
        assert admin_outcomes[LOGIN, OBJECT] == 0
        assert admin_outcomes[REFUSED, OBJECT] == admin_cases[OBJECT]
    else:
        # Without admin access, the admin sends them to sign in before any bureau check: these
        # cases test the sign-in wall, not the bureau. Only the pages that need no admin access
        # answer them.
        assert admin_not_at_sign_in == ADMIN_WITHOUT_SIGN_IN
        without_sign_in = sum(1 for c in cases if c.route in ADMIN_WITHOUT_SIGN_IN)
        assert admin_outcomes[LOGIN, OBJECT] == admin_cases[OBJECT]
        assert admin_outcomes[REFUSED, OBJECT] == 0
        assert admin_outcomes[LOGIN, PAGE] == admin_cases[PAGE] - without_sign_in
    # The Xuhui objects are all still there: nothing was deleted or changed by the walk.
    with bureau_scope(xuhui.bureau):
        xuhui.school.refresh_from_db()
        assert CANARY in xuhui.school.name
    print(
        f"\ncross-bureau walk as Putuo {role}: {len(cases)} requests, 0 leaks, "
        f"admin: {dict(admin_outcomes)}"
    )


def test_the_walk_is_aimed_at_real_objects(xuhui, putuo):
    """Positive control: Xuhui's own staff reach the same URLs and see the canary."""
    client = xuhui.client("staff")
    objects = xuhui_objects(xuhui)
    response = client.get(f"/schools/{xuhui.school.pk}/")
    assert response.status_code == 200 and CANARY in response.content.decode()
    for url in (
        f"/programmes/{xuhui.programme.pk}/sessions/",
        f"/programmes/{xuhui.programme.pk}/sessions/?format=xlsx",
    ):
        assert client.get(url).status_code == 200, url
    for label in (
        "bureaus.school",
        "programmes.programme",
        "programmes.requirement",
        "programmes.evidencekind",
        "bureaus.learningdistrict",
        "accounts.user",
        "accounts.teacherprofile",
        "bureaus.auditentry",
    ):
        app_label, model_name = label.split(".")
        obj = objects[label]
        response = client.get(f"/admin/{app_label}/{model_name}/{obj.pk}/change/")
        assert response.status_code == 200, label
        assert CANARY in response.content.decode(), label
