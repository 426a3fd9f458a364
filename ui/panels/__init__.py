"""The main window's panels, in Ctrl+1..4 order."""
