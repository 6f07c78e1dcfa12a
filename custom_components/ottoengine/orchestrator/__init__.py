"""The Home Assistant shell of the orchestrator (the loop itself is ``farm/orchestration``)."""
