"""Print-file parsing cost: wall time and memory of ``parse_print_file`` on big files.

Generates, in a temporary directory, a 100 MB and a 500 MB file of each format:

* ``.gcode``: a Bambu Studio style header block and config block, pseudo-random extrusion
  moves, and a PrusaSlicer style statistics footer;
* ``.gcode.3mf``: a Bambu Studio archive (slice_info.config, model_settings.config,
  plate_1.json, plate_1.png) whose ``Metadata/plate_1.gcode`` is the same kind of G-code,
  stored with deflate. The moves are random numbers repeated in 4 MiB blocks (farther apart
  than deflate's 32 KiB window), so the member compresses only ~2-3:1, like real G-code.

Each file is measured in a fresh child process (so ``ru_maxrss`` is not inflated by the
generator): the median / min / max wall time of ``RUNS`` parses (page cache warm, since the
file was just written), then one parse under ``tracemalloc`` for its Python-heap peak, and
the growth of the process's peak RSS (``ru_maxrss``) over its value after imports. As
``ru_maxrss`` is a high-water mark that imports may have set above the resident size, the
peak RSS over the resident size measured just before parsing is reported too.

Run: ``scripts/run python -m benchmarks.bench_parse`` → ``benchmarks/results/parse.json``.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from datetime import UTC, datetime
import json
from pathlib import Path
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from typing import IO, Any
import zipfile

from custom_components.ottoengine.printfile import parse_print_file

MIB = 1024 * 1024
SIZES_MB = (100, 500)
RUNS = 7
BLOCK_BYTES = 4 * MIB
RESULTS = Path(__file__).parent / "results" / "parse.json"
REPO_ROOT = Path(__file__).resolve().parent.parent

HEADER = """; HEADER_BLOCK_START
; BambuStudio 01.09.07.52
; model printing time: 20h 11m 5s; total estimated time: 20h 31m 40s
; total layer number: 1450
; total filament length [mm] : 412345.67,1234.50
; total filament volume [cm^3] : 991234.00,2969.00
; total filament weight [g] : 1229.12,3.68
; filament_density: 1.24,1.24
; filament_diameter: 1.75,1.75
; max_z_height: 290.00
; HEADER_BLOCK_END

; CONFIG_BLOCK_START
; filament_colour = #FFFFFF;#0A2CFF
; filament_type = PLA;PETG
; layer_height = 0.2
; printer_model = Bambu Lab P1S
; CONFIG_BLOCK_END

; EXECUTABLE_BLOCK_START
"""
FOOTER = """; EXECUTABLE_BLOCK_END
; filament used [mm] = 412345.67, 1234.50
; filament used [g] = 1229.12, 3.68
; total filament used [g] = 1232.80
; estimated printing time (normal mode) = 20h 31m 40s
; max_layer_z = 290.00
"""
SLICE_INFO = """<?xml version="1.0" encoding="UTF-8"?>
<config>
  <header><header_item key="X-BBL-Client-Version" value="01.09.07.52"/></header>
  <plate>
    <metadata key="index" value="1"/>
    <metadata key="prediction" value="73900"/>
    <metadata key="weight" value="1232.80"/>
    <filament id="1" type="PLA" color="#FFFFFF" used_m="412.35" used_g="1229.12" />
    <filament id="2" type="PETG" color="#0A2CFF" used_m="1.23" used_g="3.68" />
  </plate>
</config>
"""
MODEL_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<config><plate><metadata key="plater_id" value="1"/></plate></config>
"""
PLATE_JSON = b'{"filament_colors":["#FFFFFF","#0A2CFF"],"filament_ids":[0,1],"version":2}'
# A 1x1 PNG is enough: thumbnail cost is bounded by the size cap, not by this benchmark.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763"
    "f8ffff3f0005fe02fea7d6a4a40000000049454e44ae426082"
)


def random_moves_block(seed: int) -> bytes:
    """About ``BLOCK_BYTES`` of G1 moves with random coordinates (deflates only ~2-3:1)."""
    rng = random.Random(seed)
    lines = []
    size = 0
    while size < BLOCK_BYTES:
        line = (
            f"G1 X{rng.uniform(0, 256):.3f} Y{rng.uniform(0, 256):.3f} E{rng.uniform(0, 0.2):.5f}\n"
        )
        lines.append(line)
        size += len(line)
    return "".join(lines).encode()


def gcode_chunks(total_bytes: int) -> Iterator[bytes]:
    """Header, moves and footer, yielded in chunks, totalling about ``total_bytes``."""
    header, footer = HEADER.encode(), FOOTER.encode()
    yield header
    blocks = [random_moves_block(seed) for seed in range(4)]
    remaining = total_bytes - len(header) - len(footer)
    index = 0
    while remaining > 0:
        block = blocks[index % len(blocks)][:remaining]
        yield block
        remaining -= len(block)
        index += 1
    yield b"\n" + footer


