"""Browser fixtures: one seeded server and one Chromium per session, a new context per test.

Debian's Chromium is driven headless by Playwright (never `playwright install`: the
browser comes from apt). Without it every browser test is skipped with "skipped: no
Chromium", so a machine that can't run them says so instead of passing silently.
Contexts keep the app's real Content-Security-Policy: axe-core (bundled by the pinned
axe-playwright-python package) is evaluated through the DevTools protocol, and any CSP
violation is a console error that fails the test.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import server as live
from tests.browser.pages import Visit

CHROMIUM = Path("/usr/bin/chromium")
# The network here is closed: without these Chromium waits on update and sync calls.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
try:  # axe-core as bundled (and pinned) by a Python package: no npm needed
    import axe_playwright_python

    AXE_SCRIPT = Path(axe_playwright_python.__file__).parent / "axe.min.js"
except ImportError:
    AXE_SCRIPT = Path("/nonexistent/axe.min.js")
DEVICES: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
    },
}


def chromium_path() -> Path | None:
    if CHROMIUM.exists():
        return CHROMIUM
    found = shutil.which("chromium")
    return Path(found) if found else None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        pytest.skip("skipped: no Chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("skipped: no Chromium (Playwright for Python is not installed)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_script() -> Path:
    if not AXE_SCRIPT.exists():
        pytest.skip("skipped: axe-core is not installed; pip install -r requirements-dev.txt")
    return AXE_SCRIPT


@pytest.fixture(scope="session")
def live_server(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[live.LiveServer]:
    """Depends on `browser` so a machine without Chromium skips before seeding anything."""
    server = live.start(tmp_path_factory.mktemp("voicebox-live"))
    yield server
    live.stop(server)


@pytest.fixture(params=list(DEVICES))
def device(request: pytest.FixtureRequest) -> str:
    return request.param


def without_tokens(ctx: Any) -> None:
    """Serve an empty tokens.js: no tokens are fetched, so the account's forms stay in place
    (a browser holding a token for an item has them replaced by the token's buttons)."""
    ctx.route(
        "**/static/js/tokens.js*",
        lambda route: route.fulfill(
            status=200, content_type="text/javascript", body="/* private tokens off for this test */"
        ),
    )


def open_context(
    browser: Any, server: live.LiveServer, device: str, tokens: bool = True, **options: Any
) -> Any:
    settings: dict[str, Any] = {"base_url": server.url, "locale": "en-GB"}
    settings.update(DEVICES[device])
    settings.update(options)
    ctx = browser.new_context(**settings)
    if not tokens:
        without_tokens(ctx)
    return ctx


def _tokens_on(request: pytest.FixtureRequest) -> bool:
    return request.node.get_closest_marker("account_forms") is None


@pytest.fixture
def context(
    browser: Any, live_server: live.LiveServer, device: str, request: pytest.FixtureRequest
) -> Iterator[Any]:
    ctx = open_context(browser, live_server, device, tokens=_tokens_on(request))
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


def watch_for_errors(page: Any) -> list[str]:
    """Script errors and failed loads a member's browser would show in its console."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on(
        "response",
        lambda response: (
            errors.append(f"HTTP {response.status}: {response.url}") if response.status >= 400 else None
        ),
    )
    page.on(
        "console",
        lambda message: (
            errors.append(f"console {message.type}: {message.text}") if message.type == "error" else None
        ),
    )
    return errors


@pytest.fixture
def visit(context: Any, live_server: live.LiveServer, device: str, axe_script: Path) -> Iterator[Visit]:
    page = context.new_page()
    errors = watch_for_errors(page)
    yield Visit(page=page, server=live_server, device=device, axe_script=axe_script)
    assert not errors, "the browser reported errors:\n" + "\n".join(errors)


@pytest.fixture
def new_visit(
    browser: Any, live_server: live.LiveServer, device: str, axe_script: Path, request: pytest.FixtureRequest
) -> Iterator[Any]:
    """A factory for a second person in the same test (their own cookies), same device."""
    contexts: list[Any] = []
    tokens = _tokens_on(request)

    def make(**options: Any) -> Visit:
        ctx = open_context(browser, live_server, device, tokens, **options)
        ctx.set_default_timeout(10_000)
        contexts.append(ctx)
        return Visit(
            page=ctx.new_page(),
            server=live_server,
            device=device,
            axe_script=axe_script,
            audits=options.get("java_script_enabled", True),
        )

    yield make
    for ctx in contexts:
        ctx.close()
