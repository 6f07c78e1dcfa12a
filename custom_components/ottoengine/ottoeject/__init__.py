"""The OttoEject robots in Home Assistant: ``ottoeject`` subentries of the hub.

- ``settings``: what a subentry stores and how it maps to a Moonraker client.
- ``manager``: one client, status stream and coordinator per OttoEject, started, restarted and
  stopped as subentries come, change and go (the hub is never reloaded for it).
- ``coordinator``: the pushed status (websocket) plus what OttoEngine knows of its macros.
- ``entities``: sensors and buttons; ``services``: the ``ottoengine.run_macro`` action.
- ``discovery``: OttoEjects announced over zeroconf, offered by the "Add OttoEject" flow.
"""
