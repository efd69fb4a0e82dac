"""Benchmark: 1,000 certificate PDFs made by the worker's own code, and a school's print run.

    cd /work/main && .venv/bin/python bench/bench_certificates.py

On one throwaway database: a bureau, 10 schools, 1,000 teachers and 1,000 issued certificates of
one kind (the default completion template, a seal image, the QR code), names with rare characters
(喆堃璟彧犇) throughout. Then, in this one process:

* floor: one warm WeasyPrint render of the same template (a certificate's HTML already made, the
  shared FontConfiguration and parsed stylesheet, ``HTML(...).render(...).write_pdf()``), run
  once per certificate, taking turns with the task so that a busy machine weighs on both alike:
  the floor for 1,000 certificates is 1,000 warm renders;
* (a) the real task code: each certificate's outbox job run as the worker runs it
  (``bureaus.outbox.run`` → ``certificates.tasks.render_certificate`` →
  ``rendering.store_pdf``: refetch, template, QR, render, store under the fixed key,
  record); goal **≤ 1.2× the floor per certificate**; the worker's RSS is printed before and
  after, and must stay flat (**≤ 60 MB of growth** over the 1,000);
* every PDF **≤ 150 KB** (the largest is printed);
* (b) one school's print run (100 certificates, ``rendering.render_many``): goal **≤ 40 ms a page**;
* (c) for contrast, 20 renders with a fresh ``FontConfiguration`` each, as a careless renderer
  would: its time per certificate and RSS growth (no goal; the reason the renderer keeps one).

Exits 1 when a goal is missed. BENCH_SCALE scales the number of certificates.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import (  # noqa: E402
    ROOT,
    django_environment,
    finish,
    make_bureau,
    make_staff_user,
    print_table,
    scaled,
    verdict,
)

CERTIFICATES = scaled(1_000)
PRINT_RUN = min(100, CERTIFICATES)
RARE = "喆堃璟彧犇"
MAX_BYTES = 150 * 1024


def rss_mb() -> float:
    """The process's resident set now, in MB (from /proc; ru_maxrss is the peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(bureau):
    from django.contrib.auth.hashers import make_password
    from django.core.files.base import ContentFile

    from accounts.models import TeacherProfile, User
    from bureaus.models import School
    from certificates import rendering, signing
    from certificates.models import Certificate, CertificateKind, Signatory
    from certificates.services import new_code
    from programmes.models import Programme

    staff = make_staff_user(bureau)
    schools = list(School.objects.order_by("pk"))
    password = make_password(None)
    users = User.objects.bulk_create(
        [
            User(
                username=f"{bureau.code}-c{i:05d}",
                full_name=f"王{RARE[i % 5]}{RARE[(i // 5) % 5]}",
                bureau=bureau,
                password=password,
            )
            for i in range(CERTIFICATES)
        ],
        batch_size=1000,
    )
    profiles = TeacherProfile.objects.bulk_create(
        [
            TeacherProfile(
                bureau=bureau,
                user=user,
                staff_number=f"C{i:05d}",
                gender="FM"[i % 2],
                school=schools[i % len(schools)],
                subject="maths",
                stage="junior",
                years_teaching=5 + i % 20,
            )
            for i, user in enumerate(users)
        ],
        batch_size=1000,
    )
    programme = Programme.objects.create(
        bureau=bureau,
        code="bench-certificates",
        name="徐汇区中青年骨干教师培养工程（2023—2026）",
        start_month=dt.date(2023, 9, 1),
        end_month=dt.date(2026, 8, 31),
        status="active",
    )
    html, css = rendering.default_template("completion")
    kind = CertificateKind.objects.create(
        bureau=bureau,
        programme=programme,
        type="completion",
        title="结业证书",
        number_format="徐教师培〔{year}〕第{seq:04d}号",
        issue_date=dt.date(2026, 7, 20),
        template_html=html,
        template_css=css,
    )
    signatory = Signatory(bureau=bureau, kind=kind, name="徐汇区教育局", title="上海市徐汇区教育局")
    seal = ROOT / "fixtures" / "seals" / "xuhui.png"
    signatory.seal.save("xuhui.png", ContentFile(seal.read_bytes()), save=True)
    key = signing.signing_key_for(bureau.pk)
    certificates = []
    for i, profile in enumerate(profiles):
        certificate = Certificate(
            bureau=bureau,
            kind=kind,
            teacher=profile,
            school_id=profile.school_id,
            number=kind.number_format.format(year=2026, seq=i + 1),
            year=2026,
            seq=i + 1,
            code=new_code(),
            issued_on=kind.issue_date,
            holder_name=profile.user.full_name,
            programme_name=programme.name,
            title=kind.title,
            fields={"start": "2023年9月", "end": "2026年6月", "result": "合格"},
            signing_key=key,
            issued_by=staff,
        )
        certificate.signature = signing.sign(key, signing.payload_of(certificate))
        certificates.append(certificate)
    Certificate.objects.bulk_create(certificates, batch_size=500)
    return kind


def enqueue_all(bureau) -> list[int]:
    from bureaus.models import OutboxJob
    from bureaus.outbox import enqueue
    from certificates.models import Certificate
    from certificates.tasks import render_certificate

    for pk in Certificate.objects.order_by("pk").values_list("pk", flat=True):
        enqueue(render_certificate, pk, bureau.pk, bureau=bureau.pk)
    return list(OutboxJob.objects.order_by("pk").values_list("pk", flat=True))


