"""The JSON shapes of the REST API as schemas (``api/schema.py``): bodies and answers.

Request bodies list every field the handlers read, with the types and ranges they accept;
answers list the fields the handlers' JSON builders (``print_jobs_json``, ``printers.rest_json``,
``racks.rest_json``, ...) always write. Answers may carry more fields than listed (extensions
are added over time); requests may too (unknown fields are ignored unless said otherwise).
"""

from __future__ import annotations

from typing import Final

from .schema import AnyOf, AnyValue, Arr, Binary, Bool, Int, Num, Obj, Response, Schema, Str

JOB_STATUSES: Final = (
    "NEW",
    "QUEUED",
    "PRINTING",
    "PAUSED",
    "EJECTING",
    "STORING",
    "COMPLETED",
    "FAILED",
    "CANCELLED",
)

ID = Int(minimum=1)
OPT_ID = Int(minimum=1, nullable=True)
TEXT = Str()
OPT_TEXT = Str(nullable=True)
MOMENT = Str(format="date-time")
OPT_MOMENT = Str(format="date-time", nullable=True)
NUMBER = Num()
OPT_NUMBER = Num(nullable=True)
OPT_INT = Int(nullable=True)


def obj(required: tuple[str, ...] | None = None, /, **properties: Schema) -> Obj:
    """An answer's object: every listed field is always there (unless ``required`` says)."""
    return Obj(
        properties=properties,
        required=tuple(properties) if required is None else required,
    )


ERROR = Obj(
    description="An error: a title, a message, the offending field of a 400, and details",
    properties={"error": TEXT, "message": TEXT, "field": TEXT},
    required=("error", "message"),
)
MESSAGE = obj(message=TEXT)


def ok(description: str, schema: Schema | None = None, status: int = 200) -> dict[int, Response]:
    return {status: Response(description=description, schema=schema)}


# --- print items and jobs ---------------------------------------------------------------------

PRINT_ITEM_BRIEF: Final = {
    "filename": TEXT,
    "file_size": TEXT,
    "estimated_print_time": Num(nullable=True),
    "layer_count": OPT_INT,
    "filament_used": OPT_TEXT,
}
PRINT_ITEM = obj(
    id=ID,
    **PRINT_ITEM_BRIEF,
    size_bytes=Int(minimum=0),
    sha256=TEXT,
    max_z_height_mm=OPT_NUMBER,
    plate_count=AnyValue(),
    has_thumbnail=Bool(),
    created_at=OPT_MOMENT,
    metadata=Obj(),
)
UPLOADED_ITEM = obj(
    print_item_id=ID,
    **PRINT_ITEM_BRIEF,
    message=TEXT,
    sha256=TEXT,
    size_bytes=Int(minimum=0),
    max_z_height_mm=OPT_NUMBER,
    plate_count=AnyValue(),
    has_thumbnail=Bool(),
)
_JOB_SETTINGS_OUT: Final = {
    "rack_id": OPT_ID,
    "store_slot": OPT_ID,
    "grab_slot": OPT_ID,
    "use_ams": Bool(),
    "start_after": OPT_MOMENT,
    "match_color": Bool(),
    "status_message": OPT_TEXT,
}
_JOB_COMMON: Final = {
    "id": ID,
    "print_item_id": ID,
    "printer_id": OPT_ID,
    "ottoeject_id": OPT_ID,
    "status": Str(enum=JOB_STATUSES),
    "priority": ID,
    "auto_start": Bool(),
    "created_at": MOMENT,
    **_JOB_SETTINGS_OUT,
}
_JOB_PROGRESS: Final = {
    "progress_percent": Num(minimum=0, maximum=100),
    "estimated_remaining_time": OPT_INT,
    "started_at": OPT_MOMENT,
    "completed_at": OPT_MOMENT,
    "filename": TEXT,
}
JOB_CREATED = obj(**_JOB_COMMON)
JOB_SUMMARY = obj(**_JOB_COMMON, **_JOB_PROGRESS)
JOB_DETAILS = obj(
    **_JOB_COMMON,
    **_JOB_PROGRESS,
    print_item=Obj(nullable=True, properties={"id": ID, **PRINT_ITEM_BRIEF}),
    printer=Obj(nullable=True, properties={"id": ID, "name": TEXT}),
    ottoeject=Obj(nullable=True, properties={"id": ID, "device_name": TEXT}),
    history=Arr(
        items=obj(
            old_status=Str(enum=JOB_STATUSES, nullable=True),
            new_status=Str(enum=JOB_STATUSES),
            at=MOMENT,
            reason=TEXT,
        )
    ),
)
JOB_CHANGED = obj(id=ID, status=Str(enum=JOB_STATUSES), message=TEXT)

