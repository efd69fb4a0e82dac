"""Certificates as staff, school administrators and teachers see them.

- Staff: the bureau's certificate kinds with what is due and issued, a batch issuing all that is
  due (for the programme or one school) with its progress, and the certificates issued.
- A school administrator: the school's certificates, each to download, and the whole school's in
  one zip or one PDF for printing (written by the worker).
- A teacher: their own certificates (also a panel on their page), to download while valid.

Every PDF is streamed by ``download`` after the access check; no page links to a media URL.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from accounts.access import bureau_member_required, role_required, schools_for_user
from accounts.roles import Role
from accounts.services import administered_school_id
from bureaus.exports import export_request
from bureaus.files import serve
from bureaus.models import School, StoredExport, StoredExportStatus

from .. import access, batches, exports
from ..models import Certificate, CertificateBatch, CertificateStatus, RenderState

PAGE_SIZE = 50


# --- Staff: kinds, batches, the certificates issued ----------------------------------------------


def _counts_by_kind(kind_ids: list[int]) -> dict[int, dict]:
    rows = (
        Certificate.objects.filter(kind_id__in=kind_ids)
        .values("kind_id")
        .annotate(
            issued=Count("id"),
            valid=Count("id", filter=Q(status=CertificateStatus.VALID)),
            revoked=Count("id", filter=Q(status=CertificateStatus.REVOKED)),
        )
    )
    return {r["kind_id"]: r for r in rows}


@role_required(Role.BUREAU_STAFF)
def kind_list(request):
    """The bureau's certificate kinds by programme: what is due, issued, valid and revoked."""
    kinds = list(access.kinds_for_user(request.user).order_by("programme__name", "type", "title"))
    counts = _counts_by_kind([k.pk for k in kinds])
    rows = []
    for kind in kinds:
        found = counts.get(kind.pk, {})
        rows.append(
            {
                "kind": kind,
                "due": len(batches.due_for(kind)) if kind.active else None,
                "issued": found.get("issued", 0),
                "valid": found.get("valid", 0),
                "revoked": found.get("revoked", 0),
            }
        )
    return render(request, "certificates/kind_list.html", {"rows": rows})


@role_required(Role.BUREAU_STAFF)
def kind_detail(request, pk: int):
    """One kind: what is due (per school), what was issued, its batches, and the button that
    issues all that is due."""
    kind = access.get_kind_for_user(request.user, pk)
    due = batches.due_for(kind) if kind.active else []
    schools = {s.pk: s for s in schools_for_user(request.user)}
    by_school: dict[int, int] = {}
    for item in due:
        by_school[item.school_id] = by_school.get(item.school_id, 0) + 1
    due_schools = sorted(
        ({"school": schools[pk], "due": n} for pk, n in by_school.items() if pk in schools),
        key=lambda row: row["school"].name,
    )
    counts = _counts_by_kind([kind.pk]).get(kind.pk, {})
    recent = list(
        CertificateBatch.objects.select_related("school", "requested_by")
        .filter(kind=kind)
        .order_by("-requested_at")[:10]
    )
    return render(
        request,
        "certificates/kind_detail.html",
        {
            "kind": kind,
            "due": len(due),
            "due_schools": due_schools,
            "issued": counts.get("issued", 0),
            "valid": counts.get("valid", 0),
            "revoked": counts.get("revoked", 0),
            "batches": [(b, batches.batch_progress(b)) for b in recent],
        },
    )


@require_POST
@role_required(Role.BUREAU_STAFF)
def batch_start(request, pk: int):
    """Issue all that is due of the kind (for one school if chosen)."""
    kind = access.get_kind_for_user(request.user, pk)
    school = None
    if request.POST.get("school"):
        try:
            school = schools_for_user(request.user).get(pk=int(request.POST["school"]))
        except (School.DoesNotExist, ValueError) as error:
            raise Http404 from error
    try:
        batch = batches.batch_start(actor=request.user, kind=kind, school=school)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("certificates:kind_detail", pk=kind.pk)
    if not batch.total:
        messages.info(request, _("Nothing is due: no certificate was issued."))
    return redirect("certificates:batch_detail", pk=batch.pk)


