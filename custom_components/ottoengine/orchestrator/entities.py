"""The orchestrator's entities: what a person watching the farm wants to see and press.

- Hub: the *Job processing* switch; queue length, active workflows, jobs completed / failed.
- Each printer: workflow phase, current job, *needs attention* (with the reason), its
  maintenance counters (jobs completed / failed, print hours, filament used) and a
  *Plate cleared* button.
- Each OttoEject: the ejection requests waiting for it.

All are pushed on ``SIGNAL_ORCHESTRATOR_UPDATED`` (never polled).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory, UnitOfMass, UnitOfTime
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..const import DOMAIN
from ..entity import OttoEntity, async_follow_devices, farm_device_info
from ..farm.job_status import JobStatus
from ..farm.orchestration.runs import Phase
from ..ottoeject.settings import MODEL as OTTOEJECT_MODEL
from ..runtime import OttoConfigEntry, OttoRuntime
from ..subentries import DeviceKind
from .const import SIGNAL_ORCHESTRATOR_UPDATED

PHASE_IDLE = "idle"
PHASE_OPTIONS = [PHASE_IDLE, *(phase.value for phase in Phase if phase is not Phase.DONE)]


class OrchestratorEntity(OttoEntity):
    """Follows the orchestrator's updates."""

    def __init__(self, runtime: OttoRuntime, unique_suffix: str, device_info: DeviceInfo) -> None:
        super().__init__(runtime)
        self._attr_unique_id = f"{runtime.entry_id}_{unique_suffix}"
        self._attr_device_info = device_info

    async def async_added_to_hass(self) -> None:
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                SIGNAL_ORCHESTRATOR_UPDATED.format(self.runtime.entry_id),
                self.async_write_ha_state,
            )
        )


def _hub_device(runtime: OttoRuntime) -> DeviceInfo:
    return DeviceInfo(identifiers={(DOMAIN, runtime.entry_id)})


# -- the hub -------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class HubSensorDescription(SensorEntityDescription):
    value_fn: Callable[[OttoRuntime], int]


def _queue_length(runtime: OttoRuntime) -> int:
    state = runtime.state
    return sum(
        1
        for job in state.jobs.values()
        if job.status is JobStatus.QUEUED and state.run_of_job(job.id) is None
    )


HUB_SENSORS: tuple[HubSensorDescription, ...] = (
    HubSensorDescription(
        key="queue_length",
        translation_key="queue_length",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_queue_length,
    ),
    HubSensorDescription(
        key="active_workflows",
        translation_key="active_workflows",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda runtime: len(runtime.state.active_runs()),
    ),
    HubSensorDescription(
        key="jobs_completed",
        translation_key="jobs_completed",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda runtime: runtime.processing.statistics.jobs_completed,
    ),
    HubSensorDescription(
        key="jobs_failed",
        translation_key="jobs_failed",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda runtime: runtime.processing.statistics.jobs_failed,
    ),
)


class HubSensor(OrchestratorEntity, SensorEntity):
    entity_description: HubSensorDescription

    def __init__(self, runtime: OttoRuntime, description: HubSensorDescription) -> None:
        super().__init__(runtime, f"hub_{description.key}", _hub_device(runtime))
        self.entity_description = description

    @property
    def native_value(self) -> int:
        return self.entity_description.value_fn(self.runtime)


