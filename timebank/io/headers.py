"""Column layouts of the import files and the header names accepted for each column.

A header matches a field when, lower-cased and with spaces, dashes and underscores
removed, it equals one of the field's names: English or zh-CN (see ``docs/import.md``).
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs


@attrs.frozen
class Column:
    field: str
    names: tuple[str, ...]  # accepted header names, the first English, the second zh-CN
    required: bool = False

    @property
    def en(self) -> str:
        return self.names[0]

    @property
    def zh(self) -> str:
        return self.names[1]


@attrs.frozen
class Layout:
    """What one kind of import file holds."""

    kind: str
    columns: tuple[Column, ...]

    def column(self, field: str) -> Column:
        return next(c for c in self.columns if c.field == field)


MEMBERS = Layout("members", (
    Column("code", ("code", "编号", "member", "member_code", "成员编号", "居民编号"), True),
    Column("name", ("name", "姓名", "名字"), True),
    Column("phone", ("phone", "电话", "手机", "手机号", "联系电话")),
    Column("card", ("card", "卡号", "card_code", "会员卡号")),
    Column("roles", ("roles", "身份", "角色")),
    Column("tags", ("tags", "标签")),
    Column("unit", ("unit", "所属单元", "单元", "楼栋", "网格")),
    Column("teams", ("teams", "服务队", "队伍")),
))

CONTRIBUTIONS = Layout("contributions", (
    Column("member", ("member", "成员编号", "编号", "member_code", "居民编号", "code"), True),
    Column("rule", ("rule", "规则", "积分规则", "规则代码", "rule_code"), True),
    Column("quantity", ("quantity", "数量", "次数", "时长", "qty")),
    Column("occurred_on", ("occurred_on", "日期", "发生日期", "date", "活动日期")),
    Column("started_at", ("started_at", "开始时间", "start")),
    Column("ended_at", ("ended_at", "结束时间", "end")),
    Column("note", ("note", "备注", "说明")),
    Column("period", ("period", "所属月份", "缴费月份", "所属期")),
    Column("key", ("key", "行键", "幂等键", "idempotency_key")),
))

LAYOUTS = {layout.kind: layout for layout in (MEMBERS, CONTRIBUTIONS)}


def normalise(header: object) -> str:
    text = "" if header is None else str(header)
    text = text.replace("\ufeff", "").strip().lower()
    for char in " _-\t":
        text = text.replace(char, "")
    return text


@attrs.frozen
class HeaderMap:
    """Where each field sits in a row, plus what was missing, doubled or not understood."""

    positions: dict[str, int]
    missing: tuple[str, ...]
    duplicated: tuple[str, ...]
    ignored: tuple[str, ...]


def map_headers(layout: Layout, headers: Sequence[object]) -> HeaderMap:
    lookup = {normalise(name): col.field for col in layout.columns for name in col.names}
    positions: dict[str, int] = {}
    duplicated: list[str] = []
    ignored: list[str] = []
    for index, header in enumerate(headers):
        field = lookup.get(normalise(header))
        if field is None:
            if normalise(header):
                ignored.append(str(header))
        elif field in positions:
            duplicated.append(str(header))
        else:
            positions[field] = index
    missing = tuple(c.field for c in layout.columns if c.required and c.field not in positions)
    return HeaderMap(positions, missing, tuple(duplicated), tuple(ignored))
