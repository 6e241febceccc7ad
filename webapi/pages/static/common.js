/* What both pages share: the config the server wrote, the key kept in this tab only
   (sessionStorage), calls to the API, and a DOM builder that never parses HTML. */
"use strict";

const TB = (function () {
  const config = JSON.parse(document.getElementById("timebank-config").textContent);
  const t = config.text;
  const KEY = "timebank.key";
  const NOTICE = "timebank.notice";   // a message for the sign-in form after a reload

  function token() { return sessionStorage.getItem(KEY); }
  function setToken(value) {
    if (value) sessionStorage.setItem(KEY, value); else sessionStorage.removeItem(KEY);
  }

  /* One API call. Resolves {ok, status, data} for any answer of the server itself;
     rejects {offline: true} when the network or the server is away (no answer, or a
     gateway's 502/503/504), so a caller can keep its work and try again later. */
  async function api(method, path, body, idempotencyKey) {
    const headers = { "Accept": "application/json",
                      "Accept-Language": config.lang === "en" ? "en" : "zh-CN" };
    if (token()) headers["Authorization"] = "Bearer " + token();
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
    let response;
    try {
      response = await fetch(config.api + path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store" });
    } catch (err) {
      throw { offline: true, error: String(err) };
    }
    if ([502, 503, 504].includes(response.status)) throw { offline: true };
    let data = null;
    try { data = await response.json(); } catch (err) { data = null; }
    return { ok: response.ok, status: response.status, data };
  }

  /* The problem's words for a person: its title and detail, with its code. */
  function problemText(data, status) {
    if (!data) return t.error + " (" + status + ")";
    const words = [data.title, data.detail].filter(Boolean).join(": ");
    return (words || t.error) + (data.code ? " (" + data.code + ")" : "");
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (name === "text") node.textContent = value;
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /* A catalogued text with its {name} placeholders filled in. */
  function fill(text, values) {
    return String(text).replace(/\{(\w+)\}/g, (whole, name) =>
      values && values[name] !== undefined && values[name] !== null ? String(values[name])
        : whole);
  }

  /* Minutes as a person reads them: "2 小时 30 分" / "2 h 30 min", "45 分钟". */
  function duration(minutes) {
    const h = Math.trunc(minutes / 60);
    const m = minutes % 60;
    if (!h) return fill(t.minutes_only, { minutes: m });
    return m ? fill(t.hours_minutes, { hours: h, minutes: m }) : fill(t.hours_only, { hours: h });
  }

  /* The signed-in key stopped working (revoked while in use): forget it and sign in
     again, saying why; whatever is queued in localStorage stays queued. */
  function lapsed() {
    setToken(null);
    sessionStorage.setItem(NOTICE, t.key_lapsed);
    location.reload();
  }

  function $(id) { return document.getElementById(id); }
  function show(id, visible) { $(id).hidden = !visible; }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return "desk-" + crypto.randomUUID();
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return "desk-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /* Sign in: a key typed into the form (or given), checked with /whoami. The function
     returned checks a key; its ``host()`` asks /whoami with no key instead, so a host's
     identity resolver (its own login, by the session cookie the fetch sends) can name
     the caller: it resolves true when the host did, false (form shown) otherwise. */
  function signIn(onIdentity) {
    const form = $("signin");
    async function check(value) {
      setToken(value);
      $("signin-error").textContent = t.signing_in;
      let res;
      try { res = await api("GET", "/whoami"); } catch (err) {
        $("signin-error").textContent = t.offline; return;
      }
      if (!res.ok) {
        setToken(null);
        $("signin-error").textContent = res.status === 401 ? t.key_refused
          : problemText(res.data, res.status);
        return;
      }
      const refused = onIdentity(res.data);
      if (refused) { setToken(null); $("signin-error").textContent = refused; return; }
      $("signin-error").textContent = "";
      form.hidden = true;
      $("sign-out").hidden = false;
    }
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      check($("key").value.trim());
      $("key").value = "";
    });
    async function host() {
      form.hidden = true;  // no flash of the form while the host is asked
      let res = null;
      try { res = await api("GET", "/whoami"); } catch (err) { res = null; }
      if (res && res.ok) {
        const refused = onIdentity(res.data);
        if (!refused) return true;  // the host's login signs out, not this page
        $("signin-error").textContent = refused;
      } else if (res && res.status !== 401) {
        $("signin-error").textContent = problemText(res.data, res.status);
      }
      form.hidden = false;
      return false;
    }
    check.host = host;
    $("sign-out").addEventListener("click", () => { setToken(null); location.reload(); });
    const notice = sessionStorage.getItem(NOTICE);
    if (notice) { sessionStorage.removeItem(NOTICE); $("signin-error").textContent = notice; }
    return check;
  }

  return { config, t, api, problemText, el, $, show, token, setToken, newKey, signIn, fill,
           duration, lapsed };
})();
