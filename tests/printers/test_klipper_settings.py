"""A printer's driver in its stored settings: Bambu data unchanged, Klipper data without secrets
of a Bambu printer, and the Klipper parsers."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.ottoengine.printers.klipper_settings import (
    driver_for,
    parse_klipper_brand,
    parse_klipper_model,
    parse_klipper_type,
    parse_moonraker_api_key,
    parse_moonraker_port,
)
from custom_components.ottoengine.printers.settings import InvalidPrinterError, PrinterSettings

BAMBU_DATA: dict[str, Any] = {
    "id": 3,
    "name": "Left",
    "brand": "Bambu Lab",
    "model": "P1S",
    "type": "FDM",
    "ip_address": "127.0.1.9",
    "serial_number": "01P00A000000009",
    "access_code": "12345678",
}
KLIPPER_DATA: dict[str, Any] = {
    "id": 4,
    "name": "K1C",
    "brand": "Creality",
    "model": "K1C",
    "type": "FDM",
    "ip_address": "127.0.3.1",
    "driver": "klipper",
    "port": 7125,
    "api_key": "key",
}


def test_bambu_data_keeps_its_shape() -> None:
    settings = PrinterSettings.from_data(BAMBU_DATA)
    assert settings.driver == "bambu"
    assert not settings.is_klipper
    data = settings.as_data()
    assert "driver" not in data
    assert "port" not in data
    assert data["access_code"] == "12345678"
    assert settings.new_subentry("ignored").unique_id == "01P00A000000009"


def test_klipper_data_round_trip_and_defaults() -> None:
    settings = PrinterSettings.from_data(KLIPPER_DATA)
    assert settings.is_klipper
    assert (settings.serial_number, settings.access_code) == ("", "")
    data = settings.as_data()
    assert {key: data[key] for key in KLIPPER_DATA} == KLIPPER_DATA
    assert not {"serial_number", "access_code", "fingerprint"} & set(data)
    assert PrinterSettings.from_data(data) == settings
    assert settings.new_subentry("host:k1c").unique_id == "host:k1c"
    assert settings.new_subentry().unique_id is None
    # The K1C's robot defaults come from its Klipper profile.
    assert settings.macros().eject == "EJECT_FROM_CREALITY_K_ONE_C"
    assert settings.macros().close_door == "CLOSE_DOOR_CREALITY_K_ONE_C"
    assert settings.bed_position().as_dict() == {"axis": "Z", "position_mm": 200}
    voron = PrinterSettings.from_data({**KLIPPER_DATA, "model": "Voron"})
    assert voron.macros().close_door is None
    # A change of port or key is a change of connection.
    assert settings.connection != settings.with_changes(port=7126).connection
    assert settings.connection != settings.with_changes(api_key=None).connection


@pytest.mark.parametrize(
    ("brand", "printer_type", "driver"),
    [
        ("Bambu Lab", "FDM", "bambu"),
        (None, None, "bambu"),
        ("creality", None, "klipper"),
        (" Anycubic ", "FDM", "klipper"),
        ("VORON", None, "klipper"),
        ("Klipper", None, "klipper"),
        (None, "klipper", "klipper"),
        (42, 7, "bambu"),
    ],
)
def test_the_driver_is_chosen_by_brand_or_type(
    brand: object, printer_type: object, driver: str
) -> None:
    assert driver_for(brand, printer_type) == driver


def test_klipper_parsers() -> None:
    assert parse_klipper_model("kobra s1") == "Kobra S1"
    assert parse_klipper_model("K1C") == "K1C"
    assert parse_klipper_model("GENERIC") == "generic"
    for bad in ("P1S", None, 3):
        with pytest.raises(InvalidPrinterError) as raised:
            parse_klipper_model(bad)
        assert raised.value.field == "model"
    assert parse_klipper_brand(None, "Kobra S1") == "Anycubic"
    assert parse_klipper_brand("", "generic") == "Klipper"
    assert parse_klipper_brand("voron", "generic") == "Voron"
    with pytest.raises(InvalidPrinterError) as raised:
        parse_klipper_brand("Bambu Lab", "K1C")
    assert raised.value.field == "brand"
    assert parse_klipper_type(None) == parse_klipper_type("Klipper") == "FDM"
    with pytest.raises(InvalidPrinterError):
        parse_klipper_type("SLA")
    assert parse_moonraker_port(None) == parse_moonraker_port("") == 7125
    assert parse_moonraker_port("7130") == 7130
    with pytest.raises(InvalidPrinterError) as raised:
        parse_moonraker_port(70000)
    assert raised.value.field == "port"
    assert parse_moonraker_api_key("  ") is None
    with pytest.raises(InvalidPrinterError) as raised:
        parse_moonraker_api_key(12)
    assert raised.value.field == "api_key"
