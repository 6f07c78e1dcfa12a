"""Printers announcing themselves on the LAN (SSDP), kept while the hub is loaded.

Subentry flows cannot be started by a discovery source, so discovered printers that are not
configured yet are offered by the "Add printer" flow's first step. The listeners start when the
hub has a printer (a configured printer that announces a new address gets it: DHCP moved it) or
the first time that step needs them, and run until the hub unloads.
"""

from __future__ import annotations

from collections.abc import Callable, Container
import logging
import time

from ..bambu import DiscoveredPrinter, DiscoveryListener

_LOGGER = logging.getLogger(__name__)


class PrinterDiscovery:
    """Listens on every configured address; remembers the latest announcement per serial."""

    def __init__(
        self,
        binds: tuple[tuple[str, int, str | None], ...],
        *,
        max_age: float,
        clock: Callable[[], float] = time.monotonic,
        on_found: Callable[[DiscoveredPrinter], None] | None = None,
    ) -> None:
        self._binds = binds
        self._max_age = max_age
        self._clock = clock
        self._on_found = on_found
        self._listeners: list[DiscoveryListener] = []
        self.started = False
        self._found: dict[str, tuple[DiscoveredPrinter, float]] = {}

    @property
    def addresses(self) -> list[tuple[str, int]]:
        """Where it listens (bound host and port of each listener)."""
        return [address for listener in self._listeners if (address := listener.address)]

    async def async_start(self) -> None:
        if self.started:
            return
        self.started = True
        for host, port, group in self._binds:
            listener = DiscoveryListener(
                self._found_printer, host=host, port=port, multicast_group=group
            )
            try:
                await listener.start()
            except (OSError, RuntimeError) as err:  # RuntimeError: sandboxes forbidding sockets
                _LOGGER.info(
                    "Printer discovery cannot listen on %s:%s (%s); printers can still be added "
                    "by IP address",
                    host,
                    port,
                    err,
                )
                continue
            self._listeners.append(listener)

    def stop(self) -> None:
        self.started = False
        listeners, self._listeners = self._listeners, []
        for listener in listeners:
            listener.stop()

    def _found_printer(self, printer: DiscoveredPrinter) -> None:
        if printer.serial not in self._found:
            _LOGGER.debug("Discovered printer %s at %s", printer.serial, printer.ip_address)
        self._found[printer.serial] = (printer, self._clock())
        if self._on_found is not None:
            self._on_found(printer)

    def unconfigured(self, configured_serials: Container[str]) -> list[DiscoveredPrinter]:
        """Printers heard recently that are not configured, by name then serial."""
        now = self._clock()
        for serial, (_printer, seen) in list(self._found.items()):
            if now - seen > self._max_age:
                del self._found[serial]
        printers = [
            printer
            for printer, _seen in self._found.values()
            if printer.serial not in configured_serials
        ]
        return sorted(printers, key=lambda p: ((p.name or "").casefold(), p.serial))

    def get(self, serial: str) -> DiscoveredPrinter | None:
        found = self._found.get(serial)
        return found[0] if found is not None else None
