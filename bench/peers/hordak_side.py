"""django-hordak's side of ``make bench-peers``: run by ``.venv-peers/bin/python``, never
imported by the project (hordak and Django live in that virtual environment only).

``python hordak_side.py DSN_JSON OP [ARGS...]`` prints one JSON object on its last line.
Ops: ``setup`` (migrate, open the accounts), ``seed LEGS`` (the read account's history),
``single N TAG``, ``concurrent PROCS N TAG``, ``bulk N TAG``, ``read K``. Only hordak's
public API is called: ``Account.transfer_to`` inside ``transaction.atomic``, and
``Account.get_balance``; the read history is written by ``bulk_create`` of its models.
"""

from __future__ import annotations

import json
import multiprocessing
import sys
import time
from decimal import Decimal
from typing import Any

CURRENCY = "CNY"


def configure(dsn: dict[str, Any]) -> None:
    import django
    from django.conf import settings

    if settings.configured:
        return
    settings.configure(
        DATABASES={"default": {"ENGINE": "django.db.backends.postgresql", "NAME": dsn["db"],
                               "USER": dsn["user"], "HOST": dsn["host"],
                               "PORT": str(dsn["port"]), "CONN_MAX_AGE": None}},
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "mptt",
                        "djmoney", "hordak"],
        USE_TZ=True, DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        DEFAULT_CURRENCY=CURRENCY, CURRENCIES=[CURRENCY], HORDAK_DECIMAL_PLACES=0)
    django.setup()


def account(name: str) -> Any:
    from hordak.models import Account

    return Account.objects.get(name=name)


def money(n: int) -> Any:
    from djmoney.money import Money

    return Money(Decimal(n), CURRENCY)


def setup() -> dict[str, Any]:
    from django.core.management import call_command
    from hordak.models import Account

    call_command("migrate", verbosity=0)
    names = ["single-a", "single-b", "bulk-source", "read-source", "read-target"]
    names += [f"bulk-m{i}" for i in range(100)]
    names += [f"one-{p}-{s}" for p in range(4) for s in "ab"]
    names += [f"four-{p}-{s}" for p in range(4) for s in "ab"]
    for name in names:
        # Equity sources, asset members: a transfer between two assets moves value.
        kind = "EQ" if name.endswith("source") else "AS"
        Account.objects.create(name=name, type=kind, currencies=[CURRENCY])
    return {"accounts": len(names)}


def seed(legs: int) -> dict[str, Any]:
    """``legs`` transactions of two legs each, one of them on the read account."""
    from django.db import transaction
    from hordak.models import Leg, Transaction

    source, target = account("read-source"), account("read-target")
    start = time.perf_counter()
    batch = 20_000
    for first in range(0, legs, batch):
        count = min(batch, legs - first)
        with transaction.atomic():
            txs = Transaction.objects.bulk_create(
                [Transaction(description="seed") for _ in range(count)])
            Leg.objects.bulk_create(
                [leg for tx in txs for leg in (Leg(transaction=tx, account=source,
                                                   credit=money(1)),
                                               Leg(transaction=tx, account=target,
                                                   debit=money(1)))])
    return {"legs": legs, "seconds": time.perf_counter() - start}


def single(n: int) -> dict[str, Any]:
    a, b = account("single-a"), account("single-b")
    one = money(1)
    start = time.perf_counter()
    for _ in range(n):
        a.transfer_to(b, one)  # atomic: one transaction each (autocommit outside)
    return {"seconds": time.perf_counter() - start, "count": n}


def _worker(dsn: dict[str, Any], prefix: str, n: int, barrier: Any, out: Any) -> None:
    configure(dsn)
    a, b = account(f"{prefix}-a"), account(f"{prefix}-b")
    one = money(1)
    a.transfer_to(b, one)  # connection and statements warm
    barrier.wait()
    start = time.monotonic()
    for _ in range(n):
        a.transfer_to(b, one)
    out.put((start, time.monotonic()))


def concurrent(dsn: dict[str, Any], group: str, procs: int, n: int) -> dict[str, Any]:
    """``procs`` processes at once, each moving between its own two accounts. hordak has
    no community (no shared row per community): ``one`` and ``four`` differ only in the
    accounts' names, so they measure the same workload."""
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(procs), ctx.Queue()
    workers = [ctx.Process(target=_worker, args=(dsn, f"{group}-{p}", n, barrier, out))
               for p in range(procs)]
    for w in workers:
        w.start()
    spans = [out.get() for _ in workers]
    for w in workers:
        w.join()
        if w.exitcode:
            raise SystemExit(f"worker failed: {w.exitcode}")
    return {"seconds": max(e for _, e in spans) - min(s for s, _ in spans),
            "count": procs * n}


def bulk(n: int) -> dict[str, Any]:
    from django.db import transaction

    source = account("bulk-source")
    members = [account(f"bulk-m{i}") for i in range(100)]
    start = time.perf_counter()
    with transaction.atomic():
        for i in range(n):
            source.transfer_to(members[i % 100], money(1 + i % 5))
    return {"seconds": time.perf_counter() - start, "count": n}


def read(k: int) -> dict[str, Any]:
    target = account("read-target")
    balance = target.get_balance()  # warm
    start = time.perf_counter()
    for _ in range(k):
        balance = target.get_balance()
    return {"seconds": time.perf_counter() - start, "count": k, "balance": str(balance)}


def main(argv: list[str]) -> None:
    dsn = json.loads(argv[0])
    op, args = argv[1], [int(a) for a in argv[2:] if a.isdigit()]
    configure(dsn)
    if op == "setup":
        result = setup()
    elif op == "seed":
        result = seed(args[0])
    elif op == "single":
        result = single(args[0])
    elif op == "concurrent":
        result = concurrent(dsn, argv[2], args[0], args[1])
    elif op == "bulk":
        result = bulk(args[0])
    elif op == "read":
        result = read(args[0])
    else:
        raise SystemExit(f"unknown op {op!r}")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
