"""A small fake Moonraker for the Klipper driver's unit tests (aiohttp test server).

It speaks the real envelopes (``{"result": ...}``, the upload's bare 201 answer, HTTP errors
whose reason tornado turned into ``"Unknown"`` with the text only in the traceback) and the
websocket JSON-RPC (identify, ``server.info``, ``printer.objects.subscribe``,
``notify_status_update`` with changed fields only, ``notify_klippy_shutdown``), with the shapes
of the reference sheet. A printing printer is not simulated: tests set its status with
``update`` (the real Moonraker + simulated Klippy covers what needs no printing printer).
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
from typing import Any

from aiohttp import BodyPartReader, web
from aiohttp.test_utils import TestServer


def idle_objects() -> dict[str, dict[str, Any]]:
    """A ready, idle printer (the sheet's idle values)."""
    return {
        "webhooks": {"state": "ready", "state_message": "Printer is ready"},
        "print_stats": {
            "filename": "",
            "total_duration": 0.0,
            "print_duration": 0.0,
            "filament_used": 0.0,
            "state": "standby",
            "message": "",
            "info": {"total_layer": None, "current_layer": None},
        },
        "virtual_sdcard": {"file_path": None, "progress": 0.0, "is_active": False},
        "display_status": {"progress": 0.0, "message": None},
        "idle_timeout": {"state": "Idle", "printing_time": 0.0},
        "pause_resume": {"is_paused": False},
        "extruder": {"temperature": 24.0, "target": 0.0},
        "heater_bed": {"temperature": 23.0, "target": 0.0},
        "toolhead": {"position": [0.0, 0.0, 0.0, 0.0], "homed_axes": ""},
    }


def _merge(target: dict[str, Any], update: dict[str, Any]) -> None:
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def http_error(code: int, text: str) -> web.Response:
    """Moonraker's HTTP error envelope, with tornado >= 6.5's "Unknown" reason quirk."""
    message = "Unknown" if "<" in text or "\n" in text else text
    traceback = (
        'Traceback (most recent call last):\n  File "moonraker/app.py", line 1, in x\n'
        f"tornado.web.HTTPError: HTTP {code}: {text}\n"
    )
    body = {"error": {"code": code, "message": message, "traceback": traceback}}
    return web.json_response(body, status=code)


class FakeMoonraker:
    """One fake Moonraker in front of a Klipper printer."""

    def __init__(self, *, api_key: str | None = None, hostname: str = "k1c-1") -> None:
        self.api_key = api_key
        self.hostname = hostname
        self.objects = idle_objects()
        self.klippy_state = "ready"
        self.klippy_connected = True
        self.files: dict[str, bytes] = {}
        self.metadata: dict[str, dict[str, Any]] = {}
        self.metadata_misses = 0  # 404 answers before a file's metadata is "extracted"
        self.history: list[dict[str, Any]] = []
        self.history_error: int | None = None  # 404: no history component
        self.max_upload = 1024 * 1024 * 1024
        self.corrupt_uploads = False
        self.start_behaviour = "print"  # "print", "ignore" or "instant_complete"
        self.script_delay = 0.0
        self.scripts: list[str] = []
        self.calls: list[str] = []
        self.upload_headers: list[dict[str, str]] = []
        self.extra_objects: list[str] = ["gcode_macro START_PRINT", "gcode_macro END_PRINT"]
        self._sockets: set[web.WebSocketResponse] = set()
        self._subscribed: dict[str, Any] = {}
        self._metadata_requests: dict[str, int] = {}
        self.server: TestServer | None = None

    # -- control from tests ----------------------------------------------------------------------
    async def start(self) -> TestServer:
        app = web.Application(middlewares=[self._auth])
        app.router.add_get("/websocket", self._websocket)
        app.router.add_get("/server/info", self._server_info)
        app.router.add_get("/printer/info", self._printer_info)
        app.router.add_get("/machine/system_info", self._system_info)
        app.router.add_get("/printer/objects/list", self._objects_list)
        app.router.add_post("/printer/objects/query", self._objects_query)
        app.router.add_post("/server/files/upload", self._upload)
        app.router.add_get("/server/files/list", self._files_list)
        app.router.add_get("/server/files/metadata", self._metadata)
        app.router.add_get("/server/history/list", self._history)
        app.router.add_post("/printer/print/start", self._print_start)
        app.router.add_post("/printer/print/{action}", self._print_action)
        app.router.add_post("/printer/gcode/script", self._gcode_script)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return self.server

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self.server is not None:
            await self.server.close()

    @property
    def port(self) -> int:
        assert self.server is not None
        assert self.server.port is not None
        return self.server.port

    async def update(self, changes: dict[str, dict[str, Any]]) -> None:
        """Change printer objects and push the changed fields to subscribers."""
        _merge(self.objects, changes)
        await self._notify("notify_status_update", [changes, 1234.5])

    async def shutdown(self, message: str = "Lost communication with MCU 'mcu'") -> None:
        """An MCU loss / e-stop: print_stats freezes, webhooks says shutdown."""
        self.klippy_state = "shutdown"
        _merge(self.objects, {"webhooks": {"state": "shutdown", "state_message": message}})
        await self._notify("notify_klippy_shutdown", None)
        await self.update({"webhooks": {"state": "shutdown", "state_message": message}})

    async def drop_websockets(self) -> None:
        for ws in list(self._sockets):
            await ws.close()

    def add_history(self, filename: str, status: str) -> None:
        self.history.append(
            {"job_id": f"{len(self.history) + 1:06X}", "filename": filename, "status": status}
        )

    # -- HTTP ------------------------------------------------------------------------------------
    @web.middleware
    async def _auth(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.calls.append(f"{request.method} {request.path}")
        if self.api_key is not None and request.headers.get("X-Api-Key") != self.api_key:
            return http_error(401, "Unauthorized")
        response: web.StreamResponse = await handler(request)
        return response

    def _klippy_required(self) -> web.Response | None:
        if not self.klippy_connected:
            return http_error(503, "Klippy Host not connected")
        return None

    @staticmethod
    def _result(result: Any) -> web.Response:
        return web.json_response({"result": result})

    async def _server_info(self, request: web.Request) -> web.Response:
        return self._result(self._info())

    def _info(self) -> dict[str, Any]:
        return {
            "klippy_connected": self.klippy_connected,
            "klippy_state": self.klippy_state if self.klippy_connected else "disconnected",
            "moonraker_version": "0.11.0",
            "api_version_string": "1.5.0",
        }

    async def _printer_info(self, request: web.Request) -> web.Response:
        return self._klippy_required() or self._result(
            {
                "state": self.klippy_state,
                "state_message": self.objects["webhooks"]["state_message"],
                "hostname": self.hostname,
            }
        )

    async def _system_info(self, request: web.Request) -> web.Response:
        return self._result({"system_info": {"cpu_info": {"serial_number": ""}}})

    async def _objects_list(self, request: web.Request) -> web.Response:
        return self._klippy_required() or self._result(
            {"objects": [*self.objects, *self.extra_objects]}
        )

    def _status(self, wanted: dict[str, Any]) -> dict[str, Any]:
        status: dict[str, Any] = {}
        for name, fields in wanted.items():
            current = self.objects.get(name, {})
            status[name] = (
                copy.deepcopy(current)
                if fields is None
                else {field: copy.deepcopy(current.get(field)) for field in fields}
            )
        return {"eventtime": 1234.5, "status": status}

    async def _objects_query(self, request: web.Request) -> web.Response:
        body = await request.json()
        return self._klippy_required() or self._result(self._status(body["objects"]))

    async def _upload(self, request: web.Request) -> web.Response:
        self.upload_headers.append(dict(request.headers))
        if request.content_length is not None and request.content_length > self.max_upload:
            return http_error(413, "Content-Length too long")
        fields: dict[str, str] = {}
        content = b""
        filename = ""
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            assert isinstance(part, BodyPartReader)
            if part.name == "file":
                filename = part.filename or ""
                content = await part.read()
            else:
                fields[str(part.name)] = await part.text()
        if self.corrupt_uploads:
            content = content[:-1] + b"X"
        if "checksum" in fields and hashlib.sha256(content).hexdigest() != fields["checksum"]:
            return http_error(
                422,
                f"File checksum mismatch: expected {fields['checksum']}, calculated "
                f"{hashlib.sha256(content).hexdigest()}",
            )
        path = f"{fields['path']}/{filename}" if fields.get("path") else filename
        self.files[path] = content
        body = {
            "action": "create_file",
            "item": {"path": path, "root": fields.get("root", "gcodes"), "size": len(content)},
            "print_started": fields.get("print") == "true",
            "print_queued": False,
        }
        return web.json_response(body, status=201, headers={"Location": f"/server/files/{path}"})

    async def _files_list(self, request: web.Request) -> web.Response:
        return self._result(
            [
                {"path": path, "modified": 1795645759.43, "size": len(data), "permissions": "rw"}
                for path, data in self.files.items()
            ]
        )

    async def _metadata(self, request: web.Request) -> web.Response:
        name = request.query["filename"]
        seen = self._metadata_requests[name] = self._metadata_requests.get(name, 0) + 1
        if name not in self.metadata or seen <= self.metadata_misses:
            return http_error(404, f"Metadata not available for <{name}>")
        return self._result({"filename": name, **self.metadata[name]})

    async def _history(self, request: web.Request) -> web.Response:
        if self.history_error is not None:
            return http_error(self.history_error, "Not Found")
        limit = int(request.query.get("limit", "50"))
        jobs = list(reversed(self.history))[:limit]
        return self._result({"count": len(self.history), "jobs": jobs})

    async def _print_start(self, request: web.Request) -> web.Response:
        if error := self._klippy_required():
            return error
        name = request.query["filename"]
        if self.klippy_state == "shutdown":
            return http_error(400, "Printer is shutdown\n")
        if self.objects["print_stats"]["state"] in {"printing", "paused"}:
            return http_error(400, "SD busy\n")
        if name not in self.files:
            return http_error(400, f"Unable to open file <{name}>\n")
        if self.start_behaviour == "print":
            self.add_history(name, "in_progress")
            await self.update(
                {
                    "print_stats": {
                        "state": "printing",
                        "filename": name,
                        "print_duration": 0.0,
                        "total_duration": 0.0,
                    },
                    "virtual_sdcard": {"progress": 0.0, "is_active": True},
                }
            )
        elif self.start_behaviour == "instant_complete":
            self.add_history(name, "completed")
            await self.update(
                {"print_stats": {"state": "complete", "filename": name, "total_duration": 3.0}}
            )
        return self._result("ok")

    async def _print_action(self, request: web.Request) -> web.Response:
        action = request.match_info["action"]
        if error := self._klippy_required():
            return error
        state = {"pause": "paused", "resume": "printing", "cancel": "cancelled"}.get(action)
        if state is None:
            return http_error(404, "Not Found")
        if self.objects["print_stats"]["state"] in {"printing", "paused"}:
            await self.update({"print_stats": {"state": state}})
        return self._result("ok")

    async def _gcode_script(self, request: web.Request) -> web.Response:
        if error := self._klippy_required():
            return error
        script = (await request.json())["script"]
        self.scripts.append(script)
        if self.script_delay:
            await asyncio.sleep(self.script_delay)
        if self.klippy_state == "shutdown":
            return http_error(400, "Printer is shutdown\n")
        return self._result("ok")

    # -- websocket -------------------------------------------------------------------------------
    async def _notify(self, method: str, params: Any) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        for ws in list(self._sockets):
            if not ws.closed:
                await ws.send_str(json.dumps(message))

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.add(ws)
        try:
            async for message in ws:
                call = json.loads(message.data)
                result = self._rpc(call["method"], call.get("params") or {})
                await ws.send_str(
                    json.dumps({"jsonrpc": "2.0", "result": result, "id": call["id"]})
                )
        finally:
            self._sockets.discard(ws)
        return ws

    def _rpc(self, method: str, params: dict[str, Any]) -> Any:
        if method == "server.connection.identify":
            return {"connection_id": 1401}
        if method == "server.info":
            return self._info()
        if method == "printer.objects.subscribe":
            self._subscribed = params["objects"]
            return self._status(params["objects"])
        raise AssertionError(f"unexpected JSON-RPC {method}")