def _progress_data(batch: CertificateBatch) -> dict:
    progress = batches.batch_progress(batch)
    issued, made, failed, total = progress
    return {
        "issued": issued,
        "made": made,
        "failed": failed,
        "total": total,
        "percent": progress.percent,
        "settled": progress.settled,
        "finished": batch.finished_at is not None,
        "text": _("%(issued)s of %(total)s issued · %(made)s PDFs made")
        % {"issued": issued, "total": total, "made": made}
        + (_(" · %(failed)s failed") % {"failed": failed} if failed else ""),
    }


@role_required(Role.BUREAU_STAFF)
def batch_detail(request, pk: int):
    """A batch's progress: a bar the page's script moves, or that a reload moves without it."""
    batch = access.get_batch_for_user(request.user, pk)
    return render(
        request,
        "certificates/batch_detail.html",
        {"batch": batch, "progress": _progress_data(batch)},
    )


@role_required(Role.BUREAU_STAFF)
def batch_progress(request, pk: int):
    batch = access.get_batch_for_user(request.user, pk)
    response = JsonResponse(_progress_data(batch))
    response["Cache-Control"] = "no-store"
    return response


def _statuses() -> list[tuple[str, str]]:
    """The status filter's choices, named as the pages name them (a revoked one: 已作废)."""
    return [
        (CertificateStatus.VALID, _("Valid")),
        (CertificateStatus.REVOKED, pgettext("certificate state", "Revoked")),
    ]


def _filtered(request, certificates):
    """The list's filters: kind, school, status, and a name or number."""
    chosen = {
        "kind": request.GET.get("kind", ""),
        "school": request.GET.get("school", ""),
        "status": request.GET.get("status", ""),
        "q": request.GET.get("q", "").strip()[:100],
    }
    if chosen["kind"].isdigit():
        certificates = certificates.filter(kind_id=int(chosen["kind"]))
    if chosen["school"].isdigit():
        certificates = certificates.filter(school_id=int(chosen["school"]))
    if chosen["status"] in CertificateStatus.values:
        certificates = certificates.filter(status=chosen["status"])
    if chosen["q"]:
        certificates = certificates.filter(
            Q(holder_name__icontains=chosen["q"]) | Q(number__icontains=chosen["q"])
        )
    return certificates, chosen


