"""Fix flows of OttoEngine's repair issues (each issue's ``data["kind"]`` selects the flow).

Printers: a new access code (the printer rejected the stored one), or trusting a new
certificate (the printer presents another one than the pinned one).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from homeassistant.components.repairs import ConfirmRepairFlow, RepairsFlow, RepairsFlowResult
from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import TextSelector, TextSelectorConfig, TextSelectorType
import probatio as vol

from .bambu import BambuError
from .farm.orchestration.runs import Answer
from .orchestrator.const import ISSUE_WORKFLOW_PAUSED
from .printers.connection import async_test_connection, error_key
from .printers.const import CONF_ACCESS_CODE, CONF_FINGERPRINT, ISSUE_ACCESS_CODE, ISSUE_CERTIFICATE
from .printers.settings import InvalidPrinterError, PrinterSettings, parse_access_code

ACCESS_CODE_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_ACCESS_CODE): TextSelector(
            TextSelectorConfig(type=TextSelectorType.PASSWORD)
        )
    }
)


class _PrinterRepairFlow(RepairsFlow):
    """A fix flow about one printer subentry (named by the issue's data)."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._entry_id = str(data["entry_id"])
        self._subentry_id = str(data["subentry_id"])

    def _printer(self) -> tuple[ConfigEntry, ConfigSubentry] | None:
        entry = self.hass.config_entries.async_get_entry(self._entry_id)
        if entry is None or self._subentry_id not in entry.subentries:
            return None
        return entry, entry.subentries[self._subentry_id]

    def _update(
        self, entry: ConfigEntry, subentry: ConfigSubentry, changes: dict[str, Any]
    ) -> RepairsFlowResult:
        self.hass.config_entries.async_update_subentry(
            entry, subentry, data=MappingProxyType({**subentry.data, **changes})
        )
        return self.async_create_entry(data={})


class AccessCodeRepairFlow(_PrinterRepairFlow):
    """The printer rejected its access code: ask for the new one and test it."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> RepairsFlowResult:
        return await self.async_step_access_code()

    async def async_step_access_code(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        found = self._printer()
        if found is None:
            return self.async_abort(reason="printer_removed")
        entry, subentry = found
        settings = PrinterSettings.from_subentry(subentry)
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                access_code = parse_access_code(user_input[CONF_ACCESS_CODE])
                fingerprint = await async_test_connection(
                    settings.ip_address,
                    settings.serial_number,
                    access_code,
                    model=settings.model,
                    fingerprint=settings.fingerprint,
                )
            except InvalidPrinterError:
                errors[CONF_ACCESS_CODE] = "invalid_access_code"
            except BambuError as err:
                errors["base"] = error_key(err)
            else:
                return self._update(
                    entry,
                    subentry,
                    {
                        CONF_ACCESS_CODE: access_code,
                        CONF_FINGERPRINT: settings.fingerprint or fingerprint or None,
                    },
                )
        return self.async_show_form(
            step_id="access_code",
            data_schema=ACCESS_CODE_SCHEMA,
            errors=errors,
            description_placeholders={"name": settings.name},
        )


class CertificateRepairFlow(_PrinterRepairFlow):
    """The printer presents a new certificate (e.g. after a repair): confirm trusting it."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> RepairsFlowResult:
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        found = self._printer()
        if found is None:
            return self.async_abort(reason="printer_removed")
        entry, subentry = found
        settings = PrinterSettings.from_subentry(subentry)
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                # Without a pin: any certificate naming this printer's serial is trusted anew.
                fingerprint = await async_test_connection(
                    settings.ip_address,
                    settings.serial_number,
                    settings.access_code,
                    model=settings.model,
                )
            except BambuError as err:
                errors["base"] = error_key(err)
            else:
                return self._update(entry, subentry, {CONF_FINGERPRINT: fingerprint or None})
        return self.async_show_form(
            step_id="confirm",
            data_schema=vol.Schema({}),
            errors=errors,
            description_placeholders={
                "name": settings.name,
                "ip_address": settings.ip_address,
            },
        )


class WorkflowRepairFlow(RepairsFlow):
    """A paused workflow: the operator says what happened (retry / done by hand / abort)."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._entry_id = str(data["entry_id"])
        self._run_id = int(data["run_id"])

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> RepairsFlowResult:
        entry = self.hass.config_entries.async_get_entry(self._entry_id)
        runtime = getattr(entry, "runtime_data", None) if entry is not None else None
        run = runtime.state.runs.get(self._run_id) if runtime is not None else None
        if runtime is None or run is None or run.pause is None:
            return self.async_abort(reason="workflow_not_paused")
        printer = runtime.printers.printer(run.printer_id)
        job = runtime.state.jobs.get(run.job_id) if run.job_id is not None else None
        return self.async_show_menu(
            step_id="init",
            menu_options=[answer.value for answer in Answer],
            description_placeholders={
                "printer": printer.name if printer is not None else str(run.printer_id),
                "job": job.filename if job is not None else "-",
                "reason": run.pause.reason,
            },
        )

    async def _answer(self, answer: Answer) -> RepairsFlowResult:
        entry = self.hass.config_entries.async_get_entry(self._entry_id)
        runtime = getattr(entry, "runtime_data", None) if entry is not None else None
        if runtime is None:
            return self.async_abort(reason="hub_not_loaded")
        try:
            runtime.orchestrator.async_answer(self._run_id, answer)
        except KeyError, ValueError:
            return self.async_abort(reason="workflow_not_paused")
        return self.async_create_entry(data={})

    async def async_step_retry(self, user_input: dict[str, Any] | None = None) -> RepairsFlowResult:
        return await self._answer(Answer.RETRY)

    async def async_step_done(self, user_input: dict[str, Any] | None = None) -> RepairsFlowResult:
        return await self._answer(Answer.DONE)

    async def async_step_abort(self, user_input: dict[str, Any] | None = None) -> RepairsFlowResult:
        return await self._answer(Answer.ABORT)


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    kind = (data or {}).get("kind")
    if data is not None and kind == ISSUE_ACCESS_CODE:
        return AccessCodeRepairFlow(data)
    if data is not None and kind == ISSUE_CERTIFICATE:
        return CertificateRepairFlow(data)
    if data is not None and kind == ISSUE_WORKFLOW_PAUSED:
        return WorkflowRepairFlow(data)
    return ConfirmRepairFlow()
