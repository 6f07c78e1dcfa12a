"""The declared operations of the `/api/printers` views and of the print file upload.

They live here, keyed by view name, rather than on the views in ``printers.py`` and
``print_jobs_upload.py`` (whose upload handlers are maintained separately); ``OttoView.operation``
finds them by the view's ``name`` just the same, so they validate and document those routes like
any other view's ``operations``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from .schema import Arr, Int, Obj, Operation, Str
from .shapes import (
    MESSAGE,
    PRINTER_CREATED,
    PRINTER_DETAILS,
    PRINTER_FIELDS,
    PRINTER_STATUS,
    PRINTER_SUMMARY,
    PRINTER_UPLOAD,
    PRINTER_UPLOADED,
    SEND_GCODE,
    START_PRINT,
    TEXT,
    UPLOAD,
    UPLOADED_ITEM,
    ok,
)

# Klipper printers (a Klipper brand or type) take Moonraker's port and API key instead of the
# access code and serial number, which are then not required (the handler requires them of a
# Bambu Lab printer, naming the missing field).
_KLIPPER_FIELDS: Final = {
    "port": Int(
        minimum=1, maximum=65535, nullable=True, message="must be an integer between 1 and 65535"
    ),
    "api_key": Str(nullable=True, description="a Klipper printer's Moonraker API key (optional)"),
}
PRINTER_CREATE: Final = Obj(
    properties={**PRINTER_FIELDS, **_KLIPPER_FIELDS},
    required=("name", "model", "ip_address"),
)
PRINTER_UPDATE: Final = Obj(properties={**PRINTER_FIELDS, **_KLIPPER_FIELDS})
# A Klipper printer answers the same details without a serial number (null), with its driver
# and Moonraker port (never its API key).
_DETAILS: Final = Obj(
    properties={
        **PRINTER_DETAILS.properties,
        "serial_number": Str(nullable=True, description="null for a Klipper printer"),
        "driver": Str(description='"klipper" (Klipper printers only)'),
        "port": Int(minimum=1, maximum=65535, description="Moonraker's port (Klipper printers)"),
    },
    required=PRINTER_DETAILS.required,
)

# A command sent to a printer: 202 once accepted; 409 busy, 502 refused, 503 not connected.
_DEVICE_ERRORS: Final = (409, 502)


def _command(summary: str, body: Obj | None = None) -> Mapping[str, Operation]:
    return {
        "post": Operation(
            summary=summary,
            body=body,
            responses=ok("The printer accepted the command", MESSAGE, 202),
            errors=_DEVICE_ERRORS,
        )
    }


OPERATIONS: Final[Mapping[str, Mapping[str, Operation]]] = {
    "api:ottoengine:printers": {
        "get": Operation(
            summary="List printers with their status and topology",
            responses=ok("The printers", Arr(items=PRINTER_SUMMARY)),
        ),
        "post": Operation(
            summary="Register a Bambu Lab or Klipper printer (connected in the background)",
            body=PRINTER_CREATE,
            responses=ok("Registered", PRINTER_CREATED, 201),
            errors=(409,),
        ),
    },
    "api:ottoengine:printers:printer": {
        "get": Operation(
            summary="A printer's settings and live status",
            responses=ok("The printer", _DETAILS),
        ),
        "put": Operation(
            summary="Change a printer's settings (any but the serial number)",
            body=PRINTER_UPDATE,
            responses=ok(
                "The printer",
                Obj(
                    properties={**_DETAILS.properties, "message": TEXT},
                    required=(*_DETAILS.required, "message"),
                ),
            ),
        ),
        "delete": Operation(
            summary="Delete a printer", responses=ok("Deleted", MESSAGE), errors=(409,)
        ),
    },
    "api:ottoengine:printers:status": {
        "get": Operation(
            summary="A printer's live status", responses=ok("The status", PRINTER_STATUS)
        )
    },
    "api:ottoengine:printers:send-gcode": _command("Send G-code to a printer", SEND_GCODE),
    "api:ottoengine:printers:start-print": _command(
        "Start printing a file on the printer's storage", START_PRINT
    ),
    "api:ottoengine:printers:pause": _command("Pause the print"),
    "api:ottoengine:printers:resume": _command("Resume the print"),
    "api:ottoengine:printers:stop": _command("Stop the print"),
    "api:ottoengine:printers:upload": {
        "post": Operation(
            summary="Upload a file to the printer's storage (multipart/form-data)",
            multipart=PRINTER_UPLOAD,
            responses=ok("Uploaded", PRINTER_UPLOADED),
            errors=_DEVICE_ERRORS,
        )
    },
    "api:ottoengine:print-jobs:upload": {
        "post": Operation(
            summary="Upload a print file (multipart/form-data); it is kept as a print item",
            multipart=UPLOAD,
            responses=ok(
                "The print item (an existing one for a file uploaded before)", UPLOADED_ITEM
            ),
        )
    },
}
