"""The farm's domain model and logic, free of Home Assistant."""
