// pdtk review — the page. Talks only to this server (docs/REVIEW_API.md), always with ?token=.
// Offsets from the server count Unicode code points (Python); the page converts to and from UTF-16.
"use strict";
// TOKEN, $, api(), say(), codePointIndex() and toU16() come from common.js, shared with the coding view.

const TYPES = ["PERSON", "STED", "ORG", "ADRESSE", "FNR", "TELEFON", "EPOST", "ID", "DATO", "ALDER"];

const view = {
  sources: [],        // rows of GET /api/sources
  name: null,         // transcript on screen
  detail: null,       // GET /api/sources/{name}
  focus: null,        // {kind: "span"|"suspect", id} of the focused mark
  pendingAdd: null,   // {start, end} waiting for a type
  poll: null,
  busy: false,
};

const sourcePath = (name) => "/api/sources/" + encodeURIComponent(name);

const countCodePoints = (s) => { let n = 0; for (const _ of s) n++; return n; };

// ------------------------------------------------------------------ rendering
function items() {
  // what j/k and n/p move through: spans and suspects in reading order
  const d = view.detail;
  return { spans: d ? d.spans : [], suspects: d ? d.suspects.filter((s) => !s.span) : [] };
}

function renderText() {
  const d = view.detail;
  const article = $("text");
  article.textContent = "";
  if (!d) return;
  const map = codePointIndex(d.text);
  const doubt = new Map(d.suspects.filter((s) => s.span).map((s) => [s.span, s.reasons]));
  const pieces = [
    ...d.spans.map((s) => ({ kind: "span", start: s.start, end: s.end, item: s })),
    ...d.suspects.filter((s) => !s.span).map((s) => ({ kind: "suspect", start: s.start, end: s.end, item: s })),
  ].sort((a, b) => a.start - b.start || b.end - a.end);
  let pos = 0;
  const plain = (from, to) => {
    if (to > from) article.appendChild(document.createTextNode(d.text.slice(toU16(map, from), toU16(map, to))));
  };
  for (const piece of pieces) {
    if (piece.start < pos) continue;  // overlapping suspect inside a span: the span wins
    plain(pos, piece.start);
    const el = document.createElement(piece.kind === "span" ? "mark" : "span");
    el.textContent = d.text.slice(toU16(map, piece.start), toU16(map, piece.end));
    if (piece.kind === "span") {
      const s = piece.item;
      el.dataset.id = s.id;
      el.dataset.type = s.type;
      el.className = "s-" + s.status + (s.inherited ? " inherited" : "") + (doubt.has(s.id) ? " doubt" : "");
      const by = s.found_by ? (s.found_by.length ? "found by " + s.found_by.join(", ") : "found only by the consistency pass") : "";
      const from = s.inherited ? `decided in ${s.inherited}` : "";
      el.title = [s.type, s.status, by, from, doubt.has(s.id) ? "check: " + doubt.get(s.id).join(", ") : ""]
        .filter(Boolean).join(" · ");
    } else {
      el.className = "suspect";
      el.dataset.suspect = piece.start + "-" + piece.end;
      el.title = "suspect: " + piece.item.reasons.join(", ");
    }
    article.appendChild(el);
    pos = piece.end;
  }
  plain(pos, countCodePoints(d.text));
  markFocus(false);
}

function markFocus(scroll = true) {
  for (const el of $("text").querySelectorAll(".focus")) el.classList.remove("focus");
  if (!view.focus) return;
  const selector = view.focus.kind === "span"
    ? `mark[data-id="${view.focus.id}"]` : `span[data-suspect="${view.focus.id}"]`;
  const el = $("text").querySelector(selector);
  if (!el) return;
  el.classList.add("focus");
  if (scroll) el.scrollIntoView({ block: "center", behavior: "instant" });
}

function renderProgress() {
  const d = view.detail;
  if (d) {
    const p = d.progress;
    const suspects = d.suspects_pending ? "suspects: looking…" : `${d.suspects.length} suspect(s)`;
    $("source-progress").textContent = `${p.decided}/${p.spans} spans decided · ${suspects}` +
      (d.analysis_error ? ` (suspects unavailable: ${d.analysis_error})` : "");
    $("reviewed").classList.toggle("on", d.reviewed);
    $("reviewed").textContent = d.reviewed ? "Reviewed ✓ (Shift+R undoes)" : "Mark reviewed (Shift+R)";
  }
  const rows = view.sources;
  const reviewed = rows.filter((r) => r.reviewed).length;
  const spans = rows.reduce((n, r) => n + r.spans, 0);
  const decided = rows.reduce((n, r) => n + r.decided, 0);
  $("folder-bar").max = Math.max(rows.length, 1);
  $("folder-bar").value = reviewed;
  $("folder-text").textContent = `${reviewed}/${rows.length} transcripts reviewed · ${decided}/${spans} spans decided`;
}

