/* The service-day desk. A redemption gets its Idempotency-Key the moment the clerk
   presses the button, and is written to localStorage before any request; one sender
   sends the queue in order and removes an entry only when the server has answered it.
   So a dropped connection leaves the redemption "waiting to send", a reopened tab finds
   it again, and a replay with the same key can never spend twice. */
"use strict";

(function () {
  const { t, api, problemText, el, $, show, newKey } = TB;
  const QUEUE = "timebank.desk.queue";      // localStorage: survives closing the tab
  const REFUSED = "timebank.desk.refused";
  const DAY = "timebank.desk.day";          // sessionStorage

  let who = null;         // {role, community}
  let member = null;      // the member on screen
  let balances = {};
  let gifts = [];         // offers for the member on screen
  let cart = new Map();   // gift code -> quantity
  let flushing = false;
  let online = true;

  // -- the queue ------------------------------------------------------------------------
  function load(name) {
    try { return JSON.parse(localStorage.getItem(name)) || []; } catch (err) { return []; }
  }
  function save(name, list) { localStorage.setItem(name, JSON.stringify(list)); }
  function mine(list) { return list.filter((e) => who && e.community === who.community); }

  function renderQueue() {
    const waiting = mine(load(QUEUE)).length;
    const badge = $("queue-count");
    badge.hidden = waiting === 0;
    badge.textContent = t.pending + " " + waiting;
    badge.dataset.count = String(waiting);
    const net = $("net");
    net.textContent = online ? t.online : t.offline;
    net.classList.toggle("offline", !online);
    const refused = mine(load(REFUSED));
    show("refusals", refused.length > 0);
    $("refused-list").replaceChildren(...refused.map((e) => el("li", {},
      el("span", { text: describe(e) + " — " + e.reason + " " }),
      el("button", { type: "button", onclick: () => dismiss(e.key), text: t.dismiss }))));
  }

  function describe(e) {
    const items = e.body.items.map((i) => (e.names[i.gift] || i.gift) + "×" + i.quantity);
    return e.memberName + " (" + e.body.member + "): " + items.join(", ");
  }

  function dismiss(key) {
    save(REFUSED, load(REFUSED).filter((e) => e.key !== key));
    renderQueue();
  }

  function setOnline(value) {
    online = value;
    if (!value) {  // everything still queued has now waited: a later refusal is listed
      save(QUEUE, load(QUEUE).map((e) => Object.assign(e, { waited: true })));
    }
    renderQueue();
  }

  async function flush() {
    if (flushing || !TB.token() || !who) return;
    flushing = true;
    try {
      for (;;) {
        const head = mine(load(QUEUE))[0];
        if (!head) break;
        let res;
        try {
          res = await api("POST", "/redemptions", head.body, head.key);
        } catch (err) {
          setOnline(false);
          break;
        }
        if (res.status === 401) { TB.lapsed(); return; }  // still queued: nothing was spent
        save(QUEUE, load(QUEUE).filter((e) => e.key !== head.key));
        online = true;
        if (res.ok) sent(head, res.data); else refused(head, res.data, res.status);
        renderQueue();
      }
    } finally {
      flushing = false;
      renderQueue();
    }
  }

  function sent(entry, redemption) {
    showReceipt(entry, redemption);
    if (member && member.code === entry.body.member) loadMember(member);
  }

  function refused(entry, problem, status) {
    const reason = problemText(problem, status);
    if (entry.waited) {
      save(REFUSED, load(REFUSED).concat([Object.assign(entry, { reason })]));
    } else {
      $("redeem-error").textContent = reason;
      if (member && member.code === entry.body.member && cart.size === 0) {
        for (const item of entry.body.items) cart.set(item.gift, item.quantity);
        renderCart();
      }
    }
    if (member && member.code === entry.body.member) loadMember(member);
  }

  // -- redeeming --------------------------------------------------------------------------
  function redeem() {
    const button = $("redeem");
    if (button.disabled || !member || cart.size === 0) return;
    button.disabled = true;  // at once: a second click finds nothing to send
    const names = {};
    for (const g of gifts) names[g.code] = giftName(g);
    const body = { member: member.code,
                   items: Array.from(cart, ([gift, quantity]) => ({ gift, quantity })) };
    const day = sessionStorage.getItem(DAY);
    if (day) body.service_day = day;
    const entry = { key: newKey(), community: who.community, body, names,
                    memberName: member.name, at: new Date().toISOString(), waited: !online };
    save(QUEUE, load(QUEUE).concat([entry]));   // stored before any request
    cart = new Map();
    renderCart();
    $("redeem-error").textContent = "";
    renderQueue();
    flush().then(() => {
      show("queued-note", load(QUEUE).some((e) => e.key === entry.key));
    });
  }

  function showReceipt(entry, r) {
    $("r-code").textContent = r.receipt || String(r.id);
    $("r-member").textContent = entry.memberName + " (" + r.member + ")";
    $("r-day").textContent = r.service_day || t.no_day;
    $("r-items").replaceChildren(...(r.items || []).map((i) => el("li", {
      text: (entry.names[i.gift] || i.gift) + " × " + i.quantity + " = " + i.total })));
    $("r-total").textContent = r.total + " " + unitName(r.unit);
    $("r-after").textContent = String(r.balance_after);
    $("r-at").textContent = new Date().toLocaleString(TB.config.lang === "en" ? "en" : "zh-CN");
    show("receipt", true);
    show("queued-note", false);
  }

  // -- the member on screen ---------------------------------------------------------------
  function giftName(g) { return TB.config.lang === "en" && g.name_en ? g.name_en : g.name; }
  function unitName(unit) { return unit === "minutes" ? t.unit_minutes : t.unit_points; }
  function available(unit) { return balances[unit] ? balances[unit].available : 0; }

  async function lookup(text) {
    const q = text.trim();
    if (!q) return;
    $("lookup-error").textContent = t.looking;
    const enc = encodeURIComponent(q);
    const tries = ["/members?card=" + enc, "/members?phone=" + enc, "/members/" + enc];
    for (const path of tries) {
      let res;
      try { res = await api("GET", path); } catch (err) {
        setOnline(false);
        $("lookup-error").textContent = t.offline;
        return;
      }
      if (res.status === 401) { TB.lapsed(); return; }
      if (res.status === 422 && res.data && res.data.matches) {  // a household's phone
        forget();
        $("lookup-error").textContent = TB.fill(t.ambiguous, { value: q });
        return;
      }
      if (res.ok) {
        $("lookup-error").textContent = "";
        $("lookup").value = "";
        cart = new Map();
        show("receipt", false);
        await loadMember(res.data.items ? res.data.items[0] : res.data);
        const first = document.querySelector("#gift-rows button:not([disabled])");
        if (first) first.focus();
        return;
      }
      if (res.status !== 404 && res.status !== 422) {
        $("lookup-error").textContent = problemText(res.data, res.status);
        return;
      }
    }
    forget();
    $("lookup-error").textContent = t.not_found + ": " + q;
  }

  /* Nobody (or several people) found: the previous resident leaves the screen, so no
     redemption can go to them by mistake. */
  function forget() {
    member = null;
    cart = new Map();
    show("member", false);
    show("cart-panel", false);
  }

  async function loadMember(found) {
    const code = encodeURIComponent(found.code);
    let balance;
    let offers;
    try {
      [balance, offers] = await Promise.all([api("GET", "/members/" + code + "/balance"),
                                             api("GET", "/members/" + code + "/gifts")]);
    } catch (err) {
      setOnline(false);
      return;
    }
    if (balance.status === 401 || offers.status === 401) { TB.lapsed(); return; }
    if (!balance.ok || !offers.ok) {
      $("lookup-error").textContent = problemText((balance.ok ? offers : balance).data,
                                                  (balance.ok ? offers : balance).status);
      return;
    }
    online = true;
    renderQueue();
    member = found;
    balances = balance.data.balances || {};
    gifts = offers.data.items;
    $("m-name").textContent = found.name;
    $("m-code").textContent = found.code;
    $("m-balance").textContent = String(available("points"));
    const tier = balance.data.tier;
    $("m-tier").textContent = tier ? (TB.config.lang === "en" ? tier.name_en : tier.name_zh)
      || tier.code : t.no_tier;
    renderGifts();
    renderCart();
    show("member", true);
    show("cart-panel", true);
  }

  function left(g) {
    let n = g.stock;
    if (g.limit_left !== null && g.limit_left !== undefined) n = Math.min(n, g.limit_left);
    return n - (cart.get(g.code) || 0);
  }

  function add(g, delta) {
    const now = cart.get(g.code) || 0;
    if (g.blocked || (delta > 0 && left(g) <= 0)) return;
    const next = Math.max(0, now + delta);
    if (next === 0) cart.delete(g.code); else cart.set(g.code, next);
    const focused = document.activeElement && document.activeElement.dataset
      ? document.activeElement.dataset.add : undefined;
    renderGifts();
    renderCart();
    if (focused) {  // the rows were drawn again: keep the keyboard where it was
      const again = document.querySelector(`#gift-rows button[data-add="${CSS.escape(focused)}"]`);
      (again && !again.disabled ? again : $("redeem")).focus();
    }
  }

  function renderGifts() {
    $("gift-rows").replaceChildren(...gifts.map((g, i) => {
      const blocked = g.blocked ? t["blocked_" + g.blocked] || g.blocked : null;
      return el("tr", { class: g.blocked ? "blocked" : null, "data-gift": g.code },
        el("td", { text: String(i + 1) }),
        el("td", { text: giftName(g) }),
        el("td", { text: g.cost + (g.unit === "minutes" ? " " + t.unit_minutes : "") }),
        el("td", { text: String(g.stock) }),
        el("td", { text: g.limit_left === null || g.limit_left === undefined ? t.no_limit
                         : String(g.limit_left) }),
        el("td", { text: g.min_tier || "" }),
        el("td", {}, blocked ? el("span", { text: blocked })
          : el("button", { type: "button", "data-add": g.code, text: t.add,
                           disabled: left(g) <= 0, onclick: () => add(g, 1) })));
    }));
  }

  function renderCart() {
    const byCode = new Map(gifts.map((g) => [g.code, g]));
    let total = 0;
    let unit = "points";
    $("cart").replaceChildren(...Array.from(cart, ([code, qty]) => {
      const g = byCode.get(code);
      total += g.cost * qty;
      unit = g.unit;
      return el("li", {}, el("span", { text: giftName(g) + " × " + qty }),
        el("span", {}, String(g.cost * qty) + " ",
           el("button", { type: "button", text: t.remove, onclick: () => add(g, -1) })));
    }));
    const after = available(unit) - total;
    $("cart-total").textContent = String(total);
    $("cart-after").textContent = String(after);
    $("cart-after").classList.toggle("error", after < 0);
    $("redeem").disabled = cart.size === 0 || after < 0;
  }

  function nextResident() {
    forget();
    $("lookup-error").textContent = "";
    $("redeem-error").textContent = "";
    $("lookup").focus();
  }

  // -- the service day ----------------------------------------------------------------------
  async function pickDay() {
    show("desk", false);
    show("day-panel", true);
    show("day-open", who.role !== "kiosk");
    let res;
    try { res = await api("GET", "/service-days?status=open"); } catch (err) {
      $("day-error").textContent = t.offline;
      return;
    }
    if (res.status === 401) { TB.lapsed(); return; }
    const options = [el("option", { value: "", text: t.no_day })].concat(
      (res.ok ? res.data.items : []).map((d) => el("option", { value: d.code,
        text: d.name + " (" + d.code + ", " + d.day + ")" })));
    $("day-select").replaceChildren(...options);
    if (res.ok && res.data.items.length) $("day-select").value = res.data.items[0].code;
    $("day-select").focus();
  }

  function useDay(code, label) {
    sessionStorage.setItem(DAY, code);
    $("day-shown").textContent = label || t.no_day;
    sessionStorage.setItem(DAY + ".label", label || "");
    show("day-panel", false);
    show("desk", true);
    $("lookup").focus();
  }

  $("day-pick").addEventListener("submit", (event) => {
    event.preventDefault();
    const select = $("day-select");
    useDay(select.value, select.value ? select.selectedOptions[0].textContent : "");
  });
  $("day-open").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { code: $("day-code").value.trim(), name: $("day-name").value.trim(),
                   day: $("day-date").value };
    let res;
    try { res = await api("POST", "/service-days", body); } catch (err) {
      $("day-error").textContent = t.offline;
      return;
    }
    if (!res.ok) { $("day-error").textContent = problemText(res.data, res.status); return; }
    useDay(res.data.code, res.data.name + " (" + res.data.code + ", " + res.data.day + ")");
  });
  $("change-day").addEventListener("click", pickDay);

  // -- wiring -------------------------------------------------------------------------------
  $("lookup-form").addEventListener("submit", (event) => {
    event.preventDefault();
    lookup($("lookup").value);
  });
  $("redeem").addEventListener("click", redeem);
  $("clear").addEventListener("click", nextResident);
  $("print").addEventListener("click", () => window.print());
  document.addEventListener("keydown", (event) => {
    if ($("desk").hidden) return;
    if (event.key === "F9") { event.preventDefault(); redeem(); return; }
    if (event.key === "Escape") { event.preventDefault(); nextResident(); return; }
    const typing = event.target instanceof HTMLInputElement ||
                   event.target instanceof HTMLSelectElement;
    if (!typing && /^[1-9]$/.test(event.key) && gifts[Number(event.key) - 1]) {
      event.preventDefault();
      add(gifts[Number(event.key) - 1], 1);
    }
  });
  window.addEventListener("online", flush);
  window.addEventListener("storage", renderQueue);   // another tab of this desk
  setInterval(() => { if (mine(load(QUEUE)).length) flush(); }, 1500);

  const check = TB.signIn((identity) => {
    if (!["clerk", "kiosk", "admin"].includes(identity.role)) return t.no_desk;
    who = identity;
    // Whatever a closed tab left queued has waited: replay it now, in order.
    save(QUEUE, load(QUEUE).map((e) => Object.assign(e, { waited: true })));
    renderQueue();
    const day = sessionStorage.getItem(DAY);
    if (day !== null) useDay(day, sessionStorage.getItem(DAY + ".label"));
    else pickDay();
    flush();
    return null;
  });
  if (TB.token()) check(TB.token());
})();
