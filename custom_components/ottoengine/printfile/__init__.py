"""Print-file (G-code / sliced 3MF) parsing, free of Home Assistant.

``parse_print_file`` is the entry point; ``sanitize_filename``, ``format_file_size`` and
``format_filament_grams`` serve the upload route. Every refusal is a ``PrintFileError``.
"""

from .errors import PrintFileError
from .filenames import SUPPORTED_SUFFIXES, sanitize_filename
from .formatting import format_filament_grams, format_file_size
from .model import FilamentInfo, PrintFileFormat, PrintFileInfo
from .parser import parse_print_file

__all__ = [
    "SUPPORTED_SUFFIXES",
    "FilamentInfo",
    "PrintFileError",
    "PrintFileFormat",
    "PrintFileInfo",
    "format_filament_grams",
    "format_file_size",
    "parse_print_file",
    "sanitize_filename",
]
