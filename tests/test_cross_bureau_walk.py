"""Walk every URL of the portal (site and admin) as each Putuo role, aimed at Xuhui's objects.

Another bureau's object must be the same 404 (or 403) as a missing one, and no page may carry
Xuhui's canary text. The walk fails when a URL pattern exists that it does not cover: a new
URL has to be added here, with the Xuhui object it is aimed at.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import TeacherProfile
from bureaus.models import AuditEntry, OutboxJob
from bureaus.tenancy import all_bureaus, bureau_scope
from programmes.models import EvidenceKind

from .conftest import CANARY

PAGE = "page"  # any answer but a 500, without the canary
OBJECT = "object"  # aimed at a Xuhui object: 403/404 (or a sign-in page), without the canary

ADMIN_MODEL_ACTIONS = ("changelist", "add", "history", "delete", "change")


@dataclass(frozen=True)
class Case:
    key: str
    url: str
    kind: str
    method: str = "get"
    data: tuple = ()  # form data to post, as pairs


def url_pattern_keys() -> set[str]:
    """Every URL pattern: 'namespace:name', or the route for an unnamed pattern."""
    keys: set[str] = set()

    def walk(patterns, prefix: str, namespace: str | None):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
            elif isinstance(p, URLPattern):
                if p.name:
                    keys.add(f"{namespace}:{p.name}" if namespace else p.name)
                else:
                    keys.add(prefix + str(p.pattern))

    walk(get_resolver().url_patterns, "", None)
    return keys


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
    return {
        "bureaus.outboxjob": job,
        "cohorts.enrolment": x.extras["enrolment_backbone"],
        "cohorts.reservepoolentry": x.extras["pool_entry"],
        "cohorts.rosterimport": x.extras["roster_import"],
        "workshops.group": x.extras["group"],
        "workshops.deadline": x.extras["deadline"],
        "workshops.briefing": x.extras["briefing"],
        "workshops.activityrecord": x.extras["activity"],
        "workshops.groupdocument": x.extras["document"],
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
        Case("dashboard", "/", PAGE),
        Case("profile", "/me/", PAGE),
        Case("notification_list", "/notifications/", PAGE),
        Case("notifications_read", "/notifications/read/", PAGE, "post"),
        Case("login", "/accounts/login/", PAGE),
        Case("logout", "/accounts/logout/", PAGE),  # GET: 405, does not sign out
        Case("password_change", "/accounts/password/change/", PAGE),
        Case("password_change_done", "/accounts/password/change/done/", PAGE),
        Case("password_reset", "/accounts/password/reset/", PAGE),
        Case("password_reset_done", "/accounts/password/reset/done/", PAGE),
        Case("password_reset_confirm", f"/accounts/reset/{uid}/{token}/", PAGE),
        Case("password_reset_complete", "/accounts/reset/done/", PAGE),
        Case("healthz", "/healthz", PAGE),
        Case("set_language", "/i18n/setlang/", PAGE),
        Case("bureaus:school_list", "/schools/", PAGE),
        Case("bureaus:my_school", "/schools/mine/", PAGE),
        Case("bureaus:school_detail", f"/schools/{x.school.pk}/", OBJECT),
        Case("cohorts:evidence_list", "/evidence/", PAGE),
        Case("cohorts:evidence_new", "/evidence/new/", PAGE),
        Case("cohorts:review_queue", "/evidence/review/", PAGE),
        Case("cohorts:review_queue", "/evidence/review/?state=verified", PAGE),
        Case("cohorts:my_progress", "/progress/", PAGE),
        Case("programmes:programme_list", "/programmes/", PAGE),
        Case("cohorts:coverage", f"/programmes/{x.programme.pk}/coverage/", OBJECT),
        Case("cohorts:output_calls", f"/programmes/{x.programme.pk}/outputs/", OBJECT),
        Case("cohorts:output_call_detail", f"/outputs/{x.extras['output_call'].pk}/", OBJECT),
        Case(
            "cohorts:output_select",
            f"/outputs/{x.extras['output_call'].pk}/select/{ev.pk}/",
            OBJECT,
            "post",
            (("selected", "1"),),
        ),
        Case("programmes:programme_detail", f"/programmes/{x.programme.pk}/", OBJECT),
        Case("cohorts:progress_matrix", f"/programmes/{x.programme.pk}/progress/", OBJECT),
        Case(
            "cohorts:progress_matrix", f"/programmes/{x.programme.pk}/progress/?format=xlsx", OBJECT
        ),
        Case("cohorts:evidence_detail", f"/evidence/{ev.pk}/", OBJECT),
        Case("cohorts:evidence_edit", f"/evidence/{ev.pk}/edit/", OBJECT),
        Case("cohorts:evidence_edit", f"/evidence/{ev.pk}/edit/", OBJECT, "post"),
        Case("cohorts:evidence_submit", f"/evidence/{ev.pk}/submit/", OBJECT, "post"),
        Case("cohorts:evidence_review", f"/evidence/{ev.pk}/review/", OBJECT, "post"),
        Case("cohorts:evidence_file", f"/evidence/{ev.pk}/files/{ev_file.pk}/", OBJECT),
        Case("admin:view_on_site", f"/admin/r/{school_ct}/{x.school.pk}/", OBJECT),
        *workshop_cases(x),
        Case("admin:index", "/admin/", PAGE),
        Case("admin:login", "/admin/login/", PAGE),
        Case("admin:logout", "/admin/logout/", PAGE),
        Case("admin:password_change", "/admin/password_change/", PAGE),
        Case("admin:password_change_done", "/admin/password_change/done/", PAGE),
        Case("admin:jsi18n", "/admin/jsi18n/", PAGE),
        Case("admin/(?P<url>.*)$", "/admin/no-such-page/", PAGE),
        Case(
            "admin:auth_user_password_change",
            f"/admin/accounts/user/{x.teacher.pk}/password/",
            OBJECT,
        ),
    ]
    app_labels = set()
    for model in admin.site._registry:
        opts = model._meta
        app_labels.add(opts.app_label)
        obj = objects[opts.label_lower]
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        cases += [
            Case(f"admin:{opts.app_label}_{opts.model_name}_changelist", base, PAGE),
            Case(
                f"admin:{opts.app_label}_{opts.model_name}_changelist", f"{base}?q=第一中学", PAGE
            ),
            Case(f"admin:{opts.app_label}_{opts.model_name}_add", f"{base}add/", PAGE),
            Case(
                f"admin:{opts.app_label}_{opts.model_name}_history",
                f"{base}{obj.pk}/history/",
                OBJECT,
            ),
            Case(
                f"admin:{opts.app_label}_{opts.model_name}_delete",
                f"{base}{obj.pk}/delete/",
                OBJECT,
            ),
            Case(
                f"admin:{opts.app_label}_{opts.model_name}_delete",
                f"{base}{obj.pk}/delete/",
                OBJECT,
                "post",
            ),
            Case(
                f"admin:{opts.app_label}_{opts.model_name}_change",
                f"{base}{obj.pk}/change/",
                OBJECT,
            ),
            Case(
                f"admin:{opts.app_label}_{opts.model_name}_change",
                f"{base}{obj.pk}/change/",
                OBJECT,
                "post",
            ),
            Case(
                f"admin/{opts.app_label}/{opts.model_name}/<path:object_id>/",
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
                    "admin:autocomplete",
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
        Case("admin:cohorts_enrolment_import", "/admin/cohorts/enrolment/import/", PAGE),
        Case(
            "admin:cohorts_enrolment_import",
            "/admin/cohorts/enrolment/import/",
            PAGE,
            "post",
            roster,
        ),
        Case(
            "admin:cohorts_enrolment_process_import",
            "/admin/cohorts/enrolment/process_import/",
            PAGE,
            "post",
            roster,
        ),
        Case("admin:cohorts_enrolment_export", "/admin/cohorts/enrolment/export/", PAGE),
        Case(
            "admin:cohorts_enrolment_export",
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
    for label in sorted(app_labels):
        cases.append(Case("admin:app_list", f"/admin/{label}/", PAGE))
    return cases


def workshop_cases(x) -> list[Case]:
    """The group pages, aimed at Xuhui's workshop and everything in it."""
    group, member = x.extras["group"], x.extras["membership"]
    activity, deadline = x.extras["activity"], x.extras["deadline"]
    document, pk = x.extras["document"], x.programme.pk
    activity_file, briefing_file = x.extras["activity_file"], x.extras["briefing_file"]
    return [
        Case("workshops:group_list", "/groups/", PAGE),
        Case("workshops:group_list", f"/groups/?programme={pk}&q=数学", PAGE),
        Case("workshops:group_detail", f"/groups/{group.pk}/", OBJECT),
        Case("workshops:member_add", f"/groups/{group.pk}/members/add/", OBJECT),
        Case(
            "workshops:member_add",
            f"/groups/{group.pk}/members/add/",
            OBJECT,
            "post",
            (("teacher", str(member.teacher_id)), ("role", "member")),
        ),
        Case("workshops:member_edit", f"/groups/{group.pk}/members/{member.pk}/", OBJECT),
        Case(
            "workshops:member_edit",
            f"/groups/{group.pk}/members/{member.pk}/",
            OBJECT,
            "post",
            (("task_division", "x"),),
        ),
        Case(
            "workshops:member_edit",
            f"/groups/{group.pk}/members/{member.pk}/",
            OBJECT,
            "post",
            (("remove", "1"),),
        ),
        Case("workshops:activity_new", f"/groups/{group.pk}/activities/new/", OBJECT),
        Case(
            "workshops:activity_new",
            f"/groups/{group.pk}/activities/new/",
            OBJECT,
            "post",
            (("date", "2024-03-01"), ("kind", "x"), ("topic", "x"), ("hours", "2")),
        ),
        Case("workshops:document_new", f"/groups/{group.pk}/documents/new/", OBJECT),
        Case(
            "workshops:document_new",
            f"/groups/{group.pk}/documents/new/",
            OBJECT,
            "post",
            (("kind", "other"), ("title", "x")),
        ),
        Case("workshops:course_new", f"/groups/{group.pk}/courses/new/", OBJECT),
        Case(
            "workshops:course_new",
            f"/groups/{group.pk}/courses/new/",
            OBJECT,
            "post",
            (("title", "x"), ("hours", "10")),
        ),
        Case("workshops:activity_detail", f"/activities/{activity.pk}/", OBJECT),
        Case(
            "workshops:activity_file",
            f"/activities/{activity.pk}/files/{activity_file.pk}/",
            OBJECT,
        ),
        Case("workshops:document_file", f"/documents/{document.pk}/", OBJECT),
        Case(
            "workshops:document_review",
            f"/documents/{document.pk}/review/",
            OBJECT,
            "post",
            (("comment", "x"),),
        ),
        Case("workshops:deadline_detail", f"/deadlines/{deadline.pk}/", OBJECT),
        Case(
            "workshops:deadline_detail",
            f"/deadlines/{deadline.pk}/",
            OBJECT,
            "post",
            (("text", "x"),),
        ),
        Case(
            "workshops:deadline_extend",
            f"/deadlines/{deadline.pk}/extend/",
            OBJECT,
            "post",
            (("to", "2030-01-01"), ("reason", "x")),
        ),
        Case(
            "workshops:briefing_file",
            f"/deadlines/{deadline.pk}/files/{briefing_file.pk}/",
            OBJECT,
        ),
        Case("workshops:briefing_board", f"/programmes/{pk}/briefings/", OBJECT),
        Case("workshops:briefing_board", f"/programmes/{pk}/briefings/?format=xlsx", OBJECT),
        Case("workshops:programme_groups", f"/programmes/{pk}/groups/", OBJECT),
        Case("workshops:session_hours", f"/programmes/{pk}/sessions/", OBJECT),
        Case("workshops:session_hours", f"/programmes/{pk}/sessions/?format=xlsx", OBJECT),
    ]


