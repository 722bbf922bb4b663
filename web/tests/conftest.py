"""Shared fixtures: ONE headless Debian chromium per test session (starting it costs ~1 s,
and Perfetto/catapult pages are cheap to open in it), and the fixtures directory."""
import sys
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).parent))  # `import viewers` from the test modules
import viewers  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as pw:
        b = viewers.launch_chromium(pw)
        yield b
        b.close()


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES
