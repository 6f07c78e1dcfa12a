"""A simulated OttoEject (real Moonraker + simulated Klippy) shared by the tests of a module.

Home Assistant's test harness gives every test its own event loop, so the robot runs in a
thread with its own loop for the whole module; tests reach it over loopback like a real robot
and drive its faults through ``RobotThread.call``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import sqlite3
import threading
from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import pytest_socket

from custom_components.ottoengine.const import DOMAIN, HUB_TITLE
from custom_components.ottoengine.ottoeject import coordinator as coordinator_module
from custom_components.ottoengine.ottoeject.settings import CONF_MACRO_ACK_TIMEOUT
from ottosim.addresses import EJECTOR_NETWORK, AddressLease
from ottosim.ottoeject import SimulatedOttoEject
from ottosim.ottoeject.moonraker_process import STARTUP_TIMEOUT
from ottosim.world import World
from tests.conftest import LOOPBACK_NETWORKS

ROBOT_NAME = "ottoeject-1"
API_KEY = "0123456789abcdef0123456789abcdef"
ACK_TIMEOUT = 0.5
TIME_SCALE = 0.05  # OTTOEJECT_HOME takes 0.3 s
START_ATTEMPTS = 3
LONG_MACRO = "PARK_OTTOEJECT"  # 2 s: longer than the acknowledgement timeout
LONG_MACRO_S = 40.0  # its simulated duration (x TIME_SCALE = 2 s)


# Addresses are leased (locked) for the whole test run: parallel runs on this machine (other
# checkouts, the farm simulator) never put their Moonraker on the same address.
_LEASE = AddressLease()


def lease_address() -> str:
    """A free OttoEject address (127.0.2.N) held until the test run ends."""
    return _LEASE.take(EJECTOR_NETWORK, [7125], 1)[0]


class RobotThread:
    """A ``SimulatedOttoEject`` running on its own event loop in a thread."""

    def __init__(self, host: str, workdir: Path) -> None:
        self.host = host
        self.port = 7125
        self.api_key = API_KEY
        self._workdir = workdir
        self.loop = asyncio.new_event_loop()
        # One executor thread, started now: the harness fails tests that leave new threads.
        self.loop.set_default_executor(ThreadPoolExecutor(1, thread_name_prefix="robot-exec"))
        self._thread = threading.Thread(
            target=self.loop.run_forever, name=f"robot-{host}", daemon=True
        )
        self.robot: SimulatedOttoEject | None = None

    @property
    def identity(self) -> str:
        return f"host:{ROBOT_NAME}"

    def start(self) -> None:
        self._thread.start()
        self.robot = self.call(self._start())

    async def _start(self) -> SimulatedOttoEject:
        await asyncio.get_running_loop().run_in_executor(None, lambda: None)
        for attempt in range(1, START_ATTEMPTS + 1):
            robot = self._new_robot(self._workdir / f"attempt-{attempt}")
            try:
                await robot.start()
            except sqlite3.OperationalError:
                # The simulator's first start can race Moonraker creating its database under
                # load (``no such table: authorized_users``); a fresh data folder succeeds.
                if attempt == START_ATTEMPTS:
                    raise
            else:
                return robot
        raise AssertionError("unreachable")

    def _new_robot(self, workdir: Path) -> SimulatedOttoEject:
        world = World()
        world.add_printer("p1s-1", "P1S")
        world.add_rack("rack-1", 4, empty_plates=(4,))
        world.add_ejector(ROBOT_NAME, "rack-1")
        return SimulatedOttoEject(
            world,
            name=ROBOT_NAME,
            rack="rack-1",
            host=self.host,
            api_key=self.api_key,
            workdir=workdir,
            time_scale=TIME_SCALE,
            macro_seconds={LONG_MACRO: LONG_MACRO_S, "EJECT_FROM": 2.0},
        )

    def stop(self) -> None:
        if self.robot is not None:
            self.call(self.robot.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.run_until_complete(self.loop.shutdown_default_executor())
        self.loop.close()

    def call[T](self, awaitable: Coroutine[Any, Any, T]) -> T:
        """Run on the robot's loop and wait (from a synchronous fixture)."""
        return asyncio.run_coroutine_threadsafe(awaitable, self.loop).result(60)

    async def acall[T](self, awaitable: Coroutine[Any, Any, T]) -> T:
        """Run on the robot's loop and await it (from a test)."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(awaitable, self.loop))

    async def fault(self, fault: str, **params: Any) -> None:
        assert self.robot is not None
        await self.acall(self.robot.inject_fault(fault, **params))

    async def restart_klippy(self) -> None:
        """FIRMWARE_RESTART, returning once Moonraker reports Klippy ready again."""
        await self.acall(self._restart_klippy())

    async def _restart_klippy(self) -> None:
        assert self.robot is not None
        klippy = self.robot.klippy
        klippy.restart()
        task = klippy._lifecycle_task
        assert task is not None
        await task
        await self.robot.moonraker.wait_klippy_state("ready")

    @property
    def klippy_state(self) -> str:
        assert self.robot is not None
        return self.robot.klippy.state

    async def ensure_ready(self) -> None:
        """Undo the faults a previous test left (Moonraker down, Klippy shut down)."""
        assert self.robot is not None
        if not self.robot.moonraker.running:
            await self.fault("moonraker_up")
        if self.robot.klippy.state != "ready":
            await self.restart_klippy()


def robot_fixture(host: str) -> Any:
    """A module-scoped fixture running one simulated OttoEject at ``host``."""

    @pytest.fixture(scope="module")
    def robot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RobotThread]:
        pytest_socket.enable_socket()
        pytest_socket.socket_allow_hosts(LOOPBACK_NETWORKS, allow_unix_socket=True)
        thread = RobotThread(host, tmp_path_factory.mktemp("ottoeject"))
        try:
            thread.start()
            yield thread
        finally:
            thread.stop()

    return robot


def settle_s() -> float:
    """How long the coordinator may take to see a change: Moonraker (re)starting and Klippy
    getting ready (the simulator's own bound), then the status stream's poll and longest
    reconnect backoff in effect (read when waiting: the tests' fixture shortens them), with
    room for a machine under load."""
    stream = coordinator_module.STREAM_POLL_INTERVAL + coordinator_module.STREAM_RECONNECT_MAX
    return STARTUP_TIMEOUT + 4 * stream


async def wait_for(
    check: Callable[[], Awaitable[bool] | bool], timeout: float | None = None
) -> None:
    """Poll ``check`` until it holds; ``timeout`` defaults to ``settle_s()``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + (settle_s() if timeout is None else timeout)
    while True:
        result = check()
        if await result if isinstance(result, Awaitable) else result:
            return
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


async def setup_hub(
    hass: HomeAssistant, subentries: list[Any] | None = None, **options: Any
) -> MockConfigEntry:
    """The hub with a short macro acknowledgement timeout (and optional subentries)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=HUB_TITLE,
        data={},
        options={CONF_MACRO_ACK_TIMEOUT: ACK_TIMEOUT, **options},
        subentries_data=subentries or [],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry
