"""End to end against the simulator's printer (firmware brain on real Mosquitto + vsftpd)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
import io
from pathlib import Path
import zipfile

import pytest

from custom_components.ottoengine.bambu import (
    AuthorizationFirmwareError,
    BambuPrinterClient,
    PrinterBusyError,
    PrinterStatus,
    PrintState,
    upload_file,
)
from ottosim.bambu.brain import IDLE_REPORT_S, PREPARE_STAGES
from ottosim.bambu.certs import CertificateAuthority
from ottosim.bambu.models import model_spec, serial_number
from ottosim.bambu.printer import SimulatedBambuPrinter
from ottosim.world import World
from tests.bambu.conftest import ACCESS_CODE, FAST

TIME_SCALE = 200.0
PREDICTION_S = 300  # the sliced job's print time (simulated seconds)
# A wait follows the simulated print (every prepare stage, then the job, at TIME_SCALE) and the
# brain's longest report interval, with room for a machine under load.
PRINT_S = (sum(seconds for _, seconds in PREPARE_STAGES) + PREDICTION_S) / TIME_SCALE
WAIT_S = 4 * (PRINT_S + max(IDLE_REPORT_S))


def sliced_3mf(*, prediction_s: int, layers: int) -> bytes:
    """A minimal Bambu Studio ``.gcode.3mf`` (header + slice_info)."""
    gcode = (
        "; HEADER_BLOCK_START\n"
        f"; model printing time: {prediction_s // 60}m 0s; total estimated time: "
        f"{prediction_s // 60}m {prediction_s % 60}s\n"
        f"; total layer number: {layers}\n; max_z_height: 6.00\n; HEADER_BLOCK_END\nG28\n"
    )
    slice_info = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<config><plate>'
        '<metadata key="index" value="1"/><metadata key="printer_model_id" value="C12"/>'
        f'<metadata key="prediction" value="{prediction_s}"/></plate></config>\n'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("3D/3dmodel.model", "<model/>")
        archive.writestr("Metadata/plate_1.gcode", gcode)
        archive.writestr("Metadata/slice_info.config", slice_info)
    return buffer.getvalue()


@pytest.fixture
async def sim_printer(
    loopback_enabled: None,
    server_dir: Path,
    ca: CertificateAuthority,
    printer_host: str,
) -> AsyncIterator[SimulatedBambuPrinter]:
    world = World()
    world.add_printer("p1s-driver", "P1S")
    printer = SimulatedBambuPrinter(
        world,
        name="p1s-driver",
        spec=model_spec("P1S"),
        ip=printer_host,
        serial=serial_number(model_spec("P1S"), 248),
        access_code=ACCESS_CODE,
        workdir=server_dir / "sim-p1s",
        ca=ca,
        time_scale=TIME_SCALE,
    )
    await printer.start()
    yield printer
    await printer.stop()


@pytest.fixture
def executor() -> Iterator[ThreadPoolExecutor]:
    pool = ThreadPoolExecutor(max_workers=1)
    yield pool
    pool.shutdown(wait=True)


async def wait_for(client: BambuPrinterClient, check: Callable[[PrinterStatus], bool]) -> None:
    async with asyncio.timeout(WAIT_S):
        while not check(client.status):
            await asyncio.sleep(0.02)


async def test_upload_start_and_finish_a_print(
    sim_printer: SimulatedBambuPrinter, tmp_path: Path, executor: ThreadPoolExecutor
) -> None:
    job = tmp_path / "cube.gcode.3mf"
    job.write_bytes(sliced_3mf(prediction_s=PREDICTION_S, layers=20))
    states: list[PrintState] = []
    client = BambuPrinterClient(
        sim_printer.ip, sim_printer.serial, ACCESS_CODE, model="P1S", settings=FAST
    )
    client.add_status_listener(
        lambda s: states.append(s.status) if not states or states[-1] != s.status else None
    )
    await client.connect()
    try:
        await client.wait_ready(10)
        assert client.status.status in {PrintState.IDLE, PrintState.FINISH}
        # The FTPS server has a certificate of its own (same CN): it is pinned separately.
        result = await upload_file(
            sim_printer.ip, ACCESS_CODE, job, serial=sim_printer.serial, executor=executor
        )
        assert result.size == job.stat().st_size
        reply = await client.start_project_file("cube.gcode.3mf", reply_timeout=10)
        assert reply is not None
        assert str(reply["result"]).lower() == "success"
        await wait_for(client, lambda s: s.is_busy)
        with pytest.raises(PrinterBusyError):
            await client.start_project_file("cube.gcode.3mf")
        await wait_for(client, lambda s: s.status is PrintState.FINISH)
        final = client.status
        assert final.progress_percent == 100
        assert final.subtask_name == "cube"
        assert final.total_layers == 20
        assert PrintState.RUNNING in states
    finally:
        await client.close()


async def test_authorization_firmware_is_reported(sim_printer: SimulatedBambuPrinter) -> None:
    client = BambuPrinterClient(
        sim_printer.ip, sim_printer.serial, ACCESS_CODE, model="P1S", settings=FAST
    )
    await client.connect()
    try:
        await client.wait_ready(10)
        await sim_printer.inject_fault("reject_commands", enabled=True)
        with pytest.raises(AuthorizationFirmwareError):
            await client.send_gcode("G28", reply_timeout=10)
        assert client.authorization_blocked
        with pytest.raises(AuthorizationFirmwareError):
            await client.pause()
    finally:
        await client.close()
