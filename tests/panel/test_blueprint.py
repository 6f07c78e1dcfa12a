"""The automation blueprint shipped with the integration: ``notify_job_failed``.

It must load as Home Assistant loads blueprints (its blueprint schema for automations), and an
automation made from it must send the notification, with the job's name, when the farm fires
``ottoengine_job_failed`` (as the orchestrator does when a job fails).
"""

from __future__ import annotations

from pathlib import Path
import shutil

from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint import models
from homeassistant.components.blueprint.const import BLUEPRINT_FOLDER
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import yaml as yaml_util
import pytest
from pytest_homeassistant_custom_component.common import async_mock_service

from custom_components.ottoengine.farm.orchestration.engine import EVENT_JOB_FAILED
from custom_components.ottoengine.orchestrator.const import EVENT_PREFIX

REPO = Path(__file__).resolve().parents[2]
BLUEPRINT = "ottoengine/notify_job_failed.yaml"
SHIPPED = REPO / "blueprints" / "automation" / BLUEPRINT
# What the orchestrator puts in its job events (engine._job_event), plus the failure's reason.
FAILED = {
    "job_id": 7,
    "job_name": "bracket.gcode.3mf",
    "printer_id": 2,
    "printer_name": "P1S left",
    "workflow_id": 12,
    "reason": "Printer error 0300-4000-0002-0004",
}


def test_the_blueprint_is_a_valid_automation_blueprint() -> None:
    blueprint = models.Blueprint(
        yaml_util.load_yaml_dict(SHIPPED),
        path=BLUEPRINT,
        expected_domain="automation",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )
    assert blueprint.domain == "automation"
    assert set(blueprint.inputs) == {"notify_action", "title"}
    # Every input has a default: an automation made from it needs nothing but a name.
    assert all("default" in spec for spec in blueprint.inputs.values())
    assert blueprint.validate() is None  # the Home Assistant version it needs


@pytest.fixture
def config_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """A config folder whose blueprints/automation holds the shipped blueprint, as installed."""
    target = tmp_path / BLUEPRINT_FOLDER / "automation" / BLUEPRINT
    target.parent.mkdir(parents=True)
    shutil.copy(SHIPPED, target)
    hass.config.config_dir = str(tmp_path)
    return tmp_path


async def _automation_from_blueprint(hass: HomeAssistant, **inputs: str) -> None:
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "alias": "Job failed",
                "use_blueprint": {"path": BLUEPRINT, "input": inputs},
            }
        },
    )
    await hass.async_block_till_done()
    state = hass.states.get("automation.job_failed")
    assert state is not None
    assert state.state == "on"


@pytest.mark.usefixtures("config_dir")
async def test_a_failed_job_sends_a_notification_naming_it(hass: HomeAssistant) -> None:
    sent = async_mock_service(hass, "notify", "farm_phone")
    everyone = async_mock_service(hass, "notify", "notify")
    await _automation_from_blueprint(hass, notify_action="notify.farm_phone")

    hass.bus.async_fire(f"{EVENT_PREFIX}job_finished", {**FAILED, "reason": None})
    await hass.async_block_till_done()
    assert sent == []  # only failures are told

    hass.bus.async_fire(f"{EVENT_PREFIX}{EVENT_JOB_FAILED}", FAILED)
    await hass.async_block_till_done()
    assert len(sent) == 1
    assert everyone == []
    assert sent[0].data == {
        "title": "Print job failed",
        "message": "bracket.gcode.3mf failed on P1S left: Printer error 0300-4000-0002-0004",
    }


@pytest.mark.usefixtures("config_dir")
async def test_by_default_every_notifier_is_told(hass: HomeAssistant) -> None:
    everyone = async_mock_service(hass, "notify", "notify")
    await _automation_from_blueprint(hass, title="Farm")

    hass.bus.async_fire(f"{EVENT_PREFIX}{EVENT_JOB_FAILED}", {**FAILED, "printer_name": None})
    await hass.async_block_till_done()
    assert [call.data for call in everyone] == [
        {
            "title": "Farm",
            "message": "bracket.gcode.3mf failed on its printer: Printer error 0300-4000-0002-0004",
        }
    ]
