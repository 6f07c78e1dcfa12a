"""Reading durations and layer counts from print files like the firmware."""

from __future__ import annotations

import io
from pathlib import Path
import zipfile

import pytest

from ottosim.bambu.job_file import (
    DEFAULT_DURATION_S,
    DEFAULT_LAYERS,
    JobFileError,
    parse_duration,
    read_job,
)
from ottosim.bambu.motion import BedMotion
from ottosim.bambu.status import delta
from tests.sim.clients import make_3mf


def test_3mf_prediction_and_layers(tmp_path: Path) -> None:
    path = tmp_path / "a.gcode.3mf"
    path.write_bytes(make_3mf(prediction_s=907, layers=180, max_z_mm=36.0))
    spec = read_job(path, "Metadata/plate_1.gcode")
    assert (spec.duration_s, spec.total_layers, spec.max_z_mm, spec.plate) == (907, 180, 36.0, 1)


def test_3mf_plate_from_param_and_header_time(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Metadata/plate_1.gcode", "; total estimated time: 1m 0s\n")
        archive.writestr(
            "Metadata/plate_2.gcode", "; total estimated time: 1h 2m 3s\n; total layer number: 7\n"
        )
    path = tmp_path / "two.gcode.3mf"
    path.write_bytes(buffer.getvalue())
    spec = read_job(path, "Metadata/plate_2.gcode")
    assert (spec.duration_s, spec.total_layers, spec.plate) == (3723, 7, 2)
    with pytest.raises(JobFileError, match="plate_3"):
        read_job(path, "Metadata/plate_3.gcode")


def test_3mf_without_metadata_uses_defaults(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Metadata/plate_1.gcode", "G28\n")
    path = tmp_path / "bare.gcode.3mf"
    path.write_bytes(buffer.getvalue())
    spec = read_job(path, "")
    assert (spec.duration_s, spec.total_layers) == (DEFAULT_DURATION_S, DEFAULT_LAYERS)


@pytest.mark.parametrize(
    ("text", "duration", "layers"),
    [
        (
            "; estimated printing time (normal mode) = 1h 2m 0s\n; total layers count = 50\n",
            3720,
            50,
        ),
        (";TIME:5025\n;LAYER_COUNT:83\n", 5025, 83),
        (";TIME:6666\n;LAYER_COUNT:10\n", DEFAULT_DURATION_S, 10),
        ("; max_z_height: 10.00\n", DEFAULT_DURATION_S, 50),
    ],
)
def test_plain_gcode(tmp_path: Path, text: str, duration: float, layers: int) -> None:
    path = tmp_path / "job.gcode"
    path.write_text(text + "G1 X1\n" * 10)
    spec = read_job(path)
    assert (spec.duration_s, spec.total_layers) == (duration, layers)


def test_partial_upload_and_missing_file(tmp_path: Path) -> None:
    data = make_3mf(prediction_s=60, layers=3)
    path = tmp_path / "cut.gcode.3mf"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(JobFileError):
        read_job(path)
    with pytest.raises(JobFileError, match="no such file"):
        read_job(tmp_path / "missing.gcode.3mf")


def test_parse_duration() -> None:
    assert parse_duration("22m 17s") == 1337
    assert parse_duration("1d 1h") == 90000
    assert parse_duration("soon") is None


def test_bed_motion_absolute_relative_and_homing() -> None:
    motion = BedMotion("z", 10.0)
    motion.feed("G91\nG1 Z5 F600\nG90\nG0 Z300\nG28\n")
    assert motion.advance(0.5)  # 10 mm/s
    assert motion.position_mm == 15.0
    motion.advance(100)
    assert motion.position_mm == 0.0  # clamped to 256, then homed
    assert not motion.moving
    motion.feed("G1 Y100\n")  # not the bed axis on a Z-bed printer
    assert not motion.moving


def test_delta_is_recursive_and_lists_replace() -> None:
    old = {"a": 1, "ams": {"tray_now": "0", "version": 1}, "hms": [1]}
    new = {"a": 1, "ams": {"tray_now": "1", "version": 1}, "hms": [1, 2], "b": 0}
    assert delta(old, new) == {"ams": {"tray_now": "1"}, "hms": [1, 2], "b": 0}


@pytest.mark.parametrize(
    ("header", "max_z"),
    [
        ("; max_z_height: 42.00\n; max_layer_z: 3\n", 42.0),
        ("; max_layer_z = 17.4\n", 17.4),
        (";MAXZ:8.2\n", 8.2),
        (";PRINT.SIZE.MAX.Z:55\n", 55.0),
        (";LAYER_CHANGE\n;Z:0.2\nG1 Z0.2\n;LAYER_CHANGE\n;Z:0.4\n", 0.4),
        ("; CHANGE_LAYER\n; Z_HEIGHT: 0.2\n; CHANGE_LAYER\n; Z_HEIGHT: 9.6\n", 9.6),
        ("G1 Z30\n", None),
    ],
)
def test_max_z_from_the_gcode_header(tmp_path: Path, header: str, max_z: float | None) -> None:
    path = tmp_path / "part.gcode"
    path.write_text("; total layer number: 40\n" + header + "G28\n")
    spec = read_job(path)
    assert spec.max_z_mm == max_z
    # Without a stated max Z the print is as tall as its layers at 0.2 mm.
    assert spec.height_mm == (max_z if max_z is not None else 8.0)


def test_max_z_of_a_3mf_plate(tmp_path: Path) -> None:
    path = tmp_path / "tall.gcode.3mf"
    path.write_bytes(make_3mf(prediction_s=60, layers=10, max_z_mm=151.5))
    assert read_job(path, "Metadata/plate_1.gcode").height_mm == 151.5