# What a create or update of a print job may set (PUT: any of them; POST: these and the item).
JOB_SETTINGS_IN: Final = {
    "printer_id": Int(minimum=1, nullable=True, description="null: any compatible printer"),
    "ottoeject_id": OPT_ID,
    "rack_id": OPT_ID,
    "store_slot": Int(minimum=1, nullable=True, description="a shelf number of the rack"),
    "grab_slot": Int(minimum=1, nullable=True, description="a shelf number of the rack"),
    "auto_start": Bool(),
    "priority": Int(minimum=1, description="1 is the most urgent"),
    "use_ams": Bool(),
    "start_after": Str(
        format="date-time",
        nullable=True,
        message="must be an ISO 8601 date and time with a time zone, or null",
    ),
    "match_color": Bool(),
}
MAX_COPIES: Final = 100
JOB_CREATE = Obj(
    properties={
        "print_item_id": Int(minimum=1, message="must be a positive integer", examples=(1,)),
        "copies": Int(minimum=1, maximum=MAX_COPIES, nullable=True),
        **JOB_SETTINGS_IN,
    },
    required=("print_item_id",),
)
JOB_UPDATE = Obj(properties=JOB_SETTINGS_IN)

# --- racks ------------------------------------------------------------------------------------

SHELF = obj(
    id=ID,
    shelf_number=ID,
    has_plate=Bool(),
    plate_state=Str(enum=("empty", "with_print"), nullable=True),
    print_job_id=OPT_ID,
    state=Str(enum=("no_plate", "empty_plate", "with_print")),
)
RACK_SUMMARY: Final = {
    "id": ID,
    "name": TEXT,
    "ottoeject_id": OPT_ID,
    "number_of_shelves": ID,
    "shelf_spacing_mm": NUMBER,
    "bed_size": TEXT,
    "occupied_shelves": Int(minimum=0),
    "available_shelves": Int(minimum=0),
    "empty_plate_shelves": Int(minimum=0),
}
RACK = obj(**RACK_SUMMARY)
RACK_DETAILS = obj(
    **RACK_SUMMARY,
    shelves=Arr(
        items=Obj(
            properties={
                **(SHELF.properties),
                "print_job": Obj(
                    nullable=True,
                    properties={"id": ID, "filename": TEXT, "completed_at": OPT_MOMENT},
                ),
            },
            required=(*SHELF.required, "print_job"),
        )
    ),
)
RACK_FIELDS: Final = {
    "name": Str(
        non_blank=True, max_length=64, message="must be a non-empty string", examples=("Rack B",)
    ),
    "number_of_shelves": Int(minimum=1, maximum=50, examples=(6,)),
    "shelf_spacing_mm": Num(
        exclusive_minimum=0, maximum=1000, message="must be a number of millimetres"
    ),
    "bed_size": Str(
        description="width x depth in mm",
        examples=("256x256",),
        message='must look like "256x256" (width x depth in mm)',
    ),
    "ottoeject_id": Int(
        minimum=1,
        nullable=True,
        description="the OttoEject serving the rack (null: the farm's only one)",
        message="must be the id of an OttoEject (or null)",
    ),
}
RACK_CREATE = Obj(properties=RACK_FIELDS, required=("name",))
RACK_UPDATE = Obj(properties=RACK_FIELDS)
SHELF_UPDATE = Obj(
    properties={
        "has_plate": Bool(examples=(True,)),
        "plate_state": Str(
            examples=("empty",),
            enum=("empty", "with_print"),
            nullable=True,
            message='must be null, "empty" or "with_print"',
        ),
        "print_job_id": OPT_ID,
    },
    required=("has_plate",),
)
SHELF_ANSWER = Obj(
    properties={**SHELF.properties, "ottorack_id": ID, "message": TEXT},
    required=(*SHELF.required, "ottorack_id", "message"),
)

