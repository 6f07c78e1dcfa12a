"""Size limits that bound how much of an untrusted print file is ever read or decoded.

Metadata lives in small, well-known places (the G-code header/footer, a few 3MF members), so
every read is capped; anything claiming to be larger than these limits is rejected or skipped.
"""

from __future__ import annotations

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB

# G-code: Bambu Studio / OrcaSlicer put metadata (and a config block of ~50-100 KiB) at the top,
# PrusaSlicer / OrcaSlicer put statistics and their config at the end, Cura at the top.
GCODE_HEAD_BYTES = 256 * KIB
GCODE_TAIL_BYTES = 256 * KIB

# 3MF archives.
MAX_ARCHIVE_MEMBERS = 10_000
# A real sliced 3MF's central directory is a few KiB; 10 000 entries take about 1 MiB.
MAX_CENTRAL_DIRECTORY_BYTES = 8 * MIB
MAX_MEMBER_UNCOMPRESSED_BYTES = 2 * GIB
MAX_TOTAL_UNCOMPRESSED_BYTES = 8 * GIB
# Deflate cannot do better than ~1032:1; sliced G-code compresses ~3-10:1, XML/JSON ~5-30:1.
MAX_COMPRESSION_RATIO = 200
# Members smaller than this are never flagged by the ratio check (tiny files compress oddly).
RATIO_CHECK_MIN_BYTES = 1 * MIB
# slice_info.config, model_settings.config, project_settings.config, plate_N.json.
MAX_METADATA_MEMBER_BYTES = 16 * MIB
# Only the start of 3D/3dmodel.model is read (its <metadata> precede any mesh).
MODEL_HEAD_BYTES = 64 * KIB

# Thumbnails are kept as PNG bytes in memory and in storage; larger ones are dropped.
MAX_THUMBNAIL_BYTES = 2 * MIB

# Bound lists built from untrusted comma/semicolon separated values.
MAX_FILAMENTS = 64
