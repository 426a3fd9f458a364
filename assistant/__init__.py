"""Agent Assistant core: domain logic, storage and engines. Never imports Qt widgets."""

__version__ = "0.1.0"
APP_NAME = "Agent Assistant"
APP_ID = "agent-assistant"
