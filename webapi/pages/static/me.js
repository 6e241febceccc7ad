/* A member's own page, read only: balances per unit, the tier and what the next one
   needs, and the statement with every line said in words. The QR link on the member
   card carries the key in the fragment (#key=...), which never reaches a server log;
   it is moved into this tab's sessionStorage and wiped from the address bar. With no
   key at all, the page asks who is calling: embedded in a host app, the host's identity
   resolver may name the member from its own login, and no key is needed. */
"use strict";

(function () {
  const { t, api, problemText, el, $, show } = TB;
  const en = TB.config.lang === "en";
  let rules = {};

  function unitName(unit) { return unit === "minutes" ? t.unit_minutes : t.unit_points; }
  function amount(n, unit) {
    const sign = n > 0 ? "+" : "";
    if (unit !== "minutes") return sign + n;
    const h = Math.trunc(n / 60);
    const m = Math.abs(n % 60);
    return sign + n + (en ? " min" : " 分钟") + (Math.abs(n) >= 60
      ? " (" + h + (en ? " h " : " 小时 ") + m + (en ? " min)" : " 分)") : "");
  }
  function ruleName(code) {
    const r = rules[code];
    return r ? (en ? r.name_en : r.name_zh) || code : code;
  }

  /* One statement line in words: what happened, under which rule, for which activity
     record, who approved it, and the entry's reason. */
  function explain(line) {
    const parts = [t["kind_" + line.kind] || line.kind];
    if (line.rule) parts.push(t.rule + ": " + ruleName(line.rule));
    if (line.contribution) parts.push(t.contribution + " #" + line.contribution);
    if (line.approver) parts.push(t.approver + ": " + line.approver);
    if (line.reverses) parts.push(t.reverses + " #" + line.reverses);
    if (line.reason) parts.push(t.reason + ": " + line.reason);
    return parts.join(en ? "; " : "；");
  }

  /* The local day in the community's time zone (what the books count in). */
  function day(iso, zone) {
    try {
      return new Intl.DateTimeFormat("sv-SE", { timeZone: zone || undefined,
        year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(iso));
    } catch (err) { return iso.slice(0, 10); }
  }

  async function load(identity) {
    rules = {};
    for (const r of identity.rules || []) rules[r.code] = r;
    const code = encodeURIComponent(identity.member);
    let balance, tier, statement;
    try {
      [balance, tier, statement] = await Promise.all([
        api("GET", "/members/" + code + "/balance"),
        api("GET", "/members/" + code + "/tier"),
        api("GET", "/members/" + code + "/statement")]);
    } catch (err) {
      $("me-error").textContent = t.offline;
      return;
    }
    for (const res of [balance, tier, statement]) {
      if (!res.ok) { $("me-error").textContent = problemText(res.data, res.status); return; }
    }
    $("me-name").textContent = identity.name || identity.member;
    $("me-code").textContent = identity.member;
    const units = Object.entries(balance.data.balances);
    $("me-balances").replaceChildren(...(units.length ? units : [["points", null]]).map(
      ([unit, b]) => el("li", {}, unitName(unit) + ": ", el("b", { text: b ? String(b.available)
        : "0" }), b && b.owed > 0 ? el("b", { class: "owed", text: " " + t.owed + " "
        + b.owed }) : "", b && b.held ? " (" + t.held + " " + b.held + ")" : "",
        b ? " · " + t.earned + " " + b.lifetime_earned : "")));
    const status = tier.data || {};
    const name = (x) => (en ? x.name_en : x.name_zh) || x.code;
    $("me-tier").textContent = status.tier ? name(status.tier) : t.no_tier;
    $("me-next").textContent = status.next
      ? t.next_tier + ": " + name(status.next) + "," + t.needed + " " + status.needed + " "
        + unitName(status.unit)
      : (status.tier ? t.top_tier : "");
    const lines = statement.data.lines.slice().reverse();  // newest first
    $("me-lines").replaceChildren(...(lines.length ? lines.map((line) => el("tr", {},
      el("td", { text: day(line.occurred_at || line.at, identity.timezone) }),
      el("td", { text: explain(line) }),
      el("td", { text: amount(line.amount, line.unit) }),
      el("td", { text: String(line.balance_after) }))) : [el("tr", {}, el("td", {
      colspan: "4", text: t.no_lines }))]));
    show("me", true);
    extras(identity);
  }

  /* What else is the member's: points expiring soon, requests under way (asked for or
     helping with) and service certificates. A part that cannot be read is left out. */
  const WINDOW = 60;  // days ahead for "expiring soon"
  async function extras(identity) {
    const code = encodeURIComponent(identity.member);
    const ask = (path) => api("GET", path).then((res) => (res.ok ? res.data : null),
                                                () => null);
    const [expiring, requests, certificates, categories] = await Promise.all([
      ask("/members/" + code + "/expiring?within_days=" + WINDOW),
      ask("/members/" + code + "/requests"), ask("/members/" + code + "/certificates"),
      ask("/requests/categories")]);
    show("me-expiring-panel", expiring !== null);
    if (expiring) {
      $("me-expiring").replaceChildren(...(expiring.items.length ? expiring.items.map(
        (lot) => el("li", { text: TB.fill(t.me_expiring_line, {
          amount: lot.unit === "minutes" ? TB.duration(lot.amount)
            : lot.amount + " " + t.unit_points, day: lot.last_day }) }))
        : [el("li", { class: "hint", text: TB.fill(t.me_expiring_none, { days: WINDOW }) })]));
    }
    show("me-requests-panel", requests !== null);
    if (requests) {
      const names = {};
      for (const c of categories || []) names[c.code] = en ? c.name_en : c.name_zh;
      $("me-requests").replaceChildren(...(requests.items.length ? requests.items.map(
        (r) => el("li", {}, el("b", { text: r.title }),
          " · " + (names[r.category] || r.category) + " · " + TB.duration(r.minutes)
          + (r.needed_on ? " · " + TB.fill(t.me_request_needed, { day: r.needed_on }) : ""),
          el("br"), el("span", { class: "tag", text: r.member === identity.member
            ? t.me_request_posted : t.me_request_claimed }),
          " " + (t["request_" + r.status] || r.status)
          + (r.volunteers.length && r.member === identity.member
            ? " · " + TB.fill(t.me_request_volunteers, { names: r.volunteers.join(", ") })
            : "")))
        : [el("li", { class: "hint", text: t.me_requests_none })]));
    }
    show("me-certificates-panel", certificates !== null);
    if (certificates) {
      $("me-certificates").replaceChildren(...(certificates.items.length
        ? certificates.items.map((c) => el("li", { class: "cert-" + c.status },
          el("b", { text: c.number }), " " + TB.fill(t.me_certificate_line, {
            start: c.period.from, end: c.period.to, hours: TB.duration(c.service_minutes) })
          + (c.honour_minutes ? " " + TB.fill(t.me_certificate_honour, {
            hours: TB.duration(c.honour_minutes) }) : "") + " · ",
          el("span", { class: "tag", text: t["certificate_" + c.status] || c.status })))
        : [el("li", { class: "hint", text: t.me_certificates_none })]));
    }
  }

  const check = TB.signIn((identity) => {
    if (identity.role !== "member") return t.no_me;
    load(identity);
    return null;
  });
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.get("key")) {
    const key = fragment.get("key");
    history.replaceState(null, "", location.pathname + location.search);
    check(key);
  } else if (TB.token()) {
    check(TB.token());
  } else {
    check.host();  // embedded: the host's own login may already say who this is
  }
})();
