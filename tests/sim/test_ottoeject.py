"""The simulated OttoEject behind a real Moonraker, driven with curl like a real robot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import json
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import pytest_socket

from ottosim.ottoeject import SimulatedOttoEject
from ottosim.ottoeject.moonraker_process import STARTUP_TIMEOUT
from ottosim.world import World
from tests.conftest import LOOPBACK_NETWORKS

pytestmark = pytest.mark.asyncio(loop_scope="module")

HOST = "127.0.2.201"
BASE = f"http://{HOST}:7125"
TIME_SCALE = 0.05  # a 20 s eject takes 1 s
# Klippy (re)starting and Moonraker reporting it follow the simulator's own start bound.
SETTLE_S = STARTUP_TIMEOUT


async def curl(*args: str) -> tuple[int, Any]:
    """Run curl; returns (HTTP status, decoded JSON body or None)."""
    process = await asyncio.create_subprocess_exec(
        "curl", "-s", "-w", "\n%{http_code}", *args, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    body, _, code = out.decode().rpartition("\n")
    return int(code), (json.loads(body) if body.strip() else None)


async def gcode(script: str) -> tuple[int, Any]:
    return await curl(
        "-X", "POST", "-G", f"{BASE}/printer/gcode/script", "--data-urlencode", f"script={script}"
    )


async def idle_state() -> str:
    _, body = await curl(f"{BASE}/printer/objects/query?idle_timeout")
    return str(body["result"]["status"]["idle_timeout"]["state"])


async def klippy_state() -> str | None:
    code, body = await curl(f"{BASE}/server/info")
    return None if code != 200 else str(body["result"]["klippy_state"])


async def wait_for(check: Callable[[], Any], timeout: float = SETTLE_S) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


def build_world() -> World:
    world = World()
    world.add_printer("a1-1", "A1")
    world.add_printer("p1s-a", "P1S")
    world.add_printer("p1s-b", "P1S")
    world.add_rack("rack-1", 6, empty_plates=(6,))
    world.add_ejector("ottoeject-1", "rack-1")
    return world


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def robot(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[SimulatedOttoEject]:
    # Module fixtures run before the per-test loopback_enabled fixture: allow loopback here too.
    pytest_socket.enable_socket()
    pytest_socket.socket_allow_hosts(LOOPBACK_NETWORKS, allow_unix_socket=True)
    ejector = SimulatedOttoEject(
        build_world(),
        name="ottoeject-1",
        rack="rack-1",
        host=HOST,
        workdir=tmp_path_factory.mktemp("ottoeject"),
        time_scale=TIME_SCALE,
    )
    await ejector.start()
    yield ejector
    await ejector.stop()


@pytest.fixture
async def ready(robot: SimulatedOttoEject, loopback_enabled: None) -> SimulatedOttoEject:
    """The robot, back to ready (a previous test may have shut it down)."""
    if await klippy_state() != "ready":
        await robot.inject_fault("firmware_restart")
        await wait_for(lambda: _is(klippy_state, "ready"))
    return robot


async def _is(read: Callable[[], Any], value: str) -> bool:
    return await read() == value


async def test_server_info_and_macro_objects(ready: SimulatedOttoEject) -> None:
    code, body = await curl(f"{BASE}/server/info")
    assert code == 200
    assert body["result"]["klippy_connected"] is True
    assert body["result"]["klippy_state"] == "ready"
    assert body["result"]["missing_klippy_requirements"] == []
    _, body = await curl(f"{BASE}/printer/objects/list")
    objects = body["result"]["objects"]
    for macro in (
        "OTTOEJECT_HOME",
        "PARK_OTTOEJECT",
        "EJECT_FROM_BAMBULAB_A_ONE",
        "LOAD_ONTO_BAMBULAB_P_ONE_S",
        "CLOSE_DOOR_BAMBULAB_P_ONE_S",
        "STORE_TO_SLOT_6",
        "GRAB_FROM_SLOT_1",
    ):
        assert f"gcode_macro {macro}" in objects
    assert "gcode_macro STORE_TO_SLOT_7" not in objects
    assert ready.describe() == {"name": "ottoeject-1", "ip": HOST, "port": 7125, "api_key": None}


async def test_macro_blocks_and_idle_timeout_goes_printing_then_ready(
    ready: SimulatedOttoEject,
) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    request = asyncio.create_task(gcode("OTTOEJECT_HOME"))  # 6 s x 0.05 = 0.3 s
    await wait_for(lambda: _is(idle_state, "Printing"))  # once the request reaches Klippy
    assert not request.done()
    _, body = await curl(f"{BASE}/printer/objects/query?print_stats=state&webhooks")
    assert body["result"]["status"]["print_stats"] == {"state": "standby"}
    assert await request == (200, {"result": "ok"})
    assert loop.time() - started >= 0.3
    assert await idle_state() == "Ready"
    assert ready.status()["running_command"] is None


async def test_plate_swap_moves_plates_in_the_world(ready: SimulatedOttoEject) -> None:
    world = ready.world
    world.move_bed("a1-1", y_mm=170)
    world.start_print("a1-1")
    world.finish_print("a1-1", "benchy")
    assert await gcode("EJECT_FROM_BAMBULAB_A_ONE") == (200, {"result": "ok"})
    assert world.grippers["ottoeject-1"] is not None
    assert await gcode("STORE_TO_SLOT_1") == (200, {"result": "ok"})
    assert await gcode("GRAB_FROM_SLOT_6\nLOAD_ONTO_BAMBULAB_A_ONE") == (200, {"result": "ok"})
    truth = world.truth()
    assert truth["racks"]["rack-1"]["1"]["print"] == "benchy"
    assert truth["racks"]["rack-1"]["6"] is None
    assert truth["printers"]["a1-1"]["plate"]["print"] is None
    assert truth["violations"] == []


async def test_physical_violation_fails_the_macro_like_klipper(ready: SimulatedOttoEject) -> None:
    before = ready.status()["macros_failed"]
    ready.world.move_bed("p1s-a", z_mm=10)
    code, body = await gcode("EJECT_FROM_BAMBULAB_P_ONE_S PRINTER=p1s-a")
    assert code == 400
    assert body["error"]["message"] == "Unknown"  # tornado hides reasons ending in a newline
    assert "collision, EJECT from p1s-a with its bed at Z 10" in body["error"]["traceback"]
    assert any("p1s-a with its bed at Z 10" in v for v in ready.world.violations)
    assert ready.status()["macros_failed"] >= before + 1
    assert await idle_state() == "Ready"  # the failed macro still finished
    ready.world.violations.clear()


async def test_several_printers_of_one_model_need_printer_param(ready: SimulatedOttoEject) -> None:
    code, body = await gcode("EJECT_FROM_BAMBULAB_P_ONE_S")
    assert code == 400
    assert "PRINTER=<p1s-a|p1s-b>" in body["error"]["traceback"]
    ready.world.move_bed("p1s-b", z_mm=200)
    assert await gcode("EJECT_FROM_BAMBULAB_P_ONE_S PRINTER=p1s-b") == (200, {"result": "ok"})
    assert ready.world.printers["p1s-b"].plate is None
    assert await gcode("LOAD_ONTO_BAMBULAB_P_ONE_S PRINTER=p1s-b") == (200, {"result": "ok"})
    assert ready.world.violations == []


async def test_unknown_command_answers_ok_with_console_message(ready: SimulatedOttoEject) -> None:
    assert await gcode("NOT_A_MACRO") == (200, {"result": "ok"})
    _, body = await curl(f"{BASE}/server/gcode_store?count=5")
    messages = [entry["message"] for entry in body["result"]["gcode_store"]]
    assert '// Unknown command:"NOT_A_MACRO"' in messages


async def test_shutdown_refuses_macros_until_firmware_restart(ready: SimulatedOttoEject) -> None:
    await ready.inject_fault("shutdown")
    await wait_for(lambda: _is(klippy_state, "shutdown"))
    code, body = await gcode("OTTOEJECT_HOME")
    assert code == 400
    assert "Printer is shutdown" in body["error"]["traceback"]
    assert await curl("-X", "POST", f"{BASE}/printer/firmware_restart") == (200, {"result": "ok"})
    await wait_for(lambda: _is(klippy_state, "ready"))
    assert await gcode("OTTOEJECT_HOME") == (200, {"result": "ok"})
    assert ready.status()["restarts"] >= 1


async def test_emergency_stop_aborts_a_running_macro(ready: SimulatedOttoEject) -> None:
    request = asyncio.create_task(gcode("PARK_OTTOEJECT"))  # 5 s x 0.05 = 0.25 s
    await wait_for(lambda: _is(idle_state, "Printing"))  # once the request reaches Klippy
    assert await curl("-X", "POST", f"{BASE}/printer/emergency_stop") == (200, {"result": "ok"})
    code, body = await request
    assert code == 400
    assert "Printer is shutdown" in body["error"]["traceback"]
    await wait_for(lambda: _is(klippy_state, "shutdown"))
    assert await idle_state() == "Printing"  # frozen, like Klipper after a shutdown
    assert await curl("-X", "POST", f"{BASE}/printer/restart") == (200, {"result": "ok"})
    await wait_for(lambda: _is(klippy_state, "ready"))
    assert await idle_state() == "Idle"


async def test_error_state_and_moonraker_down_up(ready: SimulatedOttoEject) -> None:
    await ready.inject_fault("error", message="Option 'speed' is not valid")
    await wait_for(lambda: _is(klippy_state, "error"))
    _, body = await curl(f"{BASE}/printer/info")
    assert "Option 'speed' is not valid" in body["result"]["state_message"]
    await ready.inject_fault("firmware_restart")
    await wait_for(lambda: _is(klippy_state, "ready"))
    await ready.inject_fault("moonraker_down")
    assert await klippy_state() is None
    assert ready.status()["moonraker_running"] is False
    await ready.inject_fault("moonraker_up")
    assert await klippy_state() == "ready"
    with pytest.raises(ValueError, match="unknown fault"):
        await ready.inject_fault("meteor")


async def test_api_key_and_clean_stop(tmp_path: Path, loopback_enabled: None) -> None:
    world = World()
    world.add_rack("rack-9", 2)
    world.add_ejector("ottoeject-9", "rack-9")
    ejector = SimulatedOttoEject(
        world,
        name="ottoeject-9",
        rack="rack-9",
        host="127.0.2.209",
        api_key="a" * 32,
        workdir=tmp_path / "ej",
        time_scale=TIME_SCALE,
    )
    await ejector.start()
    try:
        code, _ = await curl("http://127.0.2.209:7125/server/info")
        assert code == 401
        code, body = await curl(
            "-H", f"X-Api-Key: {'a' * 32}", "http://127.0.2.209:7125/server/info"
        )
        assert (code, body["result"]["klippy_state"]) == (200, "ready")
        sockets = list(ejector.klippy.socket_path.parent.iterdir())
        assert sockets
    finally:
        await ejector.stop()
    assert not ejector.klippy.socket_path.parent.exists()
    assert ejector.moonraker.running is False
    code, _ = await curl("--max-time", "2", "http://127.0.2.209:7125/server/info")
    assert code == 0  # nothing listens any more
