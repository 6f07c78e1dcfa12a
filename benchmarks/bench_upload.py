"""Benchmark: big print files through ``POST /api/print-jobs/upload`` — time, MB/s, RSS of hass.

A real ``hass`` (``python -m devstack --farm``, what ``scripts/develop`` runs) is attached to a
simulated farm this script starts (``python -m ottosim``, ``--printers`` printers, default 1, no
OttoEject), on loopback. Files of ``--sizes`` MB (default 100 and 500; MB = 2^20 bytes) of each
format are generated in the work folder with ``bench_parse``'s generators (while Home Assistant
starts), each file as big as its size on disk:

* ``.gcode``: ``bench_parse``'s G-code (Bambu Studio header and config blocks, pseudo-random
  moves, a statistics footer);
* ``.gcode.3mf``: ``bench_parse``'s Bambu Studio archive members, its ``plate_1.gcode`` the same
  G-code deflated (level 1, ~2.6:1), made long enough (~1.3 GB of G-code for 500 MB) that the
  *archive* has the size — so what crosses the wire is the stated size in both formats.

Each file gets a line (a member in the archive) unique to the run, so no upload is answered by
the hub's "already uploaded" shortcut. Files are uploaded one at a time, smallest first, as a
user's client does: ``curl -F file=@<path>`` (multipart/form-data, streamed from disk — the
page cache, as the files were just written —, never held in the client's memory). For each:

* seconds from the request's start to the hub's answer (curl's ``time_total``: the transfer,
  the hub's sha256 and write to disk, its parse of the file, and saving its state), and MB/s
  (file size / seconds);
* the RSS of the ``hass`` process (psutil, sampled every ``--interval`` s, 50 ms by default,
  from 1 s before the request to 2 s after the answer): ``growth`` = peak during the upload
  minus the RSS before it (the largest sample of the second before, so idle jitter does not
  count), target < 64 MB; ``retained`` = RSS 2 s after the answer minus before;
* the CPU seconds ``hass`` used meanwhile (psutil).

The uploaded print item is deleted after each measurement (``DELETE
/api/print-jobs/items/{id}``). The hub's upload limit (``max_upload_bytes``, *Largest upload*
in the hub's options, 1 GiB by default) is above 500 MB, so the hub keeps its defaults; a size
above it (or ``--max-upload-mb``) is set in the hub entry's options, as the options flow stores
it, between a first start of Home Assistant and the measured one.

**The machine**: curl, ``hass`` and the farm share the same 2 cores, and the disk.

    scripts/run python -m benchmarks.bench_upload [--sizes 100,500] [--formats gcode,gcode.3mf]
        [--interval 0.05] [--workdir DIR]

→ ``benchmarks/results/upload.json`` (and a table on stdout). ``--workdir`` keeps Home
Assistant's config and log (the generated files are removed). Not run by the tests.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass, field
import itertools
import json
import os
from pathlib import Path
import shutil
import statistics
import sys
import time
from typing import Any
import uuid
import zipfile
import zlib

import aiohttp
import psutil

from benchmarks.bench_orchestrator import Api, hass_log_findings, write_report
from benchmarks.bench_parse import (
    MODEL_SETTINGS,
    PLATE_JSON,
    PNG,
    SLICE_INFO,
    gcode_chunks,
    random_moves_block,
)
from benchmarks.bench_rest import (
    MIB,
    cancel_on_signals,
    load_note,
    make_workdir,
    process_cpu,
    report_fields,
    row,
    run_benchmark,
    running_stack,
)
from custom_components.ottoengine.const import CONF_MAX_UPLOAD_BYTES, DEFAULT_MAX_UPLOAD_BYTES

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "upload.json"
FORMATS = ("gcode", "gcode.3mf")
RSS_TARGET_MIB = 64
BEFORE_S = 1.0
AFTER_S = 2.0
SERIES_POINTS = 60
UPLOAD_TIMEOUT_S = 900


# -- the files ------------------------------------------------------------------------------------


def deflate_ratio() -> float:
    """Bytes of G-code per byte of deflate (level 1, as bench_parse) for bench_parse's moves."""
    raw = 0
    packed = 0
    for seed in range(4):
        block = random_moves_block(seed)
        compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
        packed += len(compressor.compress(block) + compressor.flush())
        raw += len(block)
    return raw / packed


