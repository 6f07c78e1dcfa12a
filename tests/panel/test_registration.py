"""The sidebar panel and its bundle: registered once at setup, the module URL carrying the
bundle's hash, the bundle served; a missing bundle does not fail the setup."""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path
from unittest.mock import patch

from homeassistant.components.frontend import DATA_PANELS
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine import panel
from custom_components.ottoengine.panel.const import BUNDLE_URL, PANEL_URL_PATH

from .helpers import setup_panel_farm


async def test_the_panel_is_in_the_sidebar_with_the_bundle_s_hash(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, tmp_path: Path
) -> None:
    bundle = tmp_path / "ottoengine-panel.js"
    bundle.write_text("customElements.define('ottoengine-farm-panel', class {});\n")
    with patch.object(panel, "BUNDLE_PATH", bundle):
        await setup_panel_farm(hass)
    registered = hass.data[DATA_PANELS][PANEL_URL_PATH].to_response()
    assert registered["title"] == "Print farm"
    assert registered["icon"] == "mdi:printer-3d"
    assert registered["require_admin"] is False
    custom = registered["config"]["_panel_custom"]
    assert custom["name"] == "ottoengine-farm-panel"
    version = panel.bundle_version(bundle)
    assert len(version) == 16
    assert custom["module_url"] == f"{BUNDLE_URL}?v={version}"
    client = await hass_client()
    response = await client.get(custom["module_url"])
    assert response.status == HTTPStatus.OK
    assert await response.text() == bundle.read_text()
    # Another bundle, another version: browsers load the new one.
    bundle.write_text("// rebuilt\n")
    assert panel.bundle_version(bundle) != version


async def test_a_missing_bundle_does_not_fail_the_setup(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, tmp_path: Path
) -> None:
    with patch.object(panel, "BUNDLE_PATH", tmp_path / "not-built.js"):
        entry = await setup_panel_farm(hass)
    assert entry.runtime_data is not None
    custom = hass.data[DATA_PANELS][PANEL_URL_PATH].config["_panel_custom"]
    assert custom["module_url"] == f"{BUNDLE_URL}?v={panel.MISSING_BUNDLE_VERSION}"
    client = await hass_client()
    assert (await client.get(BUNDLE_URL)).status == HTTPStatus.NOT_FOUND
