"""`/api/printers` with a Klipper printer: the simulated K1C behind real Moonraker."""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus
import json
from pathlib import Path
import tempfile
from typing import Any
import urllib.request

from aiohttp import FormData
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.ottoengine.const import DOMAIN, HUB_TITLE
from custom_components.ottoengine.orchestrator.topology import current_topology

from ..farm_fixtures import FarmHandle
from ..helpers import setup_hub
from ..panel.helpers import subscribe
from ..sim.klipper_helpers import prusa_style_gcode
from .helpers import fault, wait_for
from .klipper_support import (
    K1C,
    fast_klipper,  # noqa: F401 - a fixture
    k1c,
    klipper_farm_fixture,
    klipper_of,
    klipper_registration,
    register_k1c,
    wait_klipper_online,
)

pytestmark = pytest.mark.usefixtures("loopback_enabled", "fast_klipper")
klipper_farm = klipper_farm_fixture()


@pytest.fixture(autouse=True)
def offline_robots() -> None:
    """The Klipper printer's status stream is the real one (the printers' conftest stops it)."""


@pytest.fixture(scope="module")
def gcode_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="otto-klipper-jobs-") as name:
        directory = Path(name)
        (directory / "benchy.gcode").write_text(
            prusa_style_gcode(minutes=20, layers=60, layer_height=0.3)
        )
        (directory / "long.gcode").write_text(
            prusa_style_gcode(minutes=600, layers=200, layer_height=0.3)
        )
        yield directory


@pytest.fixture(autouse=True)
def clean_farm(klipper_farm: FarmHandle) -> Iterator[None]:
    yield
    klipper_farm.reset()
    if klipper_farm.printer_truth(K1C)["print_state"] not in ("printing", "paused"):
        klipper_farm.operator("clear_printer_plate", printer=K1C)
    # The last print's state stays in print_stats until the next one: back to standby.
    printer = k1c(klipper_farm)
    url = f"http://{printer['ip']}:{printer['port']}/printer/gcode/script?script=SDCARD_RESET_FILE"
    with urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=10):
        pass


async def _status(client: Any, printer_id: int = 1) -> dict[str, Any]:
    response = await client.get(f"/api/printers/{printer_id}/status")
    assert response.status == HTTPStatus.OK
    return dict(await response.json())


