"""Random sequences of cross-community acts (redeem at a partner at once or held then
fulfilled or cancelled, return such a redemption, serve a partner's request and be paid
at home, move home, settle) keep a district's books right on both
engines: positions match a model kept by hand, sum to zero per unit, never pass the
limit, and ``verify`` finds both halves of every act and mirrored clearing accounts."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from timebank import Timebank
from timebank.errors import InsufficientPoints, LimitExceeded
from timebank.timeutil import utcnow

LIMIT = 60
COST = 7
_runs = itertools.count()
sides = st.integers(0, 2)


class DistrictMachine(RuleBasedStateMachine):
    bank: Timebank

    def __init__(self) -> None:
        super().__init__()
        run = next(_runs)
        self.codes = [f"d{run}c{i}" for i in range(3)]
        self.district = f"d{run}"
        tb = self.bank
        for code in self.codes:
            tb.communities.create(code, code)
            tb.members.add(code, "m", "m")
            tb.ledger.award(code, "m", 100, key="seed")
            tb.ledger.award(code, "m", 100, unit="minutes", key="seed-minutes")
            tb.gifts.create(code, "tea", name="茶", cost=COST, stock=10_000)
        tb.districts.create(self.district, "街道", self.codes, ["points", "minutes"],
                            position_limit=LIMIT)
        self.balance = {code: 100 for code in self.codes}
        self.minutes = {code: 100 for code in self.codes}
        self.position = {(a, b): 0 for a in self.codes for b in self.codes if a != b}
        self.served = {(a, b): 0 for a in self.codes for b in self.codes if a != b}
        self.fulfilled: list[tuple[str, int, str, int]] = []  # (at, id, home, amount)
        self.keys = itertools.count()
        self.movers = itertools.count()

    def key(self) -> str:
        return f"k{next(self.keys)}"

    def _expect(self, payer: str, payee: str, amount: int, minutes: bool = False) -> bool:
        """Would the act pass the limit? (positions in the model, before the act)"""
        book = self.served if minutes else self.position
        after_payer = sum(v for (a, _), v in book.items() if a == payer) - amount
        after_payee = sum(v for (a, _), v in book.items() if a == payee) + amount
        return abs(after_payer) <= LIMIT and abs(after_payee) <= LIMIT

    def _book(self, payer: str, payee: str, amount: int, minutes: bool = False) -> None:
        book = self.served if minutes else self.position
        book[payer, payee] -= amount
        book[payee, payer] += amount

    @rule(home=sides, at=sides, quantity=st.integers(1, 6))
    def redeem(self, home: int, at: int, quantity: int) -> None:
        if home == at:
            return
        payer, payee = self.codes[home], self.codes[at]
        amount = quantity * COST
        try:
            done = self.bank.redemptions.redeem(payee, f"{payer}:m", [("tea", quantity)],
                                                key=self.key())
        except InsufficientPoints:
            assert self.balance[payer] < amount
        except LimitExceeded:
            assert self.balance[payer] >= amount and not self._expect(payer, payee, amount)
        else:
            assert self.balance[payer] >= amount and self._expect(payer, payee, amount)
            self.balance[payer] -= amount
            self._book(payer, payee, amount)
            self.fulfilled.append((payee, done.id, payer, amount))

    @rule(home=sides, at=sides, quantity=st.integers(1, 6), hand_over=st.booleans())
    def redeem_held(self, home: int, at: int, quantity: int, hand_over: bool) -> None:
        """Hold at a partner (reserved at home), then fulfil or cancel it."""
        if home == at:
            return
        payer, payee = self.codes[home], self.codes[at]
        amount = quantity * COST
        try:
            held = self.bank.redemptions.redeem(payee, f"{payer}:m", [("tea", quantity)],
                                                key=self.key(), hold=True)
        except InsufficientPoints:
            assert self.balance[payer] < amount
            return
        assert self.balance[payer] >= amount
        assert self.bank.ledger.balance(payer, "m")["points"].held == amount
        if not hand_over:
            self.bank.redemptions.cancel(payee, held.id, key=self.key())
        else:
            try:
                done = self.bank.redemptions.fulfil(payee, held.id, key=self.key())
            except LimitExceeded:
                assert not self._expect(payer, payee, amount)
                self.bank.redemptions.cancel(payee, held.id, key=self.key())
            else:
                assert self._expect(payer, payee, amount)
                self.balance[payer] -= amount
                self._book(payer, payee, amount)
                self.fulfilled.append((payee, done.id, payer, amount))
        assert self.bank.ledger.balance(payer, "m")["points"].held == 0

    @rule(data=st.data())
    def give_back(self, data: st.DataObject) -> None:
        """Return a fulfilled cross redemption: the act the other way."""
        if not self.fulfilled:
            return
        payee, redemption, payer, amount = self.fulfilled.pop(
            data.draw(st.integers(0, len(self.fulfilled) - 1)))
        try:
            self.bank.redemptions.return_redemption(payee, redemption, key=self.key())
        except LimitExceeded:
            assert not self._expect(payee, payer, amount)
        else:
            assert self._expect(payee, payer, amount)
            self.balance[payer] += amount
            self._book(payee, payer, amount)

    @rule(home=sides, at=sides, asked=st.integers(1, 50), paid=st.integers(1, 50))
    def serve(self, home: int, at: int, asked: int, paid: int) -> None:
        """A member of ``home`` serves the request of ``at``'s member, paid at home."""
        if home == at:
            return
        volunteer, requester = self.codes[home], self.codes[at]
        try:
            asked_for = self.bank.requests.post(requester, "m", "帮忙", "other", asked,
                                                key=self.key())
        except InsufficientPoints:
            assert self.minutes[requester] < asked
            return
        self.bank.requests.claim(requester, asked_for.id, f"{volunteer}:m")
        try:
            self.bank.requests.confirm(requester, asked_for.id, paid, key=self.key())
        except InsufficientPoints:
            assert paid > self.minutes[requester]
            self.bank.requests.cancel(requester, asked_for.id, "no minutes")
        except LimitExceeded:
            assert paid <= self.minutes[requester]
            assert not self._expect(requester, volunteer, paid, minutes=True)
            self.bank.requests.cancel(requester, asked_for.id, "over the limit")
        else:
            assert paid <= self.minutes[requester]
            assert self._expect(requester, volunteer, paid, minutes=True)
            self.minutes[requester] -= paid
            self.minutes[volunteer] += paid
            self._book(requester, volunteer, paid, minutes=True)
        for code in (requester, volunteer):
            found = self.bank.ledger.balance(code, "m")["minutes"]
            assert (found.posted, found.held) == (self.minutes[code], 0)

    @rule(home=sides, to=sides, amount=st.integers(1, 40))
    def move(self, home: int, to: int, amount: int) -> None:
        if home == to:
            return
        source, target = self.codes[home], self.codes[to]
        code = f"mv{next(self.movers)}"
        self.bank.members.add(source, code, code)
        self.bank.ledger.award(source, code, amount, key=self.key())
        try:
            self.bank.districts.move(source, code, target, key=self.key())
        except LimitExceeded:
            assert not self._expect(source, target, amount)
        else:
            assert self._expect(source, target, amount)
            self._book(source, target, amount)
            assert self.bank.ledger.balance(target, code)["points"].posted == amount

    @rule()
    def settle(self) -> None:
        self.bank.districts.settle(self.district, utcnow())
        self.position = dict.fromkeys(self.position, 0)
        self.served = dict.fromkeys(self.served, 0)

    @invariant()
    def positions_match_the_model_and_sum_to_zero(self) -> None:
        found = self.bank.districts.positions(self.district)
        for unit, book in (("points", self.position), ("minutes", self.served)):
            assert sum(p.total for p in found if p.unit == unit) == 0
            for p in (p for p in found if p.unit == unit):
                assert abs(p.total) <= LIMIT
                for partner, value in p.partners.items():
                    assert value == book[p.community, partner]

    def teardown(self) -> None:
        for code in self.codes:
            assert self.bank.verify(code).ok


def test_district_invariants_hold_for_any_sequence_of_cross_acts(tb: Timebank) -> None:
    class Machine(DistrictMachine):
        bank = tb

    run_state_machine_as_test(Machine, settings=settings(
        max_examples=15, stateful_step_count=25, deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]))
