"""Drives a fresh Home Assistant through onboarding and hands out access tokens, over its API."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

ENTRY_LOAD_TIMEOUT = 180.0


class HomeAssistantAdmin:
    """An HTTP + websocket client of a running Home Assistant, used to set it up for development."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self._session = session
        self.base_url = base_url.rstrip("/")
        self._client_id = f"{self.base_url}/"

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        async with self._session.request(method, f"{self.base_url}{path}", **kwargs) as response:
            if response.status >= 400:
                raise RuntimeError(f"{method} {path}: {response.status} {await response.text()}")
            return await response.json()

    async def onboarded(self) -> bool:
        async with self._session.get(f"{self.base_url}/api/onboarding") as response:
            if response.status == 404:  # onboarding views exist only until it is done
                return True
            response.raise_for_status()
            steps = await response.json()
        return all(step["done"] for step in steps)

    async def _token_from_code(self, code: str) -> str:
        data = {"grant_type": "authorization_code", "code": code, "client_id": self._client_id}
        tokens = await self._json("POST", "/auth/token", data=data)
        return str(tokens["access_token"])

    async def onboard(self, *, name: str, username: str, password: str) -> str:
        """Create the owner account (the last onboarding step left); returns an access token."""
        created = await self._json(
            "POST",
            "/api/onboarding/users",
            json={
                "client_id": self._client_id,
                "name": name,
                "username": username,
                "password": password,
                "language": "en",
            },
        )
        return await self._token_from_code(created["auth_code"])

    async def login(self, username: str, password: str) -> str:
        """Log in with a username and password; returns a short-lived access token."""
        flow = await self._json(
            "POST",
            "/auth/login_flow",
            json={
                "client_id": self._client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": f"{self.base_url}/?auth_callback=1",
            },
        )
        result = await self._json(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            json={"client_id": self._client_id, "username": username, "password": password},
        )
        if result.get("type") != "create_entry":
            raise RuntimeError(f"login as {username!r} failed: {result.get('errors')}")
        return await self._token_from_code(result["result"])

    async def token_valid(self, token: str) -> bool:
        headers = {"Authorization": f"Bearer {token}"}
        async with self._session.get(f"{self.base_url}/api/", headers=headers) as response:
            return response.status == 200

    async def websocket(self, token: str, *commands: dict[str, Any]) -> list[Any]:
        """Run websocket commands as the token's user; returns their results in order."""
        results: list[Any] = []
        async with self._session.ws_connect(f"{self.base_url}/api/websocket") as ws:
            await ws.receive_json()  # auth_required
            await ws.send_json({"type": "auth", "access_token": token})
            auth = await ws.receive_json()
            if auth.get("type") != "auth_ok":
                raise RuntimeError(f"websocket auth failed: {auth}")
            for number, command in enumerate(commands, start=1):
                await ws.send_json({"id": number, **command})
                while True:
                    message = await ws.receive_json()
                    if message.get("id") == number and message.get("type") == "result":
                        break
                if not message.get("success"):
                    raise RuntimeError(f"{command['type']}: {message.get('error')}")
                results.append(message.get("result"))
        return results

    async def long_lived_token(self, token: str, client_name: str) -> str:
        (result,) = await self.websocket(
            token,
            {"type": "auth/long_lived_access_token", "client_name": client_name, "lifespan": 3650},
        )
        return str(result)

    async def ensure_user(
        self, admin_token: str, *, name: str, username: str, password: str
    ) -> None:
        """Make sure a non-admin user with these credentials exists."""
        (users,) = await self.websocket(admin_token, {"type": "config/auth/list"})
        for user in users:
            if any(
                c.get("data", {}).get("username") == username for c in user.get("credentials", [])
            ):
                return
            if user.get("username") == username:
                return
        (created,) = await self.websocket(
            admin_token,
            {"type": "config/auth/create", "name": name, "group_ids": ["system-users"]},
        )
        await self.websocket(
            admin_token,
            {
                "type": "config/auth_provider/homeassistant/create",
                "user_id": created["user"]["id"],
                "username": username,
                "password": password,
            },
        )

    async def ensure_config_entry(self, admin_token: str, domain: str) -> str:
        """The entry id of ``domain``'s loaded config entry, creating it through its config flow.

        Home Assistant answers HTTP before it has set up custom integrations (the last stage of
        its start-up), so an existing entry is waited for until it is loaded.
        """
        headers = {"Authorization": f"Bearer {admin_token}"}
        deadline = asyncio.get_running_loop().time() + ENTRY_LOAD_TIMEOUT
        while entries := await self._json(
            "GET", f"/api/config/config_entries/entry?domain={domain}", headers=headers
        ):
            if entries[0]["state"] == "loaded":
                return str(entries[0]["entry_id"])
            if asyncio.get_running_loop().time() > deadline:
                raise RuntimeError(f"the {domain} entry is {entries[0]['state']}, not loaded")
            await asyncio.sleep(0.5)
        flow = await self._json(
            "POST", "/api/config/config_entries/flow", headers=headers, json={"handler": domain}
        )
        if flow.get("type") == "form":
            flow = await self._json(
                "POST",
                f"/api/config/config_entries/flow/{flow['flow_id']}",
                headers=headers,
                json={},
            )
        if flow.get("type") != "create_entry":
            raise RuntimeError(f"could not create the {domain} entry: {flow}")
        return str(flow["result"]["entry_id"])
