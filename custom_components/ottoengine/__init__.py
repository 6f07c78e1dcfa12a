"""OttoEngine: a lights-out 3D print-farm controller for Home Assistant."""