# --- OttoEjects -------------------------------------------------------------------------------

EJECTOR_STATUSES: Final = ("ONLINE", "EJECTING", "OFFLINE", "ISSUE")
EJECTOR = obj(id=ID, device_name=TEXT, status=TEXT)
EJECTOR_DETAILS = obj(id=ID, device_name=TEXT, status=TEXT, ip_address=TEXT, port=Int())
EJECTOR_FIELDS: Final = {
    "device_name": Str(
        non_blank=True,
        max_length=64,
        message="is required (a non-empty string)",
        examples=("OttoEject B",),
    ),
    "ip_address": Str(
        non_blank=True,
        message="is required (an IP address or host name)",
        examples=("192.0.2.10",),
    ),
    "port": AnyOf(
        options=(Num(minimum=1, maximum=65535), Str()),
        description="Moonraker's port (default 7125)",
        message="must be an integer between 1 and 65535",
    ),
    "api_key": Str(nullable=True, message="must be a string"),
    "macro_ack_timeout": Num(
        exclusive_minimum=0,
        maximum=600,
        nullable=True,
        message="must be a number of seconds up to 600",
    ),
}
EJECTOR_CREATE = Obj(properties=EJECTOR_FIELDS, required=("device_name", "ip_address"))
EJECTOR_UPDATE = Obj(properties=EJECTOR_FIELDS)
MACRO = Obj(
    properties={
        "macro": Str(
            non_blank=True,
            message="is required (the name of a G-code macro)",
            examples=("OTTOEJECT_HOME",),
        ),
        "params": Obj(
            nullable=True,
            additional=AnyValue(),
            message="must be an object of parameter names and values",
        ),
    },
    required=("macro",),
)
MACRO_SENT = obj(message=TEXT, moonraker_response=AnyValue())

# --- printers ---------------------------------------------------------------------------------

