// pdtk code-review — the actor view: one transcript × actor at a time, the turns that name or judge it, one key
// for its tone. Talks only to this server (docs/REVIEW_API.md, "Actor view"), always with ?token=.
"use strict";
// TOKEN, $, api(), say(), codePointIndex() and toU16() come from /static/common.js.

const TONE_KEYS = { p: "positiv", n: "negativ", b: "blandet", 0: "nøytral" };
const view = { items: [], vocabulary: [], sources: [], item: null, busy: false };

function renderQueue() {
  const list = $("queue-list");
  list.textContent = "";
  for (const it of view.items) {
    const li = document.createElement("li");
    li.dataset.id = it.id;
    if (view.item && view.item.id === it.id) li.classList.add("current");
    if (it.decision) li.classList.add("decided");
    if (it.decision === "not_mentioned") li.classList.add("struck");
    const tone = document.createElement("span");
    tone.className = "tone";
    tone.textContent = it.decision || (it.suggested ? it.suggested + "?" : "");
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = it.source;
    li.append(tone, document.createTextNode(it.label), meta);
    li.addEventListener("click", () => { location.hash = String(it.id); });
    list.appendChild(li);
  }
  const current = list.querySelector("li.current");
  if (current) current.scrollIntoView({ block: "nearest" });
}

function renderProgress(p) {
  $("progress-bar").value = p.actors ? p.reviewed / p.actors : 0;
  $("progress-text").textContent = `${p.reviewed} of ${p.actors} actors reviewed`;
}

function markedText(text, marks) {
  const box = document.createElement("div");
  const map = codePointIndex(text);
  let pos = 0;
  const plain = (from, to) => {
    if (to > from) box.appendChild(document.createTextNode(text.slice(toU16(map, from), toU16(map, to))));
  };
  for (const m of marks) {
    if (m.start < pos) continue; // overlapping marks: the first one shown
    plain(pos, m.start);
    const el = document.createElement("mark");
    el.className = { mention: "actor", positive: "tone-pos", negative: "tone-neg" }[m.kind];
    el.title = m.kind;
    el.textContent = text.slice(toU16(map, m.start), toU16(map, m.end));
    box.appendChild(el);
    pos = m.end;
  }
  plain(pos, [...text].length);
  return box;
}

function renderItem() {
  const it = view.item;
  if (!it) return;
  $("title").textContent = `${it.label} · ${it.source}`;
  const suggested = it.suggested ? `extractor: ${it.suggested} (${it.n_turns} turn(s))` : "added by a reviewer";
  $("turn-state").textContent = it.decision ? `${suggested} · reviewed: ${it.decision}` : suggested;
  for (const b of document.querySelectorAll(".buttons button")) b.classList.remove("chosen");
  const chosen = it.decision === "not_mentioned" ? $("not-mentioned") : $("tone-" + it.decision);
  if (chosen) chosen.classList.add("chosen");
  const quotes = $("quotes");
  quotes.textContent = "";
  for (const q of it.quotes) {
    const div = document.createElement("div");
    div.className = "quote";
    const where = document.createElement("span");
    where.className = "where";
    where.textContent = `turn ${q.turn_index}`;
    div.append(where, ...markedText(q.text, q.marks).childNodes);
    quotes.appendChild(div);
  }
  if (!it.quotes.length) quotes.textContent = "No turn of the extractor's names this actor (added by a reviewer).";
  renderProgress(it.progress);
  renderQueue();
}

async function loadList() {
  const data = await api("/api/actors");
  view.items = data.actors;
  view.vocabulary = data.vocabulary;
  view.sources = data.sources;
  renderProgress(data.progress);
  renderQueue();
}

async function show(id) {
  view.item = await api("/api/actors/" + encodeURIComponent(id));
  renderItem();
}

function move(step) {
  if (!view.items.length) return;
  const at = view.item ? view.items.findIndex((i) => i.id === view.item.id) : -1;
  const next = Math.max(0, Math.min(view.items.length - 1, at + step));
  location.hash = String(view.items[next].id);
}

function remember(item) {
  view.item = item;
  const at = view.items.findIndex((i) => i.id === item.id);
  const summary = { id: item.id, source: item.source, actor: item.actor, label: item.label,
    suggested: item.suggested, n_turns: item.n_turns, decision: item.decision };
  if (at >= 0) view.items[at] = summary; else view.items.push(summary);
}

async function decide(decision, advance) {
  if (!view.item || view.busy) return;
  view.busy = true;
  try {
    remember(await api(`/api/actors/${view.item.id}/decisions`, { method: "POST", body: { decision } }));
    say(decision === "undo" ? "back to the extractor's word" : "saved: " + decision, true);
    renderItem();
    if (advance) move(1);
  } catch (err) {
    say(err.message);
  } finally {
    view.busy = false;
  }
}

// ------------------------------------------------------------------ adding an actor the extractor missed
const actorPicker = numberedPicker({
  entries: () => view.vocabulary.map((v, i) => ({ number: i + 1, name: v.label, key: v.actor })),
  onPick: (entry) => add(entry.key),
});

function openPicker() {
  if (view.item) actorPicker.open();
}

async function add(actor) {
  try {
    const body = { source: view.item.source, actor, decision: "nøytral" };
    const item = await api("/api/actors", { method: "POST", body });
    remember(item);
    location.hash = String(item.id);
    say(`added ${item.label} to ${item.source} as nøytral — set its tone with p, n, b or 0`, true);
    renderItem();
  } catch (err) {
    say(err.message);
  }
}

// ------------------------------------------------------------------ keys
const KEYS = {
  j: () => move(1), ArrowDown: () => move(1), k: () => move(-1), ArrowUp: () => move(-1),
  x: () => decide("not_mentioned", true), u: () => decide("undo", false), c: openPicker,
  Enter: () => view.item && view.item.suggested && decide(view.item.suggested, true),
  "?": () => $("help").classList.toggle("hidden"),
};
for (const [key, tone] of Object.entries(TONE_KEYS)) KEYS[key] = () => decide(tone, true);

document.addEventListener("keydown", (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey || !$("picker").hidden) return;
  const action = KEYS[e.key];
  if (action) { e.preventDefault(); action(); }
});

for (const tone of Object.values(TONE_KEYS)) $("tone-" + tone).addEventListener("click", () => decide(tone, false));
$("not-mentioned").addEventListener("click", () => decide("not_mentioned", false));
$("undo").addEventListener("click", () => decide("undo", false));
$("add").addEventListener("click", openPicker);

window.addEventListener("hashchange", () => {
  const id = decodeURIComponent(location.hash.slice(1));
  if (id !== "") show(id).catch((err) => say(err.message));
});

async function start() {
  try {
    await loadList();
    const wanted = decodeURIComponent(location.hash.slice(1));
    if (wanted !== "") await show(wanted);
    else if (view.items.length) location.hash = String(view.items[0].id);
    else say("the extractor found no actor in these transcripts");
  } catch (err) {
    say(err.message);
  }
}

start();