def write_gcode(stream: IO[bytes], total_bytes: int) -> None:
    for chunk in gcode_chunks(total_bytes):
        stream.write(chunk)


def generate(directory: Path, size_mb: int) -> list[Path]:
    """Write the .gcode and .gcode.3mf of ``size_mb`` MB into ``directory``."""
    total = size_mb * MIB
    gcode_path = directory / f"bench_{size_mb}mb.gcode"
    with gcode_path.open("wb") as stream:
        write_gcode(stream, total)
    archive_path = directory / f"bench_{size_mb}mb.gcode.3mf"
    with zipfile.ZipFile(archive_path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("3D/3dmodel.model", b'<model unit="millimeter"/>')
        archive.writestr("Metadata/slice_info.config", SLICE_INFO)
        archive.writestr("Metadata/model_settings.config", MODEL_SETTINGS)
        archive.writestr("Metadata/plate_1.json", PLATE_JSON)
        archive.writestr("Metadata/plate_1.png", PNG)
        with archive.open("Metadata/plate_1.gcode", "w", force_zip64=True) as member:
            write_gcode(member, total)
    return [gcode_path, archive_path]


def current_rss_kib() -> int:
    """Resident set size of this process now (Linux ``/proc/self/statm``)."""
    resident_pages = int(Path("/proc/self/statm").read_text().split()[1])
    return resident_pages * resource.getpagesize() // 1024


def measure(path: Path, runs: int) -> dict[str, Any]:
    """Measure parsing ``path`` in this process (called in a fresh child process)."""
    rss_before_kib = current_rss_kib()
    baseline_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        info = parse_print_file(path, path.name)
        timings.append(time.perf_counter() - start)
    tracemalloc.start()
    parse_print_file(path, path.name)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "file": path.name,
        "format": info.format,
        "size_bytes": path.stat().st_size,
        "runs": runs,
        "median_s": round(statistics.median(timings), 6),
        "min_s": round(min(timings), 6),
        "max_s": round(max(timings), 6),
        "tracemalloc_peak_bytes": peak,
        "ru_maxrss_before_kib": baseline_rss_kib,
        "ru_maxrss_delta_kib": peak_rss_kib - baseline_rss_kib,
        "rss_before_kib": rss_before_kib,
        "peak_rss_over_start_kib": peak_rss_kib - rss_before_kib,
        "parsed": {
            "layer_count": info.layer_count,
            "estimated_print_time_min": info.estimated_print_time_min,
            "filament_used_g": info.filament_used_g,
            "max_z_height_mm": info.max_z_height_mm,
        },
    }


def measure_in_child(path: Path) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_parse", "--measure", str(path)],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measure", type=Path, help="(internal) measure one file and print JSON")
    args = parser.parse_args()
    if args.measure is not None:
        print(json.dumps(measure(args.measure, RUNS)))
        return

    results = []
    with tempfile.TemporaryDirectory(prefix="ottoengine-bench-parse-") as tmp:
        for size_mb in SIZES_MB:
            start = time.perf_counter()
            paths = generate(Path(tmp), size_mb)
            print(f"generated {size_mb} MB files in {time.perf_counter() - start:.1f} s")
            for path in paths:
                result = measure_in_child(path)
                if path.suffix == ".3mf":
                    with zipfile.ZipFile(path) as archive:
                        member = archive.getinfo("Metadata/plate_1.gcode")
                        result["plate_gcode_bytes"] = member.file_size
                        result["plate_gcode_compressed_bytes"] = member.compress_size
                results.append(result)
                path.unlink()

    report = {
        "benchmark": "parse_print_file",
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "runs_per_file": RUNS,
        "page_cache": "warm (files parsed right after being written)",
        "results": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")

    print(
        f"{'file':<26}{'size':>10}{'median':>11}{'max':>11}{'tracemalloc':>14}"
        f"{'maxrss+':>11}{'peak-rss+':>11}"
    )
    for r in results:
        print(
            f"{r['file']:<26}{r['size_bytes'] / MIB:>8.0f}MB{r['median_s'] * 1000:>9.1f}ms"
            f"{r['max_s'] * 1000:>9.1f}ms{r['tracemalloc_peak_bytes'] / MIB:>12.2f}MB"
            f"{r['ru_maxrss_delta_kib'] / 1024:>9.1f}MB"
            f"{r['peak_rss_over_start_kib'] / 1024:>9.1f}MB"
        )
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
