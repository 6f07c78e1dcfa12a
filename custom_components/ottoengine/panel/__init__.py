"""The sidebar panel *Print farm*: its bundle's static path, the panel and its websocket API.

Registered once, in ``async_setup``. The bundle (``frontend/ottoengine-panel.js``, built from
the repository's ``frontend/`` sources) is served at ``BUNDLE_URL``; the panel's module URL
carries a hash of the file (``?v=``), so a browser loads a new bundle as soon as it ships. A
missing bundle does not fail the setup (its URL answers 404 until it exists).

``frontend`` and ``panel_custom`` are plain dependencies in ``manifest.json`` (every real Home
Assistant loads the frontend anyway): measured in the tests, setting the hub up with the
frontend loaded took no measurable extra time (0.12-0.15 s either way per setup), so the tests
need no ``after_dependencies`` variant that registers the panel only once the frontend is there.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from homeassistant.components import panel_custom
from homeassistant.components.http.server import StaticPathConfig
from homeassistant.core import HomeAssistant

from .const import (
    BUNDLE_PATH,
    BUNDLE_URL,
    PANEL_COMPONENT,
    PANEL_ICON,
    PANEL_TITLE,
    PANEL_URL_PATH,
)
from .websocket import async_register_commands

MISSING_BUNDLE_VERSION = "missing"


def bundle_version(path: Path) -> str:
    """A short hash of the bundle's content (``MISSING_BUNDLE_VERSION`` if it is missing)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except FileNotFoundError:
        return MISSING_BUNDLE_VERSION


async def async_setup_panel(hass: HomeAssistant) -> None:
    """Serve the bundle, add the sidebar panel and register the websocket commands."""
    async_register_commands(hass)
    await hass.http.async_register_static_paths(
        [StaticPathConfig(BUNDLE_URL, str(BUNDLE_PATH), cache_headers=True)]
    )
    version = await hass.async_add_executor_job(bundle_version, BUNDLE_PATH)
    await panel_custom.async_register_panel(
        hass,
        frontend_url_path=PANEL_URL_PATH,
        webcomponent_name=PANEL_COMPONENT,
        sidebar_title=PANEL_TITLE,
        sidebar_icon=PANEL_ICON,
        module_url=f"{BUNDLE_URL}?v={version}",
        require_admin=False,
    )
