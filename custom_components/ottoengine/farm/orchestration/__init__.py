"""The orchestrator's domain: topology, scheduling and the per-job workflow (no Home Assistant)."""
