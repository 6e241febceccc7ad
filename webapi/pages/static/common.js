/* What both pages share: the config the server wrote, the key kept in this tab only
   (sessionStorage), calls to the API, and a DOM builder that never parses HTML. */
"use strict";

const TB = (function () {
  const config = JSON.parse(document.getElementById("timebank-config").textContent);
  const t = config.text;
  const KEY = "timebank.key";

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

  function $(id) { return document.getElementById(id); }
  function show(id, visible) { $(id).hidden = !visible; }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return "desk-" + crypto.randomUUID();
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return "desk-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /* Sign in: a key typed into the form (or given), checked with /whoami. */
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
        $("signin-error").textContent = res.status === 401 ? t.bad_key
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
    $("sign-out").addEventListener("click", () => { setToken(null); location.reload(); });
    return check;
  }

  return { config, t, api, problemText, el, $, show, token, setToken, newKey, signIn };
})();
