"""Certificate kinds, end-of-term results and certificates for the fixed cast
(tests/conftest.py). Plain factory functions: call them inside the test, no fixtures here."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from accounts.models import TeacherProfile, User
from assessments.models import Assessment, AssessmentDecision
from bureaus.tenancy import bureau_scope
from certificates.models import CertificateKind, Signatory
from certificates.rendering import default_template
from cohorts.models import Enrolment
from tests.assessments.helpers import make_scheme

_names = itertools.count(1)

TITLES = {"completion": "结业证书", "honour": "荣誉证书", "training": "培训证书"}


def make_kind(cast, type: str = "completion", **fields) -> CertificateKind:
    """A kind of the cast's programme with the default template of its type."""
    html, css = default_template(type)
    values = {
        "bureau": cast.bureau,
        "programme": cast.programme,
        "type": type,
        "title": TITLES[type],
        "number_format": "徐教发证〔{year}〕第{seq:04d}号",
        "template_html": html,
        "template_css": css,
    }
    if type == "honour":
        values["min_class_teacher_years"] = 20
    values.update(fields)
    with bureau_scope(cast.bureau):
        if type == "training" and "requirement" not in values:
            values["requirement"] = cast.programme.requirements.get()
        return CertificateKind.objects.create(**values)


def add_signatory(kind: CertificateKind, name: str = "张彧", title: str = "徐汇区教育局"):
    with bureau_scope(kind.bureau_id):
        return Signatory.objects.create(bureau_id=kind.bureau_id, kind=kind, name=name, title=title)


def end_of_term_scheme(cast):
    scheme = cast.extras.get("end_of_term_scheme")
    if scheme is None:
        scheme = cast.extras["end_of_term_scheme"] = make_scheme(cast, kind="end_of_term")
    return scheme


def decide_end_of_term(cast, enrolment: Enrolment, result: str, *, final: bool = True):
    """The bureau's end-of-term decision on ``enrolment`` (finalised unless ``final=False``).
    Written directly: the consequences the assessments service adds are not needed here."""
    scheme = end_of_term_scheme(cast)
    with bureau_scope(cast.bureau):
        assessment, _created = Assessment.objects.get_or_create(
            bureau=cast.bureau, enrolment=enrolment, scheme=scheme, year_key=""
        )
        now = timezone.now()
        return AssessmentDecision.objects.create(
            bureau=cast.bureau,
            assessment=assessment,
            result=result,
            decided_by=cast.staff,
            decided_at=now,
            finalised_at=now if final else None,
            finalised_by=cast.staff if final else None,
        )


def add_participant(
    cast,
    *,
    name: str | None = None,
    tier: str = "backbone",
    school=None,
    years_class_teacher: int = 6,
    status: str = "active",
) -> Enrolment:
    """One more teacher enrolled in the cast's programme."""
    n = next(_names)
    school = school or cast.school
    with bureau_scope(cast.bureau):
        user = User.objects.create_user(
            username=f"{cast.bureau.code}_cert_{n}",
            password="x-not-used-x",
            full_name=name or f"教师{n:03d}",
            bureau=cast.bureau,
        )
        profile = TeacherProfile.objects.create(
            bureau=cast.bureau,
            user=user,
            staff_number=f"C-{n:05d}",
            gender="F",
            school=school,
            subject="maths",
            stage="junior",
            years_teaching=25,
            years_class_teacher=years_class_teacher,
        )
        return Enrolment.objects.create(
            bureau=cast.bureau,
            programme=cast.programme,
            teacher=profile,
            tier=cast.programme.tiers.get(code=tier),
            school=school,
            status=status,
            enrolled_on=dt.date(2023, 9, 1),
        )


def issue_passed(cast, *, name: str | None = None, result: str = "pass", kind=None):
    """A participant who passed the end of term, with their completion certificate."""
    from certificates.services import certificate_issue

    kind = kind or make_kind(cast)
    with bureau_scope(cast.bureau):
        enrolment = add_participant(cast, name=name)
        decide_end_of_term(cast, enrolment, result)
        return certificate_issue(
            actor=cast.staff,
            kind=kind,
            teacher=enrolment.teacher,
            issued_on=dt.date(2026, 7, 20),
        )


def certificate_records(cast) -> dict[str, object]:
    """One row of every certificates model, for the walk as another bureau. The certificate's
    printed snapshot carries no canary: its public page shows that snapshot to anyone, and the
    walk proves nothing else of the bureau reaches the page."""
    from certificates.models import Certificate, SigningKey

    kind = make_kind(cast, title="结业证书（走查）")
    signatory = add_signatory(kind)
    certificate = issue_passed(cast, name="走查持证人", kind=kind)
    with bureau_scope(cast.bureau):
        Certificate.objects.filter(pk=certificate.pk).update(
            programme_name="走查项目", title="结业证书"
        )
        certificate.refresh_from_db()
        key = SigningKey.objects.get()
    return {
        "certificates.certificatekind": kind,
        "certificates.signatory": signatory,
        "certificates.certificate": certificate,
        "certificates.signingkey": key,
    }
