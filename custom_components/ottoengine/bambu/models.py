"""Bambu Lab printer models: model codes (SSDP ``DevModel`` / slicer ``printer_model_id``)."""

from __future__ import annotations

MODEL_NAMES: dict[str, str] = {
    "BL-P001": "X1C",
    "3DPrinter-X1-Carbon": "X1C",
    "BL-P002": "X1",
    "3DPrinter-X1": "X1",
    "C13": "X1E",
    "C11": "P1P",
    "C12": "P1S",
    "N1": "A1 mini",
    "N2S": "A1",
    "N7": "P2S",
    "N6": "X2D",
    "O1D": "H2D",
    "O1E": "H2D Pro",
    "O2D": "H2D Pro",
    "O1S": "H2S",
    "O1C": "H2C",
    "O1C2": "H2C",
    "N9": "A2L",
}

# Longest prefixes first: "20P9" must win over shorter ones.
SERIAL_PREFIXES: tuple[tuple[str, str], ...] = (
    ("26A19", "A2L"),
    ("20P9", "X2D"),
    ("00M", "X1C"),
    ("03W", "X1E"),
    ("01S", "P1P"),
    ("01P", "P1S"),
    ("030", "A1 mini"),
    ("039", "A1"),
    ("22E", "P2S"),
    ("094", "H2D"),
)

# Models whose firmware expects project_file URLs as ftp:///<name> (others: file:///sdcard/).
FTP_URL_MODELS = frozenset({"H2D", "H2D Pro", "H2S", "H2C", "P2S", "X2D"})

# Models with a real chamber temperature sensor (P1/A1 report a constant 5 °C).
CHAMBER_SENSOR_MODELS = frozenset(
    {"X1C", "X1", "X1E", "P2S", "X2D", "H2D", "H2D Pro", "H2S", "H2C"}
)
# Models that report their door (X1 in ``home_flag``, the newer ones in ``stat``).
DOOR_SENSOR_MODELS = CHAMBER_SENSOR_MODELS


def has_chamber_sensor(model: str | None) -> bool:
    """Whether the model measures its chamber temperature."""
    return normalize_model(model) in CHAMBER_SENSOR_MODELS


def has_door_sensor(model: str | None) -> bool:
    """Whether the model reports its door open or closed."""
    return normalize_model(model) in DOOR_SENSOR_MODELS


def model_from_code(code: str | None) -> str | None:
    """Model name for an SSDP / slicer model code (``"C12"`` → ``"P1S"``), ``None`` if unknown."""
    if not code:
        return None
    return MODEL_NAMES.get(code.strip())


def model_from_serial(serial: str) -> str | None:
    """Best guess of the model from the serial prefix (H2 variants share ``094``)."""
    for prefix, model in SERIAL_PREFIXES:
        if serial.startswith(prefix):
            return model
    return None


def normalize_model(model: str | None) -> str | None:
    """Canonical model name from a code or a loose name ("p1s", "Bambu Lab P1S", "C12")."""
    if not model:
        return None
    by_code = model_from_code(model)
    if by_code is not None:
        return by_code
    text = model.strip().removeprefix("Bambu Lab").strip().upper()
    for name in set(MODEL_NAMES.values()):
        if name.upper() == text:
            return name
    return None