function renderSources() {
  const list = $("source-list");
  list.textContent = "";
  for (const row of view.sources) {
    const li = document.createElement("li");
    li.dataset.name = row.name;
    li.className = (row.name === view.name ? "current " : "") + (row.reviewed ? "done" : "");
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = row.name;
    const meta = document.createElement("span");
    meta.className = "meta";
    const suspects = row.suspects === null ? "…" : row.suspects;
    meta.textContent = `${row.decided}/${row.spans} decided · ${suspects} suspect(s)`;
    li.append(name, meta);
    li.addEventListener("click", () => { location.hash = encodeURIComponent(row.name); });
    list.appendChild(li);
  }
  renderProgress();
}

function updateRow(name, progress, reviewed) {
  const row = view.sources.find((r) => r.name === name);
  if (!row) return;
  Object.assign(row, progress);
  if (reviewed !== undefined) row.reviewed = reviewed;
  if (view.detail && view.detail.name === name && !view.detail.suspects_pending) {
    row.suspects = view.detail.suspects.length;
  }
  renderSources();
}

// ------------------------------------------------------------------ loading
async function refreshSources() {
  view.sources = await api("/api/sources");
  renderSources();
  const status = await api("/api/status");
  $("apply-state").textContent = status.unapplied
    ? `${status.unapplied} decision(s) not applied yet`
    : (status.applied_at ? `applied ${status.applied_at}` : "");
}

async function open(name) {
  if (!name) return;
  clearTimeout(view.poll);
  view.name = name;
  view.focus = null;
  say("");
  try {
    view.detail = await api(sourcePath(name));
  } catch (err) {
    say(err.message);
    return;
  }
  $("title").textContent = name;
  renderText();
  renderSources();
  const first = view.detail.spans.find((s) => s.status === "pending") || view.detail.spans[0];
  if (first) { view.focus = { kind: "span", id: first.id }; markFocus(); }
  $("text").focus({ preventScroll: true });
  if (view.detail.suspects_pending) schedulePoll(name);
}

function schedulePoll(name) {
  view.poll = setTimeout(async () => {
    if (view.name !== name) return;
    const fresh = await api(sourcePath(name)).catch(() => null);
    if (!fresh || view.name !== name) return;
    Object.assign(view.detail, { spans: fresh.spans, suspects: fresh.suspects,
      suspects_pending: fresh.suspects_pending, analysis_error: fresh.analysis_error, progress: fresh.progress });
    renderText();
    updateRow(name, fresh.progress);
    if (fresh.suspects_pending) schedulePoll(name);
  }, 700);
}

// ------------------------------------------------------------------ moving
function move(kind, step) {
  const list = kind === "span" ? items().spans : items().suspects;
  if (!list.length) return;
  const ids = list.map((x) => (kind === "span" ? x.id : x.start + "-" + x.end));
  let i = view.focus && view.focus.kind === kind ? ids.indexOf(view.focus.id) : -1;
  i = i < 0 ? (step > 0 ? 0 : ids.length - 1) : Math.min(Math.max(i + step, 0), ids.length - 1);
  view.focus = { kind, id: ids[i] };
  markFocus();
}

function nextTranscript(step) {
  const names = view.sources.map((r) => r.name);
  const i = names.indexOf(view.name);
  const next = names[Math.min(Math.max(i + step, 0), names.length - 1)];
  if (next && next !== view.name) location.hash = encodeURIComponent(next);
}

// ------------------------------------------------------------------ deciding
async function send(body) {
  if (view.busy) return null;
  view.busy = true;
  try {
    const answer = await api(sourcePath(view.name) + "/decisions", { method: "POST", body });
    view.detail.spans = answer.spans;
    if (!view.detail.suspects_pending) view.detail.suspects = answer.suspects;
    view.detail.progress = answer.progress;
    $("apply-state").textContent = answer.unapplied ? `${answer.unapplied} decision(s) not applied yet` : "";
    renderText();
    updateRow(view.name, answer.progress);
    return answer;
  } catch (err) {
    say(err.message);
    return null;
  } finally {
    view.busy = false;
  }
}

async function decide(decision) {
  if (!view.focus || view.focus.kind !== "span") { say("Move to a span first (j / k)."); return; }
  const id = view.focus.id;
  const answer = await send({ span: id, decision });
  if (!answer) return;
  say(`${decision === "accept" ? "Accepted" : decision === "reject" ? "Rejected" : "Undone"}.`, true);
  if (decision !== "undo") {
    const ids = answer.spans.map((s) => s.id);
    const after = answer.spans.slice(ids.indexOf(id) + 1).find((s) => s.status === "pending");
    if (after) view.focus = { kind: "span", id: after.id };
  }
  markFocus();
}

function selectionOffsets() {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  const article = $("text");
  if (!article.contains(range.startContainer) || !article.contains(range.endContainer)) return null;
  const before = document.createRange();
  before.setStart(article, 0);
  before.setEnd(range.startContainer, range.startOffset);
  const start = countCodePoints(before.toString());
  return { start, end: start + countCodePoints(range.toString()) };
}

