"""The service-day desk in a real browser (Chromium, SQLite): a clerk serves residents by
card, phone and code with keyboard and mouse; a dropped connection queues redemptions
that are sent once when it comes back; a queued redemption the server refuses says why;
a member key cannot open the desk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.conftest import COMMUNITY, Site


def sign_in(page: Any, site: Site, role: str = "clerk") -> None:
    page.goto(f"{site.url}/desk/")
    page.fill("#key", site.keys[role])
    page.press("#key", "Enter")


def pick_first_day(page: Any) -> None:
    page.wait_for_selector("#day-select option[value='SD-1']", state="attached")
    page.click("#day-pick button")
    page.wait_for_selector("#lookup:focus")


def find(page: Any, text: str, name: str) -> None:
    page.fill("#lookup", text)
    page.press("#lookup", "Enter")
    page.wait_for_function(
        "name => document.getElementById('m-name').textContent === name", arg=name)


def receipt_after(page: Any, balance: int) -> str:
    page.wait_for_function(
        "b => !document.getElementById('receipt').hidden && "
        "document.getElementById('r-after').textContent === String(b)", arg=balance)
    return str(page.text_content("#r-code"))


def available(site: Site, member: str) -> int:
    return site.bank.ledger.balance(COMMUNITY, member)["points"].available


def stock(site: Site, gift: str) -> int:
    return site.bank.gifts.get(COMMUNITY, gift).stock


def redemptions_of(site: Site, member: str) -> list[Any]:
    return list(site.bank.redemptions.find(COMMUNITY, member=member))


def shot(page: Any, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


def test_a_clerk_serves_three_residents_by_card_phone_and_code(page: Any, site: Site,
                                                                tmp_path: Path) -> None:
    sign_in(page, site)
    pick_first_day(page)
    assert "三月服务日" in page.text_content("#day-shown")

    # 张三明 swipes his card: the reader types the code and Enter; the mouse adds rice.
    find(page, "CARD-001", "张三明")
    assert page.text_content("#m-balance") == "50"
    row = page.locator("tr[data-gift='rice']")
    assert "大米" in row.inner_text() and "2" in row.inner_text()  # limit left 2
    page.click("button[data-add='rice']")
    page.keyboard.press("F9")
    first = receipt_after(page, 40)
    assert first and "大米 × 1 = 10" in page.inner_text("#r-items")
    assert "兑换小票" in page.inner_text("#receipt")
    shot(page, tmp_path, "desk-receipt")

    # 李四 gives a phone number; keyboard only: digit 2 adds the second gift (soap).
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == "lookup"
    page.keyboard.type("13800000002")
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('m-name').textContent === '李四'")
    page.keyboard.press("2")
    assert page.text_content("#cart-total") == "5"
    page.keyboard.press("F9")
    second = receipt_after(page, 25)

    # 王 by member code; a double click on redeem makes one redemption.
    page.keyboard.press("Escape")
    find(page, "R-003", "王")
    page.click("button[data-add='rice']")
    page.dblclick("#redeem")
    third = receipt_after(page, 10)
    page.wait_for_timeout(300)

    assert len({first, second, third}) == 3
    assert (available(site, "R-001"), available(site, "R-002"), available(site, "R-003")) \
        == (40, 25, 10)
    assert [len(redemptions_of(site, m)) for m in ("R-001", "R-002", "R-003")] == [1, 1, 1]
    assert (stock(site, "rice"), stock(site, "soap")) == (18, 19)
    summary = site.bank.service_days.summary(COMMUNITY, "SD-1")
    assert summary.redemptions == {"fulfilled": 3}


def test_a_dropped_connection_queues_redemptions_and_sends_each_once(
        page: Any, site: Site, tmp_path: Path) -> None:
    sign_in(page, site)
    pick_first_day(page)
    find(page, "CARD-001", "张三明")
    context = page.context

    # The first request reaches the server but its answer is lost on the way back.
    def lose_answer(route: Any) -> None:
        if route.request.method == "POST":
            route.fetch()
        route.abort()
    context.route("**/api/v1/**", lose_answer)
    page.click("button[data-add='rice']")
    page.click("#redeem")
    page.wait_for_selector("#queue-count:has-text('待发送 1')")
    page.wait_for_selector("#net.offline")  # the answer was lost: the handler is done
    context.unroute("**/api/v1/**")

    # Then the network is gone altogether.
    context.route("**/api/v1/**", lambda route: route.abort())
    page.click("button[data-add='soap']")
    page.click("#redeem")
    page.wait_for_selector("#queue-count:has-text('待发送 2')")
    assert page.is_visible("#queued-note")
    assert "网络中断" in page.text_content("#net")
    shot(page, tmp_path, "desk-offline")
    assert len(redemptions_of(site, "R-001")) == 1  # the one whose answer was lost

    # The tab is closed and opened again: the queue is still there.
    page.close()
    context.unroute("**/api/v1/**")
    context.route("**/api/v1/redemptions", lambda route: route.abort())
    again = context.new_page()
    sign_in(again, site)
    again.wait_for_selector("#queue-count:has-text('待发送 2')")

    context.unroute("**/api/v1/redemptions")
    again.wait_for_selector("#queue-count", state="hidden")
    assert available(site, "R-001") == 50 - 10 - 5
    assert len(redemptions_of(site, "R-001")) == 2
    assert (stock(site, "rice"), stock(site, "soap")) == (19, 19)
    assert again.evaluate("localStorage.getItem('timebank.desk.queue')") == "[]"


def test_a_queued_redemption_the_server_refuses_shows_its_reason(
        page: Any, site: Site, tmp_path: Path) -> None:
    sign_in(page, site)
    pick_first_day(page)
    find(page, "CARD-001", "张三明")
    page.context.route("**/api/v1/**", lambda route: route.abort())
    page.click("button[data-add='rice']")
    page.click("#redeem")
    page.wait_for_selector("#queue-count:has-text('待发送 1')")

    # Meanwhile the last bags of rice went elsewhere.
    site.bank.gifts.correct(COMMUNITY, "rice", 0, reason="盘点")
    page.context.unroute("**/api/v1/**")
    page.wait_for_selector("#refusals:not([hidden])")
    refused = page.inner_text("#refused-list")
    assert "张三明" in refused and "大米×1" in refused and "out_of_stock" in refused
    assert page.is_hidden("#queue-count")
    shot(page, tmp_path, "desk-refused")
    assert available(site, "R-001") == 50
    assert redemptions_of(site, "R-001") == []


def test_a_member_key_cannot_open_the_desk(page: Any, site: Site, tmp_path: Path) -> None:
    sign_in(page, site, role="member")
    page.wait_for_selector("#signin-error:has-text('此密钥不能打开兑换台')")
    assert page.is_hidden("#desk") and page.is_hidden("#day-panel")
    assert page.evaluate("sessionStorage.getItem('timebank.key')") is None
    shot(page, tmp_path, "desk-member-refused")


def test_the_desk_speaks_english_when_asked_and_fits_a_tablet(page: Any, site: Site,
                                                              tmp_path: Path) -> None:
    page.set_viewport_size({"width": 800, "height": 1280})
    page.goto(f"{site.url}/desk/?lang=en")
    page.fill("#key", site.keys["kiosk"])
    page.press("#key", "Enter")
    pick_first_day(page)
    assert page.is_hidden("#day-open")  # a kiosk does not open days
    find(page, "CARD-001", "张*明")  # a kiosk sees masked names
    assert "Rice" in page.inner_text("#gift-rows")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 800
    shot(page, tmp_path, "desk-tablet-en")


def test_a_wrong_or_revoked_key_is_refused_plainly_and_nothing_is_sent(
        page: Any, site: Site, tmp_path: Path) -> None:
    revoked = site.bank.keys.create("clerk", community=COMMUNITY)
    site.bank.keys.revoke(revoked.id)
    page.goto(f"{site.url}/desk/")
    for wrong in ("tbk_not-a-key-at-all", "123456", revoked.token):
        page.fill("#key", wrong)
        page.press("#key", "Enter")
        page.wait_for_selector("#signin-error:has-text('密钥错误或已停用')")
        assert page.is_hidden("#desk") and page.is_hidden("#day-panel")
        assert page.evaluate("sessionStorage.getItem('timebank.key')") is None
        page.evaluate("document.getElementById('signin-error').textContent = ''")
    page.fill("#key", revoked.token)
    page.press("#key", "Enter")
    page.wait_for_selector("#signin-error:has-text('密钥错误或已停用')")
    shot(page, tmp_path, "desk-wrong-key")
    assert [len(redemptions_of(site, m)) for m in ("R-001", "R-002", "R-003")] == [0, 0, 0]


def test_a_key_revoked_during_the_day_keeps_the_waiting_redemption_for_the_next_key(
        page: Any, site: Site, tmp_path: Path) -> None:
    shift = site.bank.keys.create("clerk", community=COMMUNITY)
    page.goto(f"{site.url}/desk/")
    page.fill("#key", shift.token)
    page.press("#key", "Enter")
    pick_first_day(page)
    find(page, "CARD-001", "张三明")
    page.context.route("**/api/v1/**", lambda route: route.abort())
    page.click("button[data-add='rice']")
    page.click("#redeem")
    page.wait_for_selector("#queue-count:has-text('待发送 1')")

    site.bank.keys.revoke(shift.id)  # the office takes the key back meanwhile
    page.context.unroute("**/api/v1/**")
    page.wait_for_selector("#signin:not([hidden]) #signin-error:has-text('请重新登录')")
    assert "待发送的兑换仍会保留" in page.text_content("#signin-error")
    shot(page, tmp_path, "desk-key-lapsed")
    assert redemptions_of(site, "R-001") == []
    assert page.evaluate("JSON.parse(localStorage.getItem('timebank.desk.queue')).length") == 1

    page.fill("#key", site.keys["clerk"])  # the next clerk signs in: the queue goes out
    page.press("#key", "Enter")
    page.wait_for_selector("#queue-count", state="hidden")
    page.wait_for_function("JSON.parse(localStorage.getItem('timebank.desk.queue')).length"
                           " === 0")
    assert available(site, "R-001") == 40 and len(redemptions_of(site, "R-001")) == 1


def test_a_code_matching_nobody_or_a_phone_two_residents_share_is_said_plainly(
        page: Any, site: Site, tmp_path: Path) -> None:
    site.bank.members.update(COMMUNITY, "R-003", phone="13800000002")  # 李四's household
    sign_in(page, site)
    pick_first_day(page)
    find(page, "CARD-001", "张三明")
    page.fill("#lookup", "CARD-999")
    page.press("#lookup", "Enter")
    page.wait_for_selector("#lookup-error:has-text('查无此人: CARD-999')")
    assert page.is_hidden("#member")  # the resident before leaves the screen
    page.fill("#lookup", "13800000002")
    page.press("#lookup", "Enter")
    page.wait_for_selector(
        "#lookup-error:has-text('13800000002 对应多位居民,请刷卡或输入会员编号')")
    assert page.is_hidden("#member") and page.is_hidden("#cart-panel")
    shot(page, tmp_path, "desk-two-people")
    find(page, "R-002", "李四")  # the member code still finds one of them


def test_a_clerk_serves_a_resident_with_the_keyboard_alone(page: Any, site: Site,
                                                           tmp_path: Path) -> None:
    page.goto(f"{site.url}/desk/")
    assert page.evaluate("document.activeElement.id") == "key"
    page.keyboard.type(site.keys["clerk"])
    page.keyboard.press("Enter")
    page.wait_for_selector("#day-select option[value='SD-1']", state="attached")
    page.wait_for_function("document.activeElement.id === 'day-select'")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "使用"
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.id === 'lookup'")
    page.keyboard.type("CARD-001")
    page.keyboard.press("Enter")  # what a card reader sends
    page.wait_for_function("document.activeElement.dataset.add === 'rice'")
    page.keyboard.press("Enter")  # the focused 加入 button
    page.keyboard.press("Enter")
    assert page.text_content("#cart-total") == "20"
    page.keyboard.press("F9")
    receipt_after(page, 30)
    assert "大米 × 2 = 20" in page.inner_text("#r-items")
    shot(page, tmp_path, "desk-keyboard")
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == "lookup"
    assert available(site, "R-001") == 30 and stock(site, "rice") == 18


def test_the_desk_fits_a_1366_laptop_and_a_10_inch_tablet_in_chinese(
        page: Any, site: Site, tmp_path: Path) -> None:
    sign_in(page, site)
    pick_first_day(page)
    find(page, "CARD-001", "张三明")
    page.click("button[data-add='rice']")
    for name, (width, height) in {"laptop": (1366, 768), "tablet": (1280, 800),
                                  "tablet-portrait": (800, 1280)}.items():
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        box = page.locator("#redeem").bounding_box()
        assert box is not None and box["y"] + box["height"] <= height  # no scrolling
        assert page.locator("tr[data-gift='soap'] button").bounding_box() is not None
        shot(page, tmp_path, f"desk-{name}")
    assert "兑换 (F9)" in page.inner_text("#redeem")
