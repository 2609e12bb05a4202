"""Helpers for the browser tests: keyboard-only driving and the axe-core scan."""

from pathlib import Path

from tests.support.factories import PASSWORD

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page):
    """Run axe-core on the page for the WCAG 2.0/2.1/2.2 A and AA rules."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
    ]


def no_violations(keys):
    """Every page the keyboard reached passed axe (the failures, by page, if not)."""
    failing = {page: found for page, found in keys.scans.items() if found}
    assert failing == {}, failing


class Keyboard:
    """Drive a page with the keyboard only, and scan every page reached with axe."""

    def __init__(self, page):
        self.page = page
        self.scans: dict[str, list] = {}

    def scan(self):
        title = self.page.title()
        found = axe_violations(self.page)
        self.scans[f"{self.page.url.split('/', 3)[-1]} | {title}"] = found
        # One line a page, for the record (pytest -s shows them): what axe found where.
        print(f"\naxe: {len(found)} violations: /{self.page.url.split('/', 3)[-1]} | {title}")

    def focused_is(self, locator) -> bool:
        handle = locator.element_handle(timeout=2000)
        return self.page.evaluate("el => document.activeElement === el", handle)

    def tab_to(self, locator, max_tabs=120):
        """Press Tab until ``locator`` has the focus: proves it is reachable by keyboard."""
        for _ in range(max_tabs):
            self.page.keyboard.press("Tab")
            if self.focused_is(locator):
                return
        raise AssertionError(f"could not reach {locator} with the Tab key")

    def type_into(self, locator, text):
        self.tab_to(locator)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)

    def activate(self, locator, key="Enter"):
        """Follow a link or press a button with the keyboard, then scan the page reached."""
        self.tab_to(locator)
        with self.page.expect_navigation():
            self.page.keyboard.press(key)
        self.scan()

    def check(self, locator):
        """Tick a checkbox with Space."""
        self.tab_to(locator)
        self.page.keyboard.press("Space")
        assert locator.is_checked()

    def choose(self, group_name, value):
        """Choose a radio: Tab into the group, then arrow keys to the option."""
        page = self.page
        radios = page.locator(f"input[type=radio][name='{group_name}']")
        self.tab_to_any(radios)
        target = page.locator(f"input[type=radio][name='{group_name}'][value='{value}']")
        for _ in range(radios.count() + 1):
            if self.focused_is(target):
                break
            page.keyboard.press("ArrowDown")
        assert self.focused_is(target), f"could not reach {group_name}={value}"
        page.keyboard.press("Space")
        assert target.is_checked()

    def tab_to_any(self, locator, max_tabs=120):
        handles = [locator.nth(i).element_handle() for i in range(locator.count())]
        for _ in range(max_tabs):
            self.page.keyboard.press("Tab")
            if self.page.evaluate("els => els.includes(document.activeElement)", handles):
                return
        raise AssertionError(f"could not reach {locator} with the Tab key")


def sign_in(keys, page, base, username, password=None):
    """Sign in afresh by keyboard (cookies cleared), scanning the sign-in page."""
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    keys.scan()
    keys.type_into(page.get_by_label("Username"), username)
    keys.type_into(page.get_by_label("Password"), password or PASSWORD)
    keys.activate(page.get_by_role("button", name="Sign in"))