function startAdd() {
  let target = selectionOffsets();
  if (!target && view.focus && view.focus.kind === "suspect") {
    const [start, end] = view.focus.id.split("-").map(Number);
    target = { start, end };
  }
  if (!target) { say("Select the text to add (or move to a suspect with n / p), then press t."); return; }
  view.pendingAdd = target;
  $("type-menu").hidden = false;
}

async function finishAdd(type) {
  const target = view.pendingAdd;
  $("type-menu").hidden = true;
  view.pendingAdd = null;
  if (!target || !type) return;
  const answer = await send({ add: { start: target.start, end: target.end, type } });
  if (!answer) return;
  window.getSelection().removeAllRanges();
  view.focus = { kind: "span", id: answer.added };
  markFocus();
  say(`Added as ${type}; every occurrence will be replaced.`, true);
}

async function toggleReviewed() {
  if (!view.detail) return;
  const reviewed = !view.detail.reviewed;
  try {
    const answer = await api(sourcePath(view.name) + "/reviewed", { method: "POST", body: { reviewed } });
    view.detail.reviewed = answer.reviewed;
    renderProgress();
    updateRow(view.name, answer.progress, answer.reviewed);
    say(reviewed ? "Marked reviewed." : "No longer marked reviewed.", true);
  } catch (err) {
    say(err.message);
  }
}

async function applyAll() {
  $("apply").disabled = true;
  $("apply-state").textContent = "applying… (the whole folder is de-identified again)";
  try {
    const result = await api("/api/apply", { method: "POST" });
    await refreshSources();
    await open(view.name);
    say(`Applied to ${result.transcripts} transcript(s): ${result.spans} span(s) replaced.` +
      (result.still_replaced ? ` ${result.still_replaced} rejected span(s) are still replaced.` : ""), true);
  } catch (err) {
    say(err.message);
    $("apply-state").textContent = "";
  } finally {
    $("apply").disabled = false;
  }
}

// ------------------------------------------------------------------ wiring
function onKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (!$("type-menu").hidden) {
    if (event.key === "Escape") { finishAdd(null); event.preventDefault(); return; }
    const n = event.key === "0" ? 9 : Number(event.key) - 1;
    if (n >= 0 && n < TYPES.length) { finishAdd(TYPES[n]); event.preventDefault(); }
    return;
  }
  const actions = {
    j: () => move("span", 1), ArrowDown: () => move("span", 1),
    k: () => move("span", -1), ArrowUp: () => move("span", -1),
    n: () => move("suspect", 1), p: () => move("suspect", -1),
    a: () => decide("accept"), x: () => decide("reject"), u: () => decide("undo"),
    t: () => startAdd(), "]": () => nextTranscript(1), "[": () => nextTranscript(-1),
    R: () => toggleReviewed(), "?": () => $("help").classList.toggle("hidden"),
  };
  const action = actions[event.key];
  if (action) { action(); event.preventDefault(); }
}

function buildStatic() {
  const legend = $("legend");
  const menu = $("type-buttons");
  TYPES.forEach((type, i) => {
    const tag = document.createElement("span");
    tag.textContent = type;
    tag.style.background = `var(--${type})`;
    legend.appendChild(tag);
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.type = type;
    button.textContent = `${(i + 1) % 10} ${type}`;
    button.addEventListener("click", () => finishAdd(type));
    menu.appendChild(button);
  });
  $("accept").addEventListener("click", () => decide("accept"));
  $("reject").addEventListener("click", () => decide("reject"));
  $("undo").addEventListener("click", () => decide("undo"));
  $("add").addEventListener("click", () => startAdd());
  $("reviewed").addEventListener("click", () => toggleReviewed());
  $("apply").addEventListener("click", () => applyAll());
  $("text").addEventListener("click", (event) => {
    const mark = event.target.closest("mark[data-id]");
    const suspect = event.target.closest("span[data-suspect]");
    if (mark) view.focus = { kind: "span", id: mark.dataset.id };
    else if (suspect) view.focus = { kind: "suspect", id: suspect.dataset.suspect };
    markFocus(false);
  });
  document.addEventListener("keydown", onKey);
  window.addEventListener("hashchange", () => open(decodeURIComponent(location.hash.slice(1))));
}

function refreshWhileAnalysing() {
  // the listing's suspect counts fill in as the background analysis goes through the folder
  setTimeout(async () => {
    if (view.sources.some((r) => r.suspects === null)) {
      await refreshSources().catch(() => null);
      refreshWhileAnalysing();
    }
  }, 4000);
}

async function start() {
  buildStatic();
  try {
    await refreshSources();
  } catch (err) {
    say(err.message);
    return;
  }
  refreshWhileAnalysing();
  const wanted = decodeURIComponent(location.hash.slice(1));
  const first = view.sources.find((r) => r.name === wanted) || view.sources.find((r) => !r.reviewed) || view.sources[0];
  if (first) {
    if (first.name === wanted) await open(first.name);
    else location.hash = encodeURIComponent(first.name);
  }
}

document.addEventListener("DOMContentLoaded", start);
