"""The simulated K1C behind a real Moonraker: what a Moonraker client sees of a print.

Driven over HTTP (curl) and Moonraker's websocket (``printer.objects.subscribe``), like the
integration's Klipper driver will; the physical side is read from the world.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
import pytest_socket

from ottosim.klipper import SimulatedKlipperPrinter
from ottosim.world import World
from tests.conftest import LOOPBACK_NETWORKS
from tests.sim.klipper_helpers import Moonraker, prusa_style_gcode, wait_for

pytestmark = pytest.mark.asyncio(loop_scope="module")

HOST = "127.0.3.201"
BASE = f"http://{HOST}:7125"
TIME_SCALE = 40.0  # a 2 min print takes 3 s, heating about 4 s
NAME = "k1c-1"
api = Moonraker(BASE)


class StatusRecorder:
    """A websocket subscription: the merged state after every ``notify_status_update``."""

    def __init__(self) -> None:
        self.state: dict[str, dict[str, Any]] = {}
        self.history: list[dict[str, dict[str, Any]]] = []
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self, objects: dict[str, Any]) -> None:
        self._session = aiohttp.ClientSession()
        ws = await self._session.ws_connect(f"ws://{HOST}:7125/websocket")
        await ws.send_json(
            {
                "jsonrpc": "2.0",
                "method": "printer.objects.subscribe",
                "params": {"objects": objects},
                "id": 1,
            }
        )
        while True:
            message = await ws.receive_json()
            if message.get("id") == 1:
                self._merge(message["result"]["status"])
                break
        self._task = asyncio.create_task(self._read(ws))

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for message in ws:
            data = message.json()
            if data.get("method") == "notify_status_update":
                self._merge(data["params"][0])

    def _merge(self, update: dict[str, dict[str, Any]]) -> None:
        for name, fields in update.items():
            self.state.setdefault(name, {}).update(fields)
        self.history.append({name: dict(fields) for name, fields in self.state.items()})

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._session is not None:
            await self._session.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def printer(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[SimulatedKlipperPrinter]:
    pytest_socket.enable_socket()
    pytest_socket.socket_allow_hosts(LOOPBACK_NETWORKS, allow_unix_socket=True)
    world = World()
    world.add_printer(NAME, "K1C")
    simulated = SimulatedKlipperPrinter(
        world, name=NAME, host=HOST, workdir=tmp_path_factory.mktemp("k1c"), time_scale=TIME_SCALE
    )
    await simulated.start()
    yield simulated
    await simulated.stop()


@pytest.fixture
async def ready(
    printer: SimulatedKlipperPrinter, loopback_enabled: None
) -> SimulatedKlipperPrinter:
    """The printer ready and idle with an empty plate (a previous test may have left a print)."""
    if await api.klippy_state() != "ready":
        await printer.inject_fault("firmware_restart")
        await wait_for(_is_ready)
    if printer.brain.job is not None:
        await api.post("/printer/print/cancel")
    body = printer.world.printers[NAME]
    if body.plate is None or body.plate.print_label is not None:
        printer.world.operator("clear_printer_plate", printer=NAME)
    return printer


async def _is_ready() -> bool:
    return await api.klippy_state() == "ready"


async def upload(tmp_path: Path, name: str, **kwargs: Any) -> str:
    path = tmp_path / name
    path.write_text(prusa_style_gcode(**kwargs))
    code, body = await api.upload(path)
    assert code == 201, body
    return name


async def print_state() -> str:
    return str((await api.query("print_stats"))["print_stats"]["state"])


async def test_reports_like_a_k1c(ready: SimulatedKlipperPrinter) -> None:
    code, body = await api.get("/server/info")
    assert code == 200
    assert body["result"]["klippy_state"] == "ready"
    assert body["result"]["missing_klippy_requirements"] == []
    _, body = await api.get("/printer/objects/list")
    objects = set(body["result"]["objects"])
    for name in (
        "print_stats", "virtual_sdcard", "display_status", "heater_bed", "extruder", "toolhead",
        "idle_timeout", "webhooks", "pause_resume", "gcode_move", "configfile",
        "gcode_macro START_PRINT", "gcode_macro END_PRINT", "gcode_macro PAUSE",
        "gcode_macro RESUME", "gcode_macro CANCEL_PRINT",
    ):  # fmt: skip
        assert name in objects
    status = await api.query("configfile", "toolhead", "print_stats", "extruder", "heater_bed")
    config = status["configfile"]["config"]
    assert config["printer"]["kinematics"] == "corexy"
    assert "extruder" in config  # an OttoEject has none
    assert "G1 Z200 F600" in config["gcode_macro END_PRINT"]["gcode"]
    assert status["toolhead"]["axis_maximum"][2] == 250.0
    assert status["print_stats"]["state"] == "standby"
    assert status["extruder"]["target"] == 0.0
    assert set(status["heater_bed"]) >= {"temperature", "target", "power"}
    _, body = await api.get("/printer/info")
    assert body["result"]["state"] == "ready"
    _, body = await api.get("/printer/gcode/help")
    assert "SDCARD_PRINT_FILE" in body["result"]
    assert "END_PRINT" in body["result"]


async def test_whole_print_seen_over_the_websocket(
    ready: SimulatedKlipperPrinter, tmp_path: Path
) -> None:
    """Heating, layers, progress by file position, 99 % while END_PRINT raises the bed,
    complete; the finished print sits on the plate and the bed is at the eject position."""
    name = await upload(tmp_path, "cube.gcode", minutes=2, layers=20)
    code, body = await wait_for(lambda: _metadata(name))
    assert body["result"]["estimated_time"] == 120
    assert body["result"]["layer_count"] == 20
    assert body["result"]["object_height"] == 4.0
    recorder = StatusRecorder()
    await recorder.start(
        {
            "print_stats": None,
            "virtual_sdcard": None,
            "display_status": None,
            "extruder": ["temperature", "target"],
            "heater_bed": ["temperature", "target"],
            "toolhead": ["position"],
        }
    )
    try:
        code, body = await api.post(f"/printer/print/start?filename={name}")
        assert (code, body["result"]) == (200, "ok")
        await wait_for(lambda: _state_is(recorder, "complete"), timeout=60)
        await asyncio.sleep(1.0)  # the state stays complete (a stale K1C state)
    finally:
        await recorder.stop()
    history = recorder.history
    printing = [s for s in history if s["print_stats"]["state"] == "printing"]
    assert printing, "never reported printing"
    # Heating: the targets come from the file's START_PRINT, temperatures rise.
    assert printing[0]["extruder"]["target"] == 215.0
    assert printing[0]["heater_bed"]["target"] == 60.0
    temps = [s["extruder"]["temperature"] for s in printing]
    assert max(temps) > temps[0] + 100
    # Layers advance, progress follows the file position and never goes back.
    layers = [s["print_stats"]["info"]["current_layer"] for s in printing]
    assert layers[-1] == 20
    assert len(set(layers)) > 3
    progress = [s["virtual_sdcard"]["progress"] for s in printing]
    assert progress == sorted(progress)
    for s in printing:
        sd = s["virtual_sdcard"]
        assert sd["progress"] == round(sd["file_position"] / sd["file_size"], 3)
    # The K1C quirk: END_PRINT runs at 99 %, still printing, while the bed goes down to Z 200.
    at_99 = [s for s in printing if s["display_status"]["progress"] == 0.99]
    assert at_99
    assert any(s["extruder"]["target"] == 0.0 for s in at_99)
    z_at_99 = [s["toolhead"]["position"][2] for s in at_99]
    assert z_at_99[-1] > z_at_99[0]
    final = history[-1]
    assert final["print_stats"]["state"] == "complete"
    assert final["print_stats"]["filename"] == name
    assert final["virtual_sdcard"]["progress"] == 1.0
    assert final["toolhead"]["position"][2] == 200.0
    assert final["print_stats"]["print_duration"] >= 120
    assert final["print_stats"]["filament_used"] == 1500.0
    # The world: the print is on the plate with its height; the bed is at the eject position.
    body_truth = ready.world.truth()["printers"][NAME]
    assert body_truth["plate"]["print"] == f"cube@{NAME}#{ready.brain.jobs_started}"
    assert body_truth["plate"]["height_mm"] == 4.0
    assert body_truth["at_eject_position"] is True
    assert not body_truth["printing"]
    moved = [e for e in ready.world.events if e["event"] == "bed_moved"]
    assert moved[-1]["position_mm"] == 200.0
    assert moved[-1]["at_eject_position"] is True
    # Still complete with the old filename until the next print starts.
    stale = await api.query("print_stats")
    assert stale["print_stats"]["state"] == "complete"
    assert stale["print_stats"]["filename"] == name


async def _metadata(name: str) -> tuple[int, Any] | None:
    code, body = await api.get(f"/server/files/metadata?filename={name}")
    if code == 200 and "estimated_time" in body["result"]:
        return code, body
    return None


async def _state_is(recorder: StatusRecorder, state: str) -> bool:
    return recorder.state.get("print_stats", {}).get("state") == state


async def test_pause_resume_cancel(ready: SimulatedKlipperPrinter, tmp_path: Path) -> None:
    name = await upload(tmp_path, "long.gcode", minutes=60, layers=100)
    await api.post(f"/printer/print/start?filename={name}")
    await wait_for(lambda: _layer_at_least(2))
    code, _ = await api.post("/printer/print/pause")
    assert code == 200
    status = await api.query("print_stats", "pause_resume", "virtual_sdcard", "idle_timeout")
    assert status["print_stats"]["state"] == "paused"
    assert status["pause_resume"]["is_paused"] is True
    assert status["virtual_sdcard"]["is_active"] is False
    frozen = status["virtual_sdcard"]["file_position"]
    await asyncio.sleep(1.0)
    status = await api.query("virtual_sdcard", "idle_timeout")
    assert status["virtual_sdcard"]["file_position"] == frozen
    assert status["idle_timeout"]["state"] == "Ready"
    # Starting another print while one is loaded: SD busy.
    code, body = await api.post(f"/printer/print/start?filename={name}")
    assert code == 400
    assert "SD busy" in body["error"]["traceback"]
    await api.post("/printer/print/resume")
    assert await print_state() == "printing"
    await wait_for(lambda: _position_after(frozen))
    await api.gcode("CANCEL_PRINT")
    status = await api.query("print_stats", "extruder")
    assert status["print_stats"]["state"] == "cancelled"
    assert status["print_stats"]["filename"] == name  # stale until the next print
    assert status["extruder"]["target"] == 0.0
    plate = ready.world.truth()["printers"][NAME]["plate"]
    assert plate["print"].endswith("(incomplete)")
    assert 0 < plate["height_mm"] < 20
    failed = [e for e in ready.world.events if e["event"] == "print_failed"]
    assert failed[-1]["reason"] == "cancelled"
    # CANCEL_PRINT has no END_PRINT: the bed stays where the print stopped.
    assert ready.world.truth()["printers"][NAME]["at_eject_position"] is False


async def _layer_at_least(layer: int) -> bool:
    info = (await api.query("print_stats"))["print_stats"]["info"]
    return (info["current_layer"] or 0) >= layer


async def _position_after(position: int) -> bool:
    current: int = (await api.query("virtual_sdcard"))["virtual_sdcard"]["file_position"]
    return current > position


async def test_print_needs_an_empty_plate(ready: SimulatedKlipperPrinter, tmp_path: Path) -> None:
    ready.world.operator("remove_plate_from_printer", printer=NAME)
    name = await upload(tmp_path, "noplate.gcode", minutes=2, layers=5)
    code, _ = await api.post(f"/printer/print/start?filename={name}")
    assert code == 200  # Klipper does not know about plates
    status = await api.query("print_stats")
    assert status["print_stats"]["state"] == "error"
    assert "build plate" in status["print_stats"]["message"]
    truth = ready.world.truth()
    assert any("no build plate" in v for v in truth["violations"])
    failed = [e for e in truth["events"] if e["event"] == "print_failed"]
    assert failed[-1]["reason"] == "no_empty_plate"
    assert failed[-1]["started"] is False
    ready.world.violations.clear()


async def test_unknown_file_and_unhomed_move(ready: SimulatedKlipperPrinter) -> None:
    code, body = await api.gcode('SDCARD_PRINT_FILE FILENAME="missing.gcode"')
    assert code == 400
    assert "Unable to open file" in body["error"]["traceback"]
    await ready.inject_fault("firmware_restart")
    await wait_for(_is_ready)
    code, body = await api.gcode("G90\nG1 Z200 F600")
    assert code == 400
    assert "Must home axis first" in body["error"]["traceback"]
    code, _ = await api.gcode("G28\nG90\nG1 Z200 F6000")
    assert code == 200
    assert ready.world.truth()["printers"][NAME]["at_eject_position"] is True


async def test_emergency_stop_during_a_print(
    ready: SimulatedKlipperPrinter, tmp_path: Path
) -> None:
    name = await upload(tmp_path, "estop.gcode", minutes=60, layers=50)
    await api.post(f"/printer/print/start?filename={name}")
    await wait_for(lambda: _layer_at_least(1))
    code, _ = await api.post("/printer/emergency_stop")
    assert code == 200
    await wait_for(lambda: _klippy_is("shutdown"))
    _, body = await api.get("/printer/objects/query?print_stats&webhooks")
    status = body["result"]["status"]
    assert status["webhooks"]["state"] == "shutdown"
    assert status["print_stats"]["state"] == "paused"  # frozen, as measured on real Klipper
    failed = [e for e in ready.world.events if e["event"] == "print_failed"]
    assert failed[-1]["reason"] == "klippy_shutdown"
    code, body = await api.gcode("G28")
    assert code == 400
    await api.post("/printer/firmware_restart")
    await wait_for(_is_ready)
    status = await api.query("print_stats", "extruder")
    assert status["print_stats"]["state"] == "standby"
    assert status["print_stats"]["filename"] == ""
    assert status["extruder"]["target"] == 0.0


async def _klippy_is(state: str) -> bool:
    return await api.klippy_state() == state


async def test_print_error_fault(ready: SimulatedKlipperPrinter, tmp_path: Path) -> None:
    name = await upload(tmp_path, "err.gcode", minutes=60, layers=50)
    await api.post(f"/printer/print/start?filename={name}")
    await wait_for(lambda: _layer_at_least(1))
    await ready.inject_fault("print_error", message="Move out of range: 1 2 300 [0]")
    status = await api.query("print_stats", "webhooks")
    assert status["print_stats"]["state"] == "error"
    assert status["print_stats"]["message"] == "Move out of range: 1 2 300 [0]"
    assert status["webhooks"]["state"] == "ready"
    _, body = await api.get("/server/gcode_store?count=20")
    assert any("Move out of range" in line["message"] for line in body["result"]["gcode_store"])
    failed = [e for e in ready.world.events if e["event"] == "print_failed"]
    assert failed[-1]["reason"] == "print_error"
