"""The pages' words, zh-CN first and English beside it; the JavaScript gets the same
table as JSON, so a page speaks one language from server to script.

``CATALOGUED`` texts live in the message catalogue (``timebank/locale``): the id is the
English text, and ``{name}`` placeholders are filled in by the page's script
(``TB.fill``)."""

from __future__ import annotations

from timebank.i18n import N_, translate

LANGS = ("zh", "en")

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "html_lang": "zh-CN", "other_lang": "English", "other_code": "en",
        "home_title": "积分服务", "home_desk": "服务日兑换台", "home_me": "我的积分",
        "home_docs": "接口文档",
        "home_desk_hint": "工作人员或自助机:刷卡查询、兑换礼品、打印小票",
        "home_me_hint": "志愿者:凭会员卡二维码或个人密钥查看积分与明细",
        "desk_title": "服务日兑换台", "me_title": "我的积分",
        "key_label": "密钥", "sign_in": "登录", "sign_out": "退出",
        "key_hint": "密钥只保存在本标签页,关闭后即清除。",
        "signing_in": "正在验证…", "bad_key": "密钥无效", "no_desk": "此密钥不能打开兑换台"
        "(需要工作人员或自助机密钥)", "no_me": "此密钥不是会员密钥",
        "day": "服务日", "pick_day": "选择服务日", "use_day": "使用", "no_day": "不指定服务日",
        "open_day": "开设服务日", "day_code": "编号", "day_name": "名称", "day_date": "日期",
        "change_day": "更换",
        "lookup": "刷卡或输入手机号/会员编号,按回车", "find": "查找",
        "not_found": "查无此人", "looking": "正在查找…",
        "balance": "可用积分", "tier": "等级", "no_tier": "无", "code": "编号",
        "gift": "礼品", "cost": "所需积分", "stock": "库存", "limit_left": "本期可兑",
        "tier_gate": "等级要求", "add": "加入", "remove": "减少", "qty": "数量",
        "no_limit": "不限", "cart": "本次兑换", "total": "合计", "after": "兑换后余额",
        "redeem": "兑换", "clear": "清空", "new_resident": "下一位",
        "blocked_out_of_stock": "缺货", "blocked_not_eligible": "等级不足",
        "blocked_limit_exceeded": "已达上限",
        "receipt": "兑换小票", "receipt_code": "小票号", "points": "积分", "print": "打印小票",
        "member": "会员", "items": "礼品",
        "online": "已连接", "offline": "网络中断", "pending": "待发送", "sending": "正在发送…",
        "sent": "已发送", "refused": "被拒绝", "dismiss": "知道了",
        "queued_note": "网络中断:兑换已保存,恢复后自动发送(不会重复扣分)。",
        "shortcuts": "快捷键:回车 查找 · 数字键 加入第 N 件礼品 · F9 兑换 · Esc 下一位",
        "statement": "积分明细", "when": "时间", "what": "说明", "amount": "变动",
        "balance_after": "余额", "per_unit": "各类余额", "next_tier": "下一等级",
        "needed": "还需", "top_tier": "已是最高等级", "earned": "累计获得",
        "unit_points": "积分", "unit_minutes": "时间(分钟)", "held": "冻结", "owed": "欠",
        "kind_award": "获得", "kind_spend": "兑换", "kind_capture": "兑换",
        "kind_transfer": "转赠", "kind_donation": "捐赠", "kind_grant": "受赠",
        "kind_adjustment": "调整", "kind_expiry": "过期", "kind_reversal": "冲正",
        "kind_post": "记账", "kind_exchange": "互助",
        "rule": "规则", "contribution": "活动记录", "approver": "审批人", "reason": "原因",
        "reverses": "冲正记录", "no_lines": "暂无明细", "read_only": "只读页面",
        "error": "出错了",
    },
    "en": {
        "html_lang": "en", "other_lang": "中文", "other_code": "zh",
        "home_title": "Points service", "home_desk": "Service-day desk",
        "home_me": "My points", "home_docs": "API docs",
        "home_desk_hint": "Clerks and kiosks: look residents up by card, redeem gifts, "
                          "print receipts",
        "home_me_hint": "Volunteers: your balance and statement, by the QR code on your card",
        "desk_title": "Service-day desk", "me_title": "My points",
        "key_label": "Key", "sign_in": "Sign in", "sign_out": "Sign out",
        "key_hint": "The key is kept in this tab only and forgotten when it closes.",
        "signing_in": "Checking…", "bad_key": "Unknown key",
        "no_desk": "This key cannot open the desk (a clerk or kiosk key is needed)",
        "no_me": "This is not a member key",
        "day": "Service day", "pick_day": "Pick a service day", "use_day": "Use",
        "no_day": "No service day", "open_day": "Open a service day", "day_code": "Code",
        "day_name": "Name", "day_date": "Date", "change_day": "Change",
        "lookup": "Swipe a card, or type a phone or member code, then Enter",
        "find": "Find", "not_found": "Nobody found", "looking": "Looking…",
        "balance": "Available", "tier": "Tier", "no_tier": "none", "code": "Code",
        "gift": "Gift", "cost": "Cost", "stock": "Stock", "limit_left": "May take",
        "tier_gate": "Tier needed", "add": "Add", "remove": "Less", "qty": "Qty",
        "no_limit": "no limit", "cart": "This redemption", "total": "Total",
        "after": "Balance after", "redeem": "Redeem", "clear": "Clear",
        "new_resident": "Next", "blocked_out_of_stock": "out of stock",
        "blocked_not_eligible": "tier too low", "blocked_limit_exceeded": "limit reached",
        "receipt": "Receipt", "receipt_code": "Receipt no.", "points": "Points",
        "print": "Print receipt", "member": "Member", "items": "Items",
        "online": "Connected", "offline": "Offline", "pending": "Waiting to send",
        "sending": "Sending…", "sent": "Sent", "refused": "Refused", "dismiss": "OK",
        "queued_note": "Offline: the redemption is saved and will be sent when the "
                       "connection is back (never spent twice).",
        "shortcuts": "Keys: Enter find · digit adds gift N · F9 redeem · Esc next",
        "statement": "Statement", "when": "When", "what": "What", "amount": "Change",
        "balance_after": "Balance", "per_unit": "Balances", "next_tier": "Next tier",
        "needed": "needs", "top_tier": "top tier reached", "earned": "earned",
        "unit_points": "points", "unit_minutes": "time (minutes)", "held": "held", "owed": "owed",
        "kind_award": "Earned", "kind_spend": "Redeemed", "kind_capture": "Redeemed",
        "kind_transfer": "Transfer", "kind_donation": "Donated", "kind_grant": "Granted",
        "kind_adjustment": "Adjustment", "kind_expiry": "Expired",
        "kind_reversal": "Reversal", "kind_post": "Entry", "kind_exchange": "Exchange",
        "rule": "rule", "contribution": "activity record", "approver": "approved by",
        "reason": "reason", "reverses": "reverses entry", "no_lines": "No lines yet",
        "read_only": "Read only", "error": "Something went wrong",
    },
}