class JobProcessingSwitch(OrchestratorEntity, SwitchEntity):
    """On: queued jobs start by themselves. Off: running workflows finish, none start."""

    entity_description = SwitchEntityDescription(
        key="job_processing", translation_key="job_processing"
    )

    def __init__(self, runtime: OttoRuntime) -> None:
        super().__init__(runtime, "hub_job_processing", _hub_device(runtime))

    @property
    def is_on(self) -> bool:
        return self.runtime.processing.enabled

    async def async_turn_on(self, **kwargs: Any) -> None:
        self.runtime.orchestrator.async_set_processing(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        self.runtime.orchestrator.async_set_processing(False)


# -- printers ------------------------------------------------------------------------------------
class PrinterOrchestratorEntity(OrchestratorEntity):
    def __init__(self, runtime: OttoRuntime, printer_id: int, key: str) -> None:
        coordinator = runtime.printers.farm_coordinators()[printer_id]
        settings = coordinator.settings
        super().__init__(
            runtime,
            f"printer_{printer_id}_{key}",
            farm_device_info(
                runtime.entry_id,
                runtime.hub_device_id,
                DeviceKind.PRINTER,
                printer_id,
                name=settings.name,
                manufacturer=settings.brand,
                model=settings.model,
                serial_number=settings.serial_number or None,
            ),
        )
        self.printer_id = printer_id


@dataclass(frozen=True, kw_only=True)
class PrinterFigureDescription(SensorEntityDescription):
    value_fn: Callable[[OttoRuntime, int], float | int | str | None]
    attributes_fn: Callable[[OttoRuntime, int], dict[str, Any]] | None = None


def _phase(runtime: OttoRuntime, printer_id: int) -> str:
    phase = runtime.orchestrator.engine.printer_view(printer_id).phase
    return phase.value if phase is not None else PHASE_IDLE


def _current_job(runtime: OttoRuntime, printer_id: int) -> str | None:
    view = runtime.orchestrator.engine.printer_view(printer_id)
    job = runtime.state.jobs.get(view.job_id) if view.job_id is not None else None
    return job.filename if job is not None else None


def _current_job_attributes(runtime: OttoRuntime, printer_id: int) -> dict[str, Any]:
    view = runtime.orchestrator.engine.printer_view(printer_id)
    job = runtime.state.jobs.get(view.job_id) if view.job_id is not None else None
    return {
        "job_id": view.job_id,
        "job_status": job.status.value if job is not None else None,
        "waiting_for": view.note,
    }


PRINTER_SENSORS: tuple[PrinterFigureDescription, ...] = (
    PrinterFigureDescription(
        key="workflow_phase",
        translation_key="workflow_phase",
        device_class=SensorDeviceClass.ENUM,
        options=PHASE_OPTIONS,
        value_fn=_phase,
    ),
    PrinterFigureDescription(
        key="current_job",
        translation_key="current_job",
        value_fn=_current_job,
        attributes_fn=_current_job_attributes,
    ),
    PrinterFigureDescription(
        key="jobs_completed",
        translation_key="printer_jobs_completed",
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda runtime, pid: runtime.state.counters_of(pid).jobs_completed,
    ),
    PrinterFigureDescription(
        key="jobs_failed",
        translation_key="printer_jobs_failed",
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda runtime, pid: runtime.state.counters_of(pid).jobs_failed,
    ),
    PrinterFigureDescription(
        key="print_hours",
        translation_key="print_hours",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.HOURS,
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda runtime, pid: runtime.state.counters_of(pid).print_hours,
    ),
    PrinterFigureDescription(
        key="filament_used",
        translation_key="filament_used",
        device_class=SensorDeviceClass.WEIGHT,
        native_unit_of_measurement=UnitOfMass.GRAMS,
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda runtime, pid: round(runtime.state.counters_of(pid).filament_g, 1),
    ),
)


class PrinterFigureSensor(PrinterOrchestratorEntity, SensorEntity):
    entity_description: PrinterFigureDescription

    def __init__(
        self, runtime: OttoRuntime, printer_id: int, description: PrinterFigureDescription
    ) -> None:
        super().__init__(runtime, printer_id, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> float | int | str | None:
        return self.entity_description.value_fn(self.runtime, self.printer_id)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        attributes = self.entity_description.attributes_fn
        return attributes(self.runtime, self.printer_id) if attributes is not None else None


class NeedsAttentionSensor(PrinterOrchestratorEntity, BinarySensorEntity):
    """On when a person must act on this printer; ``reason`` says what to do."""

    entity_description = BinarySensorEntityDescription(
        key="needs_attention",
        translation_key="needs_attention",
        device_class=BinarySensorDeviceClass.PROBLEM,
    )

    def __init__(self, runtime: OttoRuntime, printer_id: int) -> None:
        super().__init__(runtime, printer_id, "needs_attention")

    @property
    def is_on(self) -> bool:
        return self.runtime.orchestrator.engine.printer_view(self.printer_id).attention is not None

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        return {"reason": self.runtime.orchestrator.engine.printer_view(self.printer_id).attention}


class PlateClearedButton(PrinterOrchestratorEntity, ButtonEntity):
    """The operator confirms: the bed is clear and a fresh plate is on it."""

    entity_description = ButtonEntityDescription(
        key="plate_cleared", translation_key="plate_cleared"
    )

    def __init__(self, runtime: OttoRuntime, printer_id: int) -> None:
        super().__init__(runtime, printer_id, "plate_cleared")

    async def async_press(self) -> None:
        self.runtime.orchestrator.async_plate_cleared(self.printer_id)


# -- OttoEjects ----------------------------------------------------------------------------------
class WaitingEjectionsSensor(OrchestratorEntity, SensorEntity):
    """How many printers wait for this OttoEject; ``printers`` lists them in order."""

    entity_description = SensorEntityDescription(
        key="waiting_ejections",
        translation_key="waiting_ejections",
        state_class=SensorStateClass.MEASUREMENT,
    )

    def __init__(self, runtime: OttoRuntime, ejector_id: int) -> None:
        coordinator = runtime.ottoejects.by_id(ejector_id)
        assert coordinator is not None
        super().__init__(
            runtime,
            f"ottoeject_{ejector_id}_waiting_ejections",
            farm_device_info(
                runtime.entry_id,
                runtime.hub_device_id,
                DeviceKind.OTTOEJECT,
                ejector_id,
                name=coordinator.settings.device_name,
                model=OTTOEJECT_MODEL,
            ),
        )
        self.ejector_id = ejector_id

    @property
    def native_value(self) -> int:
        return len(self.runtime.orchestrator.engine.waiting_ejections(self.ejector_id))

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        waiting = self.runtime.orchestrator.engine.waiting_ejections(self.ejector_id)
        return {"printers": [run.printer_id for run in waiting]}


# -- platform setup ------------------------------------------------------------------------------
def _follow_printers(
    hass: HomeAssistant,
    entry: OttoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    build: Callable[[OttoRuntime, int], list[Any]],
) -> None:
    runtime = entry.runtime_data
    async_follow_devices(
        hass,
        entry,
        DeviceKind.PRINTER,
        async_add_entities,
        devices=lambda: {
            c.subentry_id: pid for pid, c in runtime.printers.farm_coordinators().items()
        },
        build=lambda printer_id: build(runtime, printer_id),
    )


@callback
def async_setup_orchestrator_sensors(
    hass: HomeAssistant, entry: OttoConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    runtime = entry.runtime_data
    async_add_entities([HubSensor(runtime, description) for description in HUB_SENSORS])
    _follow_printers(
        hass,
        entry,
        async_add_entities,
        lambda rt, pid: [PrinterFigureSensor(rt, pid, d) for d in PRINTER_SENSORS],
    )
    async_follow_devices(
        hass,
        entry,
        DeviceKind.OTTOEJECT,
        async_add_entities,
        devices=lambda: {
            c.subentry_id: c.settings.id for c in runtime.ottoejects.coordinators.values()
        },
        build=lambda ejector_id: [WaitingEjectionsSensor(runtime, ejector_id)],
    )


@callback
def async_setup_orchestrator_binary_sensors(
    hass: HomeAssistant, entry: OttoConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    _follow_printers(
        hass, entry, async_add_entities, lambda rt, pid: [NeedsAttentionSensor(rt, pid)]
    )


@callback
def async_setup_orchestrator_buttons(
    hass: HomeAssistant, entry: OttoConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    _follow_printers(hass, entry, async_add_entities, lambda rt, pid: [PlateClearedButton(rt, pid)])


@callback
def async_setup_orchestrator_switches(
    hass: HomeAssistant, entry: OttoConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    async_add_entities([JobProcessingSwitch(entry.runtime_data)])
