"""Working beside the agent's other applications (docs/integration.md)."""
