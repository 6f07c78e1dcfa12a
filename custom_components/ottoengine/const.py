"""Constants of the OttoEngine integration."""

from typing import Final

DOMAIN: Final = "ottoengine"
HUB_TITLE: Final = "OttoEngine farm"
