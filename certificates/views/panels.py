"""Panels the certificates app adds to other apps' pages: a teacher's certificates on their page
(and on the page staff and the school administrator read), the ready ones on the teacher's home,
and a school's count on the school's page."""

from __future__ import annotations

from django.urls import reverse

from accounts.roles import Role

from .. import access
from ..models import CertificateStatus


def teacher_panel(request, profile, own: bool) -> dict | None:
    """The teacher's certificates, and on their own page why a kind is not theirs yet."""
    from .pages import holder_rows, why_not_rows

    user = request.user
    rows = holder_rows(user, profile, own=own)
    why_not = []
    if own:
        held = {r["certificate"].kind_id for r in rows if r["certificate"].valid}
        why_not = why_not_rows(profile, held)
    if not rows and not why_not:
        return None
    return {"rows": rows, "why_not": why_not}


def dashboard_panel(request) -> dict | None:
    """The teacher's valid certificates on their home page."""
    user = request.user
    if not getattr(user, "is_authenticated", False) or user.bureau_id is None:
        return None
    if not user.has_role(Role.TEACHER):
        return None
    certificates = list(
        access.certificates_for_user(user)
        .filter(teacher__user=user, status=CertificateStatus.VALID)
        .order_by("-issued_on", "-pk")[:5]
    )
    if not certificates:
        return None
    return {"certificates": certificates}


def school_panel(request, school) -> dict | None:
    """How many certificates the school's teachers hold: for staff and its administrator."""
    user = request.user
    if access.is_staff(user):
        url = reverse("certificates:certificate_list") + f"?school={school.pk}"
        found = access.certificates_for_user(user).filter(school=school)
    elif user.has_role(Role.SCHOOL_ADMIN):
        url = reverse("certificates:school")
        found = access.school_certificates_for_user(user).filter(school=school)
    else:
        return None
    valid = found.filter(status=CertificateStatus.VALID).count()
    revoked = found.filter(status=CertificateStatus.REVOKED).count()
    if not valid and not revoked:
        return None
    return {"valid": valid, "revoked": revoked, "url": url}
