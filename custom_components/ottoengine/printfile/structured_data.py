"""Parsing of the XML and JSON members of a 3MF archive, hardened for untrusted input."""

from __future__ import annotations

import json
from typing import Any
import xml.etree.ElementTree as ET

from .errors import PrintFileError

_FORBIDDEN_XML_MARKUP = ("<!DOCTYPE", "<!ENTITY")


def parse_xml(data: bytes, member: str) -> ET.Element:
    """Parse a UTF-8 XML member; DTDs and entity declarations are refused.

    Slicers write UTF-8 without DTDs. Decoding strictly first (so no other encoding can hide
    markup from the check) and refusing ``<!DOCTYPE``/``<!ENTITY`` rules out entity-expansion
    and external-entity attacks before the document reaches the XML parser.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise PrintFileError(f"The 3MF member {member!r} is not UTF-8 XML.") from err
    upper = text.upper()
    if any(marker in upper for marker in _FORBIDDEN_XML_MARKUP):
        raise PrintFileError(f"The 3MF member {member!r} contains a forbidden XML declaration.")
    try:
        return ET.fromstring(text)  # noqa: S314  (DTD-free UTF-8 text, checked above)
    except (ET.ParseError, ValueError) as err:
        raise PrintFileError(f"The 3MF member {member!r} is not valid XML.") from err


def parse_json_object(data: bytes, member: str) -> dict[str, Any]:
    """Parse a JSON member that must hold an object."""
    try:
        value = json.loads(data)
    except (ValueError, RecursionError) as err:
        raise PrintFileError(f"The 3MF member {member!r} is not valid JSON.") from err
    if not isinstance(value, dict):
        raise PrintFileError(f"The 3MF member {member!r} is not a JSON object.")
    return value
