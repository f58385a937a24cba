"""The sandbox's page in headless Chromium, driven as a person would: the first case study, its
thread, a take given through the modal, the running count changing, then `/digest now` and the
digest with its chart. Each step leaves a screenshot (in docs/screenshots with `make screenshots`).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, async_playwright, expect

from sandbox.app import Sandbox
from tests.browser import CHROMIUM_FLAGS, chromium
from tests.conftest import REPO
from tests.sandbox.conftest import running_sandbox

# Set by `make screenshots`: where the README's pictures are written.
SCREENSHOTS_VARIABLE = "SANDBOX_SCREENSHOTS"
STEP_TIMEOUT_MS = 20_000


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    async with running_sandbox(tmp_path) as box:
        yield box


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    path = chromium()
    async with async_playwright() as playwright:
        # Playwright runs it headless itself; the other flags keep it off this machine's closed network.
        flags = [flag for flag in CHROMIUM_FLAGS if flag != "--headless"]
        launched = await playwright.chromium.launch(executable_path=path, args=flags)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    chosen = os.environ.get(SCREENSHOTS_VARIABLE)
    folder = (REPO / chosen) if chosen else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Steps:
    """The page, and a screenshot per step; the browser's errors are collected to fail the test."""

    def __init__(self, page: Page, folder: Path) -> None:
        self.page = page
        self.folder = folder
        self.errors: list[str] = []
        self.taken: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    async def shot(self, name: str) -> Path:
        path = self.folder / f"{name}.png"
        picture = await self.page.screenshot(path=path)
        assert len(picture) > 10_000, f"{name}: an empty picture"
        self.taken.append(name)
        return path


@pytest.mark.timeout(180)
async def test_a_student_gives_a_take_and_the_moderator_posts_the_digest_in_the_page(
    sandbox: Sandbox, browser: Browser, screenshots: Path
) -> None:
    demo = sandbox.demo
    alice = demo.students[0]
    page = await browser.new_page(viewport={"width": 1280, "height": 860}, locale="fr-FR")
    steps = Steps(page, screenshots)
    expect.set_options(timeout=STEP_TIMEOUT_MS)

    # 1. Alice opens the page: the first case study is in #veille.
    await page.goto(f"{sandbox.address}?as={alice.id}")
    case_study = page.locator("article.message").filter(has=page.locator(".embed")).first
    await expect(case_study.locator(".embed-title")).to_be_visible()
    await expect(case_study.get_by_role("button", name="Donner mon avis")).to_be_visible()
    title = (await case_study.locator(".embed-title").inner_text()).strip()
    await steps.shot("1-case-study")

    # 2. She opens its thread: the case study on top, the running count below.
    await case_study.locator("a.thread-link").click()
    await expect(page.locator(".channel-head")).to_contain_text("🧵")
    count = page.locator("article.message", has_text="📊")
    await expect(count).to_contain_text("Pas encore d'avis")
    await expect(page.locator("article.message.starter .embed-title")).to_have_text(title)
    await steps.shot("2-thread")

    # 3. "Give my take" opens the bot's modal; she picks a stance and writes a few lines.
    await page.locator("article.message.starter").get_by_role("button", name="Donner mon avis").click()
    modal = page.locator("dialog[open]")
    await expect(modal).to_be_visible()
    await modal.locator("input[name=stance][value=agree]").check()
    await modal.locator("textarea[name=text]").fill(
        "D'accord : le réseau des anciens ouvre des portes qu'aucune candidature en ligne n'ouvre."
    )
    await steps.shot("3-take-form")
    await modal.get_by_role("button", name="Envoyer").click()
    await expect(modal).to_be_hidden()

    # 4. Her answer (only she sees it) and the running count, updated live without a reload.
    await expect(page.locator("article.message.ephemeral")).to_contain_text("Votre avis est enregistré")
    await expect(count).to_contain_text("1 avis")
    await expect(count).to_contain_text("1 d'accord")
    await steps.shot("4-count")

    # 5. Mme Martin, the moderator, runs /digest now in #veille: the digest comes with its chart.
    await page.goto(f"{sandbox.address}?as={demo.moderator.id}&channel={demo.channel.id}")
    await page.locator("#command-name").select_option(label="/briefing maintenant")
    await page.locator("#command").get_by_role("button", name="Envoyer").click()
    chart = page.locator("article.message img.embed-image").last
    await expect(chart).to_be_visible()
    await expect(chart).to_have_js_property("complete", True)
    assert await chart.evaluate("image => image.naturalWidth") > 300, "the chart did not load"
    digest_title = page.locator("article.message .embed-title", has_text="Briefing de la semaine")
    await expect(digest_title).to_be_visible()
    await chart.scroll_into_view_if_needed()
    await steps.shot("5-digest")

    assert steps.errors == []
    assert steps.taken == ["1-case-study", "2-thread", "3-take-form", "4-count", "5-digest"]
