// pdtk review pages — what both views share (the de-identification review and the coding view): the token, the
// one way to call this server (docs/REVIEW_API.md), the message line, and code point <-> UTF-16 offsets.
// Loaded before the view's own script; both are classic scripts, so these names are shared globals.
"use strict";

const TOKEN = new URLSearchParams(location.search).get("token") || "";
const $ = (id) => document.getElementById(id);

async function api(path, options = {}) {
  const sep = path.includes("?") ? "&" : "?";
  const init = { method: options.method || "GET", headers: {} };
  if (options.body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.body);
  }
  const response = await fetch(path + sep + "token=" + encodeURIComponent(TOKEN), init);
  const data = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function say(text, ok = false) {
  $("message").textContent = text;
  $("message").className = ok ? "ok" : "";
}

// Offsets from the server count Unicode code points (Python); the DOM counts UTF-16 units.
function codePointIndex(text) {
  // u16[i] = UTF-16 index of code point i (null: identity, the text has no astral characters)
  if (!/[\uD800-\uDBFF]/.test(text)) return null;
  const u16 = [];
  let i = 0;
  for (const ch of text) { u16.push(i); i += ch.length; }
  u16.push(i);
  return u16;
}
const toU16 = (map, cp) => (map ? map[cp] : cp);
