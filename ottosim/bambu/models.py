"""What differs between the simulated Bambu Lab models (see bambu-lan-protocol.md sections 2, 8, 9)."""

from __future__ import annotations

from dataclasses import dataclass

# stg_cur while idle: X1 firmware reports -1, P1/A1 255 (and 0 right after boot).
IDLE_STAGE_X1 = -1
IDLE_STAGE_P1 = 255


@dataclass(frozen=True)
class ModelSpec:
    """One printer model as seen on the wire."""

    name: str  # the farm's model name: P1P, P1S, X1C, A1
    model_code: str  # SSDP DevModel / slice_info printer_model_id
    product_name: str  # get_version: ota.product_name
    serial_prefix: str
    firmware: str  # before the January 2025 authorization firmware
    authorization_firmware: str  # first version that requires signed commands
    full_reports: bool  # old X1 firmware sends the whole print object in every report
    sends_fun: bool  # X1 reports the "fun" feature bits, P1/A1 do not
    chamber_sensor: bool  # P1/A1 report a constant chamber_temper of 5
    bed_axis: str  # "z": the bed moves down (P1/X1); "y": bed slinger (A1)
    mc_hw: str
    # get_version's application-processor module: "esp32" on P1/A1 (hw_ver AP04 P1, AP05 A1),
    # "rv1126" on X1 (AP05). Clients read the hardware version from the "AP0x" module.
    ap_module: str = "esp32"
    ap_hw: str = "AP04"
    ap_sw: str = "01.07.23.47"
    door_sensor: bool = False  # X1 reports the front door in home_flag bit 0x00800000
    default_ams_units: int = 0  # AMS units in the default loadout (P1S/X1C: one)
    tcp_camera: bool = True  # P1/A1: JPEG stream on TLS port 6000 (X1: RTSP, not simulated)

    @property
    def idle_stage(self) -> int:
        return IDLE_STAGE_X1 if self.full_reports else IDLE_STAGE_P1


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            "P1P",
            "C11",
            "Bambu Lab P1P",
            "01S",
            "01.07.00.00",
            "01.08.02.00",
            full_reports=False,
            sends_fun=False,
            chamber_sensor=False,
            bed_axis="z",
            mc_hw="MC07",
        ),
        ModelSpec(
            "P1S",
            "C12",
            "Bambu Lab P1S",
            "01P",
            "01.07.00.00",
            "01.08.02.00",
            full_reports=False,
            sends_fun=False,
            chamber_sensor=False,
            bed_axis="z",
            mc_hw="MC07",
            default_ams_units=1,
        ),
        ModelSpec(
            "X1C",
            "BL-P001",
            "Bambu Lab X1 Carbon",
            "00M",
            "01.08.02.00",
            "01.08.50.32",
            full_reports=True,
            sends_fun=True,
            chamber_sensor=True,
            bed_axis="z",
            mc_hw="MC04",
            ap_module="rv1126",
            ap_hw="AP05",
            ap_sw="00.00.28.55",
            door_sensor=True,
            default_ams_units=1,
            tcp_camera=False,
        ),
        ModelSpec(
            "A1",
            "N2S",
            "Bambu Lab A1",
            "039",
            "01.04.00.00",
            "01.05.00.00",
            full_reports=False,
            sends_fun=False,
            chamber_sensor=False,
            bed_axis="y",
            mc_hw="MC08",
            ap_hw="AP05",
            ap_sw="01.04.00.18",
        ),
    )
}

FARM_MODEL_CYCLE = ("P1S", "P1P", "X1C", "A1")


def model_spec(name: str) -> ModelSpec:
    """The spec for ``name`` (case-insensitive); ``ValueError`` for an unknown model."""
    try:
        return MODELS[name.upper()]
    except KeyError:
        raise ValueError(f"unknown printer model {name!r} (known: {', '.join(MODELS)})") from None


def serial_number(spec: ModelSpec, index: int) -> str:
    """A 15-character serial with the model's real prefix, unique per ``index``."""
    body = f"{index:0{15 - len(spec.serial_prefix) - 3}d}"
    return f"{spec.serial_prefix}00A{body}"
