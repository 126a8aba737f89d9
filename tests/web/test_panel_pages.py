"""The panel pages in headless Chromium against a running server (hub.runtime.ApiServer).

A coordinator builds a MARAC agenda from generated referrals; a police member and a housing
member open the same case and see different fields, as the policy decides; an action created in
the meeting shows as overdue on the next agenda; a user from an agency outside the panel is
refused; every pack and page view is in the disclosure or access log. Screenshots of the main
pages go to test-artifacts/panels/.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hub.application import PartnershipHub
from hub.panels.service import PanelService
from hub.policy import load_engine
from hub.runtime import ApiServer
from tests.panels.data import WITNESS, make_settings, seed

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "panels"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1366,900")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs Debian packages chromium and chromium-driver")


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()


def gone(element: Any) -> Any:
    """staleness_of, also when Chromium answers that the node no longer belongs to the
    document (a WebDriverException rather than a stale-element one, seen under load)."""
    def check(_: WebDriver) -> bool:
        try:
            return bool(expected_conditions.staleness_of(element)(_))
        except WebDriverException as exc:
            return "does not belong to the document" in str(exc)
    return check


class Pages:
    def __init__(self, driver: WebDriver, base: str, tokens: dict[str, str]) -> None:
        self.d, self.base, self.tokens = driver, base, tokens
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def go(self, path: str) -> None:
        self.d.get(self.base + path)

    def css(self, selector: str) -> list:  # type: ignore[type-arg]
        return self.d.find_elements(By.CSS_SELECTOR, selector)

    def one(self, selector: str):  # type: ignore[no-untyped-def]
        return self.d.find_element(By.CSS_SELECTOR, selector)

    def shot(self, name: str) -> None:
        height = self.d.execute_script("return document.body.scrollHeight")
        self.d.set_window_size(1366, max(900, min(int(height) + 40, 4000)))
        self.d.save_screenshot(str(ARTIFACTS / f"{name}.png"))
        self.d.set_window_size(1366, 900)

    def sign_in(self, client: str, name: str) -> None:
        self.d.delete_all_cookies()
        self.go("/panels/sign-in")
        self.one("#user").send_keys(name)
        self.one("#token").send_keys(self.tokens[client])
        self.submit("#sign-in")
        assert self.one("#signed-in-user").text == name

    def submit(self, selector: str) -> None:
        """Click a button that loads a new page, and wait for the new page."""
        old = self.one("html")
        self.one(selector).click()
        WebDriverWait(self.d, 15).until(gone(old))
        WebDriverWait(self.d, 15).until(
            lambda d: d.execute_script("return document.readyState") == "complete")

    def set_value(self, selector: str, value: str) -> None:
        self.d.execute_script("arguments[0].value = arguments[1]", self.one(selector), value)

    def notices(self) -> list[str]:
        return [e.text for e in self.css(".notice")]

    def disclosure_ids(self) -> set[str]:
        return {e.get_attribute("data-disclosure") for e in self.css("[data-disclosure]")}

    def unlabelled_controls(self) -> list[str]:
        return self.d.execute_script("""
            return [...document.querySelectorAll('input, select, textarea')]
              .filter(e => e.type !== 'hidden')
              .filter(e => !(e.id && document.querySelector(`label[for="${e.id}"]`))
                           && !e.getAttribute('aria-label'))
              .map(e => e.outerHTML);""")


def test_marac_in_the_browser(browser: WebDriver, tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_ALLOW_HTTP_SESSIONS", "1")  # the test server is plain http
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    settings, tokens = make_settings(tmp_path)
    hub = PartnershipHub(env=settings.store_env)
    seed(hub, datetime.now(UTC))
    engine = load_engine()
    with ApiServer(settings, hub, engine) as server:
        p = Pages(browser, server.url, tokens)
        shown: set[str] = set()

        # Sign in: a wrong token is refused; the skip link is the first thing the keyboard meets.
        p.go("/panels/sign-in")
        p.one("#user").send_keys("Someone")
        p.one("#token").send_keys("met-police.wrong")
        p.submit("#sign-in")
        assert "not a registered API client" in p.one("#sign-in-error").text
        p.shot("01-sign-in")
        p.one("body").send_keys(Keys.TAB)
        assert browser.switch_to.active_element.get_attribute("class") == "skip-link"

        # The coordinator refers the cases the triggers found, accepts them, schedules a
        # meeting and builds the agenda.
        p.sign_in("police-chair", "DI Chair")
        p.go("/panels/marac/coordinate")
        suggested = [r.get_attribute("data-case") for r in p.css("#suggestions tbody tr")]
        assert sorted(suggested) == [f"wcc-housing/HASB-{n}" for n in (1, 2, 3, 4)]
        p.shot("02-coordinator-triggers")
        for _ in suggested:
            p.submit("#suggestions tbody tr button")
        assert not p.css("#suggestions")
        for card in suggested:
            p.one("#waiting li input[name=reason]").send_keys(f"Threshold met for {card}")
            p.submit("#waiting li button[value=accept]")
        assert not p.css("#waiting")
        p.submit("#schedule")
        assert any("meeting scheduled" in n for n in p.notices())
        assert len(p.css("#agenda-builder input[type=checkbox]:checked")) == 4
        assert p.unlabelled_controls() == []
        p.shot("03-coordinator-agenda-builder")
        p.submit("#add-to-agenda")
        agenda = [li.get_attribute("data-case") for li in p.css("#agenda li")]
        assert agenda == ["wcc-housing/HASB-1", "wcc-housing/HASB-4", "wcc-housing/HASB-2",
                          "wcc-housing/HASB-3"]
        meeting_url = browser.current_url.removeprefix(server.url)

        # In the meeting: an action for housing, due yesterday.
        yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
        Select(p.one("#action-owner")).select_by_visible_text("wcc-housing")
        p.one("#action-description").send_keys("Fit door locks and a fire-proof letterbox")
        p.set_value("#action-due", yesterday)
        p.submit("#add-action")
        assert any("assigned to wcc-housing" in n for n in p.notices())
        assert p.unlabelled_controls() == []
        p.shot("04-meeting-agenda")

        # The next meeting's agenda surfaces the overdue action.
        p.go("/panels/marac/coordinate")
        p.set_value("#held-at", (datetime.now() + timedelta(days=35)).strftime(
            "%Y-%m-%dT%H:%M"))
        p.submit("#schedule")
        later = [a.get_attribute("href") for a in p.css("#meetings a")]
        browser.get(later[-1])
        overdue = p.css("#overdue-actions tr[data-action]")
        assert len(overdue) == 1 and "Fit door locks" in overdue[0].text
        assert "Overdue" in overdue[0].text
        p.shot("05-next-agenda-overdue-action")

        # Police and housing open the same case: the policy decides what each sees.
        witness_field = "dd[data-field='incident.0.party.1.name']"
        p.sign_in("police", "PC Member")
        p.go(meeting_url + "/cases/wcc-housing/HASB-1")
        assert p.one(witness_field).text == WITNESS
        kinds = [li.get_attribute("data-what") for li in p.css("#timeline li")]
        assert kinds[:2] == ["incident", "case_opened"] and kinds[-1] == "panel_meeting"
        assert {"panel_referral", "panel_referral_accepted", "panel_action"} <= set(kinds)
        shown |= p.disclosure_ids()
        p.shot("06-case-timeline-police")

        p.sign_in("housing", "Housing Officer")
        p.go(meeting_url + "/cases/wcc-housing/HASB-1")
        assert p.css(witness_field) == []
        assert p.css("[data-withheld='incident.0.party.1.name']")
        assert WITNESS not in browser.page_source
        shown |= p.disclosure_ids()
        p.shot("07-case-timeline-housing")
        p.go(meeting_url + "/pack")
        assert len(p.css("article.pack-case")) == 4
        shown |= p.disclosure_ids()
        p.shot("08-pack-housing")
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        p.shot("09-pack-housing-print")
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        p.go("/panels/actions")
        row = p.one("#tracker tr.overdue")
        assert "Fit door locks" in row.text and "Overdue" in row.text
        p.shot("10-action-tracker")

        # An agency outside the panel is refused, and the refusal is logged.
        p.sign_in("fire", "Fire Officer")
        p.go(meeting_url + "/pack")
        assert "not a member agency of the MARAC panel" in p.one("#refusal").text
        assert WITNESS not in browser.page_source
        p.shot("11-outsider-refused")

    # Every pack and case page view is a recorded disclosure; every page is in the access log.
    assert len(shown) == 6  # 2 case pages + a pack of 4
    logged = {str(d.originator_id): d for d in hub.disclosures()}
    assert shown <= set(logged)
    assert {logged[i].purpose for i in shown} == {"marac"}
    access = PanelService(hub, engine).access_log()
    pages = {(a["agency"], a["page"], a["allowed"]) for a in access}
    assert {("met-police", "coordinate", True), ("met-police", "agenda_view", True),
            ("wcc-housing", "actions", True), ("lfb", "pack", False),
            ("met-police", "sign_in", True)} <= pages
    hub.close()
