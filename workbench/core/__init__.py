"""Pure domain: dataclasses and functions; no file I/O, no UI."""
