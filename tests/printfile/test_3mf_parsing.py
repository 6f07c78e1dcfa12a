"""Sliced 3MF archives (.gcode.3mf) from Bambu Studio and OrcaSlicer."""

from __future__ import annotations

import json
from pathlib import Path
import random
from typing import Any
import zipfile

import pytest

from custom_components.ottoengine.printfile import FilamentInfo, parse_print_file
from custom_components.ottoengine.printfile.limits import GCODE_HEAD_BYTES, MAX_THUMBNAIL_BYTES
from custom_components.ottoengine.printfile.slice_info import SLICE_INFO_MEMBER as SLICE_INFO
from tests.sim.clients import make_3mf

from .builders import (
    BambuPlate,
    BambuProject,
    bambu_members,
    build_bambu_3mf,
    gcode_thumbnail_block,
    make_png,
    write_zip,
)

TWO_FILAMENTS = (
    FilamentInfo(index=1, type="PLA", color="#FFFFFF", used_g=15.32, used_m=5.12),
    FilamentInfo(index=2, type="PETG", color="#0A2CFF", used_g=3.71, used_m=1.23),
)


def test_bambu_studio_gcode_3mf(tmp_path: Path) -> None:
    thumbnail = make_png(16, 16, (200, 10, 10))
    path = build_bambu_3mf(tmp_path / "bracket.gcode.3mf", BambuProject(thumbnail=thumbnail))
    info = parse_print_file(path, "bracket.gcode.3mf")
    assert info.format == "gcode.3mf"
    assert info.file_size_bytes == path.stat().st_size
    assert (info.slicer_name, info.slicer_version) == ("Bambu Studio", "01.09.07.52")
    assert info.estimated_print_time_s == 3723
    assert info.estimated_print_time_min == 62
    assert info.layer_count == 150
    assert info.filament_used_g == 19.03
    assert info.filament_used_m == 6.35
    assert info.filaments == TWO_FILAMENTS
    assert info.max_z_height_mm == 30.0
    assert info.plate_count == 1
    assert info.plate_index == 1
    assert info.plate_gcode_member == "Metadata/plate_1.gcode"
    assert info.thumbnail_png == thumbnail


def test_orcaslicer_gcode_3mf(tmp_path: Path) -> None:
    plate = BambuPlate(
        prediction_s=1396,
        weight_g=6.14,
        layer_count=51,
        max_z_height="10.20",
        filament_ids=(3,),
        filament_types=("PLA-CF",),
        filament_colors=("#F2754EFF",),
        used_m=(2.06,),
        used_g=(6.14,),
    )
    project = BambuProject(slicer="OrcaSlicer", version="2.2.0", sliced=[plate])
    info = parse_print_file(build_bambu_3mf(tmp_path / "o.gcode.3mf", project), "o.gcode.3mf")
    assert (info.slicer_name, info.slicer_version) == ("OrcaSlicer", "2.2.0")
    assert info.estimated_print_time_s == 1396
    assert info.estimated_print_time_min == 23
    assert info.layer_count == 51
    assert info.filament_used_g == 6.14
    assert info.filament_used_m == 2.06
    assert info.filaments == (
        FilamentInfo(index=3, type="PLA-CF", color="#F2754EFF", used_g=6.14, used_m=2.06),
    )
    assert info.max_z_height_mm == 10.2


def test_plain_3mf_extension_with_sliced_gcode(tmp_path: Path) -> None:
    path = build_bambu_3mf(tmp_path / "project.3mf")
    info = parse_print_file(path, "project.3mf")
    assert info.format == "gcode.3mf"
    assert info.layer_count == 150


def test_multi_plate_project_uses_lowest_sliced_plate(tmp_path: Path) -> None:
    plates = [
        BambuPlate(index=3, prediction_s=600, weight_g=2.0, layer_count=20, max_z_height="4.00"),
        BambuPlate(index=2, prediction_s=1200, weight_g=4.5, layer_count=40, max_z_height="8.00"),
    ]
    project = BambuProject(plates_in_project=4, sliced=plates)
    info = parse_print_file(build_bambu_3mf(tmp_path / "m.gcode.3mf", project), "m.gcode.3mf")
    assert info.plate_count == 4
    assert info.plate_index == 2
    assert info.plate_gcode_member == "Metadata/plate_2.gcode"
    assert info.estimated_print_time_s == 1200
    assert info.filament_used_g == 4.5
    assert info.layer_count == 40
    assert info.max_z_height_mm == 8.0