CATALOGUED: dict[str, str] = {
    # the desk
    "key_refused": N_("This key is wrong or has been revoked"),
    "key_lapsed": N_("The key no longer opens the desk (revoked?): sign in again. "
                     "Redemptions waiting to send are kept."),
    "ambiguous": N_("Several people match {value}: swipe the card or type the member code"),
    # a member's own page
    "me_expiring": N_("Expiring soon"),
    "me_expiring_line": N_("{amount}: use by {day}"),
    "me_expiring_none": N_("Nothing expires in the next {days} days"),
    "me_requests": N_("My requests under way"),
    "me_requests_none": N_("No requests under way"),
    "me_request_posted": N_("I asked for help"),
    "me_request_claimed": N_("I am helping"),
    "me_request_needed": N_("needed on {day}"),
    "me_request_volunteers": N_("volunteers: {names}"),
    "request_open": N_("waiting for a volunteer"),
    "request_claimed": N_("a volunteer is on it"),
    "request_disputed": N_("in dispute, the office settles it"),
    "me_certificates": N_("My service certificates"),
    "me_certificates_none": N_("No certificates yet"),
    "me_certificate_line": N_("{start} to {end}: {hours} of service"),
    "me_certificate_honour": N_("with {hours} of honour hours"),
    "certificate_valid": N_("valid"),
    "certificate_revoked": N_("revoked, no longer valid"),
    "certificate_changed": N_("a counted record changed after issue"),
    "hours_minutes": N_("{hours} h {minutes} min"),
    "hours_only": N_("{hours} h"),
    "minutes_only": N_("{minutes} min"),
}
for _lang in LANGS:
    TEXT[_lang].update({name: translate(msgid, _lang) for name, msgid in CATALOGUED.items()})


def pick(arg: str | None) -> str:
    """``?lang=en`` switches to English; zh-CN otherwise, whatever the browser says."""
    return arg if arg in LANGS else "zh"
