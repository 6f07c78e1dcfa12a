"""A scripted printer "brain" on a real broker: answers the handshake, records requests.

It logs into the simulated broker's internal Unix-socket listener (not a LAN client: no TLS, no
access code) with a threaded paho client, publishes reports on ``device/<serial>/report`` and
records every request the driver publishes on ``device/<serial>/request``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import copy
import json
import threading
import time
from typing import Any

from paho.mqtt import client as paho
from paho.mqtt.enums import CallbackAPIVersion

from custom_components.ottoengine.bambu import ConnectionSettings
from ottosim.bambu.broker import INTERNAL_USER, MosquittoBroker

P1S_FULL_REPORT: dict[str, Any] = {
    "print": {
        "command": "push_status",
        "msg": 0,
        "sequence_id": "2041",
        "gcode_state": "IDLE",
        "print_type": "idle",
        "gcode_file": "",
        "subtask_name": "",
        "mc_percent": 0,
        "mc_remaining_time": 0,
        "stg_cur": 255,
        "nozzle_temper": 24.5,
        "nozzle_target_temper": 0.0,
        "bed_temper": 23.9,
        "bed_target_temper": 0.0,
        "print_error": 0,
        "hms": [],
        "wifi_signal": "-51dBm",
        "ams": {
            "ams": [
                {
                    "id": "0",
                    "tray": [
                        {"id": "0", "tray_type": "PLA", "tray_color": "1A1A1AFF", "remain": 82},
                        {"id": "1"},
                    ],
                }
            ],
            "tray_now": "0",
        },
        "vt_tray": {"id": "254", "tray_type": "", "tray_color": "00000000"},
    }
}

VERSION_REPLY: dict[str, Any] = {
    "info": {
        "command": "get_version",
        "sequence_id": "0",
        "result": "success",
        "reason": "",
        "module": [
            {
                "name": "ota",
                "sw_ver": "01.08.02.00",
                "hw_ver": "OTA",
                "sn": "01P00A000000000",
                "product_name": "Bambu Lab P1S",
            }
        ],
    }
}

# A request reaches the broker within the driver's PUBACK wait (its default publish timeout,
# never shorter than the tests' FAST one) and the brain within its reconnect delay; room for load.
BRAIN_RECONNECT_S = 1  # paho takes whole seconds
REQUEST_BUDGET_S = 4 * (ConnectionSettings().publish_timeout + BRAIN_RECONNECT_S)

ReplyRule = Callable[[str, dict[str, Any]], dict[str, Any] | None]


class FakePrinter:
    """The printer side of one broker (see the module docstring)."""

    def __init__(self, broker: MosquittoBroker, *, full_report: dict[str, Any] | None = None):
        self.serial = broker.serial
        self.full_report = copy.deepcopy(full_report or P1S_FULL_REPORT)
        self.answer_handshake = True
        self.reply_rule: ReplyRule | None = None
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._broker = broker
        self._connected = threading.Event()
        client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"brain-{self.serial}-{time.monotonic_ns()}",
            transport="unix",
        )
        client.username_pw_set(INTERNAL_USER, broker.internal_password)
        client.reconnect_delay_set(BRAIN_RECONNECT_S, BRAIN_RECONNECT_S)
        client.on_connect = self._on_connect
        client.on_message = self._on_message
        self._client = client

    # -- life cycle ----------------------------------------------------------------------------
    def start(self) -> None:
        self._connected.clear()
        deadline = time.monotonic() + 5
        while True:  # the broker opens its Unix socket a moment after its TCP port
            try:
                self._client.connect(str(self._broker.internal_socket))
                break
            except FileNotFoundError, ConnectionRefusedError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        self._client.loop_start()
        if not self._connected.wait(5):
            raise RuntimeError("fake printer could not log into its broker")

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    def _on_connect(self, client: paho.Client, *_args: Any) -> None:
        client.subscribe(f"device/{self.serial}/request", qos=1)
        self._connected.set()

    # -- printer behaviour ---------------------------------------------------------------------
    def publish(self, report: dict[str, Any]) -> None:
        self._client.publish(f"device/{self.serial}/report", json.dumps(report), qos=0)

    def _on_message(self, _client: paho.Client, _userdata: Any, msg: Any) -> None:
        request = json.loads(msg.payload)
        with self._lock:
            self.requests.append(request)
        kind, body = next(iter(request.items()))
        command = body.get("command")
        if self.answer_handshake and kind == "pushing" and command == "pushall":
            self.publish(self.full_report)
        elif self.answer_handshake and kind == "info" and command == "get_version":
            reply = copy.deepcopy(VERSION_REPLY)
            reply["info"]["sequence_id"] = body["sequence_id"]
            self.publish(reply)
        elif self.reply_rule is not None:
            scripted = self.reply_rule(kind, body)
            if scripted is not None:
                self.publish(scripted)

    def commands(self) -> list[str]:
        with self._lock:
            return [str(next(iter(r.values())).get("command")) for r in self.requests]

    def requests_for(self, command: str) -> list[dict[str, Any]]:
        with self._lock:
            return [r for r in self.requests if next(iter(r.values())).get("command") == command]

    async def wait_for_request(
        self, command: str, timeout: float = REQUEST_BUDGET_S
    ) -> dict[str, Any]:
        """The first recorded request with ``command`` (waiting for it if needed)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.requests_for(command)
            if found:
                return found[0]
            await asyncio.sleep(0.01)
        raise AssertionError(f"no {command!r} request reached the broker; got {self.commands()}")


def echo_reply(kind: str, body: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A printer reply echoing ``body`` with ``extra`` fields (e.g. result/reason)."""
    return {kind: {**body, **extra}}