def check(response_chain, case: Case):
    response = response_chain
    body = response.content.decode("utf-8", "replace")
    assert response.status_code != 500, case
    assert CANARY not in body, f"{case}: Xuhui text leaked ({response.status_code})"
    assert "xh_" not in body, f"{case}: a Xuhui username leaked ({response.status_code})"
    if case.kind == OBJECT:
        final_path = response.request["PATH_INFO"]
        assert response.status_code in (403, 404, 405) or (
            response.status_code == 200 and final_path in ("/admin/login/", "/accounts/login/")
        ), f"{case}: answered {response.status_code} at {final_path}"


ROLES = ["staff", "leader", "school_admin", "lead", "mentor", "teacher"]


@pytest.mark.parametrize("role", ROLES)
def test_putuo_sees_nothing_of_xuhui_at_any_url(xuhui, putuo, role):
    cases = build_cases(xuhui)
    missing = url_pattern_keys() - {c.key for c in cases}
    assert not missing, f"URL patterns the cross-bureau walk does not cover: {sorted(missing)}"
    client = putuo.client(role)
    for case in cases:
        if case.method == "post":
            response = client.post(case.url, dict(case.data) or {"name": CANARY}, follow=True)
        else:
            response = client.get(case.url, follow=True)
        check(response, case)
    # The Xuhui objects are all still there: nothing was deleted or changed by the walk.
    with bureau_scope(xuhui.bureau):
        xuhui.school.refresh_from_db()
        assert CANARY in xuhui.school.name
    print(f"\ncross-bureau walk as Putuo {role}: {len(cases)} requests, 0 leaks")


def test_the_walk_is_aimed_at_real_objects(xuhui, putuo):
    """Positive control: Xuhui's own staff reach the same URLs and see the canary."""
    client = xuhui.client("staff")
    objects = xuhui_objects(xuhui)
    response = client.get(f"/schools/{xuhui.school.pk}/")
    assert response.status_code == 200 and CANARY in response.content.decode()
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
