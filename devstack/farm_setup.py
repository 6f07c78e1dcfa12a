"""Adds the simulated farm's devices to the OttoEngine hub through the REST API (idempotent).

Racks get the shelf contents the simulator's physical ground truth reports, so the hub starts
out knowing where the empty plates are, as an operator would after loading the racks.
"""

from __future__ import annotations

from typing import Any

import aiohttp


class FarmSetup:
    def __init__(self, session: aiohttp.ClientSession, base_url: str, admin_token: str) -> None:
        self._session = session
        self._base = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {admin_token}"}

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

    async def _add_racks(self, racks: list[dict[str, Any]], truth: dict[str, Any]) -> None:
        existing = {rack["name"] for rack in await self._call("GET", "/api/ottoracks")}
        for rack in racks:
            if rack["name"] in existing:
                continue
            created = await self._call("POST", "/api/ottoracks", rack)
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
        existing = {printer["name"] for printer in await self._call("GET", "/api/printers")}
        for printer in printers:
            if printer["name"] in existing:
                continue
            await self._call(
                "POST",
                "/api/printers",
                {
                    "name": printer["name"],
                    "brand": "Bambu Lab",
                    "model": printer["model"],
                    "type": "FDM",
                    "ip_address": printer["ip"],
                    "access_code": printer["access_code"],
                    "serial_number": printer["serial_number"],
                },
            )

    async def _add_ejectors(self, ejectors: list[dict[str, Any]]) -> None:
        existing = {e["device_name"] for e in await self._call("GET", "/api/ottoeject")}
        for ejector in ejectors:
            if ejector["name"] in existing:
                continue
            body: dict[str, Any] = {
                "device_name": ejector["name"],
                "ip_address": ejector["ip"],
                "port": ejector["port"],
            }
            if ejector.get("api_key"):
                body["api_key"] = ejector["api_key"]
            await self._call("POST", "/api/ottoeject", body)