def test_plate_count_without_model_settings_comes_from_member_names(tmp_path: Path) -> None:
    members = bambu_members(BambuProject(sliced=[BambuPlate(index=2)]))
    del members["Metadata/model_settings.config"]
    members["Metadata/plate_5.png"] = make_png()
    path = write_zip(tmp_path / "p.gcode.3mf", members)
    info = parse_print_file(path, "p.gcode.3mf")
    assert (info.plate_count, info.plate_index) == (5, 2)


def test_minimal_archive_with_only_plate_gcode_uses_gcode_header(tmp_path: Path) -> None:
    """bambulabs_api-style archive: nothing but the plate G-code."""
    project = BambuProject()
    gcode = bambu_members(project)["Metadata/plate_1.gcode"]
    path = write_zip(tmp_path / "min.gcode.3mf", {"Metadata/plate_1.gcode": gcode})
    info = parse_print_file(path, "min.gcode.3mf")
    assert (info.slicer_name, info.slicer_version) == ("Bambu Studio", "01.09.07.52")
    assert info.estimated_print_time_s == 3723
    assert info.layer_count == 150
    assert info.filament_used_g == 19.03
    assert info.filament_used_m == 6.35
    assert info.filaments == TWO_FILAMENTS
    assert info.max_z_height_mm == 30.0
    assert (info.plate_count, info.plate_index) == (1, 1)
    assert info.thumbnail_png is None


def test_stored_members_are_read_too(tmp_path: Path) -> None:
    project = BambuProject(compression=zipfile.ZIP_STORED)
    info = parse_print_file(build_bambu_3mf(tmp_path / "s.gcode.3mf", project), "s.gcode.3mf")
    assert info.filaments == TWO_FILAMENTS


def test_slice_info_for_other_plate_only_falls_back_to_gcode(tmp_path: Path) -> None:
    members = bambu_members(BambuProject())
    members["Metadata/slice_info.config"] = members["Metadata/slice_info.config"].replace(
        b'key="index" value="1"', b'key="index" value="7"'
    )
    members["Metadata/plate_1.gcode"] = members["Metadata/plate_1.gcode"].replace(
        b"total estimated time: 1h 2m 3s", b"total estimated time: 2h 0m 0s"
    )
    info = parse_print_file(write_zip(tmp_path / "x.gcode.3mf", members), "x.gcode.3mf")
    assert info.estimated_print_time_s == 7200
    assert info.filament_used_g == 19.03


def test_missing_colours_filled_from_plate_json(tmp_path: Path) -> None:
    members = bambu_members(BambuProject())
    members["Metadata/slice_info.config"] = members["Metadata/slice_info.config"].replace(
        b'color="#0A2CFF" ', b""
    )
    members["Metadata/plate_1.json"] = json.dumps(
        {"filament_colors": ["#FFFFFF", "#123456"], "filament_ids": [0, 1]}
    ).encode()
    info = parse_print_file(write_zip(tmp_path / "c.gcode.3mf", members), "c.gcode.3mf")
    assert info.filaments[1] == FilamentInfo(
        index=2, type="PETG", color="#123456", used_g=3.71, used_m=1.23
    )


def test_missing_types_filled_from_project_settings(tmp_path: Path) -> None:
    members = bambu_members(BambuProject())
    members["Metadata/slice_info.config"] = members["Metadata/slice_info.config"].replace(
        b'type="PLA" ', b""
    )
    members["Metadata/project_settings.config"] = json.dumps(
        {"filament_type": ["ABS", "PETG"], "filament_colour": ["#000000", "#0A2CFF"]}
    ).encode()
    info = parse_print_file(write_zip(tmp_path / "t.gcode.3mf", members), "t.gcode.3mf")
    assert info.filaments[0] == FilamentInfo(
        index=1, type="ABS", color="#FFFFFF", used_g=15.32, used_m=5.12
    )


