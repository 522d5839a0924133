"""keys.yaml is read with the codebook's guarded YAML reader (no alias bombs, no tags)."""

from __future__ import annotations

import pytest

from workbench.errors import WorkbenchError
from workbench.tui.keymap import read_keymap

BOMB = "\n".join(["a: &a [x, x, x, x, x, x, x, x, x, x]"]
                 + [f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]"
                    for i in range(6)] + ["keys: {screening.include: y}", ""])


def write(root, text):
    (root / ".workbench").mkdir(exist_ok=True)
    (root / ".workbench" / "keys.yaml").write_text(text, encoding="utf-8")


def test_a_plain_key_file_is_read(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    write(tmp_path, "keys:\n  screening.include: i, y\n")
    assert read_keymap(tmp_path) == {"screening.include": "i,y"}


@pytest.mark.parametrize("text, line, words", [
    (BOMB, None, "aliases"),
    ("keys: !!python/object:os.system {}\n", 1, "tag"),
    ("keys:\n  screening.include: [y\n", 3, "not valid YAML"),
])
def test_a_hostile_or_broken_key_file_is_refused_naming_file_and_line(tmp_path, monkeypatch,
                                                                       text, line, words):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    write(tmp_path, text)
    with pytest.raises(WorkbenchError) as caught:
        read_keymap(tmp_path)
    assert words in str(caught.value) and "keys.yaml" in str(caught.value)
    if line is not None:
        assert caught.value.line == line