def write_gcode(path: Path, size: int, marker: str) -> None:
    tail = f"; bench_upload run {marker}\n".encode()
    with path.open("wb") as stream:
        for chunk in gcode_chunks(size - len(tail) - 1):  # it adds a newline before the footer
            stream.write(chunk)
        stream.write(tail)


def write_3mf(path: Path, size: int, marker: str, ratio: float) -> None:
    """bench_parse's archive, its plate G-code long enough for an archive of ``size`` bytes."""
    gcode_bytes = int(size * ratio)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("3D/3dmodel.model", b'<model unit="millimeter"/>')
        archive.writestr("Metadata/slice_info.config", SLICE_INFO)
        archive.writestr("Metadata/model_settings.config", MODEL_SETTINGS)
        archive.writestr("Metadata/plate_1.json", PLATE_JSON)
        archive.writestr("Metadata/plate_1.png", PNG)
        archive.writestr("Metadata/bench_upload_run.txt", marker)
        with archive.open("Metadata/plate_1.gcode", "w", force_zip64=True) as member:
            for chunk in gcode_chunks(gcode_bytes):
                member.write(chunk)


@dataclass
class BenchFile:
    size_mb: int
    fmt: str
    path: Path
    generated_s: float = 0.0
    plate_gcode_bytes: int | None = None

    @property
    def label(self) -> str:
        return f"{self.size_mb} MB .{self.fmt}"


def generate(files: list[BenchFile], marker: str) -> None:
    ratio = deflate_ratio() if any(f.fmt == "gcode.3mf" for f in files) else 1.0
    for bench_file in files:
        began = time.monotonic()
        size = bench_file.size_mb * MIB
        if bench_file.fmt == "gcode":
            write_gcode(bench_file.path, size, marker)
        else:
            write_3mf(bench_file.path, size, marker, ratio)
            with zipfile.ZipFile(bench_file.path) as archive:
                bench_file.plate_gcode_bytes = archive.getinfo("Metadata/plate_1.gcode").file_size
        bench_file.generated_s = round(time.monotonic() - began, 1)


# -- one upload -----------------------------------------------------------------------------------


@dataclass
class RssSampler:
    """Samples a process's RSS every ``interval`` seconds while running."""

    process: psutil.Process
    interval: float
    samples: list[tuple[float, int]] = field(default_factory=list)

    async def run(self) -> None:
        while True:
            self.samples.append((time.monotonic(), self.process.memory_info().rss))
            await asyncio.sleep(self.interval)

    def between(self, start: float, end: float) -> list[int]:
        return [rss for t, rss in self.samples if start <= t <= end]


async def curl_upload(url: str, token: str, path: Path) -> dict[str, Any]:
    """``curl -F file=@path``: the answer's status and body, and curl's own timings."""
    answer_file = path.with_suffix(path.suffix + ".answer")
    write_out = (
        '{"status": %{http_code}, "time_total": %{time_total}, '
        '"time_starttransfer": %{time_starttransfer}, "size_upload": %{size_upload}}'
    )
    process = await asyncio.create_subprocess_exec(
        "curl",
        "-sS",
        "-o",
        str(answer_file),
        "-w",
        write_out,
        "-H",
        f"Authorization: Bearer {token}",
        "-F",
        f"file=@{path};type=application/octet-stream",
        url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), UPLOAD_TIMEOUT_S)
    if process.returncode != 0:
        raise RuntimeError(f"curl exited {process.returncode}: {err.decode(errors='replace')}")
    timings: dict[str, Any] = json.loads(out)
    body = answer_file.read_text(encoding="utf-8", errors="replace")
    answer_file.unlink()
    if timings["status"] != 200:
        raise RuntimeError(f"upload of {path.name}: {timings['status']} {body[:500]}")
    return {**timings, "answer": json.loads(body)}


def mib(value: float) -> float:
    return round(value / MIB, 1)


