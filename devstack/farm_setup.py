"""Adds the simulated farm's devices to the OttoEngine hub through the REST API.

Idempotent and by identity, never by name (a device renamed over REST or in the UI keeps its
new name): a printer is its serial number, an OttoEject the hub's id recorded when the dev stack
added it (else its address ``ip:port``), a rack the recorded id (else its name, for a hub set up
before there was a record). Devices added by an earlier run get the addresses of this run.

What the dev stack added is recorded (``FarmRecord``, ``.dev/farm-added.json``, per hub entry):
a farm device that was added once and is no longer in the hub was deleted by the user, over REST
or in the UI, and stays deleted; only devices never added before are added.

Racks get the shelf contents the simulator's physical ground truth reports, so the hub starts
out knowing where the empty plates are, as an operator would after loading the racks.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import aiohttp

KINDS = ("printers", "ejectors", "racks")


class FarmRecord:
    """Which farm device became which hub id, for one hub entry; kept in a JSON file.

    Keys: a printer's serial number, an OttoEject's or a rack's name in the farm description
    (the simulator's names, which the hub's renames do not change).
    """

    def __init__(self, path: Path, hub_entry_id: str) -> None:
        self._path = path
        self._hub_entry_id = hub_entry_id
        self.added: dict[str, dict[str, int]] = {kind: {} for kind in KINDS}
        data: Any = None
        if path.exists():
            with contextlib.suppress(ValueError):
                data = json.loads(path.read_text(encoding="utf-8"))
        # Another hub (a fresh config folder) starts a new record.
        if isinstance(data, dict) and data.get("hub_entry_id") == hub_entry_id:
            for kind in KINDS:
                found = data.get(kind)
                if isinstance(found, dict):
                    self.added[kind] = {str(key): int(value) for key, value in found.items()}

    def get(self, kind: str, key: str) -> int | None:
        return self.added[kind].get(key)

    def was_added(self, kind: str, key: str) -> bool:
        return key in self.added[kind]

    def remember(self, kind: str, key: str, item_id: int) -> None:
        if self.added[kind].get(key) == item_id:
            return
        self.added[kind][key] = item_id
        self._path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._path.with_suffix(".tmp")
        tmp.write_text(
            json.dumps({"hub_entry_id": self._hub_entry_id, **self.added}, indent=2),
            encoding="utf-8",
        )
        tmp.replace(self._path)


class FarmSetup:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        admin_token: str,
        record: FarmRecord,
    ) -> None:
        self._session = session
        self._base = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {admin_token}"}
        self._record = record

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        async with self._session.request(
            method, f"{self._base}{path}", json=body, headers=self._headers
        ) as response:
            data = await response.json(content_type=None)
            if response.status >= 400:
                raise RuntimeError(f"{method} {path}: {response.status} {data}")
            return data

    async def add_farm(self, farm: dict[str, Any]) -> None:
        truth = await self._truth(farm["control"])
        await self._add_racks(farm["racks"], truth)
        await self._add_printers(farm["printers"])
        await self._add_ejectors(farm["ejectors"])

    async def _truth(self, control: str) -> dict[str, Any]:
        async with self._session.get(f"{control.rstrip('/')}/truth") as response:
            response.raise_for_status()
            truth: dict[str, Any] = await response.json()
            return truth

    def _match(self, kind: str, key: str, hub_ids: set[int], fallback: int | None) -> int | None:
        """The hub id of farm device ``key``: the one the dev stack added, if still there, else
        ``fallback`` (found by identity) unless that one is recorded as another farm device."""
        item_id = self._record.get(kind, key)
        if item_id in hub_ids:
            return item_id
        if fallback is None or fallback in self._record.added[kind].values():
            return None
        return fallback

    async def _add_racks(self, racks: list[dict[str, Any]], truth: dict[str, Any]) -> None:
        existing = {r["id"]: r["name"] for r in await self._call("GET", "/api/ottoracks")}
        by_name = {name: rack_id for rack_id, name in existing.items()}
        for rack in racks:
            key = rack["name"]
            # Else by name: a rack added by a run from before the record, or by the user.
            rack_id = self._match("racks", key, set(existing), by_name.get(key))
            if rack_id is not None:
                self._record.remember("racks", key, rack_id)
                continue
            if self._record.was_added("racks", key):
                continue  # deleted by the user: stays deleted
            created = await self._call("POST", "/api/ottoracks", rack)
            self._record.remember("racks", key, int(created["id"]))
            contents = truth.get("racks", {}).get(rack["name"], {})
            for shelf in created["shelves"]:
                plate = contents.get(str(shelf["shelf_number"]))
                if plate is None:
                    continue
                state = {"has_plate": True, "plate_state": "empty", "print_job_id": None}
                await self._call(
                    "PUT", f"/api/ottoracks/{created['id']}/shelves/{shelf['id']}", state
                )

    async def _add_printers(self, printers: list[dict[str, Any]]) -> None:
        by_serial: dict[str, int] = {}
        for summary in await self._call("GET", "/api/printers"):
            details = await self._call("GET", f"/api/printers/{summary['id']}")
            by_serial[str(details["serial_number"])] = int(details["id"])
        for printer in printers:
            serial = printer["serial_number"]
            connection = {"ip_address": printer["ip"], "access_code": printer["access_code"]}
            printer_id = self._match(
                "printers", serial, set(by_serial.values()), by_serial.get(serial)
            )
            if printer_id is not None:
                self._record.remember("printers", serial, printer_id)
                # A simulated printer may get another loopback address on the next run.
                await self._call("PUT", f"/api/printers/{printer_id}", connection)
                continue
            if self._record.was_added("printers", serial):
                continue  # deleted by the user: stays deleted
            created = await self._call(
                "POST",
                "/api/printers",
                {
                    "name": printer["name"],
                    "brand": "Bambu Lab",
                    "model": printer["model"],
                    "type": "FDM",
                    "serial_number": serial,
                    **connection,
                },
            )
            self._record.remember("printers", serial, int(created["id"]))

    async def _add_ejectors(self, ejectors: list[dict[str, Any]]) -> None:
        by_address: dict[tuple[str, int], int] = {}
        for summary in await self._call("GET", "/api/ottoeject"):
            details = await self._call("GET", f"/api/ottoeject/{summary['id']}")
            by_address[(str(details["ip_address"]), int(details["port"]))] = int(details["id"])
        for ejector in ejectors:
            key = ejector["name"]
            body: dict[str, Any] = {"ip_address": ejector["ip"], "port": ejector["port"]}
            if ejector.get("api_key"):
                body["api_key"] = ejector["api_key"]
            address = by_address.get((ejector["ip"], int(ejector["port"])))
            ejector_id = self._match("ejectors", key, set(by_address.values()), address)
            if ejector_id is not None:
                self._record.remember("ejectors", key, ejector_id)
                # A simulated robot may get another loopback address on the next run.
                await self._call("PUT", f"/api/ottoeject/{ejector_id}", body)
                continue
            if self._record.was_added("ejectors", key):
                continue  # deleted by the user: stays deleted
            created = await self._call("POST", "/api/ottoeject", {"device_name": key, **body})
            self._record.remember("ejectors", key, int(created["id"]))
