"""The `o` key opens only web and DOI links from the data; anything else is shown, not opened."""

from __future__ import annotations

import shutil

from tests.tui.conftest import DATA, screening_ready, wait_for
from workbench.review import Review
from workbench.tui.app import make_app

HOSTILE = ["file:///etc/passwd", "javascript:alert(1)", "-e /bin/sh", "https://example.org/ok"]


def _review(path):
    for name in ("references", "coding", "exports"):
        (path / name).mkdir(parents=True)
    shutil.copy(DATA / "codebook.yaml", path / "codebook.yaml")
    ris = path.parent / "hostile.ris"
    ris.write_text("".join(f"TY  - JOUR\nTI  - Study {n} on links\nPY  - 2020\nUR  - {url}\n"
                           f"ER  - \n\n" for n, url in enumerate(HOSTILE)), encoding="utf-8")
    Review.open(path).import_references([ris], database="Scopus")
    return path


async def test_o_opens_web_links_only_and_shows_the_rest(tmp_path, monkeypatch):
    review_dir = _review(tmp_path / "review")
    opened = []
    monkeypatch.setattr("workbench.tui.screens.screening.open_external",
                        lambda target: opened.append(target) or True)
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        seen = []
        for _ in HOSTILE:
            seen.append(app.screen.source.url)
            await pilot.press("o")
            await pilot.pause()
            await pilot.press("right")
            await wait_for(pilot, lambda: app.screen.source.url not in seen
                           or len(seen) == len(HOSTILE))
        messages = [n.message for n in app._notifications]
    assert sorted(seen) == sorted(HOSTILE)
    assert opened == ["https://example.org/ok"]
    for url in HOSTILE[:3]:
        assert any("Not opened" in m and repr(url) in m for m in messages), (url, messages)
