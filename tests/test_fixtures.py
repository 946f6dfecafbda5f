"""The test fixtures themselves: a missing browser skips locally and fails under CI."""

from __future__ import annotations

import pytest

from browser_fixtures import unavailable


def test_a_missing_browser_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="need Chromium"):
        unavailable("browser tests need Chromium")


def test_a_missing_browser_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        unavailable("browser tests need Chromium")
