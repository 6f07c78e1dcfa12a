"""Bounded mutation fuzzing: damaged files either parse or raise PrintFileError, nothing else."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
import random
import zipfile

import pytest

from custom_components.ottoengine.printfile import (
    PrintFileError,
    PrintFileInfo,
    parse_print_file,
)

from .builders import (
    BambuProject,
    PrusaGcode,
    build_bambu_3mf,
    cura_gcode,
    make_png,
    prusa_gcode,
)

ITERATIONS = 300

type Mutation = Callable[[random.Random, bytes], bytes]


def flip_bytes(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(1, len(data))]


def insert_chunk(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + rng.randbytes(rng.randint(1, 64)) + data[at:]


def overwrite_number_fields(rng: random.Random, data: bytes) -> bytes:
    """Hit ZIP header size/offset fields: overwrite 4 bytes right after a PK signature."""
    out = bytearray(data)
    signatures = [i for i in range(len(data) - 4) if data[i : i + 2] == b"PK"]
    at = rng.choice(signatures) + rng.randrange(4, 42)
    out[at : at + 4] = rng.randbytes(4)
    return bytes(out[: len(data)])


MUTATIONS: tuple[Mutation, ...] = (flip_bytes, truncate, insert_chunk)


def fuzz(tmp_path: Path, seed: bytes, filename: str, mutations: tuple[Mutation, ...]) -> None:
    rng = random.Random(filename)
    path = tmp_path / filename
    outcomes = {"parsed": 0, "refused": 0}
    messages: set[str] = set()
    for iteration in range(ITERATIONS):
        mutation = rng.choice(mutations)
        path.write_bytes(mutation(rng, seed))
        try:
            result = parse_print_file(path, filename)
        except PrintFileError as err:
            messages.add(str(err))
            outcomes["refused"] += 1
        except Exception as err:
            pytest.fail(f"iteration {iteration} ({mutation.__name__}) raised {err!r}")
        else:
            assert isinstance(result, PrintFileInfo)
            result.as_dict()
            outcomes["parsed"] += 1
    assert outcomes["parsed"] + outcomes["refused"] == ITERATIONS
    assert all(messages), "every refusal carries a human message"


@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_fuzz_gcode_3mf(tmp_path: Path, compression: int) -> None:
    seed_path = build_bambu_3mf(tmp_path / "seed.gcode.3mf", BambuProject(compression=compression))
    fuzz(
        tmp_path,
        seed_path.read_bytes(),
        f"fuzz{compression}.gcode.3mf",
        (*MUTATIONS, overwrite_number_fields),
    )


@pytest.mark.parametrize(
    "text",
    [
        prusa_gcode(PrusaGcode(thumbnails=[(16, 16, make_png(16, 16))])),
        cura_gcode(),
    ],
    ids=["prusa", "cura"],
)
def test_fuzz_gcode(tmp_path: Path, text: str) -> None:
    fuzz(tmp_path, text.encode(), "fuzz.gcode", MUTATIONS)