def test_slicer_falls_back_to_3dmodel_application(tmp_path: Path) -> None:
    members = bambu_members(BambuProject())
    members["Metadata/plate_1.gcode"] = members["Metadata/plate_1.gcode"].replace(
        b"; BambuStudio 01.09.07.52\n", b""
    )
    info = parse_print_file(write_zip(tmp_path / "a.gcode.3mf", members), "a.gcode.3mf")
    assert (info.slicer_name, info.slicer_version) == ("Bambu Studio", "01.09.07.52")


def test_only_the_plate_gcode_header_is_read(tmp_path: Path) -> None:
    """Metadata beyond the header window of the plate G-code is never decompressed."""
    members = bambu_members(BambuProject(sliced=[BambuPlate(body_bytes=GCODE_HEAD_BYTES * 2)]))
    gcode = members["Metadata/plate_1.gcode"].replace(b"; total layer number: 150\n", b"")
    members["Metadata/plate_1.gcode"] = gcode + b"; total layer number: 150\n"
    info = parse_print_file(write_zip(tmp_path / "h.gcode.3mf", members), "h.gcode.3mf")
    assert info.layer_count is None
    assert info.max_z_height_mm == 30.0


def test_thumbnail_falls_back_to_gcode_block(tmp_path: Path) -> None:
    thumb = make_png(300, 300, (1, 1, 1))
    members = bambu_members(BambuProject())
    del members["Metadata/plate_1.png"]
    members["Metadata/plate_1.gcode"] = (
        gcode_thumbnail_block(thumb, 300, 300).encode() + members["Metadata/plate_1.gcode"]
    )
    info = parse_print_file(write_zip(tmp_path / "g.gcode.3mf", members), "g.gcode.3mf")
    assert info.thumbnail_png == thumb


@pytest.mark.parametrize(
    "png",
    [
        b"JFIF-this-is-a-jpeg-pretending",
        b"\x89PNG\r\n\x1a\n" + random.Random(7).randbytes(MAX_THUMBNAIL_BYTES),
    ],
    ids=["not-png", "too-large"],
)
def test_unacceptable_plate_png_is_dropped(tmp_path: Path, png: bytes) -> None:
    project = BambuProject(thumbnail=png)
    info = parse_print_file(build_bambu_3mf(tmp_path / "p.gcode.3mf", project), "p.gcode.3mf")
    assert info.thumbnail_png is None
    assert info.as_dict()["has_thumbnail"] is False


def test_as_dict_is_json_safe(tmp_path: Path) -> None:
    info = parse_print_file(build_bambu_3mf(tmp_path / "j.gcode.3mf"), "j.gcode.3mf")
    data = info.as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["has_thumbnail"] is True
    assert "thumbnail_png" not in data
    assert data["filaments"][0] == {
        "index": 1,
        "type": "PLA",
        "color": "#FFFFFF",
        "used_g": 15.32,
        "used_m": 5.12,
    }
    assert data["estimated_print_time_min"] == 62
    assert data["plate_gcode_member"] == "Metadata/plate_1.gcode"
    assert (data["printer_model"], data["nozzle_diameter_mm"]) == ("C12", 0.4)
    assert "thumbnail_png" not in repr(info)


def test_slice_info_plate_without_index_weight_or_valid_ids(tmp_path: Path) -> None:
    members = bambu_members(BambuProject())
    members["Metadata/slice_info.config"] = (
        members["Metadata/slice_info.config"]
        .replace(b'<metadata key="index" value="1"/>', b"")
        .replace(b'<metadata key="weight" value="19.03"/>', b"")
        .replace(b'<filament id="2"', b'<filament id="x"')
    )
    info = parse_print_file(write_zip(tmp_path / "s.gcode.3mf", members), "s.gcode.3mf")
    assert info.estimated_print_time_s == 3723
    assert info.filaments == TWO_FILAMENTS[:1]
    assert info.filament_used_g == 15.32
    assert info.filament_used_m == 5.12