async def test_register_list_get_update_delete(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    klipper_farm: FarmHandle,
    device_registry: dr.DeviceRegistry,
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    # Real Moonraker refuses a wrong key (even from a trusted address): a 400 naming it.
    refused = await client.post(
        "/api/printers", json=klipper_registration(klipper_farm, api_key="wrong-key")
    )
    assert refused.status == HTTPStatus.BAD_REQUEST
    assert (await refused.json())["field"] == "api_key"
    assert not entry.subentries

    response = await client.post("/api/printers", json=klipper_registration(klipper_farm))
    assert response.status == HTTPStatus.CREATED, await response.text()
    assert await response.json() == {
        "id": 1,
        "name": "K1C Left",
        "message": "Printer registered successfully",
    }
    await wait_klipper_online(entry, 1)

    # A printer subentry with the Klipper driver: no access code or serial number; its unique
    # id is the printer's Moonraker identity.
    (subentry,) = (s for s in entry.subentries.values() if s.subentry_type == "printer")
    assert str(subentry.unique_id).startswith("host:k1c-")
    assert subentry.data["driver"] == "klipper"
    assert subentry.data["port"] == 7125
    assert subentry.data["api_key"] is None
    assert "access_code" not in subentry.data
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"{entry.entry_id}_printer_1"), entry.entry_id
    )
    assert device is not None
    assert (device.manufacturer, device.model) == ("Creality", "K1C")

    listed = await (await client.get("/api/printers")).json()
    assert [(p["id"], p["name"], p["status"]) for p in listed] == [(1, "K1C Left", "IDLE")]
    assert listed[0]["macros"]["eject"] == "EJECT_FROM_CREALITY_K_ONE_C"
    details = await (await client.get("/api/printers/1")).json()
    assert "api_key" not in details
    assert details["brand"] == "Creality"
    assert details["driver"] == "klipper"
    assert details["serial_number"] is None
    assert details["port"] == 7125
    assert details["online"] is True
    assert isinstance(details["bed_temperature"], int | float)
    assert details["eject_position"] == {"axis": "Z", "position_mm": 200}
    status = await _status(client)
    assert status == {
        "id": 1,
        "name": "K1C Left",
        "brand": "Creality",
        "model": "K1C",
        "status": "IDLE",
        "current_stage": "IDLE",
        "progress_percent": 0,
        "remaining_time_minutes": 0,
        "online": True,
    }

    # The same printer again: a conflict naming the address.
    again = await client.post("/api/printers", json=klipper_registration(klipper_farm))
    assert again.status == HTTPStatus.CONFLICT
    assert (await again.json())["field"] == "ip_address"

    # Renamed.
    changed = await client.put("/api/printers/1", json={"name": "K1C Right"})
    assert changed.status == HTTPStatus.OK, await changed.text()
    assert (await changed.json())["name"] == "K1C Right"
    assert entry.subentries[subentry.subentry_id].title == "K1C Right"
    await wait_klipper_online(entry, 1)
    bad = await client.put("/api/printers/1", json={"serial_number": "01P00A000000001"})
    assert bad.status == HTTPStatus.BAD_REQUEST
    assert (await bad.json())["field"] == "serial_number"

    deleted = await client.delete("/api/printers/1")
    assert deleted.status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert await (await client.get("/api/printers")).json() == []
    assert entry.runtime_data.printers.klipper_coordinators == {}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"model": "P1S"}, "model"),
        ({"brand": "Prusa", "type": "Klipper"}, "brand"),
        ({"port": 0}, "port"),
        ({"port": "seventy"}, "port"),
        ({"ip_address": "http://printer/"}, "ip_address"),
        ({"api_key": "has space"}, "api_key"),
        ({"name": "  "}, "name"),
    ],
)
async def test_bad_registrations_name_the_field(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    klipper_farm: FarmHandle,
    changes: dict[str, Any],
    field: str,
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    response = await client.post(
        "/api/printers", json=klipper_registration(klipper_farm, **changes)
    )
    assert response.status == HTTPStatus.BAD_REQUEST, await response.text()
    assert (await response.json())["field"] == field
    assert not entry.subentries


async def test_an_ottoeject_is_not_a_printer_and_an_offline_printer_is_registered(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, klipper_farm: FarmHandle
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    robot = klipper_farm.description["ejectors"][0]
    response = await client.post(
        "/api/printers",
        json=klipper_registration(klipper_farm, ip_address=robot["ip"], port=robot["port"]),
    )
    assert response.status == HTTPStatus.BAD_REQUEST
    body = await response.json()
    assert body["field"] == "ip_address"
    assert "OttoEject" in body["message"]

    # Nothing answers: registered all the same, offline, without a unique id yet. Its key is
    # stored, never answered.
    response = await client.post(
        "/api/printers",
        json=klipper_registration(
            klipper_farm,
            ip_address="127.0.3.250",
            brand=None,
            type="Klipper",
            api_key="s3cret-key",
        ),
    )
    assert response.status == HTTPStatus.CREATED
    (subentry,) = entry.subentries.values()
    assert subentry.unique_id is None
    assert subentry.data["brand"] == "Creality"
    assert subentry.data["api_key"] == "s3cret-key"
    for path in ("/api/printers", "/api/printers/1", "/api/printers/1/status"):
        assert "s3cret-key" not in await (await client.get(path)).text()
    assert await async_setup_component(hass, "diagnostics", {})
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert "s3cret-key" not in str(diagnostics)
    assert diagnostics["klipper_printers"]["1"]["status"]["state"] == "OFFLINE"
    assert (await _status(client))["status"] == "OFFLINE"
    paused = await client.post("/api/printers/1/pause")
    assert paused.status == HTTPStatus.SERVICE_UNAVAILABLE
    bad = await client.put("/api/printers/1", json={"has_build_plate": "yes"})
    assert bad.status == HTTPStatus.BAD_REQUEST
    assert (await bad.json())["field"] == "has_build_plate"

    # Moved to the printer's real address: it connects, and its Moonraker identity becomes
    # the subentry's unique id.
    printer = k1c(klipper_farm)
    moved = await client.put(
        "/api/printers/1",
        json={"ip_address": printer["ip"], "api_key": None, "has_build_plate": True},
    )
    assert moved.status == HTTPStatus.OK, await moved.text()
    assert (await moved.json())["has_build_plate"] is True
    await wait_klipper_online(entry, 1)
    await wait_for(
        lambda: str(entry.subentries[subentry.subentry_id].unique_id).startswith("host:k1c-"),
        20,
        "identity adopted",
    )
    # The orchestrator plans with it: the K1C's robot macros and eject position.
    setup = current_topology(entry.runtime_data).printers[1]
    assert setup.macros.eject == "EJECT_FROM_CREALITY_K_ONE_C"
    assert setup.bed.position_mm == 200
    assert entry.runtime_data.printers.printer(1) is klipper_of(entry, 1).port
    # Another registration of the same printer at the same address: a conflict.
    again = await client.post(
        "/api/printers", json=klipper_registration(klipper_farm, has_build_plate=False)
    )
    assert again.status == HTTPStatus.CONFLICT


async def test_a_whole_print_over_rest(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    klipper_farm: FarmHandle,
    gcode_dir: Path,
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    await register_k1c(client, klipper_farm, brand="Klipper")
    await wait_klipper_online(entry, 1)
    form = FormData()
    form.add_field("file", (gcode_dir / "benchy.gcode").read_bytes(), filename="benchy.gcode")
    uploaded = await client.post("/api/printers/1/upload", data=form)
    assert uploaded.status == HTTPStatus.OK, await uploaded.text()
    assert (await uploaded.json())["filename"] == "benchy.gcode"
    files = (await hass.async_add_executor_job(klipper_farm.truth))["devices"]["printers"][K1C]
    assert "benchy.gcode" in json.dumps(files["files"])

    started = await client.post("/api/printers/1/start-print", json={"filename": "benchy.gcode"})
    assert started.status == HTTPStatus.ACCEPTED, await started.text()
    coordinator = klipper_of(entry, 1)
    await wait_for(lambda: coordinator.data.state.value == "RUNNING", 60, "printing")
    status = await _status(client)
    assert status["status"] == "RUNNING"
    await wait_for(lambda: coordinator.data.progress_percent > 0, 60, "progress")
    details = await (await client.get("/api/printers/1")).json()
    assert details["nozzle_target_temperature"] == 215
    assert details["total_layers"] == 60
    await wait_for(lambda: coordinator.data.state.value == "FINISH", 120, "finished")
    status = await _status(client)
    assert (status["status"], status["progress_percent"]) == ("FINISH", 100)


async def test_pause_resume_stop_and_moonraker_down(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    klipper_farm: FarmHandle,
    gcode_dir: Path,
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    await register_k1c(client, klipper_farm)
    await wait_klipper_online(entry, 1)
    coordinator = klipper_of(entry, 1)
    form = FormData()
    form.add_field("file", (gcode_dir / "long.gcode").read_bytes(), filename="long.gcode")
    assert (await client.post("/api/printers/1/upload", data=form)).status == HTTPStatus.OK
    started = await client.post("/api/printers/1/start-print", json={"filename": "long.gcode"})
    assert started.status == HTTPStatus.ACCEPTED
    await wait_for(lambda: coordinator.data.state.value == "RUNNING", 60, "printing")

    assert (await client.post("/api/printers/1/pause")).status == HTTPStatus.ACCEPTED
    await wait_for(lambda: coordinator.data.state.value == "PAUSED", 30, "paused")
    assert (await _status(client))["status"] == "PAUSE"
    assert (await client.post("/api/printers/1/resume")).status == HTTPStatus.ACCEPTED
    await wait_for(lambda: coordinator.data.state.value == "RUNNING", 30, "resumed")
    gcode = await client.post("/api/printers/1/send-gcode", json={"gcode": "M117 hello"})
    assert gcode.status == HTTPStatus.ACCEPTED

    # Moonraker goes away: offline, and commands are 503 (printer offline).
    await fault(hass, klipper_farm, K1C, "moonraker_down")
    await wait_for(lambda: not coordinator.online, 30, "offline")
    assert (await _status(client))["status"] == "OFFLINE"
    refused = await client.post("/api/printers/1/stop")
    assert refused.status == HTTPStatus.SERVICE_UNAVAILABLE
    await fault(hass, klipper_farm, K1C, "moonraker_up")
    await wait_for(lambda: coordinator.online, 30, "back online")

    assert (await client.post("/api/printers/1/stop")).status == HTTPStatus.ACCEPTED
    await wait_for(lambda: coordinator.data.state.value == "FAILED", 30, "cancelled")
    status = await _status(client)
    assert (status["status"], status["current_stage"]) == ("FAILED", "cancelled")


async def test_bambu_registration_still_requires_the_access_code(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, klipper_farm: FarmHandle
) -> None:
    await setup_hub(hass)
    client = await hass_client()
    printer = k1c(klipper_farm)
    response = await client.post(
        "/api/printers",
        json={
            "name": "P",
            "model": "P1S",
            "ip_address": printer["ip"],
            "serial_number": "01P00A000000001",
        },
    )
    assert response.status == HTTPStatus.BAD_REQUEST
    assert (await response.json())["field"] == "access_code"


async def test_the_panel_shows_it_and_its_plate_can_be_cleared(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_ws_client: WebSocketGenerator,
    klipper_farm: FarmHandle,
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    await register_k1c(client, klipper_farm)
    await wait_klipper_online(entry, 1)
    ws = await hass_ws_client()
    _, farm = await subscribe(ws)
    shown = farm["printers"]["1"]
    assert (shown["name"], shown["model"], shown["online"]) == ("K1C Left", "K1C", True)
    assert (shown["status"], shown["stage"], shown["progress"]) == ("IDLE", "IDLE", 0)
    assert isinstance(shown["bed_temperature"], int | float)
    assert shown["chamber_temperature"] is None
    cleared = await client.post("/api/printers/1/plate-cleared")
    assert cleared.status == HTTPStatus.OK, await cleared.text()
    assert (await client.post("/api/printers/9/plate-cleared")).status == HTTPStatus.NOT_FOUND
    # Offline: the panel says so.
    await fault(hass, klipper_farm, K1C, "moonraker_down")
    await wait_for(lambda: not klipper_of(entry, 1).online, 30, "offline")
    _, farm = await subscribe(await hass_ws_client())
    assert farm["printers"]["1"]["status"] == "OFFLINE"
    assert farm["printers"]["1"]["bed_temperature"] is None


async def test_two_subentries_of_one_printer_keep_one_identity(
    hass: HomeAssistant, klipper_farm: FarmHandle, caplog: pytest.LogCaptureFixture
) -> None:
    printer = k1c(klipper_farm)
    data = {
        "brand": "Creality",
        "model": "K1C",
        "type": "FDM",
        "ip_address": printer["ip"],
        "driver": "klipper",
        "port": printer["port"],
        "api_key": None,
    }
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=HUB_TITLE,
        data={},
        subentries_data=[
            ConfigSubentryData(
                data={"id": number, "name": f"K{number}", **data},
                subentry_type="printer",
                title=f"K{number}",
                unique_id=None,
            )
            for number in (1, 2)
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await wait_klipper_online(entry, 1)
    await wait_klipper_online(entry, 2)
    await wait_for(lambda: "is the same printer as" in caplog.text, 20, "the warning")
    identities = [subentry.unique_id for subentry in entry.subentries.values()]
    assert identities.count(None) == 1
    assert str(next(i for i in identities if i is not None)).startswith("host:k1c-")
