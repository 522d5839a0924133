"""workbench: a keyboard-first, offline workbench for systematic reviews and qualitative coding."""

__version__ = "0.1.0"
