"""Timing settings of a printer connection (defaults follow the protocol reference)."""

from __future__ import annotations

from dataclasses import dataclass

MQTT_PORT = 8883
MQTT_USERNAME = "bblp"


@dataclass(frozen=True, slots=True)
class ConnectionSettings:
    """How a :class:`~.client.BambuPrinterClient` connects, reconnects and watches silence."""

    port: int = MQTT_PORT
    connect_timeout: float = 15.0  # TCP + TLS + CONNACK + SUBACK
    keepalive: int = 30  # MQTT keepalive, seconds
    backoff_initial: float = 1.0  # first reconnect delay, doubled per failure
    backoff_max: float = 30.0  # reconnect delay cap
    resync_after: float = 30.0  # silence before asking for pushes again (start + pushall)
    offline_after: float = 60.0  # silence before the printer is reported offline
    reconnect_cooldown: float = 30.0  # minimum time between silence-forced reconnects
    publish_timeout: float = 10.0  # wait for the broker's PUBACK of a command
    misc_interval: float = 1.0  # paho loop_misc period (keepalive pings)

    def backoff(self, failures: int) -> float:
        """Delay before the next attempt after ``failures`` consecutive failures (>= 1)."""
        return min(self.backoff_max, self.backoff_initial * 2.0 ** max(0, failures - 1))

    @property
    def watch_interval(self) -> float:
        """How often silence is checked."""
        return max(0.02, min(1.0, self.resync_after / 4, self.offline_after / 4))
