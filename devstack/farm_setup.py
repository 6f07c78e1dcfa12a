"""Adds the simulated farm's devices to the OttoEngine hub through the REST API (idempotent:
devices added by an earlier run get the addresses of this run).

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
        existing = {p["name"]: p["id"] for p in await self._call("GET", "/api/printers")}
        for printer in printers:
            connection = {"ip_address": printer["ip"], "access_code": printer["access_code"]}
            if printer["name"] in existing:
                # A simulated printer may get another loopback address on the next run.
                await self._call("PUT", f"/api/printers/{existing[printer['name']]}", connection)
                continue
            await self._call(
                "POST",
                "/api/printers",
                {
                    "name": printer["name"],
                    "brand": "Bambu Lab",
                    "model": printer["model"],
                    "type": "FDM",
                    "serial_number": printer["serial_number"],
                    **connection,
                },
            )

    async def _add_ejectors(self, ejectors: list[dict[str, Any]]) -> None:
        existing = {e["device_name"]: e["id"] for e in await self._call("GET", "/api/ottoeject")}
        for ejector in ejectors:
            body: dict[str, Any] = {"ip_address": ejector["ip"], "port": ejector["port"]}
            if ejector.get("api_key"):
                body["api_key"] = ejector["api_key"]
            if ejector["name"] in existing:
                await self._call("PUT", f"/api/ottoeject/{existing[ejector['name']]}", body)
                continue
            await self._call("POST", "/api/ottoeject", {"device_name": ejector["name"], **body})
