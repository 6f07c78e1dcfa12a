"""Builders of the JSON requests published to ``device/<serial>/request`` (pure functions).

Every builder returns the request object (``{"print": {...}}``); the client serialises it and
sets the ``sequence_id``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
import time
from typing import Any, Literal

from .models import FTP_URL_MODELS, normalize_model

INT32_MAX = 2147483647
EXTERNAL_SPOOL_TRAY_ID = 254
UNMAPPED_TRAY_ID = -1
GCODE_3MF_SUFFIX = ".gcode.3mf"

UrlScheme = Literal["file_sdcard", "ftp"]
LightNode = Literal["chamber_light", "work_light", "chamber_light2", "heatbed_light"]
LightMode = Literal["on", "off", "flashing"]


def _request(kind: str, command: str, sequence_id: str, **fields: Any) -> dict[str, Any]:
    return {kind: {"sequence_id": sequence_id, "command": command, **fields}}


def pushall(sequence_id: str = "0") -> dict[str, Any]:
    """Ask for a full status report (send only at connect or recovery)."""
    return _request("pushing", "pushall", sequence_id)


def start_pushing(sequence_id: str = "0") -> dict[str, Any]:
    """Restart status pushes stopped by another client's ``pushing.stop``."""
    return _request("pushing", "start", sequence_id)


def get_version(sequence_id: str = "0") -> dict[str, Any]:
    """Ask for firmware/module versions (``info.module[]``)."""
    return _request("info", "get_version", sequence_id)


def pause(sequence_id: str = "0") -> dict[str, Any]:
    """Pause the running print."""
    return _request("print", "pause", sequence_id)


def resume(sequence_id: str = "0") -> dict[str, Any]:
    """Resume a paused print."""
    return _request("print", "resume", sequence_id)


def stop(sequence_id: str = "0") -> dict[str, Any]:
    """Stop (cancel) the current print."""
    return _request("print", "stop", sequence_id)


def normalize_gcode(gcode: str | Sequence[str]) -> str:
    """G-code lines joined by ``\\n`` and ending with ``\\n``.

    Accepts a list of lines or one string with real newlines or escaped ``\\\\n`` sequences
    (the seed API's form, e.g. ``"G0 Z150 F3000\\\\nM117 Ready"``). Blank lines are dropped.
    """
    text = gcode if isinstance(gcode, str) else "\n".join(gcode)
    text = text.replace("\\\\n", "\n").replace("\\n", "\n").replace("\r\n", "\n")
    lines = [line.strip() for line in text.split("\n")]
    kept = [line for line in lines if line]
    if not kept:
        raise ValueError("no G-code to send")
    return "\n".join(kept) + "\n"


def gcode_line(gcode: str | Sequence[str], sequence_id: str = "0") -> dict[str, Any]:
    """Run G-code lines (see :func:`normalize_gcode` for the accepted forms)."""
    return _request("print", "gcode_line", sequence_id, param=normalize_gcode(gcode))


def sdcard_path(filename: str) -> str:
    """Absolute printer path of a file uploaded to the FTP root (the SD card)."""
    if filename.startswith("/sdcard/"):
        return filename
    return "/sdcard/" + filename.lstrip("/")


def gcode_file(filename: str, sequence_id: str = "0") -> dict[str, Any]:
    """Print a plain ``.gcode`` file from the SD card (``/sdcard/<name>``)."""
    return _request("print", "gcode_file", sequence_id, param=sdcard_path(filename))


def url_scheme_for_model(model: str | None) -> UrlScheme:
    """``ftp`` (``ftp:///<name>``) for H2D/H2S/H2C/P2S/X2D, else ``file_sdcard``."""
    return "ftp" if normalize_model(model) in FTP_URL_MODELS else "file_sdcard"


def project_url(filename: str, scheme: UrlScheme) -> str:
    """The ``url`` of a project_file request: ``file:///sdcard/<name>`` or ``ftp:///<name>``."""
    name = filename.removeprefix("/sdcard/").lstrip("/")
    return f"ftp:///{name}" if scheme == "ftp" else f"file:///sdcard/{name}"


def subtask_name_for(filename: str) -> str:
    """The job name: the bare file name without ``.gcode.3mf`` / ``.3mf`` / ``.gcode``."""
    name = filename.rsplit("/", 1)[-1]
    for suffix in (GCODE_3MF_SUFFIX, ".3mf", ".gcode"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True, slots=True)
class JobIds:
    """The project/task/subtask ids of a job: unique per job and within int32."""

    project_id: str
    task_id: str
    subtask_id: str

    @classmethod
    def new(cls, now_ms: int | None = None) -> JobIds:
        """Fresh ids from the millisecond clock (ms-epoch mod 2147483647)."""
        base = (time.time_ns() // 1_000_000 if now_ms is None else now_ms) % INT32_MAX
        return cls(str(base), str((base + 1) % INT32_MAX), str((base + 2) % INT32_MAX))


def ams_mapping2(ams_mapping: Sequence[int]) -> list[dict[str, int]]:
    """The per-filament ``{ams_id, slot_id}`` form of a list of global tray ids."""
    result: list[dict[str, int]] = []
    for tray in ams_mapping:
        if tray == EXTERNAL_SPOOL_TRAY_ID:
            result.append({"ams_id": 255, "slot_id": 0})
        elif tray == UNMAPPED_TRAY_ID:
            result.append({"ams_id": 255, "slot_id": 255})
        elif tray >= 128:
            result.append({"ams_id": tray, "slot_id": 0})
        else:
            result.append({"ams_id": tray // 4, "slot_id": tray % 4})
    return result


def project_file(
    filename: str,
    sequence_id: str = "0",
    *,
    plate: int = 1,
    use_ams: bool = True,
    ams_mapping: Sequence[int] | None = None,
    bed_leveling: bool = True,
    flow_cali: bool = False,
    vibration_cali: bool = True,
    layer_inspect: bool = False,
    timelapse: bool = False,
    bed_type: str = "auto",
    md5: str = "",
    subtask_name: str | None = None,
    url_scheme: UrlScheme = "file_sdcard",
    model: str | None = None,
    job_ids: JobIds | None = None,
) -> dict[str, Any]:
    """Start a sliced ``.gcode.3mf`` already on the printer's storage.

    ``ams_mapping`` lists, per slicer filament (filament id - 1), the global tray id to use
    (``ams_id * 4 + slot``, 128-135 for AMS HT, 254 for the external spool, -1 unmapped). The
    flat list never carries 254: the external spool is ``-1`` there and
    ``{"ams_id": 255, "slot_id": 0}`` in ``ams_mapping2``. On a P2S ``vibration_cali`` is forced
    off (the printer breaks otherwise).
    """
    if plate < 1:
        raise ValueError("plate numbers start at 1")
    name = filename.rsplit("/", 1)[-1]
    if not name:
        raise ValueError("empty file name")
    ids = job_ids or JobIds.new()
    fields: dict[str, Any] = {
        "param": f"Metadata/plate_{plate}.gcode",
        "url": project_url(filename, url_scheme),
        "file": name,
        "md5": md5,
        "subtask_name": subtask_name if subtask_name is not None else subtask_name_for(name),
        "bed_type": bed_type,
        "timelapse": timelapse,
        "bed_leveling": bed_leveling,
        "flow_cali": flow_cali,
        "vibration_cali": vibration_cali and normalize_model(model) != "P2S",
        "layer_inspect": layer_inspect,
        "use_ams": use_ams,
    }
    if use_ams and ams_mapping is not None:
        fields["ams_mapping"] = [
            UNMAPPED_TRAY_ID if tray == EXTERNAL_SPOOL_TRAY_ID else tray for tray in ams_mapping
        ]
        fields["ams_mapping2"] = ams_mapping2(ams_mapping)
    fields.update(
        project_id=ids.project_id, profile_id="0", task_id=ids.task_id, subtask_id=ids.subtask_id
    )
    return _request("print", "project_file", sequence_id, **fields)


def led_control(node: LightNode, mode: LightMode, sequence_id: str = "0") -> dict[str, Any]:
    """Switch a light (allowed even on Authorization Control firmware)."""
    return _request(
        "system",
        "ledctrl",
        sequence_id,
        led_node=node,
        led_mode=mode,
        led_on_time=500,
        led_off_time=500,
        loop_times=0,
        interval_time=0,
    )


def print_speed(level: int, sequence_id: str = "0") -> dict[str, Any]:
    """Set the print speed (1 silent, 2 standard, 3 sport, 4 ludicrous); ``param`` is a string."""
    if level not in (1, 2, 3, 4):
        raise ValueError(f"print speed level must be 1-4, not {level!r}")
    return _request("print", "print_speed", sequence_id, param=str(level))
