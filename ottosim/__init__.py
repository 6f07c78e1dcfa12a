"""A simulated OTTOMAT3D farm: Bambu Lab printers and OttoEjects on real servers.

Nothing here imports Home Assistant or the integration: the simulator talks to the integration
only over the wire, exactly like real hardware.
"""
