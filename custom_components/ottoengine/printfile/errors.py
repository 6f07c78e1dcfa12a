"""The one exception the print-file package raises for files it refuses."""

from __future__ import annotations


class PrintFileError(ValueError):
    """A print file (or its name) is unsupported, corrupt or hostile.

    The message is meant for the person who uploaded the file: it says what is wrong in plain
    words and never contains a traceback or internal detail. The upload route maps it to an
    HTTP 400 response.
    """
