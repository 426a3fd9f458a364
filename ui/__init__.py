"""PySide6 views over the core. Layout and wiring only: business rules live in ``assistant``."""