def _page(request, certificates):
    paginator = Paginator(certificates.order_by("-year", "series", "-seq", "-pk"), PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@role_required(Role.BUREAU_STAFF)
def certificate_list(request):
    """The bureau's certificates: filter by kind, school and status; search a name or number."""
    certificates, chosen = _filtered(request, access.certificates_for_user(request.user))
    page = _page(request, certificates)
    return render(
        request,
        "certificates/certificate_list.html",
        {
            "page": page,
            "chosen": chosen,
            "kinds": access.kinds_for_user(request.user),
            "schools": schools_for_user(request.user).order_by("name"),
            "statuses": _statuses(),
            "query": _query_without_page(request),
            "staff": True,
        },
    )


# --- School administrators ---------------------------------------------------------------------


def _school_exports(request):
    return StoredExport.objects.filter(
        kind__in=[exports.ZIP, exports.PRINT], created_by=request.user
    ).order_by("-created_at")


@role_required(Role.SCHOOL_ADMIN)
def school_page(request):
    """The school's certificates: each to download, all in a zip or one PDF for printing."""
    school_id = administered_school_id(request.user)
    school = School.objects.filter(pk=school_id).first() if school_id else None
    certificates, chosen = _filtered(request, access.school_certificates_for_user(request.user))
    page = _page(request, certificates)
    valid = access.school_certificates_for_user(request.user).filter(status=CertificateStatus.VALID)
    return render(
        request,
        "certificates/school.html",
        {
            "school": school,
            "page": page,
            "chosen": chosen,
            "statuses": _statuses(),
            "query": _query_without_page(request),
            "valid": valid.count(),
            "not_made": valid.exclude(render_state=RenderState.DONE).count(),
            "jobs": _school_exports(request)[:5],
        },
    )


@require_POST
@role_required(Role.SCHOOL_ADMIN)
def school_export(request):
    """A zip of the school's certificates, or one PDF to print them: written by the worker."""
    school_id = administered_school_id(request.user)
    what = request.POST.get("what")
    if school_id is None or what not in (exports.ZIP, exports.PRINT):
        raise Http404
    school = School.objects.get(pk=school_id)
    if (
        not access.school_certificates_for_user(request.user)
        .filter(status=CertificateStatus.VALID)
        .exists()
    ):
        messages.error(request, _("Your school has no valid certificate yet."))
        return redirect("certificates:school")
    if what == exports.ZIP:
        title = _("%(school)s certificates") % {"school": school.name}
    else:
        title = _("%(school)s certificates to print") % {"school": school.name}
    job = export_request(
        actor=request.user,
        bureau_id=request.bureau_id,
        kind=what,
        params={"school": school_id, "language": translation.get_language()},
        title=title,
        file_format=exports.FORMAT_OF[what],
    )
    return redirect("certificates:export_job", pk=job.pk)


def _export_for(request, pk: int) -> StoredExport:
    """A school's export, for the school administrator who asked for it."""
    job = _school_exports(request).filter(pk=pk).first()
    if job is None or job.params.get("school") != administered_school_id(request.user):
        raise Http404
    return job


@role_required(Role.SCHOOL_ADMIN)
def export_job(request, pk: int):
    job = _export_for(request, pk)
    return render(request, "certificates/export_job.html", {"job": job})


@role_required(Role.SCHOOL_ADMIN)
def export_file(request, pk: int):
    job = _export_for(request, pk)
    if job.status != StoredExportStatus.DONE or not job.file:
        raise Http404
    return serve(job)


# --- Teachers -----------------------------------------------------------------------------------


def holder_rows(user, profile, *, own: bool) -> list[dict]:
    """A teacher's certificates as ``user`` may see them, newest first, with what to show of
    each: the download link, or that it was revoked and what replaced it."""
    certificates = access.certificates_for_user(user).filter(teacher=profile)
    rows = []
    for certificate in certificates.order_by("-issued_on", "-pk"):
        rows.append(
            {
                "certificate": certificate,
                "download": access.may_download(user, certificate),
                "replacement": certificate.replaced_by
                if certificate.replaced_by_id and certificate.replaced_by.valid
                else None,
            }
        )
    return rows


def why_not_rows(profile, held_kind_ids: set[int]) -> list[dict]:
    """For each kind of the teacher's programmes they do not hold: why not yet."""
    from ..models import CertificateKind
    from ..selectors import why_not

    kinds = CertificateKind.objects.select_related("programme").filter(
        active=True, programme__enrolments__teacher=profile
    )
    rows = []
    for kind in kinds.distinct().order_by("programme__name", "title"):
        if kind.pk in held_kind_ids:
            continue
        reason = why_not(kind=kind, teacher=profile)
        if reason:
            rows.append({"kind": kind, "reason": reason})
    return rows


@role_required(Role.TEACHER)
def mine(request):
    """The teacher's own certificates."""
    profile = getattr(request.user, "teacher_profile", None)
    rows = holder_rows(request.user, profile, own=True) if profile else []
    held = {r["certificate"].kind_id for r in rows if r["certificate"].valid}
    return render(
        request,
        "certificates/mine.html",
        {"rows": rows, "why_not": why_not_rows(profile, held) if profile else []},
    )


# --- The PDF ------------------------------------------------------------------------------------


@bureau_member_required
def download(request, pk: int):
    """A certificate's PDF, streamed after the access check, saved under its number and
    holder's name (RFC 5987 for the Chinese)."""
    certificate = access.get_certificate_for_user(request.user, pk, access.DOWNLOAD)
    try:
        handle = certificate.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=exports.file_name(certificate),
        content_type="application/pdf",
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("certificates/", kind_list, name="kind_list"),
    path("certificates/kinds/<int:pk>/", kind_detail, name="kind_detail"),
    path("certificates/kinds/<int:pk>/issue-all/", batch_start, name="batch_start"),
    path("certificates/batches/<int:pk>/", batch_detail, name="batch_detail"),
    path("certificates/batches/<int:pk>/progress/", batch_progress, name="batch_progress"),
    path("certificates/issued/", certificate_list, name="certificate_list"),
    path("certificates/school/", school_page, name="school"),
    path("certificates/school/export/", school_export, name="school_export"),
    path("certificates/exports/<int:pk>/", export_job, name="export_job"),
    path("certificates/exports/<int:pk>/file/", export_file, name="export_file"),
    path("certificates/mine/", mine, name="mine"),
    path("certificates/<int:pk>/pdf/", download, name="download"),
]
