"""Config subentry flows: the farm's racks (printers and OttoEjects have their own)."""
