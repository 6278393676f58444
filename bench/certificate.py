"""Benchmark of the certificates of service: the time to draw one certificate, and one yearly summary, as PDF.

    .venv/bin/python bench/certificate.py [--repeat 20]      # or: make bench-certificate

No database: the certificates are built in memory (placements.certificates.Certificate, unsaved) and go
through the same template and WeasyPrint call as a download (placements.certification). Prints the first
render of the process (WeasyPrint imported, fonts looked up: what the first download after a restart
waits) apart from the median and p95 of the next --repeat renders, for a certificate and for a summary of
twelve placements, with the PDF's size; beside each wall-clock time the CPU time of this process, which a
machine busy with other work does not inflate.

Target: a certificate's PDF in under one second (median, warm).
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from anywhere

TARGET_SECONDS = 1.0


def configure() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "globalir.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    import django

    django.setup()


def sample_certificate(index: int = 0):
    from django.utils import timezone

    from placements.certificates import Certificate

    start = datetime.date(2025, 1, 6) + datetime.timedelta(days=30 * index)
    return Certificate(
        holder_name="Dr Amina Okafor",
        organisation_name="Road to IR Test Partners",
        programme_title="Embolisation training in Tanzania",
        need_title="PPH embolisation teaching",
        profession="ir_physician",
        mode="onsite" if index % 2 == 0 else "remote",
        site_name="Kilimanjaro Christian Medical Centre" if index % 2 == 0 else "",
        site_city="Moshi" if index % 2 == 0 else "",
        site_country="TZ" if index % 2 == 0 else "",
        start_date=start,
        end_date=start + datetime.timedelta(days=13),
        hours_per_week=0 if index % 2 == 0 else 4,
        days_on_site=14 if index % 2 == 0 else 0,
        remote_hours=0 if index % 2 == 0 else 8,
        coordinator_name="Grace Mushi",
        issued_at=timezone.now(),
    )


def sample_summary():
    from placements import certification

    rows = []
    for index in range(12):
        certificate = sample_certificate(index)
        rows.append(
            certification.SummaryRow(
                certificate=certificate,
                start=certificate.start_date,
                end=certificate.end_date,
                days_on_site=certificate.days_on_site,
                remote_hours=certificate.remote_hours,
                profession=certification.profession_label(certificate.profession),
                mode=certification.mode_label(certificate.mode),
                site=certification.site_label(certificate),
            )
        )
    return certification.YearSummary(
        year=2025,
        holder_name="Dr Amina Okafor",
        rows=rows,
        days_on_site=sum(row.days_on_site for row in rows),
        remote_hours=sum(row.remote_hours for row in rows),
    )


def timed(render) -> tuple[float, float, int]:
    """Wall-clock seconds, CPU seconds of this process (what a busy machine does not inflate), PDF bytes."""
    started, cpu_started = time.perf_counter(), time.process_time()
    pdf = render()
    return time.perf_counter() - started, time.process_time() - cpu_started, len(pdf)


def report(name: str, render, repeat: int) -> float:
    first, first_cpu, size = timed(render)
    runs = [timed(render) for _ in range(repeat)]
    times = [wall for wall, _, _ in runs]
    median = statistics.median(times)
    p95 = sorted(times)[max(0, round(0.95 * len(times)) - 1)]
    cpu = statistics.median(cpu for _, cpu, _ in runs)
    print(
        f"{name:<26} first {first * 1000:6.0f} ms (CPU {first_cpu * 1000:5.0f})   median {median * 1000:5.0f} ms"
        f" (CPU {cpu * 1000:4.0f})   p95 {p95 * 1000:5.0f} ms   {size / 1024:5.1f} KiB"
    )
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    options = parser.parse_args()
    configure()
    from placements import certification

    certificate = sample_certificate()
    summary = sample_summary()
    print(f"WeasyPrint PDF renders, {options.repeat} warm runs after the first (HTML from the templates included)")
    median = report(
        "certificate (1 page)",
        lambda: certification.pdf_from_html(certification.certificate_html(certificate=certificate)),
        options.repeat,
    )
    report(
        "yearly summary (12 rows)",
        lambda: certification.pdf_from_html(certification.year_summary_html(summary=summary)),
        options.repeat,
    )
    verdict = "met" if median < TARGET_SECONDS else "MISSED"
    print(f"Target: a certificate under {TARGET_SECONDS:.0f} s (median): {verdict}")
    return 0 if median < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
