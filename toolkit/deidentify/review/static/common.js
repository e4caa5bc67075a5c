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

// The numbered picker of the coding and actor views (#picker, #picker-input, #picker-list): type an entry's
// number or part of its name or key, Enter picks the first match; a number no longer number can start (3 with
// 12 entries) picks at once. entries() gives [{number, name, key, title}]; onPick(entry) gets the choice.
function numberedPicker({ entries, onPick, onClose = () => {} }) {
  const input = $("picker-input");
  const matches = () => {
    const typed = input.value.trim().toLowerCase();
    if (!typed) return entries();
    if (/^\d+$/.test(typed)) return entries().filter((e) => String(e.number) === typed);
    return entries().filter((e) => e.name.toLowerCase().includes(typed) || e.key.toLowerCase().includes(typed));
  };
  const close = () => { $("picker").hidden = true; onClose(); };
  const pick = (entry) => { close(); if (entry) onPick(entry); };
  const render = () => {
    const list = $("picker-list");
    list.textContent = "";
    matches().forEach((entry, i) => {
      const li = document.createElement("li");
      li.className = i === 0 ? "first" : "";
      const num = document.createElement("span");
      num.className = "num";
      num.textContent = entry.number;
      li.append(num, document.createTextNode(entry.name));
      li.title = entry.title || "";
      li.addEventListener("mousedown", (e) => { e.preventDefault(); pick(entry); });
      list.appendChild(li);
    });
  };
  input.addEventListener("input", () => {
    const typed = input.value.trim();
    if (/^\d+$/.test(typed) && Number(typed) * 10 > entries().length) {
      pick(entries().find((e) => String(e.number) === typed));
      return;
    }
    render();
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Escape") { e.preventDefault(); close(); }
    else if (e.key === "Enter") { e.preventDefault(); pick(matches()[0]); }
    e.stopPropagation();
  });
  return { open() { $("picker").hidden = false; input.value = ""; render(); input.focus(); } };
}