def series(samples: list[tuple[float, int]], start: float) -> list[list[float]]:
    """At most SERIES_POINTS [seconds, RSS MiB] points, each the peak of its stretch."""
    if not samples:
        return []
    step = max(1, -(-len(samples) // SERIES_POINTS))
    points = []
    for i in range(0, len(samples), step):
        stretch = samples[i : i + step]
        peak = max(stretch, key=lambda sample: sample[1])
        points.append([round(peak[0] - start, 2), mib(peak[1])])
    return points


async def measure(
    api: Api, hass: psutil.Process, url: str, token: str, *, bench_file: BenchFile, interval: float
) -> dict[str, Any]:
    sampler = RssSampler(hass, interval)
    task = asyncio.create_task(sampler.run())
    try:
        await asyncio.sleep(BEFORE_S)
        cpu_before = process_cpu(hass)
        start = time.monotonic()
        upload = await curl_upload(url, token, bench_file.path)
        end = time.monotonic()
        cpu = process_cpu(hass) - cpu_before
        await asyncio.sleep(AFTER_S)
    finally:
        task.cancel()
    samples = sampler.samples
    before = max(sampler.between(start - BEFORE_S, start))
    during = sampler.between(start, end + interval)
    peak = max(during)
    peak_at = next(t for t, rss in samples if rss == peak and t >= start) - start
    after = samples[-1][1]
    size = bench_file.path.stat().st_size
    seconds = float(upload["time_total"])
    answer = upload["answer"]
    if answer.get("size_bytes") != size:
        raise RuntimeError(f"{bench_file.label}: the hub kept {answer.get('size_bytes')} bytes")
    await api.call("DELETE", f"/api/print-jobs/items/{answer['print_item_id']}")
    return {
        "file": bench_file.path.name,
        "format": bench_file.fmt,
        "size_mb": bench_file.size_mb,
        "size_bytes": size,
        "plate_gcode_bytes": bench_file.plate_gcode_bytes,
        "seconds": round(seconds, 3),
        "mb_per_s": round(size / MIB / seconds, 1),
        "wall_seconds_seen_by_the_benchmark": round(end - start, 3),
        "curl": {k: v for k, v in upload.items() if k != "answer"},
        "hass_rss_mib": {
            "before": mib(before),
            "peak": mib(peak),
            "peak_at_s": round(peak_at, 2),
            "after_2s": mib(after),
            "growth": mib(peak - before),
            "retained": mib(after - before),
            "samples_during_upload": len(during),
            "median_sample_interval_ms": round(
                statistics.median(b[0] - a[0] for a, b in itertools.pairwise(samples)) * 1000,
                1,
            )
            if len(samples) > 1
            else None,
            "series": series(samples, start),
        },
        "hass_cpu_seconds": round(cpu, 2),
        "hass_share_of_one_core": round(cpu / (end - start), 3),
        "hub_answer": {
            key: answer.get(key)
            for key in ("message", "estimated_print_time", "layer_count", "max_z_height_mm")
        },
    }


# -- the run ----------------------------------------------------------------------------------------


def plan(args: argparse.Namespace, work: Path) -> list[BenchFile]:
    files = work / "files"
    files.mkdir(exist_ok=True)
    return [
        BenchFile(size, fmt, files / f"bench_upload_{size}mb.{fmt}")
        for size in args.sizes
        for fmt in args.formats
    ]


async def run_live(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    cancel_on_signals()
    files = plan(args, work)
    largest = max(f.size_mb for f in files) * MIB + MIB  # plus the multipart framing
    hub_options = None
    if args.max_upload_mb is not None:
        hub_options = {CONF_MAX_UPLOAD_BYTES: args.max_upload_mb * MIB}
    elif largest > DEFAULT_MAX_UPLOAD_BYTES:
        hub_options = {CONF_MAX_UPLOAD_BYTES: largest}
    marker = uuid.uuid4().hex
    generating = asyncio.create_task(asyncio.to_thread(generate, files, marker))
    try:
        async with running_stack(work, args.printers, 0, hub_options) as stack:
            await generating
            token = str(stack.info["admin_token"])
            url = str(stack.info["base_url"]).rstrip("/") + "/api/print-jobs/upload"
            hass = stack.hass
            results = []
            async with aiohttp.ClientSession() as session:
                api = Api(session, stack.info)
                for bench_file in files:
                    print(f"[bench] upload {bench_file.label}", file=sys.stderr, flush=True)
                    result = await measure(
                        api, hass, url, token, bench_file=bench_file, interval=args.interval
                    )
                    result["generated_s"] = bench_file.generated_s
                    results.append(result)
                    bench_file.path.unlink()
            setup = stack.setup_s
    finally:
        if not generating.done():
            generating.cancel()
        for bench_file in files:
            bench_file.path.unlink(missing_ok=True)
    return {
        "setup_s": setup,
        "max_upload_bytes": hub_options[CONF_MAX_UPLOAD_BYTES]
        if hub_options
        else f"{DEFAULT_MAX_UPLOAD_BYTES} (the hub's default)",
        "uploads": results,
        "hass_log": hass_log_findings(work / "develop.log"),
    }


def summary_rows(uploads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for r in uploads:
        label = f"upload {r['size_mb']} MB .{r['format']}"
        growth = r["hass_rss_mib"]["growth"]
        rows.append(row(f"{label}: time", r["seconds"], "s"))
        rows.append(row(f"{label}: throughput", r["mb_per_s"], "MB/s"))
        rows.append(
            row(
                f"{label}: RSS growth of hass",
                growth,
                "MB",
                f"< {RSS_TARGET_MIB} MB",
                growth < RSS_TARGET_MIB,
            )
        )
    return rows


def print_table(report: dict[str, Any]) -> None:
    print(
        f"{'file':<28} {'MB':>6} {'s':>7} {'MB/s':>7} {'RSS before':>11} {'peak':>7} "
        f"{'growth':>7} {'retained':>9} {'hass cpu':>9}"
    )
    for r in report["uploads"]:
        rss = r["hass_rss_mib"]
        print(
            f"{r['file']:<28} {r['size_bytes'] / MIB:6.0f} {r['seconds']:7.2f} "
            f"{r['mb_per_s']:7.1f} {rss['before']:11.1f} {rss['peak']:7.1f} "
            f"{rss['growth']:7.1f} {rss['retained']:9.1f} {r['hass_cpu_seconds']:9.2f}"
        )
    print(f"RSS in MB (2^20 bytes); target growth < {RSS_TARGET_MIB} MB")


def parse_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--sizes", default="100,500", help="file sizes in MB, comma-separated")
    parser.add_argument("--formats", default=",".join(FORMATS), help="gcode and/or gcode.3mf")
    parser.add_argument("--printers", type=int, default=1, help="printers of the farm")
    parser.add_argument(
        "--max-upload-mb",
        type=int,
        help="set the hub's largest upload (default: kept, unless a file is above it)",
    )
    parser.add_argument("--interval", type=float, default=0.05, help="RSS sampling seconds")
    parser.add_argument("--workdir", type=Path, help="keep Home Assistant's config and log here")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    try:
        args.sizes = sorted(int(size) for size in parse_list(args.sizes))
    except ValueError:
        parser.error("--sizes: whole MB numbers, comma-separated")
    args.formats = parse_list(args.formats)
    if not args.sizes or not args.formats or any(f not in FORMATS for f in args.formats):
        parser.error(f"--formats: some of {', '.join(FORMATS)}")
    began = time.monotonic()
    note = load_note()
    load_at_start = os.getloadavg()
    work = make_workdir(args.workdir, "otto-bench-upload-")
    try:
        live = run_benchmark(lambda: run_live(args, work))
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    report: dict[str, Any] = {
        **report_fields(
            "upload: POST /api/print-jobs/upload of big .gcode and .gcode.3mf files",
            __doc__,
            "bench_upload",
            note,
            load_at_start,
        ),
        "parameters": {
            "sizes_mb": args.sizes,
            "formats": args.formats,
            "mb": "2^20 bytes; a file's size is its size on disk (the archive for .gcode.3mf)",
            "client": "curl -F file=@<path> (multipart/form-data, streamed from disk)",
            "rss_sampling_interval_s": args.interval,
            "rss_target_mb": RSS_TARGET_MIB,
            "farm_printers": args.printers,
        },
        **live,
        "wall_seconds": round(time.monotonic() - began, 1),
    }
    report["summary"] = summary_rows(live["uploads"])
    write_report(report, args.output)
    print_table(report)
    print(f"\n{args.output} written ({report['wall_seconds']:.0f} s)")


if __name__ == "__main__":
    main()