def test_filaments_only_in_project_settings(tmp_path: Path) -> None:
    """No filament in slice_info or the G-code header: project settings list them."""
    members = bambu_members(BambuProject())
    members["Metadata/slice_info.config"] = b"<config><plate/></config>"
    members["Metadata/plate_1.gcode"] = b"; BambuStudio 01.10.00.00\nG28\n"
    members["Metadata/plate_1.json"] = b'{"filament_colors": "#FFFFFF"}'
    members["Metadata/project_settings.config"] = b'{"filament_type": "TPU"}'
    info = parse_print_file(write_zip(tmp_path / "p.gcode.3mf", members), "p.gcode.3mf")
    assert info.filaments == (FilamentInfo(index=1, type="TPU"),)
    assert info.estimated_print_time_s is None
    assert info.filament_used_g is None


def test_plate_json_colours_without_ids_follow_list_order(tmp_path: Path) -> None:
    members = bambu_members(BambuProject())
    members["Metadata/slice_info.config"] = members["Metadata/slice_info.config"].replace(
        b'color="#FFFFFF" ', b""
    )
    members["Metadata/plate_1.json"] = b'{"filament_colors": ["#ABCDEF", "#0A2CFF"]}'
    del members["Metadata/project_settings.config"]
    info = parse_print_file(write_zip(tmp_path / "c.gcode.3mf", members), "c.gcode.3mf")
    assert info.filaments[0].color == "#ABCDEF"


def test_missing_details_stay_unknown_without_helper_members(tmp_path: Path) -> None:
    members = bambu_members(BambuProject())
    members["Metadata/slice_info.config"] = members["Metadata/slice_info.config"].replace(
        b'type="PLA" color="#FFFFFF" ', b""
    )
    members["Metadata/project_settings.config"] = b'{"filament_type": 5}'
    del members["Metadata/plate_1.json"]
    info = parse_print_file(write_zip(tmp_path / "m.gcode.3mf", members), "m.gcode.3mf")
    assert info.filaments[0] == FilamentInfo(index=1, used_g=15.32, used_m=5.12)

    members["Metadata/plate_1.json"] = b'{"filament_colors": "#FFFFFF"}'
    del members["Metadata/project_settings.config"]
    info = parse_print_file(write_zip(tmp_path / "n.gcode.3mf", members), "n.gcode.3mf")
    assert info.filaments[0] == FilamentInfo(index=1, used_g=15.32, used_m=5.12)


@pytest.mark.parametrize(
    "model", [None, b'<model><metadata name="Title">x</metadata></model>'], ids=["absent", "bare"]
)
def test_unknown_slicer_without_any_marker(tmp_path: Path, model: bytes | None) -> None:
    members = bambu_members(BambuProject())
    members["Metadata/plate_1.gcode"] = members["Metadata/plate_1.gcode"].replace(
        b"; BambuStudio 01.09.07.52\n", b""
    )
    if model is None:
        del members["3D/3dmodel.model"]
    else:
        members["3D/3dmodel.model"] = model
    info = parse_print_file(write_zip(tmp_path / "u.gcode.3mf", members), "u.gcode.3mf")
    assert (info.slicer_name, info.slicer_version) == (None, None)
    assert info.layer_count == 150


def test_printer_model_and_nozzle_from_slice_info(tmp_path: Path) -> None:
    """slice_info's model code and nozzle win over the plate G-code's CONFIG_BLOCK."""
    plate = BambuPlate(printer_model_id="N2S", nozzle_diameters="0.6,0.4")
    project = BambuProject(sliced=[plate], printer_model="Bambu Lab A1", nozzle_diameter="0.2")
    info = parse_print_file(build_bambu_3mf(tmp_path / "a.gcode.3mf", project), "a.gcode.3mf")
    assert (info.printer_model, info.nozzle_diameter_mm) == ("N2S", 0.6)
    assert (info.as_dict()["printer_model"], info.as_dict()["nozzle_diameter_mm"]) == ("N2S", 0.6)


def test_default_bambu_3mf_printer_model_and_nozzle(tmp_path: Path) -> None:
    info = parse_print_file(build_bambu_3mf(tmp_path / "d.gcode.3mf"), "d.gcode.3mf")
    assert (info.printer_model, info.nozzle_diameter_mm) == ("C12", 0.4)


