"""The demo community behind ``timebank demo``: 世纪花园社区 as the seeds describe it, in
small — grids, buildings and households, about 300 residents, a year of red-vest
contributions, a gift shelf and an open service day.

Everything goes through the library's public services (the year of contributions through
the bulk ``record_many``), so the demo is also a smoke test of them. Building it twice
changes nothing: an existing demo community is left as it is.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

import attrs

from timebank.domain.access import Actor
from timebank.errors import TimebankError
from timebank.i18n import N_, T, Text
from timebank.services.contributions import ContributionInput
from timebank.timebank import Timebank
from timebank.timeutil import local_date, utcnow

CODE = "sjhy"
NAME = "世纪花园社区"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "建明华英秀兰军平芳桂玉丽强伟敏静磊洋艳勇杰娟涛超"
GIFTS = [  # code, name, English, cost, stock (the price list of seed-style points shops)
    ("rice", "大米", "Rice (5 kg)", 44, 120),
    ("soap", "香皂", "Soap", 12, 300),
    ("cup", "水杯", "Cup", 20, 150),
    ("detergent", "洗衣粉", "Detergent", 4, 400),
    ("toilet_paper", "卫生纸", "Toilet paper", 75, 60),
]


@attrs.frozen
class DemoSummary:
    community: str
    members: int
    contributions: int
    created: bool
    sample_member: str

    def __str__(self) -> str:
        verb = "created" if self.created else "found"
        return (f"{verb} demo community {self.community} ({NAME}): {self.members} members, "
                f"{self.contributions} contributions")


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def build(bank: Timebank, *, members: int = 300, seed: int = 2019,
          progress: Callable[[str | Text], None] = lambda _text: None) -> DemoSummary:
    """Create the demo community if it is missing; return what is there."""
    try:
        bank.communities.get(CODE)
    except TimebankError:
        pass
    else:
        listed = bank.members.list(CODE, limit=10_000)
        return DemoSummary(CODE, len(listed), 0, False, listed[0].code if listed else "")
    rng = random.Random(seed)
    progress(N_("community and rulebook"))
    bank.communities.create(CODE, NAME, rulebook="red_vest")
    codes = _organisation(bank, rng, members, progress)
    recorded = _year_of_contributions(bank, rng, codes, progress)
    _shop(bank, rng, codes, progress)
    return DemoSummary(CODE, len(codes), recorded, True, codes[0])


def _organisation(bank: Timebank, rng: random.Random, count: int,
                  progress: Callable[[str | Text], None]) -> list[str]:
    progress(N_("grids, buildings, households, members"))
    households = []
    for g in range(1, 11):
        bank.units.create(CODE, f"g{g}", f"第{g}网格", "grid")
        for b in range(1, 5):
            building = f"g{g}b{b}"
            bank.units.create(CODE, building, f"{(g - 1) * 4 + b}号楼", "building", f"g{g}")
            for h in range(1, 4):
                bank.units.create(CODE, f"{building}h{h}", f"{h}0{b}室", "household",
                                  building)
                households.append(f"{building}h{h}")
    bank.units.create(CODE, "red_vest", "红马甲服务队", "team")
    bank.units.create(CODE, "patrol", "义务巡逻队", "team")
    codes = []
    for i in range(1, count + 1):
        roles = ["resident"]
        if rng.random() < 0.6:
            roles.append("volunteer")
        if rng.random() < 0.1:
            roles.append("party_member")
        teams = [t for t, share in (("red_vest", 0.3), ("patrol", 0.15))
                 if "volunteer" in roles and rng.random() < share]
        code = f"r{i:04d}"
        bank.members.add(CODE, code, _name(rng), phone=f"139{i:08d}", card=f"SJ{i:05d}",
                         roles=roles, unit=rng.choice(households), teams=teams)
        codes.append(code)
    return codes


def _year_of_contributions(bank: Timebank, rng: random.Random, codes: list[str],
                           progress: Callable[[str | Text], None]) -> int:
    progress(N_("a year of contributions"))
    today = local_date(utcnow(), "Asia/Shanghai")
    volunteers = codes[: len(codes) * 2 // 3]
    items = []
    for n in range(1200):
        day = today - timedelta(days=rng.randint(1, 365))
        member = rng.choice(volunteers)
        rule, quantity = _activity(rng, day)
        items.append(ContributionInput(member, rule, quantity, day.isoformat(),
                                       key=f"demo-{n}"))
    result = bank.contributions.record_many(CODE, items, recorded_by="demo:clerk")
    progress(T("approving {n} pending contributions", n=result.pending))
    for pending in bank.contributions.list(CODE, status="pending", limit=10_000):
        bank.contributions.approve(CODE, pending.id, approver=Actor.operator("demo:admin"),
                                   key=f"ok-{pending.id}")
    return len(items)


def _activity(rng: random.Random, day: date) -> tuple[str, float]:
    if day.month in (12, 1, 2) and rng.random() < 0.3:
        return "snow_clearing", rng.choice((1, 1.5, 2))
    rule = rng.choices(["elder_care", "errand", "sharpening", "repair"],
                       weights=[3, 3, 4, 1])[0]
    if rule == "elder_care":
        return rule, rng.choice((1, 1.5, 2, 3))
    if rule == "sharpening":
        return rule, rng.randint(1, 8)
    return rule, 1


def _shop(bank: Timebank, rng: random.Random, codes: list[str],
          progress: Callable[[str | Text], None]) -> None:
    progress(N_("gifts and a service day"))
    for code, name, name_en, cost, stock in GIFTS:
        bank.gifts.create(CODE, code, name=name, name_en=name_en, cost=cost, stock=stock)
    today = local_date(utcnow(), "Asia/Shanghai")
    bank.service_days.open(CODE, f"day-{today.isoformat()}", name="周五兑换日", day=today)
    for n, member in enumerate(rng.sample(codes[:150], 30)):
        gift = rng.choice(GIFTS[:4])[0]
        try:
            bank.redemptions.redeem(CODE, member, [{"gift": gift, "quantity": 1}],
                                    key=f"demo-redeem-{n}", actor="demo:desk",
                                    service_day=f"day-{today.isoformat()}")
        except TimebankError:
            continue  # not enough points yet: such residents simply wait in the queue
