"""`scripts/develop`: a real Home Assistant with OttoEngine and (optionally) the simulated farm."""