def test_printer_model_and_nozzle_of_the_sliced_plate(tmp_path: Path) -> None:
    plates = [
        BambuPlate(index=3, printer_model_id="C11", nozzle_diameters="0.8"),
        BambuPlate(index=2, printer_model_id="C13", nozzle_diameters="0.2"),
    ]
    project = BambuProject(plates_in_project=3, sliced=plates)
    info = parse_print_file(build_bambu_3mf(tmp_path / "m.gcode.3mf", project), "m.gcode.3mf")
    assert info.plate_index == 2
    assert (info.printer_model, info.nozzle_diameter_mm) == ("C13", 0.2)


@pytest.mark.parametrize("model_id", [None, "", "  "], ids=["absent", "empty", "blank"])
def test_printer_model_and_nozzle_fall_back_to_plate_gcode(
    tmp_path: Path, model_id: str | None
) -> None:
    plate = BambuPlate(printer_model_id=model_id, nozzle_diameters=None)
    project = BambuProject(slicer="OrcaSlicer", version="2.2.0", sliced=[plate])
    info = parse_print_file(build_bambu_3mf(tmp_path / "o.gcode.3mf", project), "o.gcode.3mf")
    assert (info.printer_model, info.nozzle_diameter_mm) == ("Bambu Lab P1S", 0.4)


def test_printer_model_and_nozzle_without_slice_info_come_from_plate_gcode(tmp_path: Path) -> None:
    project = BambuProject(
        printer_model="Bambu Lab H2D", nozzle_diameter="0.4,0.4", omit=frozenset({SLICE_INFO})
    )
    info = parse_print_file(build_bambu_3mf(tmp_path / "h.gcode.3mf", project), "h.gcode.3mf")
    assert (info.printer_model, info.nozzle_diameter_mm) == ("Bambu Lab H2D", 0.4)


def test_printer_model_and_nozzle_absent_everywhere_are_unknown(tmp_path: Path) -> None:
    project = BambuProject(
        sliced=[BambuPlate(printer_model_id=None, nozzle_diameters=None)],
        printer_model=None,
        nozzle_diameter=None,
    )
    info = parse_print_file(build_bambu_3mf(tmp_path / "n.gcode.3mf", project), "n.gcode.3mf")
    assert (info.printer_model, info.nozzle_diameter_mm) == (None, None)
    assert (info.as_dict()["printer_model"], info.as_dict()["nozzle_diameter_mm"]) == (None, None)


@pytest.mark.parametrize("nozzle", ["", "abc", "0.4mm", "nan", "-0.4", "0", ",0.4", "9" * 40])
@pytest.mark.parametrize("in_gcode", [None, "bad"], ids=["gcode-absent", "gcode-garbage"])
def test_garbage_nozzle_diameter_in_3mf_is_unknown(
    tmp_path: Path, nozzle: str, in_gcode: str | None
) -> None:
    project = BambuProject(sliced=[BambuPlate(nozzle_diameters=nozzle)], nozzle_diameter=in_gcode)
    info = parse_print_file(build_bambu_3mf(tmp_path / "g.gcode.3mf", project), "g.gcode.3mf")
    assert info.nozzle_diameter_mm is None
    assert info.printer_model == "C12"


def test_garbage_slice_info_nozzle_falls_back_to_plate_gcode(tmp_path: Path) -> None:
    project = BambuProject(sliced=[BambuPlate(nozzle_diameters="n/a")], nozzle_diameter="0.6")
    info = parse_print_file(build_bambu_3mf(tmp_path / "f.gcode.3mf", project), "f.gcode.3mf")
    assert info.nozzle_diameter_mm == 0.6


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, ("C12", None)),
        ({"printer_model_id": "N2S", "nozzle_diameter": 0.6}, ("N2S", 0.6)),
    ],
    ids=["defaults", "given"],
)
def test_simulated_farm_3mf_carries_printer_model_and_nozzle(
    tmp_path: Path, kwargs: dict[str, Any], expected: tuple[str, float | None]
) -> None:
    path = tmp_path / "sim.gcode.3mf"
    path.write_bytes(make_3mf(prediction_s=600, layers=20, **kwargs))
    info = parse_print_file(path, "sim.gcode.3mf")
    assert (info.printer_model, info.nozzle_diameter_mm) == expected
    assert info.estimated_print_time_s == 600
