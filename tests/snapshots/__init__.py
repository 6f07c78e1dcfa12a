"""Entity and device snapshot tests (syrupy): fast, fed from fixture reports, no servers."""
