"""The hub's options: upload limit, the OttoEjects' default acknowledgement timeout and the
orchestrator's timings."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from custom_components.ottoengine.ottoeject.settings import OttoEjectSettings, ack_timeout

from ..helpers import setup_hub


async def test_options_show_the_defaults_and_apply_at_once(hass: HomeAssistant) -> None:
    entry = await setup_hub(hass)
    runtime = entry.runtime_data
    assert runtime.max_upload_bytes == 1024**3

    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    defaults = {key.schema: key.default() for key in result["data_schema"].schema}
    assert defaults == {
        "max_upload_mib": 1024,
        "macro_ack_timeout": 30.0,
        "start_timeout_s": 300.0,
        "start_attempts": 3,
        "bed_settle_s": 25.0,
    }

    chosen = {
        "max_upload_mib": 5,
        "macro_ack_timeout": 12.5,
        "start_timeout_s": 120.0,
        "start_attempts": 5,
        "bed_settle_s": 30.0,
    }
    result = await hass.config_entries.options.async_configure(result["flow_id"], chosen)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options == {
        "max_upload_bytes": 5 * 1024 * 1024,
        "macro_ack_timeout": 12.5,
        "start_timeout_s": 120.0,
        "start_attempts": 5,
        "bed_settle_s": 30.0,
    }
    # No reload needed: the same runtime uses the new values.
    assert entry.runtime_data is runtime
    assert runtime.max_upload_bytes == 5 * 1024 * 1024
    settings = OttoEjectSettings(id=1, device_name="e", ip_address="127.0.0.1", port=7125)
    assert ack_timeout(entry, settings) == 12.5
    # The orchestrator decides with the new timings from its next decision on.
    engine = runtime.orchestrator.engine
    assert (engine.settings.start_timeout_s, engine.settings.start_attempts) == (120.0, 5)
    assert engine.settings.bed_settle_s == 30.0

    # The form shows what is set now.
    result = await hass.config_entries.options.async_init(entry.entry_id)
    defaults = {key.schema: key.default() for key in result["data_schema"].schema}
    assert defaults == chosen
