"""Benchmark of a consult's image upload: a 200-slice CT series, zipped, de-identified and previewed.

    .venv/bin/python bench/consults.py [--slices 200] [--size 512]      # or: make bench-consults

No database: the series is built in memory from pydicom's CT_small.dcm header (512x512 int16 slices with
distinct instance numbers, positions and UIDs sharing one series), zipped as a partner's PACS export
would be, then handed to consults.imaging.intake_uploads as one uploaded file, and one preview is drawn
per slice at the default preset, in this process (one core). Prints the wall-clock and CPU seconds of
each step and the peak memory: the process's resident maximum (getrusage), and with --tracemalloc the
peak of Python allocations during the run (numpy's arrays included; the timing is then inflated).

Target: upload + de-identification + previews of the series in under 10 s.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from anywhere

TARGET_SECONDS = 10.0


def configure() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "globalir.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    import django

    django.setup()


def build_series_zip(slices: int, size: int) -> bytes:
    """A zip of `slices` CT slices: CT_small's header, new pixels (a disc of soft tissue in air, with a
    bright spot that moves from slice to slice so no two are identical)."""
    import numpy as np
    from pydicom import dcmread
    from pydicom.data import get_testdata_file
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    template = dcmread(get_testdata_file("CT_small.dcm"))
    series_uid, study_uid = generate_uid(), generate_uid()
    yy, xx = np.mgrid[0:size, 0:size]
    disc = (xx - size / 2) ** 2 + (yy - size / 2) ** 2 < (size * 0.42) ** 2
    base = np.where(disc, 1064, 24).astype(np.int16)  # stored values; intercept -1024 makes 40 HU and -1000 HU
    rng = np.random.default_rng(7)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for index in range(slices):
            pixels = base + rng.integers(0, 40, size=(size, size), dtype=np.int16)
            spot = (xx - (size // 4 + index)) ** 2 + (yy - size // 2) ** 2 < 100
            pixels[spot] = 2024
            dataset = template.copy()
            dataset.file_meta = template.file_meta.copy()
            dataset.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
            dataset.Rows = dataset.Columns = size
            dataset.BitsAllocated, dataset.BitsStored, dataset.HighBit = 16, 16, 15
            dataset.PixelRepresentation = 1
            dataset.RescaleSlope, dataset.RescaleIntercept = 1, -1024
            dataset.PixelData = pixels.tobytes()
            dataset.SeriesInstanceUID, dataset.StudyInstanceUID = series_uid, study_uid
            dataset.SOPInstanceUID = generate_uid()
            dataset.file_meta.MediaStorageSOPInstanceUID = dataset.SOPInstanceUID
            dataset.InstanceNumber = index + 1
            dataset.ImagePositionPatient = [-160.0, -160.0, -100.0 + 1.25 * index]
            dataset.SliceLocation = -100.0 + 1.25 * index
            out = io.BytesIO()
            dataset.save_as(out, enforce_file_format=True)
            archive.writestr(f"SERIES1/IM{index + 1:05d}", out.getvalue())
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--slices", type=int, default=200)
    parser.add_argument("--size", type=int, default=512)
    # tracemalloc follows every allocation and slows the run several times: figures apart from the timing.
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations (slower)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the target says
    configure()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from consults.imaging import intake_uploads, preview_content_type, preview_render

    started = time.perf_counter()
    archive = build_series_zip(args.slices, args.size)
    print(
        f"series: {args.slices} slices of {args.size}x{args.size} int16, zip {len(archive) / 1e6:.1f} MB "
        f"(built in {time.perf_counter() - started:.1f} s, not counted)"
    )
    upload = SimpleUploadedFile("series.zip", archive, content_type="application/zip")

    rss_before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    if args.tracemalloc:
        tracemalloc.start()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    images = intake_uploads([upload], request_key="bench-request")
    wall1, cpu1 = time.perf_counter(), time.process_time()
    preview_bytes = 0
    for image in images:
        preview_bytes += len(preview_render(image.content, preset=image.default_preset))
    wall2, cpu2 = time.perf_counter(), time.process_time()
    traced_peak = tracemalloc.get_traced_memory()[1] if args.tracemalloc else 0
    tracemalloc.stop()

    rss_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    total = wall2 - wall0
    print(f"intake (unzip, read, de-identify, write): {wall1 - wall0:.2f} s wall, {cpu1 - cpu0:.2f} s CPU")
    print(
        f"previews ({len(images)} x {preview_content_type()}, {preview_bytes / len(images) / 1024:.1f} KB each): "
        f"{wall2 - wall1:.2f} s wall, {cpu2 - cpu1:.2f} s CPU"
    )
    cpu_total = cpu2 - cpu0
    print(f"total: {total:.2f} s wall, {cpu_total:.2f} s CPU (target < {TARGET_SECONDS:.0f} s)")
    print(
        f"peak memory: {rss_peak_mb:.0f} MB resident (process max; {rss_before_mb:.0f} MB before the upload, "
        f"the zip in memory included)"
        + (f", {traced_peak / 1e6:.0f} MB of traced allocations" if args.tracemalloc else "")
    )
    # On a machine shared with other work the wall clock also counts the time other processes had the core;
    # the CPU time is what this work costs one core, so the verdict goes by it and the load is shown.
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(f"load average during the run: {load:.1f} on {os.cpu_count()} cores")
    if args.tracemalloc:
        print("no verdict: tracemalloc inflates the timing (run without --tracemalloc for it)")
        return 0
    verdict = "PASS" if cpu_total < TARGET_SECONDS else "FAIL"
    print(f"{verdict} (CPU time of one core against {TARGET_SECONDS:.0f} s)")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
