"""KlipperPrinterPort against the fake Moonraker: what the orchestrator sees and can do."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio

from custom_components.ottoengine.farm.device_errors import (
    DeviceAuthError,
    DeviceBusyError,
    DeviceRefusedError,
    DeviceTransferError,
    DeviceUnavailableError,
)
from custom_components.ottoengine.farm.ports import (
    CommandResult,
    PrinterPort,
    PrinterSnapshot,
    PrinterState,
    StartOptions,
)
from custom_components.ottoengine.klipper import (
    KlipperClient,
    KlipperPrinterPort,
    KlipperSnapshot,
    port as port_module,
)

from .conftest import API_KEY
from .fake_moonraker import FakeMoonraker

TIMEOUT = 15.0  # generous: the machine is shared; a pass takes well under 1 s


async def wait_for(check: Callable[[], bool], what: Callable[[], object]) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while not check():
        assert loop.time() < deadline, f"not reached in time; seen {what()}"
        await asyncio.sleep(0.02)


async def wait_state(port: KlipperPrinterPort, state: PrinterState) -> PrinterSnapshot:
    await wait_for(lambda: port.snapshot().state is state, port.klipper_snapshot)
    return port.snapshot()


def make_port(client: KlipperClient, model: str = "K1C", **kwargs: object) -> KlipperPrinterPort:
    return KlipperPrinterPort(
        client,
        printer_id=3,
        name="K1C left",
        model=model,
        poll_interval=0.2,
        reconnect_min=0.05,
        reconnect_max=0.2,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest_asyncio.fixture
async def port(client: KlipperClient) -> AsyncIterator[KlipperPrinterPort]:
    printer = make_port(client)
    await printer.async_start()
    yield printer
    await printer.async_close()


@pytest.fixture
def gcode(tmp_path: Path) -> Path:
    path = tmp_path / "cube.gcode"
    path.write_bytes(b"G28\nG1 Z5 E1\n" * 100)
    return path


def test_is_a_printer_port(port: KlipperPrinterPort) -> None:
    typed: PrinterPort = port
    assert (typed.printer_id, typed.name) == (3, "K1C left")


async def test_a_whole_print(fake: FakeMoonraker, port: KlipperPrinterPort, gcode: Path) -> None:
    changes: list[KlipperSnapshot] = []
    port._on_change = changes.append
    assert (await wait_state(port, PrinterState.IDLE)).job_name is None
    fake.metadata["cube.gcode"] = {"estimated_time": 600, "layer_count": 50}
    assert await port.async_upload(gcode, "cube.gcode") == "cube.gcode"
    assert await port.async_start_print("cube.gcode", StartOptions()) is CommandResult.CONFIRMED
    await fake.update({"extruder": {"target": 220.0}, "heater_bed": {"target": 60.0}})
    await wait_state(port, PrinterState.PREPARING)
    await wait_for(lambda: port.klipper_snapshot().detail == "heating", port.klipper_snapshot)
    await fake.update(
        {
            "extruder": {"temperature": 220.0},
            "heater_bed": {"temperature": 60.0},
            "print_stats": {"print_duration": 120.0, "total_duration": 200.0},
            "display_status": {"progress": 0.2},
        }
    )
    running = await wait_state(port, PrinterState.RUNNING)
    assert (running.job_name, running.progress_percent, running.total_layers) == (
        "cube.gcode",
        20,
        50,
    )
    await wait_for(lambda: port.snapshot().remaining_minutes == 8, port.snapshot)  # 600 - 120 s
    assert await port.async_pause() is CommandResult.CONFIRMED
    await wait_state(port, PrinterState.PAUSED)
    assert await port.async_resume() is CommandResult.CONFIRMED
    await wait_state(port, PrinterState.RUNNING)
    await fake.update({"print_stats": {"state": "complete"}, "display_status": {"progress": 1.0}})
    finished = await wait_state(port, PrinterState.FINISH)
    assert (finished.job_name, finished.progress_percent) == ("cube.gcode", 100)
    assert changes[-1].state is PrinterState.FINISH
    temps = port.klipper_snapshot().temperatures
    assert (temps.extruder, temps.extruder_target, temps.bed_target) == (220.0, 220.0, 60.0)


async def test_stale_complete_of_the_same_file_is_not_our_finish(
    fake: FakeMoonraker, port: KlipperPrinterPort, gcode: Path
) -> None:
    await port.async_upload(gcode, "cube.gcode")
    fake.add_history("cube.gcode", "completed")
    await fake.update(
        {"print_stats": {"state": "complete", "filename": "cube.gcode", "total_duration": 50.0}}
    )
    await wait_state(port, PrinterState.FINISH)  # the last job's end, nobody tracks it
    fake.start_behaviour = "ignore"  # the printer has not started it yet (start macro running)
    history_calls = fake.calls.count("GET /server/history/list")
    await port.async_start_print("cube.gcode", StartOptions())
    idle = await wait_state(port, PrinterState.IDLE)
    assert idle.progress_percent == 0
    # one history read at the start request, one when the old end showed up after it
    await wait_for(
        lambda: (
            fake.calls.count("GET /server/history/list") == history_calls + 2 and not port._tasks
        ),
        lambda: fake.calls,
    )
    assert port.snapshot().state is PrinterState.IDLE  # the history still has the old job
    await fake.update(
        {"print_stats": {"state": "printing", "print_duration": 1.0, "total_duration": 0.5}}
    )
    await wait_state(port, PrinterState.RUNNING)
    await fake.update({"print_stats": {"state": "complete"}})
    await wait_state(port, PrinterState.FINISH)


async def test_a_job_that_started_and_ended_between_reports_is_ours(
    fake: FakeMoonraker, port: KlipperPrinterPort, gcode: Path
) -> None:
    await port.async_upload(gcode, "cube.gcode")
    fake.add_history("cube.gcode", "completed")
    await fake.update(
        {"print_stats": {"state": "complete", "filename": "cube.gcode", "total_duration": 50.0}}
    )
    await wait_state(port, PrinterState.FINISH)
    fake.start_behaviour = "instant_complete"
    await port.async_start_print("cube.gcode", StartOptions())
    assert (await wait_state(port, PrinterState.FINISH)).job_name == "cube.gcode"


async def test_stuck_at_99_then_standby_counts_as_finished(
    fake: FakeMoonraker, port: KlipperPrinterPort, gcode: Path
) -> None:
    await port.async_upload(gcode, "cube.gcode")
    await port.async_start_print("cube.gcode", StartOptions())
    await fake.update(
        {"print_stats": {"print_duration": 5.0}, "display_status": {"progress": 0.995}}
    )
    await wait_for(lambda: port.snapshot().progress_percent == 99, port.snapshot)
    # END_PRINT runs SDCARD_RESET_FILE: standby, no file, progress 0
    await fake.update(
        {"print_stats": {"state": "standby", "filename": ""}, "display_status": {"progress": 0.0}}
    )
    finished = await wait_state(port, PrinterState.FINISH)
    assert (finished.job_name, port.klipper_snapshot().detail) == ("cube.gcode", "finished_at_99")


async def test_klippy_shutdown_mid_print_fails_the_job(
    fake: FakeMoonraker, port: KlipperPrinterPort, gcode: Path
) -> None:
    await port.async_upload(gcode, "cube.gcode")
    await port.async_start_print("cube.gcode", StartOptions())
    await fake.update({"print_stats": {"print_duration": 5.0}})
    await wait_state(port, PrinterState.RUNNING)
    await fake.shutdown()
    failed = await wait_state(port, PrinterState.FAILED)
    assert failed.job_name == "cube.gcode"
    snapshot = port.klipper_snapshot()
    assert (snapshot.detail, snapshot.message) == (
        "klippy_shutdown",
        "Lost communication with MCU 'mcu'",
    )
    with pytest.raises(DeviceRefusedError, match="Printer is shutdown"):
        await port.async_send_gcode("G28")


async def test_unreachable_is_offline_then_back(
    fake: FakeMoonraker, session: aiohttp.ClientSession
) -> None:
    port_number = fake.port
    await fake.stop()
    printer = make_port(
        KlipperClient(session, "127.0.0.1", port_number, api_key=API_KEY, timeout=1.0)
    )
    await printer.async_start()
    try:
        await asyncio.sleep(0.3)
        assert printer.snapshot().state is PrinterState.OFFLINE
        assert not printer.snapshot().online
        with pytest.raises(DeviceUnavailableError):
            await printer.async_pause()
    finally:
        await printer.async_close()


async def test_polling_while_the_websocket_is_down(
    fake: FakeMoonraker, port: KlipperPrinterPort, monkeypatch: pytest.MonkeyPatch
) -> None:
    await wait_state(port, PrinterState.IDLE)
    fake.klippy_connected = False
    await fake.drop_websockets()
    await wait_state(port, PrinterState.OFFLINE)
    assert port.klipper_snapshot().detail == "klippy_disconnected"
    fake.klippy_connected = True
    fake.objects["print_stats"].update(state="paused", filename="x.gcode")
    await wait_state(port, PrinterState.PAUSED)


async def test_bed_move_follows_the_model_profile(
    fake: FakeMoonraker, client: KlipperClient
) -> None:
    k1c = make_port(client, "K1C")
    assert k1c.bed_moved_by_end_gcode
    assert await k1c.async_move_bed() is None
    voron = make_port(client, "Voron")
    assert await voron.async_move_bed() is CommandResult.CONFIRMED
    assert fake.scripts == ["G90\nG1 Z200 F600"]
    assert voron.profile.macros.eject == "EJECT_FROM_VORON"


async def test_command_errors_become_device_errors(
    fake: FakeMoonraker, client: KlipperClient, session: aiohttp.ClientSession, gcode: Path
) -> None:
    printer = make_port(client)
    await printer.async_upload(gcode, "cube.gcode")
    await printer.async_start_print("cube.gcode", StartOptions())
    with pytest.raises(DeviceBusyError, match="SD busy"):
        await printer.async_start_print("cube.gcode", StartOptions())
    fake.corrupt_uploads = True
    with pytest.raises(DeviceTransferError, match="damaged file"):
        await printer.async_upload(gcode, "cube.gcode")
    fake.max_upload = 10
    with pytest.raises(DeviceTransferError, match="larger than the printer accepts"):
        await printer.async_upload(gcode, "cube.gcode")
    with pytest.raises(DeviceTransferError, match="invalid file name"):
        await printer.async_upload(gcode, "../cube.gcode")
    with pytest.raises(DeviceRefusedError, match=r"Metadata not available for <nope\.gcode>"):
        await printer.async_metadata("nope.gcode")
    fake.klippy_connected = False
    with pytest.raises(DeviceUnavailableError, match="Klippy Host not connected"):
        await printer.async_stop()
    wrong = make_port(KlipperClient(session, "127.0.0.1", fake.port, api_key="f" * 32))
    with pytest.raises(DeviceAuthError):
        await wrong.async_start_print("cube.gcode", StartOptions())
    with pytest.raises(DeviceAuthError):
        await wrong.async_upload(gcode, "cube.gcode")


async def test_slow_answer_counts_as_sent(
    fake: FakeMoonraker, client: KlipperClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(port_module, "COMMAND_TIMEOUT", 0.2)
    fake.script_delay = 1.0
    printer = make_port(client, "generic")
    assert await printer.async_send_gcode("G28") is CommandResult.SENT
    assert fake.scripts == ["G28"]


async def test_start_without_a_history(
    fake: FakeMoonraker, port: KlipperPrinterPort, gcode: Path
) -> None:
    await port.async_upload(gcode, "cube.gcode")
    fake.history_error = 500
    assert await port.async_start_print("cube.gcode", StartOptions()) is CommandResult.CONFIRMED
    tracked = port.tracked_job
    assert tracked is not None
    assert tracked.baseline_job_id is None
    await fake.update({"print_stats": {"print_duration": 2.0}})
    await wait_state(port, PrinterState.RUNNING)
