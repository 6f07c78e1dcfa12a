"""The one shape of a refused input: which field, and what is wrong with it.

Printers, OttoEjects, racks and shelves raise subclasses of ``InvalidFieldError``; the REST API
answers each as a 400 naming ``field`` and the flows show it next to that field.
"""

from __future__ import annotations


class InvalidFieldError(ValueError):
    """An input value that is not acceptable; ``field`` names it, the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
