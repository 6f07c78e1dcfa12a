"""The Moonraker client and status stream against real Moonraker + the simulated Klippy."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
import functools

import aiohttp
import pytest
import pytest_asyncio
import pytest_socket

from custom_components.ottoengine.moonraker import (
    EjectorSnapshot,
    EjectorStatus,
    InvalidMacroError,
    MacroAckTimeout,
    MoonrakerAuthError,
    MoonrakerClient,
    MoonrakerConnectionError,
    MoonrakerError,
    MoonrakerStatusStream,
    UnknownMacroError,
)
from ottosim.addresses import EJECTOR_NETWORK, AddressLease
from ottosim.ottoeject import SimulatedOttoEject
from ottosim.ottoeject.moonraker_process import STARTUP_TIMEOUT
from ottosim.world import World
from tests.conftest import LOOPBACK_NETWORKS

pytestmark = pytest.mark.asyncio(loop_scope="module")

# Leased (locked) until the test run ends: parallel runs on this machine never share it.
_LEASE = AddressLease()
HOST = _LEASE.take(EJECTOR_NETWORK, [7125], 1)[0]
API_KEY = "0123456789abcdef0123456789abcdef"


# Every wait follows the code's own timing, never a short fixed budget: the slowest thing waited
# for is Moonraker (re)starting and Klippy getting ready (the simulator's own bound), then the
# status stream noticing it (a poll) and reconnecting (its longest backoff), with room for a
# machine under load.
STREAM_POLL_S, STREAM_RECONNECT_MAX_S = 0.3, 0.5
SETTLE_S = STARTUP_TIMEOUT + 4 * (STREAM_POLL_S + STREAM_RECONNECT_MAX_S)


async def wait_for(
    check: Callable[[], Awaitable[bool] | bool],
    timeout: float = SETTLE_S,
    state: Callable[[], str] | None = None,
) -> None:
    """Poll ``check``; on time-out the message says ``state()`` (what was seen instead)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = check()
        if await result if isinstance(result, Awaitable) else result:
            return
        assert loop.time() < deadline, "condition not reached in time" + (
            f": {state()}" if state is not None else ""
        )
        await asyncio.sleep(0.05)


