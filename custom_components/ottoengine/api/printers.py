"""`/api/printers`: the farm's printers (HA subentries of the hub) and their control.

Bambu Lab printers and Klipper printers (a Klipper brand or type: ``printers/klipper_settings``;
registered by ``printers/klipper_api.py`` with ``port`` and an optional ``api_key`` instead of
the access code and serial number) answer the same shapes and take the same commands.

Registering a printer creates the same subentry the "Add printer" flow does, without testing
the connection: the printer is connected in the background (its certificate is pinned on the
first connection). Commands answer 202 once the printer has accepted them, 503 while it is not
connected, 409 when it is busy and 502 when it refuses them (e.g. Authorization Control
firmware without Developer Mode). Access codes and certificate fingerprints are never answered.

The printer's topology is set with the same fields: ``ottoeject_id`` (an OttoEject of the farm,
or null for its only one), ``clearing_method`` (``ottoeject`` or ``manual``), the macro overrides
``eject_macro`` / ``load_macro`` / ``close_door_macro`` (null: the model's default; ``""`` door:
none to close), ``macro_params``, ``eject_position`` (``{"axis", "position_mm"}``, null: the
model's default) and ``nozzle_diameter_mm``. Answers carry the effective ``macros`` and
``eject_position``. An OttoEject that is deleted stays named by its printers (they then have no
OttoEject, see ``PrinterSettings``); a PUT sets another one or null.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from http import HTTPStatus
import logging
import os
from pathlib import Path
import tempfile
from typing import Any, Final

from aiohttp import web
from homeassistant.const import CONF_IP_ADDRESS, CONF_NAME
from homeassistant.core import HomeAssistant

from ..bambu.commands import normalize_gcode
from ..farm.clock import to_iso, utcnow
from ..farm.device_errors import DeviceError
from ..farm.ports import CommandResult, PrinterPort, StartOptions
from ..printers.const import (
    CONF_ACCESS_CODE,
    CONF_BRAND,
    CONF_BUILD_VOLUME,
    CONF_FILAMENT,
    CONF_MODEL,
    CONF_SERIAL_NUMBER,
    CONF_TYPE,
    DRIVER_KLIPPER,
)
from ..printers.coordinator import PrinterCoordinator
from ..printers.klipper_coordinator import KlipperPrinterCoordinator
from ..printers.klipper_rest_json import klipper_details, klipper_status, klipper_summary
from ..printers.klipper_settings import driver_for
from ..printers.manager import PrintersManager
from ..printers.rest_json import printer_details, printer_status, printer_summary
from ..printers.settings import (
    CONF_CLEARING_METHOD,
    CONF_CLOSE_DOOR_MACRO,
    CONF_EJECT_MACRO,
    CONF_EJECT_POSITION,
    CONF_LOAD_MACRO,
    CONF_MACRO_PARAMS,
    CONF_NOZZLE_DIAMETER,
    CONF_OTTOEJECT_ID,
    InvalidPrinterError,
    PrinterSettings,
    parse_access_code,
    parse_brand,
    parse_build_volume,
    parse_clearing_method,
    parse_close_door_macro,
    parse_eject_macro,
    parse_eject_position,
    parse_filament,
    parse_ip_address,
    parse_load_macro,
    parse_macro_params,
    parse_model,
    parse_name,
    parse_nozzle_diameter,
    parse_ottoeject_id,
    parse_serial,
    parse_type,
)
from ..printfile import PrintFileError, format_file_size, parse_print_file
from ..runtime import OttoRuntime
from ..subentries import (
    SUBENTRY_OTTOEJECT,
    SUBENTRY_PRINTER,
    DeviceKind,
    find_subentry,
    subentries_by_id,
)
from .base import OttoView, parse_id
from .device_errors import device_api_error
from .errors import ApiError, bad_request, conflict, not_found
from .multipart import async_iter_parts, async_stream_part, upload_filename
from .printers_klipper import async_register_klipper, async_update_klipper

_LOGGER = logging.getLogger(__name__)

KIND = "Printer"
# A file name, read from its multipart part without holding more than this in memory.
MAX_REMOTE_FILENAME_BYTES: Final = 1024
START_OPTIONS: Final = ("bed_leveling", "flow_cali", "vibration_cali", "timelapse", "layer_inspect")


@dataclass(frozen=True, slots=True)
class _Printer:
    runtime: OttoRuntime
    manager: PrintersManager
    coordinator: PrinterCoordinator | KlipperPrinterCoordinator


def _summary(coordinator: PrinterCoordinator | KlipperPrinterCoordinator) -> dict[str, Any]:
    if isinstance(coordinator, KlipperPrinterCoordinator):
        return klipper_summary(coordinator)
    return printer_summary(coordinator)


def _details(
    manager: PrintersManager, coordinator: PrinterCoordinator | KlipperPrinterCoordinator
) -> dict[str, Any]:
    if isinstance(coordinator, KlipperPrinterCoordinator):
        return klipper_details(manager, coordinator)
    return printer_details(manager, coordinator)


def _manager(runtime: OttoRuntime) -> PrintersManager:
    return runtime.printers


def _printer(view: type[OttoView], request: web.Request, printer_id: str) -> _Printer:
    runtime = view.runtime(request)
    manager = _manager(runtime)
    number = parse_id(printer_id, KIND)
    coordinator: PrinterCoordinator | KlipperPrinterCoordinator | None = manager.get(
        number
    ) or manager.klipper(number)
    if coordinator is None:
        raise not_found(KIND, printer_id)
    return _Printer(runtime, manager, coordinator)


def _parse(parse: Callable[[object], Any], value: object) -> Any:
    try:
        return parse(value)
    except InvalidPrinterError as err:
        raise bad_request(err.field, str(err)) from None


def _topology_parsers(runtime: OttoRuntime) -> dict[str, Callable[[object], Any]]:
    """The parsers of the topology fields (an OttoEject must be one of the farm's)."""
    ejectors = subentries_by_id(runtime.entry, SUBENTRY_OTTOEJECT)
    return {
        CONF_OTTOEJECT_ID: partial(parse_ottoeject_id, known=ejectors),
        CONF_CLEARING_METHOD: parse_clearing_method,
        CONF_EJECT_MACRO: parse_eject_macro,
        CONF_LOAD_MACRO: parse_load_macro,
        CONF_CLOSE_DOOR_MACRO: parse_close_door_macro,
        CONF_MACRO_PARAMS: parse_macro_params,
        CONF_EJECT_POSITION: parse_eject_position,
        CONF_NOZZLE_DIAMETER: parse_nozzle_diameter,
    }


def _parse_has_build_plate(body: dict[str, Any]) -> bool | None:
    value = body.get("has_build_plate")
    if value is None:
        return None
    if not isinstance(value, bool):
        raise bad_request("has_build_plate", "must be true or false")
    return value


async def _command(
    printer: PrinterPort, send: Callable[[PrinterPort], Awaitable[CommandResult]]
) -> CommandResult:
    """Run a command through the printer's one command path; failures as REST errors."""
    try:
        return await send(printer)
    except DeviceError as err:
        raise device_api_error(err) from None


class PrintersView(OttoView):
    url = "/api/printers"
    name = "api:ottoengine:printers"

    async def get(self, request: web.Request) -> web.Response:
        manager = _manager(self.runtime(request))
        return self.json([_summary(c) for c in manager.farm_coordinators().values()])

    async def post(self, request: web.Request) -> web.Response:
        """Register a printer; it is connected in the background (no reachability needed)."""
        runtime = self.runtime(request)
        manager = _manager(runtime)
        body = await self.json_body(request)
        if driver_for(body.get(CONF_BRAND), body.get(CONF_TYPE)) == DRIVER_KLIPPER:
            settings = await async_register_klipper(
                self.hass(request), runtime, body, _topology_parsers(runtime)
            )
            return self.json(
                {
                    "id": settings.id,
                    "name": settings.name,
                    "message": "Printer registered successfully",
                },
                HTTPStatus.CREATED,
            )
        name = _parse(parse_name, body.get(CONF_NAME))
        brand = _parse(parse_brand, body.get(CONF_BRAND))
        model = _parse(parse_model, body.get(CONF_MODEL))
        printer_type = _parse(parse_type, body.get(CONF_TYPE))
        host = _parse(parse_ip_address, body.get(CONF_IP_ADDRESS))
        access_code = _parse(parse_access_code, body.get(CONF_ACCESS_CODE))
        serial = _parse(parse_serial, body.get(CONF_SERIAL_NUMBER))
        build_volume = _parse(parse_build_volume, body.get(CONF_BUILD_VOLUME))
        filament = _parse(parse_filament, body.get(CONF_FILAMENT))
        topology = {
            key: _parse(parse, body.get(key)) for key, parse in _topology_parsers(runtime).items()
        }
        has_build_plate = _parse_has_build_plate(body)
        if serial in manager.configured_serials():
            raise ApiError(
                HTTPStatus.CONFLICT,
                f"serial_number: a printer with serial {serial} is already registered",
                field=CONF_SERIAL_NUMBER,
            )
        settings = PrinterSettings(
            id=runtime.state.ids.allocate(DeviceKind.PRINTER),
            name=name,
            model=model,
            ip_address=host,
            serial_number=serial,
            access_code=access_code,
            brand=brand,
            type=printer_type,
            build_volume=build_volume,
            filament=filament,
            **topology,
        )
        runtime.async_state_changed()
        hass = self.hass(request)
        hass.config_entries.async_add_subentry(runtime.entry, settings.new_subentry())
        await runtime.devices.async_sync()
        if has_build_plate is not None:
            manager.async_set_build_plate(settings.id, has_build_plate)
        return self.json(
            {"id": settings.id, "name": name, "message": "Printer registered successfully"},
            HTTPStatus.CREATED,
        )


class PrinterView(OttoView):
    url = "/api/printers/{printer_id}"
    name = "api:ottoengine:printers:printer"

    async def get(self, request: web.Request, printer_id: str) -> web.Response:
        printer = _printer(type(self), request, printer_id)
        return self.json(_details(printer.manager, printer.coordinator))

    async def put(self, request: web.Request, printer_id: str) -> web.Response:
        """Change stored details (any registration field but the serial number).

        Only the fields in the body change; null resets an optional one to its default.
        """
        printer = _printer(type(self), request, printer_id)
        body = await self.json_body(request)
        current = printer.coordinator.settings
        if current.is_klipper:
            await async_update_klipper(
                self.hass(request),
                printer.runtime,
                current,
                body,
                _topology_parsers(printer.runtime),
            )
            return self.json(
                {
                    **_details(printer.manager, printer.coordinator),
                    "message": "Printer updated successfully",
                }
            )
        if CONF_SERIAL_NUMBER in body:
            serial = _parse(parse_serial, body[CONF_SERIAL_NUMBER])
            if serial != current.serial_number:
                raise bad_request(
                    CONF_SERIAL_NUMBER,
                    "cannot be changed; delete the printer and register the other one",
                )
        changes: dict[str, Any] = {}
        parsers: dict[str, Callable[[object], Any]] = {
            CONF_NAME: parse_name,
            CONF_BRAND: parse_brand,
            CONF_MODEL: parse_model,
            CONF_TYPE: parse_type,
            CONF_IP_ADDRESS: parse_ip_address,
            CONF_ACCESS_CODE: parse_access_code,
            CONF_BUILD_VOLUME: parse_build_volume,
            CONF_FILAMENT: parse_filament,
            **_topology_parsers(printer.runtime),
        }
        for key, parse in parsers.items():
            if key in body:
                changes[key] = _parse(parse, body[key])
        has_build_plate = _parse_has_build_plate(body)
        settings = current.with_changes(**changes)
        manager = printer.manager
        if settings != current:
            entry = printer.runtime.entry
            subentry = find_subentry(entry, SUBENTRY_PRINTER, current.id)
            assert subentry is not None  # coordinators mirror the subentries
            self.hass(request).config_entries.async_update_subentry(
                entry, subentry, title=settings.name, data=settings.as_data()
            )
            await printer.runtime.devices.async_sync()
        if has_build_plate is not None:
            manager.async_set_build_plate(current.id, has_build_plate)
        assert isinstance(printer.coordinator, PrinterCoordinator)
        return self.json(
            {
                **printer_details(manager, printer.coordinator),
                "message": "Printer updated successfully",
            }
        )

    async def delete(self, request: web.Request, printer_id: str) -> web.Response:
        """Remove the printer, its device and entities (409 while unfinished jobs need it)."""
        printer = _printer(type(self), request, printer_id)
        printer_number = printer.coordinator.printer_id
        jobs = [
            job
            for job in printer.runtime.state.jobs.values()
            if job.settings.printer_id == printer_number and not job.status.is_finished
        ]
        if jobs:
            raise conflict(
                f"Printer {printer_number} is used by print jobs that have not finished: "
                + ", ".join(str(job.id) for job in sorted(jobs, key=lambda job: job.id))
            )
        entry = printer.runtime.entry
        subentry = find_subentry(entry, SUBENTRY_PRINTER, printer_number)
        assert subentry is not None
        self.hass(request).config_entries.async_remove_subentry(entry, subentry.subentry_id)
        await printer.runtime.devices.async_sync()
        return self.json({"message": "Printer deleted successfully"})


class PrinterStatusView(OttoView):
    url = "/api/printers/{printer_id}/status"
    name = "api:ottoengine:printers:status"

    async def get(self, request: web.Request, printer_id: str) -> web.Response:
        printer = _printer(type(self), request, printer_id)
        coordinator = printer.coordinator
        if isinstance(coordinator, KlipperPrinterCoordinator):
            return self.json(klipper_status(coordinator))
        return self.json(printer_status(coordinator))


class PrinterSendGcodeView(OttoView):
    url = "/api/printers/{printer_id}/send-gcode"
    name = "api:ottoengine:printers:send-gcode"

    async def post(self, request: web.Request, printer_id: str) -> web.Response:
        printer = _printer(type(self), request, printer_id)
        body = await self.json_body(request)
        gcode = body.get("gcode")
        if isinstance(gcode, list) and all(isinstance(line, str) for line in gcode):
            gcode = "\n".join(gcode)
        if not isinstance(gcode, str):
            raise bad_request("gcode", "is required (G-code lines separated by newlines)")
        try:
            lines = normalize_gcode(gcode)
        except ValueError:
            raise bad_request("gcode", "holds no G-code") from None
        await _command(printer.coordinator.commands, lambda p: p.async_send_gcode(lines))
        return self.json({"message": "G-code sent."}, HTTPStatus.ACCEPTED)


class PrinterStartPrintView(OttoView):
    url = "/api/printers/{printer_id}/start-print"
    name = "api:ottoengine:printers:start-print"

    async def post(self, request: web.Request, printer_id: str) -> web.Response:
        printer = _printer(type(self), request, printer_id)
        body = await self.json_body(request)
        filename = body.get("filename")
        if not isinstance(filename, str) or not filename.strip():
            raise bad_request("filename", "is required (a file on the printer's storage)")
        filename = filename.strip()
        if any(part == ".." for part in filename.replace("\\", "/").split("/")):
            raise bad_request("filename", "must not contain '..'")
        options = _start_options(body)
        await _command(
            printer.coordinator.commands, lambda p: p.async_start_print(filename, options)
        )
        return self.json(
            {"message": f"Start print command for {filename} sent."}, HTTPStatus.ACCEPTED
        )


def _start_options(body: dict[str, Any]) -> StartOptions:
    """The Bambu Lab options of a start (``useAms`` is the seed's spelling of ``use_ams``)."""
    plate = body.get("plate")
    if plate is not None and (isinstance(plate, bool) or not isinstance(plate, int) or plate < 1):
        raise bad_request("plate", "must be a plate number (1, 2, ...)")
    use_ams: bool | None = None
    for key in ("use_ams", "useAms"):
        if body.get(key) is not None:
            if not isinstance(body[key], bool):
                raise bad_request(key, "must be true or false")
            use_ams = body[key]
    flags: dict[str, bool] = {}
    for key in START_OPTIONS:
        if body.get(key) is not None:
            if not isinstance(body[key], bool):
                raise bad_request(key, "must be true or false")
            flags[key] = body[key]
    mapping = body.get("ams_mapping")
    if mapping is not None and (
        not isinstance(mapping, list)
        or not all(
            isinstance(tray, int) and not isinstance(tray, bool) and -1 <= tray <= 255
            for tray in mapping
        )
    ):
        raise bad_request("ams_mapping", "must be a list of tray ids (-1 for none)")
    return StartOptions(
        plate=plate if plate is not None else 1,
        use_ams=use_ams,
        ams_mapping=tuple(mapping) if mapping is not None else None,
        flags=flags,
    )


class _CommandView(OttoView, ABC):
    message: str

    @staticmethod
    @abstractmethod
    async def send(printer: PrinterPort) -> CommandResult:
        """The command, through the printer's one command path."""

    async def post(self, request: web.Request, printer_id: str) -> web.Response:
        printer = _printer(type(self), request, printer_id)
        await _command(printer.coordinator.commands, self.send)
        return self.json({"message": self.message}, HTTPStatus.ACCEPTED)


class PrinterPauseView(_CommandView):
    url = "/api/printers/{printer_id}/pause"
    name = "api:ottoengine:printers:pause"

    @staticmethod
    async def send(printer: PrinterPort) -> CommandResult:
        return await printer.async_pause()

    message = "Pause command sent to printer."


class PrinterResumeView(_CommandView):
    url = "/api/printers/{printer_id}/resume"
    name = "api:ottoengine:printers:resume"

    @staticmethod
    async def send(printer: PrinterPort) -> CommandResult:
        return await printer.async_resume()

    message = "Resume command sent to printer."


class PrinterStopView(_CommandView):
    url = "/api/printers/{printer_id}/stop"
    name = "api:ottoengine:printers:stop"

    @staticmethod
    async def send(printer: PrinterPort) -> CommandResult:
        return await printer.async_stop()

    message = "Stop command sent to printer."


class PrinterUploadView(OttoView):
    """Stream a file to a temporary file, then to the printer's storage over FTPS."""

    url = "/api/printers/{printer_id}/upload"
    name = "api:ottoengine:printers:upload"

    async def post(self, request: web.Request, printer_id: str) -> web.Response:
        printer = _printer(type(self), request, printer_id)
        hass = self.hass(request)
        if not request.content_type.startswith("multipart/"):
            raise bad_request("file", "send the file as multipart/form-data in a part named 'file'")
        path, size, original_name, remote_name = await _receive_upload(
            hass, request, printer.runtime.max_upload_bytes
        )
        try:
            filename = _remote_filename(remote_name, original_name)
            # The printer gets only what it can print: a corrupt archive or a zip bomb is a 400
            # here, not a failed print (or a choking printer) later.
            try:
                await hass.async_add_executor_job(parse_print_file, Path(path), filename)
            except PrintFileError as err:
                raise bad_request("file", f"{filename} cannot be parsed: {err}") from None
            try:
                name = await printer.coordinator.commands.async_upload(Path(path), filename)
            except DeviceError as err:
                raise device_api_error(err) from None
        finally:
            await hass.async_add_executor_job(_remove, path)
        return self.json(
            {
                "filename": name,
                "file_size": format_file_size(size),
                "upload_time": to_iso(utcnow()),
                "message": f"File '{name}' uploaded successfully to printer "
                f"{printer.coordinator.printer_id}.",
            }
        )


def _remote_filename(remote_name: str | None, original_name: str) -> str:
    """The file name on the printer: ``remote_filename`` if given, else the upload's name."""
    if remote_name is None:
        return upload_filename(original_name)
    if ".." in remote_name:
        raise bad_request("remote_filename", "must be a bare file name (no '/', '\\' or '..')")
    return upload_filename(remote_name, "remote_filename", percent_encoded=False)


async def _receive_upload(
    hass: HomeAssistant, request: web.Request, limit: int
) -> tuple[str, int, str, str | None]:
    """Stream the ``file`` part to a temporary file; also read ``remote_filename``.

    Returns (path, size, original file name, remote_filename or None). The caller removes the
    file; on any error here it is removed already.
    """
    path: str | None = None
    size = 0
    original = ""
    remote_name: str | None = None
    try:
        async for part in async_iter_parts(request):
            if part.name == "remote_filename":
                raw = bytearray()
                while chunk := await part.read_chunk(MAX_REMOTE_FILENAME_BYTES):
                    raw += chunk
                    if len(raw) > MAX_REMOTE_FILENAME_BYTES:
                        raise bad_request("remote_filename", "is too long")
                try:
                    text = part.decode(bytes(raw)).decode(part.get_charset(default="utf-8")).strip()
                except UnicodeDecodeError, LookupError:  # undecodable, or unknown charset
                    raise bad_request("remote_filename", "must be UTF-8 text") from None
                remote_name = text or None
            elif part.name == "file" and path is None:
                original = part.filename or ""
                path = await hass.async_add_executor_job(_new_temp_file)
                size = await async_stream_part(hass, part, partial(_append, path), limit)
            else:
                await part.release()
    except BaseException:
        if path is not None:
            await asyncio.shield(hass.async_add_executor_job(_remove, path))
        raise
    if path is None:
        raise bad_request("file", "a part named 'file' holding the file is required")
    if size == 0:
        await hass.async_add_executor_job(_remove, path)
        raise bad_request("file", "the file is empty")
    return path, size, original, remote_name


def _new_temp_file() -> str:
    handle, path = tempfile.mkstemp(prefix="ottoengine-printer-upload-")
    os.close(handle)
    return path


def _append(path: str, data: bytes) -> None:
    with open(path, "ab") as file:
        file.write(data)


def _remove(path: str) -> None:
    Path(path).unlink(missing_ok=True)


PRINTER_VIEWS: tuple[type[OttoView], ...] = (
    PrintersView,
    PrinterView,
    PrinterStatusView,
    PrinterSendGcodeView,
    PrinterUploadView,
    PrinterStartPrintView,
    PrinterPauseView,
    PrinterResumeView,
    PrinterStopView,
)
