"""The PySide6 user interface: a thin layer over newsreader.core services."""
