"""write_cache encodes with the garbage collector paused and leaves it as it found it."""

from __future__ import annotations

import gc

import pytest

from workbench.store.cache import read_cache, write_cache


@pytest.fixture
def collector():
    was = gc.isenabled()
    yield
    gc.enable() if was else gc.disable()


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_left_as_it_was(tmp_path, collector, enabled):
    gc.enable() if enabled else gc.disable()
    value = {"map": {f"r{i}": f"S{i}" for i in range(1000)}, "text": 'é "q"\n\u2028'}
    assert write_cache(tmp_path / "a.json", "studies", value)
    assert gc.isenabled() is enabled
    assert read_cache(tmp_path / "a.json", "studies") == value
    with pytest.raises(TypeError):  # not JSON: nothing written, the collector back as it was
        write_cache(tmp_path / "b.json", "studies", {"set": {1, 2}})
    assert gc.isenabled() is enabled and not (tmp_path / "b.json").exists()
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro").chmod(0o500)
    try:
        assert not write_cache(tmp_path / "ro" / "c.json", "studies", value) or gc.isenabled() is enabled
    finally:
        (tmp_path / "ro").chmod(0o700)
    assert gc.isenabled() is enabled
