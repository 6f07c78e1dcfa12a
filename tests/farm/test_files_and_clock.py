"""The print-file folder, print items' derived values and UTC timestamps."""

from __future__ import annotations

from datetime import UTC, datetime
import hashlib
from pathlib import Path

from custom_components.ottoengine.farm.clock import from_iso, to_iso
from custom_components.ottoengine.farm.print_file_store import PrintFileStore
from custom_components.ottoengine.farm.print_items import PrintItem


def test_timestamps() -> None:
    moment = datetime(2025, 5, 21, 10, 0, 0, 123456, tzinfo=UTC)
    assert to_iso(moment) == "2025-05-21T10:00:00.123Z"
    assert from_iso("2025-05-21T10:00:00.123Z") == moment.replace(microsecond=123000)
    # A time without zone is taken as UTC.
    assert from_iso("2025-05-21T10:00:00") == datetime(2025, 5, 21, 10, tzinfo=UTC)
    assert to_iso(None) is None
    assert from_iso(None) is None


def test_print_item_without_metadata() -> None:
    item = PrintItem(1, "a.gcode", "1_a.gcode", 1, "x", datetime(2025, 1, 1, tzinfo=UTC))
    assert item.estimated_print_time_min is None
    assert (item.layer_count, item.filament_used_g, item.max_z_height_mm) == (None, None, None)


def test_upload_is_renamed_only_when_kept(tmp_path: Path) -> None:
    store = PrintFileStore(tmp_path / "print_files")
    upload = store.start_upload()
    upload.write(b"G28\n")
    upload.write(b"G1 X10\n")
    upload.close()
    assert upload.size == 11
    assert upload.sha256 == hashlib.sha256(b"G28\nG1 X10\n").hexdigest()
    kept = store.keep_upload(upload, "1_a.gcode")
    assert kept == store.path_of("1_a.gcode")
    upload.discard()
    assert sorted(p.name for p in store.directory.iterdir()) == ["1_a.gcode"]

    partial = store.start_upload()
    partial.write(b"G28")
    partial.discard()
    assert sorted(p.name for p in store.directory.iterdir()) == ["1_a.gcode"]

    store.write_file("1_thumbnail.png", b"png")
    assert store.read_file("1_thumbnail.png") == b"png"
    store.remove("1_thumbnail.png", None, "missing.png")
    assert store.read_file("1_thumbnail.png") is None
