"""The OttoRacks in Home Assistant: ``rack`` subentries of the hub, one device each.

- ``settings``: what a rack subentry stores.
- ``manager``: mirrors the subentries into the farm state (where the shelves' states live).
- ``entities``: one enum sensor per shelf.
- ``rest_json``: the racks' and shelves' shapes in the REST API.
"""
