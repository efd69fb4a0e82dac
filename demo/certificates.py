"""The certificates app's part of the demo (``fixtures/demo_certificates.json``): XH's completion
certificate issued to everyone whose end of term passed (the one who failed has none), one of them
revoked and one reissued after a name correction; SJ's honour certificate for its class teachers
of twenty years and more. Issued through the services, so every PDF is an outbox job the worker
makes (``make run`` starts one)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from accounts.models import User
from accounts.roles import Role
from bureaus.models import Bureau
from bureaus.tenancy import bureau_scope
from certificates.models import Certificate, CertificateKind, CertificateType, Signatory
from certificates.rendering import default_template
from certificates.selectors import certificates_due
from certificates.services import certificate_issue, certificate_reissue, certificate_revoke
from cohorts.models import Enrolment
from demo import registry, schema
from programmes.models import Programme

DEMO_CERTIFICATES = Path(settings.BASE_DIR) / "fixtures" / "demo_certificates.json"
SEALS = Path(settings.BASE_DIR) / "fixtures" / "seals"

_T = schema.TEXT
_KIND = schema.obj(
    {
        "type": schema.choice(list(CertificateType.values)),
        "title": _T,
        "number_format": _T,
        "issue_date": schema.DATE,
        "signatories": schema.items(
            schema.obj({"name": _T, "title": _T}, {"seal": _T}, label="signatory {n}"),
            min_items=1,
        ),
        "issue": schema.choice(["all_due", "none"]),
    },
    {
        "number_series": {"type": "string"},
        "min_class_teacher_years": schema.whole(1, 60),
        "revoke": schema.items(
            schema.obj({"holder": _T, "on": schema.DATE, "reason": _T}, label="revoke {n}")
        ),
        "reissue": schema.items(
            schema.obj(
                {"holder": _T, "on": schema.DATE, "reason": _T},
                {"issued_as": _T},
                label="reissue {n}",
            )
        ),
    },
    label="certificate kind {title!r}",
)
SCHEMA = schema.obj(
    {
        "bureaus": schema.items(
            schema.obj(
                {
                    "bureau": _T,
                    "staff": _T,
                    "programmes": schema.items(
                        schema.obj(
                            {"programme": _T, "kinds": schema.items(_KIND, unique="title")},
                            label="programme {programme!r}",
                        )
                    ),
                },
                label="bureau {bureau!r}",
            )
        )
    }
)
schema.add_kind("certificates", SCHEMA)


def load_demo_certificates(path: Path = DEMO_CERTIFICATES) -> list[str]:
    """Configure the demo's certificate kinds and issue them as ``path`` describes. A programme
    with certificate kinds is left as it is, so running it again changes nothing. Raises
    ValueError naming the file and the entry."""
    path = Path(path)
    data = schema.read(path, "certificates")
    loaded: list[str] = []
    for entry in data["bureaus"]:
        where = f"{schema.display_path(path)}: bureau {entry['bureau']!r}"
        bureau = Bureau.objects.filter(code=entry["bureau"]).first()
        if bureau is None:
            raise ValueError(f"{where}: there is no such bureau; load the demo first")
        with bureau_scope(bureau):
            staff = User.objects.filter(username=entry["staff"]).first()
            if staff is None or not staff.has_role(Role.BUREAU_STAFF):
                raise ValueError(f"{where}: {entry['staff']!r} is not a bureau staff user here")
            for spec in entry["programmes"]:
                here = f"{where}: programme {spec['programme']!r}"
                programme = Programme.objects.filter(code=spec["programme"]).first()
                if programme is None:
                    raise ValueError(f"{here}: there is no such programme")
                if CertificateKind.objects.filter(programme=programme).exists():
                    continue
                with transaction.atomic():
                    for kind_spec in spec["kinds"]:
                        loaded.append(_load_kind(staff, programme, kind_spec, where=here))
    return loaded


def _load_kind(staff: User, programme: Programme, spec: dict, *, where: str) -> str:
    where = f"{where}: certificate kind {spec['title']!r}"
    html, css = default_template(spec["type"])
    kind = CertificateKind.objects.create(
        bureau=programme.bureau,
        programme=programme,
        type=spec["type"],
        title=spec["title"],
        number_format=spec["number_format"],
        number_series=spec.get("number_series", ""),
        issue_date=dt.date.fromisoformat(spec["issue_date"]),
        min_class_teacher_years=spec.get("min_class_teacher_years"),
        template_html=html,
        template_css=css,
    )
    for order, item in enumerate(spec["signatories"]):
        signatory = Signatory(
            bureau=kind.bureau, kind=kind, name=item["name"], title=item["title"], order=order
        )
        if item.get("seal"):
            seal = SEALS / item["seal"]
            if not seal.is_file():
                raise ValueError(f"{where}: no seal image {seal}")
            signatory.seal.save(seal.name, ContentFile(seal.read_bytes()), save=False)
        signatory.save()
    if spec["issue"] != "all_due":
        return f"{programme.bureau.code} · {programme.code}: {kind.title}, none issued"
    by_username = {}
    wrong_names = {r["holder"]: r["issued_as"] for r in spec.get("reissue", []) if "issued_as" in r}
    for due in certificates_due(kind=kind):
        teacher_user = User.objects.get(teacher_profile__pk=due.teacher_id)
        right_name = teacher_user.full_name
        wrong = wrong_names.get(teacher_user.username)
        if wrong:  # the profile had the name wrong when this one was issued
            teacher_user.full_name = wrong
            teacher_user.save(update_fields=["full_name"])
        certificate = certificate_issue(
            actor=staff,
            kind=kind,
            teacher=teacher_user.teacher_profile,
            enrolment=Enrolment.objects.get(pk=due.enrolment_id) if due.enrolment_id else None,
            fields=due.fields,
        )
        if wrong:
            teacher_user.full_name = right_name
            teacher_user.save(update_fields=["full_name"])
        by_username[teacher_user.username] = certificate
    for item in spec.get("revoke", []):
        certificate = _held(by_username, item, where)
        certificate_revoke(actor=staff, certificate=certificate, reason=item["reason"])
        Certificate.objects.filter(pk=certificate.pk).update(
            revoked_at=_moment(item["on"]) or certificate.revoked_at
        )
    reissued = 0
    for item in spec.get("reissue", []):
        certificate = _held(by_username, item, where)
        certificate_reissue(actor=staff, certificate=certificate, reason=item["reason"])
        Certificate.objects.filter(pk=certificate.pk).update(revoked_at=_moment(item["on"]))
        reissued += 1
    return (
        f"{programme.bureau.code} · {programme.code}: {kind.title}, {len(by_username)} issued, "
        f"{len(spec.get('revoke', []))} revoked, {reissued} reissued"
    )


def _held(by_username: dict, item: dict, where: str) -> Certificate:
    certificate = by_username.get(item["holder"])
    if certificate is None:
        raise ValueError(f"{where}: {item['holder']!r} has no certificate of this kind")
    certificate.refresh_from_db()
    return certificate


def _moment(day: str) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(10, 0)))


registry.add_step("certificates", command="load_demo_certificates")