_FILAMENT_TEXT = Str(min_length=1, max_length=64)
PRINTER_TOPOLOGY: Final = {
    "ottoeject_id": OPT_ID,
    "clearing_method": TEXT,
    "macros": Obj(),
    "eject_position": Obj(),
    "nozzle_diameter_mm": OPT_NUMBER,
}
PRINTER_SUMMARY = obj(
    id=ID,
    name=TEXT,
    status=TEXT,
    type=TEXT,
    filament=Obj(properties={"material": OPT_TEXT, "color": OPT_TEXT}),
    **PRINTER_TOPOLOGY,
)
_PRINTER_STATUS: Final = {
    "status": TEXT,
    "current_stage": AnyValue(),
    "progress_percent": Num(),
    "remaining_time_minutes": OPT_NUMBER,
}
PRINTER_STATUS = obj(
    id=ID, name=TEXT, brand=OPT_TEXT, model=OPT_TEXT, **_PRINTER_STATUS, online=Bool()
)
PRINTER_DETAILS = obj(
    id=ID,
    name=TEXT,
    brand=OPT_TEXT,
    model=OPT_TEXT,
    type=OPT_TEXT,
    **_PRINTER_STATUS,
    filament=Obj(),
    build_volume=Obj(nullable=True),
    ip_address=TEXT,
    serial_number=TEXT,
    bed_temperature=OPT_NUMBER,
    nozzle_temperature=OPT_NUMBER,
    bed_target_temperature=OPT_NUMBER,
    nozzle_target_temperature=OPT_NUMBER,
    layer=OPT_NUMBER,
    total_layers=OPT_NUMBER,
    end_time=OPT_TEXT,
    online=Bool(),
    firmware_version=OPT_TEXT,
    has_build_plate=Bool(nullable=True),
    **PRINTER_TOPOLOGY,
    errors=Arr(items=Obj()),
)
PRINTER_FIELDS: Final = {
    "name": Str(
        non_blank=True,
        max_length=64,
        message="is required (a non-empty string)",
        examples=("P1S Left",),
    ),
    "brand": Str(nullable=True, description='"Bambu Lab"', examples=("Bambu Lab",)),
    "model": Str(description="a Bambu Lab model", examples=("P1S", "X1C", "A1")),
    "type": Str(nullable=True, description='"FDM"'),
    "ip_address": Str(
        non_blank=True,
        message="is required (the printer's IP address)",
        examples=("192.0.2.20",),
    ),
    "access_code": Str(
        non_blank=True,
        message="is required (shown on the printer's screen)",
        examples=("12345678",),
    ),
    "serial_number": Str(
        non_blank=True,
        message="is required (the printer's serial number)",
        examples=("01P00A000000099",),
    ),
    "build_volume": Obj(
        nullable=True,
        properties={key: Num(exclusive_minimum=0) for key in ("width_mm", "depth_mm", "height_mm")},
        additional=False,
        message="must be an object with width_mm, depth_mm, height_mm",
    ),
    "filament": Obj(
        nullable=True,
        properties={"material": _FILAMENT_TEXT, "color": _FILAMENT_TEXT},
        additional=False,
        message="must be an object with material and color",
    ),
    "ottoeject_id": Int(
        minimum=1, nullable=True, message="must be the id of an OttoEject (or null)"
    ),
    "clearing_method": Str(
        nullable=True, description='"ottoeject" or "manual"', examples=("ottoeject", "manual")
    ),
    "eject_macro": Str(nullable=True, description="null: the model's default"),
    "load_macro": Str(nullable=True, description="null: the model's default"),
    "close_door_macro": Str(nullable=True, description='null: the default; "": no door'),
    "macro_params": Obj(
        nullable=True,
        additional=AnyOf(options=(Str(), Num())),
        message="must be an object of names and values",
    ),
    "eject_position": Obj(
        nullable=True,
        properties={"axis": Str(description='"Z" or "Y"'), "position_mm": Num()},
        additional=False,
        message="must be an object with axis and position_mm",
    ),
    "nozzle_diameter_mm": Num(
        minimum=0.1, maximum=2.0, nullable=True, message="must be a number of millimetres"
    ),
    "has_build_plate": Bool(nullable=True),
}
PRINTER_CREATE = Obj(
    properties=PRINTER_FIELDS,
    required=("name", "model", "ip_address", "access_code", "serial_number"),
)
PRINTER_UPDATE = Obj(properties=PRINTER_FIELDS)
START_FLAGS: Final = ("bed_leveling", "flow_cali", "vibration_cali", "timelapse", "layer_inspect")
START_PRINT = Obj(
    properties={
        "filename": Str(
            non_blank=True,
            message="is required (a file on the printer's storage)",
            examples=("cube.gcode.3mf",),
        ),
        "plate": Int(minimum=1, nullable=True, message="must be a plate number (1, 2, ...)"),
        "use_ams": Bool(nullable=True),
        "useAms": Bool(nullable=True, description="the seed's spelling of use_ams"),
        **{flag: Bool(nullable=True) for flag in START_FLAGS},
        "ams_mapping": Arr(
            items=Int(minimum=-1, maximum=255),
            nullable=True,
            message="must be a list of tray ids (-1 for none)",
        ),
    },
    required=("filename",),
)
SEND_GCODE = Obj(
    properties={
        "gcode": AnyOf(
            options=(Str(), Arr(items=Str())),
            description="G-code lines separated by newlines, or a list of lines",
            examples=("G28\nM400",),
            message="is required (G-code lines separated by newlines)",
        )
    },
    required=("gcode",),
)
PRINTER_CREATED = obj(id=ID, name=TEXT, message=TEXT)
PRINTER_UPLOADED = obj(filename=TEXT, file_size=TEXT, upload_time=MOMENT, message=TEXT)
UPLOAD = Obj(
    properties={
        "file": Binary(description="the print file (.3mf or .gcode)"),
    },
    required=("file",),
)
PRINTER_UPLOAD = Obj(
    properties={
        "file": Binary(description="the file to put on the printer's storage"),
        "remote_filename": Str(description="its name there (default: the upload's name)"),
    },
    required=("file",),
)