def main() -> None:
    with django_environment():
        from unittest import mock

        logging.getLogger("bureaus.outbox").setLevel(logging.WARNING)

        from django.db import transaction

        from bureaus import outbox
        from bureaus.tenancy import bureau_scope
        from certificates import rendering
        from certificates.models import Certificate, RenderState

        bureau = make_bureau("bench", "基准", 10)
        with bureau_scope(bureau):
            print(f"Issuing {CERTIFICATES:,} certificates ...", flush=True)
            kind = build(bureau)
            with mock.patch.object(outbox, "_dispatch_after_commit", lambda *a: None):
                with transaction.atomic():
                    jobs = enqueue_all(bureau)

            # The floor: one warm render of the same template, the HTML made beforehand.
            sample = Certificate.objects.select_related("kind").order_by("pk").first()
            body = rendering.render_html(kind.template_html, rendering.certificate_context(sample))
            seals = {s.pk: s for s in kind.signatories.all() if s.seal}
            document_html = rendering._document_html(
                html_body=body, css=kind.template_css, created=sample.issued_on
            )
            from weasyprint import HTML

            def warm_render() -> bytes:
                return (
                    HTML(
                        string=document_html,
                        base_url=rendering.BASE_URL,
                        url_fetcher=rendering.PortalFetcher(seals),
                    )
                    .render(
                        stylesheets=[rendering._stylesheet(kind.template_css)],
                        font_config=rendering.font_configuration(),
                    )
                    .write_pdf()
                )

            for _ in range(3):
                warm_render()  # fonts loaded, stylesheet parsed

            # (a) the worker's code, certificate after certificate.
            # The floor's render and the task take turns, so a busy machine weighs on both alike.
            rss_start = rss_mb()
            floor_total = task_total = 0.0
            for job in jobs:
                start = time.perf_counter()
                warm_render()
                floor_total += time.perf_counter() - start
                start = time.perf_counter()
                result = outbox.run(job, bureau.pk)
                task_total += time.perf_counter() - start
                if result != "done":
                    raise SystemExit(f"job {job}: {result}")
            rss_end = rss_mb()
            floor = floor_total / len(jobs)
            per_certificate = task_total / len(jobs)
            made = Certificate.objects.filter(render_state=RenderState.DONE).count()
            sizes = list(Certificate.objects.values_list("size", flat=True))
            largest = max(sizes)

            # (b) a school's print run.
            school_id = Certificate.objects.values_list("school_id", flat=True).first()
            run = list(
                Certificate.objects.filter(school_id=school_id)
                .select_related("kind")
                .order_by("seq")[:PRINT_RUN]
            )
            rendering.render_many(run[:2])  # warm
            start = time.perf_counter()
            data = rendering.render_many(run)
            print_seconds = time.perf_counter() - start
            per_page_ms = print_seconds / len(run) * 1000

            # (c) a fresh FontConfiguration per certificate, for contrast.
            from weasyprint.text.fonts import FontConfiguration

            careless_rss = rss_mb()
            start = time.perf_counter()
            for _ in range(20):
                HTML(
                    string=document_html,
                    base_url=rendering.BASE_URL,
                    url_fetcher=rendering.PortalFetcher(seals),
                ).render(font_config=FontConfiguration()).write_pdf()
            careless = (time.perf_counter() - start) / 20
            careless_growth = rss_mb() - careless_rss

        ratio = per_certificate / floor
        growth = rss_end - rss_start
        ok_time = ratio <= 1.2
        ok_rss = growth <= 60
        ok_size = largest <= MAX_BYTES
        ok_print = per_page_ms <= 40
        ok_count = made == CERTIFICATES
        print_table(
            f"{CERTIFICATES:,} certificates, one worker process",
            [
                ("floor: a warm render, each", f"{floor * 1000:.1f} ms", "", "", ""),
                (
                    "(a) the task, per certificate",
                    f"{per_certificate * 1000:.1f} ms",
                    f"{ratio:.2f}x",
                    "<= 1.2x",
                    verdict(ok_time),
                ),
                (
                    "(a) worker RSS start → end",
                    f"{rss_start:.0f} → {rss_end:.0f} MB",
                    f"+{growth:.0f} MB",
                    "<= +60 MB",
                    verdict(ok_rss),
                ),
                ("(a) PDFs made", f"{made:,}", "", f"{CERTIFICATES:,}", verdict(ok_count)),
                (
                    "(a) largest PDF",
                    f"{largest / 1024:.1f} KB",
                    f"mean {sum(sizes) / len(sizes) / 1024:.1f} KB",
                    "<= 150 KB",
                    verdict(ok_size),
                ),
                (
                    f"(b) print run, {len(run)} pages",
                    f"{print_seconds:.2f} s",
                    f"{per_page_ms:.1f} ms/page",
                    "<= 40 ms/page",
                    verdict(ok_print),
                ),
                (
                    "(c) fresh FontConfiguration each",
                    f"{careless * 1000:.1f} ms",
                    f"+{careless_growth:.0f} MB / 20",
                    "",
                    "",
                ),
            ],
            ("measured", "value", "", "goal", ""),
        )
        print(f"print-run PDF: {len(data) / 1024:.0f} KB for {len(run)} pages")
        ok = ok_time and ok_rss and ok_size and ok_print and ok_count
        finish(ok or bool(os.environ.get("BENCH_NO_EXIT_STATUS")))


if __name__ == "__main__":
    main()
