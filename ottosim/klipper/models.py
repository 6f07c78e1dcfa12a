"""What differs between the Klipper printer models the farm can simulate.

Only the Creality K1C for now (rooted, stock Creality macros): a CoreXY printer whose bed moves
down in Z, 220 x 220 x 250 mm. OTTOMAT3D positions a K1C for ejection with nothing sent by the
farm: the user adds ``G1 Z200 F600`` to ``END_PRINT`` (ottomat3d-workflow.md, section 3), so
the end of every print lowers the bed to the eject position.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_END_PRINT_RAISE = "G1 Z200 F600"


@dataclass(frozen=True)
class KlipperModelSpec:
    name: str  # the model as the farm names it: "K1C"
    hostname: str  # what Klippy's ``info`` reports
    kinematics: str
    axis_maximum: tuple[float, float, float]
    bed_target_c: float  # when the file does not say
    extruder_target_c: float
    cpu_info: str
    software_version: str


K1C = KlipperModelSpec(
    name="K1C",
    hostname="K1C-2B3C",
    kinematics="corexy",
    axis_maximum=(220.0, 220.0, 250.0),
    bed_target_c=60.0,
    extruder_target_c=220.0,
    cpu_info="2 core ?",
    software_version="v0.10.0-ottosim",
)

KLIPPER_MODELS: dict[str, KlipperModelSpec] = {K1C.name: K1C}


def klipper_model_spec(name: str) -> KlipperModelSpec:
    """The spec of a model name (any case); ``ValueError`` for a model the farm cannot run."""
    spec = KLIPPER_MODELS.get(name.upper())
    if spec is None:
        raise ValueError(
            f"unknown Klipper printer model {name!r}; known: {', '.join(KLIPPER_MODELS)}"
        )
    return spec