def _stream_state(stream: MoonrakerStatusStream, round_: int) -> str:
    """What a stuck reconnect looks like (a failure seen once in 4 runs under CPU stress)."""
    return (
        f"round {round_}: status {stream.status}, snapshot {stream.snapshot}, websocket "
        f"connected {stream.websocket_connected}, connects {stream.connects}, task "
        f"{stream._task!r}"
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def robot(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[SimulatedOttoEject]:
    pytest_socket.enable_socket()
    pytest_socket.socket_allow_hosts(LOOPBACK_NETWORKS, allow_unix_socket=True)
    world = World()
    world.add_printer("p1s-1", "P1S")
    world.add_printer("h2d-1", "H2D")
    world.add_rack("rack-1", 4, empty_plates=(4,))
    world.add_ejector("ottoeject-7", "rack-1")
    ejector = SimulatedOttoEject(
        world,
        name="ottoeject-7",
        rack="rack-1",
        host=HOST,
        api_key=API_KEY,
        workdir=tmp_path_factory.mktemp("ottoeject"),
        time_scale=0.05,
        macro_seconds={"PARK_OTTOEJECT": 30.0},  # 1.5 s: longer than the ack timeouts below
    )
    await ejector.start()
    yield ejector
    await ejector.stop()


@pytest_asyncio.fixture(loop_scope="module")
async def client(
    robot: SimulatedOttoEject, loopback_enabled: None
) -> AsyncIterator[MoonrakerClient]:
    async with aiohttp.ClientSession() as session:
        moonraker = MoonrakerClient(session, HOST, api_key=API_KEY, timeout=5.0)
        if robot.klippy.state != "ready" or not robot.moonraker.running:
            if not robot.moonraker.running:
                await robot.inject_fault("moonraker_up")
            await robot.inject_fault("firmware_restart")
        await wait_for(lambda: _status_is(moonraker, EjectorStatus.ONLINE))
        yield moonraker


async def _status_is(client: MoonrakerClient, expected: EjectorStatus) -> bool:
    return await client.status() == expected


async def test_information_calls(client: MoonrakerClient) -> None:
    info = await client.server_info()
    assert (info["klippy_connected"], info["klippy_state"]) == (True, "ready")
    assert (await client.printer_info())["hostname"] == "ottoeject-7"
    assert "cpu_info" in await client.system_info()
    identity = await client.identity()
    assert (identity.unique_id, identity.source) == ("host:ottoeject-7", "hostname")
    objects = await client.objects_list()
    assert "gcode_macro STORE_TO_SLOT_4" in objects
    status = await client.objects_query({"idle_timeout": ["state"], "webhooks": None, "nope": None})
    assert status["idle_timeout"] == {"state": "Idle"} or status["idle_timeout"]["state"] == "Ready"
    assert status["webhooks"]["state"] == "ready"
    assert status["nope"] == {}
    assert "EJECT_FROM_BAMBULAB_H_TWO_D" in await client.macros()


async def test_wrong_api_key_and_unreachable(
    robot: SimulatedOttoEject, client: MoonrakerClient
) -> None:
    wrong = MoonrakerClient(client.session, HOST, api_key="f" * 32)
    with pytest.raises(MoonrakerAuthError):
        await wrong.server_info()
    nobody = MoonrakerClient(client.session, "127.0.2.250", timeout=2.0)
    with pytest.raises(MoonrakerConnectionError):
        await nobody.server_info()
    assert await nobody.status() is EjectorStatus.OFFLINE


async def test_run_macro_and_validation(robot: SimulatedOttoEject, client: MoonrakerClient) -> None:
    assert await client.run_macro("OTTOEJECT_HOME") == {"result": "ok"}
    with pytest.raises(UnknownMacroError):
        await client.run_macro("G28")
    with pytest.raises(InvalidMacroError):
        await client.run_macro("OTTOEJECT_HOME\nM112")
    with pytest.raises(InvalidMacroError):
        await client.run_macro("OTTOEJECT_HOME", {"X": "1 M112"})
    robot.world.move_bed("p1s-1", z_mm=10)
    with pytest.raises(MoonrakerError) as caught:
        await client.run_macro("EJECT_FROM_BAMBULAB_P_ONE_S")
    assert caught.value.code == 400
    assert "collision, EJECT from p1s-1 with its bed at Z 10" in caught.value.message
    robot.world.violations.clear()


async def test_vanished_macro_reports_unknown_command(
    robot: SimulatedOttoEject, client: MoonrakerClient
) -> None:
    assert "LOAD_ONTO_BAMBULAB_H_TWO_D" in await client.macros()  # cached now
    del robot.world.printers["h2d-1"]
    await robot.inject_fault("firmware_restart")  # printer.cfg re-read: the H2D macros are gone
    await wait_for(lambda: robot.klippy.state == "ready")
    await wait_for(lambda: _status_is(client, EjectorStatus.ONLINE))
    with pytest.raises(MoonrakerError, match='Unknown command:"LOAD_ONTO_BAMBULAB_H_TWO_D"'):
        await client.run_macro("LOAD_ONTO_BAMBULAB_H_TWO_D")
    with pytest.raises(UnknownMacroError):  # the miss refreshed the cache
        await client.run_macro("LOAD_ONTO_BAMBULAB_H_TWO_D")


async def test_macro_longer_than_ack_timeout(client: MoonrakerClient) -> None:
    with pytest.raises(MacroAckTimeout) as caught:
        await client.run_macro("PARK_OTTOEJECT", ack_timeout=0.3)
    assert caught.value.macro == "PARK_OTTOEJECT"
    assert await client.status() is EjectorStatus.EJECTING
    await wait_for(lambda: _status_is(client, EjectorStatus.ONLINE))


async def test_emergency_stop_is_issue_until_firmware_restart(client: MoonrakerClient) -> None:
    await client.emergency_stop()
    await wait_for(lambda: _status_is(client, EjectorStatus.ISSUE))
    snapshot = await client.fetch_snapshot()
    assert "Shutdown due to webhooks request" in (snapshot.state_message or "")
    await client.firmware_restart()
    await wait_for(lambda: _status_is(client, EjectorStatus.ONLINE))


async def test_moonraker_down_is_offline_then_recovers(
    robot: SimulatedOttoEject, client: MoonrakerClient
) -> None:
    await robot.inject_fault("moonraker_down")
    assert await client.status() is EjectorStatus.OFFLINE
    with pytest.raises(MoonrakerConnectionError):
        await client.run_macro("OTTOEJECT_HOME")
    await robot.inject_fault("moonraker_up")
    await wait_for(lambda: _status_is(client, EjectorStatus.ONLINE))


async def test_status_stream_follows_the_robot_without_leaking(
    robot: SimulatedOttoEject, client: MoonrakerClient
) -> None:
    seen: list[EjectorStatus] = []

    def on_change(snapshot: EjectorSnapshot) -> None:
        if not seen or seen[-1] != snapshot.status:
            seen.append(snapshot.status)

    stream = MoonrakerStatusStream(
        client,
        on_change,
        poll_interval=STREAM_POLL_S,
        reconnect_min=0.2,
        reconnect_max=STREAM_RECONNECT_MAX_S,
    )
    await stream.start()
    try:
        await wait_for(lambda: stream.websocket_connected and stream.status is EjectorStatus.ONLINE)
        assert (await client.server_info())["websocket_count"] == 1

        # A macro: EJECTING (our request, then idle_timeout via the subscription), then ONLINE.
        await client.run_macro("OTTOEJECT_HOME")
        await wait_for(lambda: stream.status is EjectorStatus.ONLINE)
        assert EjectorStatus.EJECTING in seen
        seen.clear()

        # Klippy shutdown: ISSUE; FIRMWARE_RESTART: OFFLINE (disconnected), re-subscribed, ONLINE.
        await robot.inject_fault("shutdown")
        await wait_for(lambda: stream.status is EjectorStatus.ISSUE)
        await client.firmware_restart()
        await wait_for(lambda: stream.status is EjectorStatus.ONLINE)
        assert seen[:1] == [EjectorStatus.ISSUE]
        seen.clear()
        with pytest.raises(MacroAckTimeout):
            await client.run_macro("PARK_OTTOEJECT", ack_timeout=0.2)
        await wait_for(lambda: stream.status is EjectorStatus.ONLINE)
        assert seen == [EjectorStatus.EJECTING, EjectorStatus.ONLINE]  # via the new subscription

        # Moonraker down twice: OFFLINE by polling, reconnects, never more than one websocket.
        for round_ in range(2):
            await robot.inject_fault("moonraker_down")
            await wait_for(
                lambda: stream.status is EjectorStatus.OFFLINE,
                state=functools.partial(_stream_state, stream, round_),
            )
            assert not stream.websocket_connected
            await robot.inject_fault("moonraker_up")
            await wait_for(
                lambda: stream.websocket_connected and stream.status is EjectorStatus.ONLINE,
                state=functools.partial(_stream_state, stream, round_),
            )
            assert (await client.server_info())["websocket_count"] == 1
        assert stream.connects == 3
    finally:
        await stream.stop()
    assert not stream.websocket_connected
    await wait_for(lambda: _websocket_count_is(client, 0))


async def _websocket_count_is(client: MoonrakerClient, count: int) -> bool:
    return (await client.server_info())["websocket_count"] == count
