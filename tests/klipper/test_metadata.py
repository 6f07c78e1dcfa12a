"""Parsing Moonraker's file metadata (fields are omitted when the slicer did not write them)."""

from __future__ import annotations

from custom_components.ottoengine.klipper.metadata import Thumbnail, metadata_from


def test_full_metadata() -> None:
    result = {
        "size": 1618,
        "modified": 1795645759.43,
        "slicer": "PrusaSlicer",
        "slicer_version": "2.6.0",
        "object_height": 0.6,
        "estimated_time": 65,
        "layer_height": 0.2,
        "first_layer_height": 0.2,
        "filament_total": 15.0,
        "filament_weight_total": 0.05,
        "filename": "otto_test.gcode",
        "thumbnails": [
            {
                "width": 32,
                "height": 32,
                "size": 900,
                "relative_path": ".thumbs/otto_test-32x32.png",
            },
            {"width": 300, "height": 300},  # no path: skipped
        ],
    }
    meta = metadata_from(result, "otto_test.gcode")
    assert (meta.estimated_time, meta.filament_total, meta.filament_weight_total) == (
        65.0,
        15.0,
        0.05,
    )
    assert (meta.object_height, meta.slicer, meta.size) == (0.6, "PrusaSlicer", 1618)
    assert meta.total_layers == 3  # 0.6 mm at 0.2 mm, no layer_count written
    assert meta.thumbnails == (Thumbnail(32, 32, 900, ".thumbs/otto_test-32x32.png"),)


def test_sparse_metadata() -> None:
    meta = metadata_from({"size": 10, "estimated_time": "soon", "layer_count": 7}, "a/b.gcode")
    assert (meta.filename, meta.estimated_time, meta.total_layers, meta.slicer) == (
        "a/b.gcode",
        None,
        7,
        None,
    )
    assert metadata_from({}, "x.gcode").total_layers is None
