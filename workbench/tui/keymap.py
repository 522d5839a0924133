"""Remappable keys: a `keys:` section in .workbench/keys.yaml or the user's config.

Every remappable binding has an id ("screening.include", "app.help", ...; the
help screen lists them). A file maps ids to keys; several keys are separated
by commas:

    keys:
      screening.include: i,y
      screening.exclude: x

The review folder's .workbench/keys.yaml (per machine, git-ignored) wins over
$XDG_CONFIG_HOME/workbench/keys.yaml (default ~/.config/workbench/keys.yaml).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from workbench.errors import WorkbenchError
from workbench.io.codebook_yaml import parse_safe_yaml

log = logging.getLogger(__name__)


def keymap_paths(root: Path) -> list[Path]:
    """Return the key files in the order they apply (later wins)."""
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return [config / "workbench" / "keys.yaml", Path(root) / ".workbench" / "keys.yaml"]


def read_keymap(root: Path) -> dict[str, str]:
    """Return {binding id: keys} from the key files that exist.

    Raises:
        WorkbenchError: a key file is not YAML or its `keys:` is not a mapping.
    """
    keymap: dict[str, str] = {}
    for path in keymap_paths(root):
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise WorkbenchError(f"cannot read key file: {exc}", path=path) from exc
        # the codebook's guarded reader: plain values only, no alias bombs, no deep nesting
        data = parse_safe_yaml(text, str(path)) or {}
        keys = data.get("keys", {}) if isinstance(data, dict) else None
        if not isinstance(keys, dict):
            raise WorkbenchError("`keys:` must map binding ids to keys "
                                 "(e.g. screening.include: i)", path=path)
        for binding_id, value in keys.items():
            if isinstance(value, list):
                value = ",".join(str(v) for v in value)
            keymap[str(binding_id)] = str(value).replace(" ", "")
    return keymap
