"""Every field, section, option and error of the printer and rack flows has its English text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from homeassistant.data_entry_flow import section
import pytest

from custom_components.ottoengine.farm.orchestration.topology import ClearingMethod
from custom_components.ottoengine.flows import printer, rack
from custom_components.ottoengine.ottoeject.settings import OttoEjectSettings

TRANSLATIONS = json.loads(
    (Path(__file__).parents[2] / "custom_components/ottoengine/translations/en.json").read_text()
)
SUBENTRIES = TRANSLATIONS["config_subentries"]
EJECTORS = {
    ottoeject_id: OttoEjectSettings(ottoeject_id, f"R{ottoeject_id}", "127.0.0.1").new_subentry(
        None
    )
    for ottoeject_id in (1, 2)
}


def _check(step: dict[str, Any], schema: Any) -> None:
    for key, value in schema.schema.items():
        name = str(key)
        if isinstance(value, section):
            texts = step["sections"][name]
            assert texts["name"]
            assert texts["description"]
            for inner in value.schema.schema:
                assert texts["data"][str(inner)], inner
                assert texts["data_description"][str(inner)], inner
        else:
            assert step["data"][name], name
            assert step["data_description"].get(name) or name == "printer", name


@pytest.mark.parametrize(
    ("step_id", "schema"),
    [
        ("manual", printer._with_topology(printer.ADD_SCHEMA, EJECTORS)),
        ("reconfigure", printer._with_topology(printer.RECONFIGURE_SCHEMA, EJECTORS)),
    ],
)
def test_printer_flow_texts(step_id: str, schema: Any) -> None:
    _check(SUBENTRIES["printer"]["step"][step_id], schema)
    errors = SUBENTRIES["printer"]["error"]
    assert all(errors[key] for key in printer._ERRORS.values())
    options = TRANSLATIONS["selector"]["clearing_method"]["options"]
    assert set(options) == {method.value for method in ClearingMethod}


@pytest.mark.parametrize("step_id", ["user", "reconfigure"])
def test_rack_flow_texts(step_id: str) -> None:
    _check(SUBENTRIES["rack"]["step"][step_id], rack._schema(EJECTORS))
    errors = SUBENTRIES["rack"]["error"]
    assert all(errors[key] for key in rack._ERRORS.values())
