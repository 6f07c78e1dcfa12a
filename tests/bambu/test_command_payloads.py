"""Exact JSON of the request builders and the file name / URL forms."""

from __future__ import annotations

import json

import pytest

from custom_components.ottoengine.bambu import JobIds, commands


def test_simple_requests() -> None:
    assert commands.pause() == {"print": {"sequence_id": "0", "command": "pause"}}
    assert commands.resume("7") == {"print": {"sequence_id": "7", "command": "resume"}}
    assert commands.stop() == {"print": {"sequence_id": "0", "command": "stop"}}
    assert commands.pushall() == {"pushing": {"sequence_id": "0", "command": "pushall"}}
    assert commands.start_pushing() == {"pushing": {"sequence_id": "0", "command": "start"}}
    assert commands.get_version() == {"info": {"sequence_id": "0", "command": "get_version"}}


def test_gcode_line_exact_json() -> None:
    payload = json.dumps(commands.gcode_line(["G90", "G1 Z200 F600"]))
    assert payload == (
        '{"print": {"sequence_id": "0", "command": "gcode_line", "param": "G90\\nG1 Z200 F600\\n"}}'
    )


@pytest.mark.parametrize(
    "gcode",
    [
        "G90\nG1 Z200 F600",
        "G90\\nG1 Z200 F600",  # escaped newline, one backslash
        "G90\\\\nG1 Z200 F600",  # the seed API's doubly escaped form
        "G90\r\nG1 Z200 F600\n\n",
        ["G90", "", "G1 Z200 F600"],
    ],
)
def test_gcode_forms(gcode: str | list[str]) -> None:
    assert commands.normalize_gcode(gcode) == "G90\nG1 Z200 F600\n"


def test_empty_gcode_is_refused() -> None:
    with pytest.raises(ValueError, match="no G-code"):
        commands.normalize_gcode(" \\n ")


def test_gcode_file_paths() -> None:
    assert commands.gcode_file("job.gcode") == {
        "print": {"sequence_id": "0", "command": "gcode_file", "param": "/sdcard/job.gcode"}
    }
    assert commands.sdcard_path("/sdcard/a.gcode") == "/sdcard/a.gcode"
    assert commands.sdcard_path("/a.gcode") == "/sdcard/a.gcode"


@pytest.mark.parametrize(
    ("model", "url"),
    [
        ("P1S", "file:///sdcard/cube.gcode.3mf"),
        ("C11", "file:///sdcard/cube.gcode.3mf"),
        ("Bambu Lab X1C", "file:///sdcard/cube.gcode.3mf"),
        ("A1 mini", "file:///sdcard/cube.gcode.3mf"),
        (None, "file:///sdcard/cube.gcode.3mf"),
        ("H2D", "ftp:///cube.gcode.3mf"),
        ("O1S", "ftp:///cube.gcode.3mf"),
        ("P2S", "ftp:///cube.gcode.3mf"),
    ],
)
def test_url_forms_by_model(model: str | None, url: str) -> None:
    scheme = commands.url_scheme_for_model(model)
    assert commands.project_url("cube.gcode.3mf", scheme) == url
    assert commands.project_url("/sdcard/cube.gcode.3mf", scheme) == url


def test_subtask_names() -> None:
    assert commands.subtask_name_for("bracket_v3.gcode.3mf") == "bracket_v3"
    assert commands.subtask_name_for("/sdcard/Cube.3MF") == "Cube"
    assert commands.subtask_name_for("part.gcode") == "part"


def test_project_file_reference_example() -> None:
    request = commands.project_file(
        "bracket_v3.gcode.3mf",
        ams_mapping=[0, 1],
        job_ids=JobIds("1790000001", "1790000002", "1790000003"),
    )
    assert json.dumps(request) == (
        '{"print": {"sequence_id": "0", "command": "project_file", '
        '"param": "Metadata/plate_1.gcode", "url": "file:///sdcard/bracket_v3.gcode.3mf", '
        '"file": "bracket_v3.gcode.3mf", "md5": "", "subtask_name": "bracket_v3", '
        '"bed_type": "auto", "timelapse": false, "bed_leveling": true, "flow_cali": false, '
        '"vibration_cali": true, "layer_inspect": false, "use_ams": true, '
        '"ams_mapping": [0, 1], '
        '"ams_mapping2": [{"ams_id": 0, "slot_id": 0}, {"ams_id": 0, "slot_id": 1}], '
        '"project_id": "1790000001", "profile_id": "0", "task_id": "1790000002", '
        '"subtask_id": "1790000003"}}'
    )


def test_project_file_options() -> None:
    body = commands.project_file(
        "/sdcard/x.gcode.3mf",
        plate=3,
        use_ams=True,
        ams_mapping=[254, 5, 129, -1],
        timelapse=True,
        flow_cali=True,
        url_scheme="ftp",
        model="P2S",
    )["print"]
    assert body["param"] == "Metadata/plate_3.gcode"
    assert body["url"] == "ftp:///x.gcode.3mf"
    assert body["file"] == "x.gcode.3mf"
    assert body["ams_mapping"] == [-1, 5, 129, -1]
    assert body["ams_mapping2"] == [
        {"ams_id": 255, "slot_id": 0},
        {"ams_id": 1, "slot_id": 1},
        {"ams_id": 129, "slot_id": 0},
        {"ams_id": 255, "slot_id": 255},
    ]
    assert body["vibration_cali"] is False  # forced off on a P2S
    assert body["timelapse"] is True
    assert body["flow_cali"] is True
    assert all(isinstance(body[k], bool) for k in ("bed_leveling", "layer_inspect", "use_ams"))


def test_project_file_without_ams() -> None:
    body = commands.project_file("x.gcode.3mf", use_ams=False, ams_mapping=[0])["print"]
    assert body["use_ams"] is False
    assert "ams_mapping" not in body
    assert "ams_mapping2" not in body
    with pytest.raises(ValueError, match="plate"):
        commands.project_file("x.gcode.3mf", plate=0)


def test_job_ids_stay_within_int32() -> None:
    ids = JobIds.new(now_ms=1_790_000_000_000)
    values = [int(ids.project_id), int(ids.task_id), int(ids.subtask_id)]
    assert all(0 <= v < 2**31 - 1 for v in values)
    assert len(set(values)) == 3
    assert JobIds.new(now_ms=2147483646).subtask_id == "1"


def test_light_request() -> None:
    assert commands.led_control("chamber_light", "on") == {
        "system": {
            "sequence_id": "0",
            "command": "ledctrl",
            "led_node": "chamber_light",
            "led_mode": "on",
            "led_on_time": 500,
            "led_off_time": 500,
            "loop_times": 0,
            "interval_time": 0,
        }
    }
