"""The sentences the CLI prints, in zh-CN and en.

The language is ``--lang`` if given, else ``TIMEBANK_LANG``, else the locale (``LANG``
starting with ``en`` gives English); zh-CN is the default. Library errors keep their
(English) message and stable code.
"""

from __future__ import annotations

import os
from typing import Any

LANGS = ("zh", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "import_ok": {
        "zh": "导入完成:读取 {rows} 行,新增 {added} 条,已存在 {unchanged} 条。",
        "en": "imported: {rows} rows read, {added} added, {unchanged} already present."},
    "import_skipped": {
        "zh": "已跳过 {rejected} 行有问题的数据(其余已导入):",
        "en": "{rejected} bad rows skipped (the others were imported):"},
    "import_refused": {
        "zh": "未导入任何数据:{rejected} 行有问题。请改正后重新导入,或使用 --skip-bad-rows:",
        "en": "nothing imported: {rejected} bad rows. Fix them and import again, or use "
              "--skip-bad-rows:"},
    "header_problem": {
        "zh": "文件表头有问题,未导入任何数据:",
        "en": "the file's header row is not right; nothing imported:"},
    "problem": {"zh": "第 {row} 行 [{column}]:{message}",
                "en": "row {row} [{column}]: {message}"},
    "more_problems": {"zh": "……另有 {n} 个问题未列出", "en": "… and {n} more problems"},
    "ignored_columns": {"zh": "已忽略无法识别的列:{columns}",
                        "en": "columns not understood, ignored: {columns}"},
    "written": {"zh": "已写入 {rows} 行到 {path}", "en": "wrote {rows} rows to {path}"},
    "poster_written": {"zh": "公示页已写入 {path}(用浏览器打开后打印)",
                       "en": "poster written to {path} (open it in a browser and print)"},
    "xlsx_needs_output": {"zh": "xlsx 格式需要 --output 文件名",
                          "en": "the xlsx format needs --output FILE"},
    "member_added": {"zh": "已添加成员 {code}({name})", "en": "added member {code} ({name})"},
    "nobody": {"zh": "本期没有积分记录。", "en": "no points in this period."},
    "participation": {
        "zh": "{rule}:应参加 {eligible} 人,实际参加 {participated} 人,参与率 {percent}"
              "({verdict} {target})",
        "en": "{rule}: {participated} of {eligible} eligible members took part, "
              "{percent} ({verdict} {target})"},
    "met": {"zh": "达到", "en": "meets"},
    "not_met": {"zh": "未达到", "en": "below"},
    "importing": {"zh": "正在导入", "en": "importing"},
    "schema_ready": {"zh": "数据库结构已是最新:{url}", "en": "schema is up to date at {url}"},
    "community_created": {"zh": "已创建社区 {code}({name},{timezone})",
                          "en": "created community {code} ({name}, {timezone})"},
    "verifying": {"zh": "正在校验分录", "en": "verifying entries"},
    "verify_ok": {"zh": "校验通过:已检查 {n} 条分录,所有余额一致",
                  "en": "ok: {n} entries checked, every balance matches"},
    "verify_bad": {"zh": "异常 {where}:{what}", "en": "BAD {where}: {what}"},
    "first_bad": {"zh": "第一条异常分录:{entry}", "en": "first bad entry: {entry}"},
    "nothing": {"zh": "无", "en": "nothing"},
    "no_expiry": {"zh": "{community}:未设置过期政策", "en": "{community}: no expiry policy"},
    "expired": {"zh": "{community}:{members} 名成员在 {cutoff} 之前获得的 {totals} 已过期",
                "en": "{community}: expired {totals} from {members} member(s) earned "
                      "before {cutoff}"},
    "key_created": {"zh": "已为 {scope} 创建 {role} 密钥 #{id}{member}(仅显示这一次):",
                    "en": "{role} key #{id} for {scope}{member} (shown only once):"},
    "platform": {"zh": "平台", "en": "the platform"},
    "serving": {"zh": "timebank 接口服务地址 {base}(文档:{base}/docs)",
                "en": "serving the timebank API on {base} (docs: {base}/docs)"},
    "demo_docs": {"zh": "文档:{url}", "en": "docs:  {url}"},
    "demo_try": {"zh": "试一试:{command}", "en": "try:   {command}"},
    "demo_key": {"zh": "演示社区的管理员密钥(仅显示这一次):",
                 "en": "admin key for the demo community (shown only once):"},
}


def pick_lang(option: str | None = None) -> str:
    """``zh`` or ``en``: the option, then ``TIMEBANK_LANG``, then ``LANG``; zh-CN default."""
    for value in (option, os.environ.get("TIMEBANK_LANG"), os.environ.get("LANG")):
        if value:
            lowered = value.lower()
            if lowered.startswith("en"):
                return "en"
            if lowered.startswith("zh"):
                return "zh"
            if value is option:
                break
    return "zh"


def say(key: str, lang: str, **values: Any) -> str:
    return MESSAGES[key][lang if lang in LANGS else "zh"].format(**values)
