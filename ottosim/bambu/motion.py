"""Bed motion from G-code sent with ``gcode_line``.

Only what moves the build plate matters to the farm: ``G0``/``G1`` on the bed axis (Z on
P1P/P1S/X1C, where the bed moves down; Y on the A1 bed slinger), ``G28`` (homing), ``G90`` /
``G91`` (absolute / relative), ``F`` feed rates (mm/min). Moves take time: the plate reaches its
target ``distance / feed rate`` (simulated) seconds later, like a real bed at F600 taking 20 s to
drop 200 mm.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
import re

DEFAULT_FEED_MM_MIN = 600.0
HOME_POSITION_MM = 0.0
BED_TRAVEL_MM = 256.0
_WORD = re.compile(r"([A-Z])\s*([-+]?[0-9]*\.?[0-9]+)")


@dataclass
class BedMove:
    target_mm: float
    speed_mm_s: float


class BedMotion:
    """Parses G-code into bed moves and plays them back over simulated time."""

    def __init__(self, axis: str, position_mm: float) -> None:
        self.axis = axis.upper()  # "Z" or "Y"
        self.position_mm = position_mm
        self._absolute = True
        self._feed_mm_min = DEFAULT_FEED_MM_MIN
        self._queue: deque[BedMove] = deque()

    @property
    def moving(self) -> bool:
        return bool(self._queue)

    def reset(self, position_mm: float) -> None:
        """The firmware moved the bed itself (a print started): forget queued moves."""
        self._queue.clear()
        self.position_mm = position_mm

    def feed(self, gcode: str) -> None:
        """Queue the bed moves of one or more G-code lines."""
        planned = self._queue[-1].target_mm if self._queue else self.position_mm
        for raw in gcode.splitlines():
            line = raw.split(";", 1)[0].strip().upper()
            if not line:
                continue
            words = dict(_WORD.findall(line))
            command = line.split()[0]
            if command == "G90":
                self._absolute = True
            elif command == "G91":
                self._absolute = False
            elif command in {"G0", "G1"}:
                if "F" in words:
                    self._feed_mm_min = max(1.0, float(words["F"]))
                if self.axis in words:
                    value = float(words[self.axis])
                    planned = value if self._absolute else planned + value
                    planned = max(0.0, min(planned, BED_TRAVEL_MM))
                    self._queue.append(BedMove(planned, self._feed_mm_min / 60.0))
            elif command == "G28" and (self.axis in line or not set(line[3:]) - {" "}):
                planned = HOME_POSITION_MM
                self._queue.append(BedMove(planned, DEFAULT_FEED_MM_MIN / 60.0))

    def advance(self, seconds: float) -> bool:
        """Play ``seconds`` of motion; ``True`` when the position changed."""
        moved = False
        while self._queue and seconds > 0:
            move = self._queue[0]
            distance = move.target_mm - self.position_mm
            step = move.speed_mm_s * seconds
            if abs(distance) <= step:
                seconds -= abs(distance) / move.speed_mm_s
                self.position_mm = move.target_mm
                self._queue.popleft()
            else:
                self.position_mm += step if distance > 0 else -step
                seconds = 0
            moved = True
        return moved
