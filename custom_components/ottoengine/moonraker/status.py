"""The OttoEject's status (ONLINE / EJECTING / OFFLINE / ISSUE) and how it is derived.

Order of evaluation (moonraker-klipper.md, section 6; the seed only read ``idle_timeout``):

1. Moonraker unreachable, or Klippy not connected to it: OFFLINE.
2. Klippy starting up (or in a state this client does not know): OFFLINE (not usable yet).
3. Klippy ``error`` / ``shutdown``: ISSUE (frozen ``idle_timeout``/``print_stats`` ignored).
4. Klippy ready and busy (our macro request outstanding, ``idle_timeout`` Printing,
   ``print_stats`` printing/paused): EJECTING.
5. Klippy ready otherwise: ONLINE.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EjectorStatus(StrEnum):
    """The seed API's OttoEject status values."""

    ONLINE = "ONLINE"
    EJECTING = "EJECTING"
    OFFLINE = "OFFLINE"
    ISSUE = "ISSUE"


BUSY_PRINT_STATES = frozenset({"printing", "paused"})
ISSUE_KLIPPY_STATES = frozenset({"error", "shutdown"})


def derive_status(
    *,
    reachable: bool,
    klippy_connected: bool,
    klippy_state: str | None,
    idle_timeout_state: str | None = None,
    print_stats_state: str | None = None,
    macro_outstanding: bool = False,
) -> EjectorStatus:
    """The status from what Moonraker reports (pure; see the module docstring)."""
    if not reachable or not klippy_connected:
        return EjectorStatus.OFFLINE
    state = (klippy_state or "").lower()
    if state in ISSUE_KLIPPY_STATES:
        return EjectorStatus.ISSUE
    if state != "ready":
        return EjectorStatus.OFFLINE
    if (
        macro_outstanding
        or (idle_timeout_state or "").lower() == "printing"
        or (print_stats_state or "").lower() in BUSY_PRINT_STATES
    ):
        return EjectorStatus.EJECTING
    return EjectorStatus.ONLINE


@dataclass(frozen=True, slots=True)
class EjectorSnapshot:
    """What is known about the robot at one moment, and the status it implies."""

    reachable: bool
    klippy_connected: bool = False
    klippy_state: str | None = None
    state_message: str | None = None
    idle_timeout_state: str | None = None
    print_stats_state: str | None = None
    macro_outstanding: bool = False

    @property
    def status(self) -> EjectorStatus:
        return derive_status(
            reachable=self.reachable,
            klippy_connected=self.klippy_connected,
            klippy_state=self.klippy_state,
            idle_timeout_state=self.idle_timeout_state,
            print_stats_state=self.print_stats_state,
            macro_outstanding=self.macro_outstanding,
        )


OFFLINE_SNAPSHOT = EjectorSnapshot(reachable=False)
