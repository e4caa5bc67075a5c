// pdtk code-review — the coding view. Talks only to this server (docs/REVIEW_API.md, "Coding view"), always
// with ?token=. Offsets from the server count Unicode code points (Python); the page converts to UTF-16.
"use strict";
// TOKEN, $, api(), say(), codePointIndex() and toU16() come from /static/common.js, shared with pdtk review.

const view = {
  codebook: [],     // GET /api/codebook
  queue: [],        // turns of GET /api/queue, in review order
  version: null,    // model version the queue was ranked with
  turn: null,       // GET /api/turns/{id}
  focus: 0,         // index of the selected code chip
  busy: false,
};

// ------------------------------------------------------------------ rendering
function selectedCode() {
  const t = view.turn;
  return t && t.codes.length ? t.codes[Math.min(view.focus, t.codes.length - 1)] : null;
}

function renderText() {
  const t = view.turn, article = $("text");
  article.textContent = "";
  if (!t) return;
  const map = codePointIndex(t.text);
  const status = new Map(t.codes.map((c) => [c.code, c.status]));
  const sel = selectedCode();
  let pos = 0;
  const plain = (from, to) => {
    if (to > from) article.appendChild(document.createTextNode(t.text.slice(toU16(map, from), toU16(map, to))));
  };
  for (const m of t.marks) {
    plain(pos, m.start);
    const el = document.createElement("mark");
    el.className = "ev";
    el.dataset.codes = m.codes.join(" ");
    if (sel && m.codes.includes(sel.code)) el.classList.add("sel");
    if (m.codes.every((c) => status.get(c) === "rejected")) el.classList.add("faded");
    el.title = "evidence for " + m.codes.join(", ");
    el.textContent = t.text.slice(toU16(map, m.start), toU16(map, m.end));
    article.appendChild(el);
    pos = m.end;
  }
  plain(pos, [...t.text].length);
}

function renderCodes() {
  const t = view.turn, list = $("codes");
  list.textContent = "";
  if (!t) return;
  t.codes.forEach((c, i) => {
    const li = document.createElement("li");
    li.className = "chip " + c.status + (i === view.focus ? " focus" : "");
    li.dataset.code = c.code;
    const num = document.createElement("span");
    num.className = "num";
    num.textContent = c.number;
    const conf = document.createElement("span");
    conf.className = "conf";
    conf.textContent = c.suggested ? `${c.origin} ${c.confidence.toFixed(2)}` : "";
    li.append(num, document.createTextNode(c.name), conf);
    li.title = c.evidence.length ? "evidence: " + c.evidence.join(", ") : "no evidence words";
    li.addEventListener("click", () => { view.focus = i; renderTurn(); });
    list.appendChild(li);
  });
  if (!t.codes.length) {
    const li = document.createElement("li");
    li.className = "chip";
    li.textContent = "no code suggested — c adds one, Enter codes the turn as having none";
    list.appendChild(li);
  }
}

function renderTurn() {
  const t = view.turn;
  if (!t) return;
  $("title").textContent = `${t.source} · turn ${t.turn_index} (${t.speaker})`;
  $("question").textContent = t.question ? "Asked: " + t.question : "";
  const pending = t.codes.filter((c) => c.status === "pending").length;
  $("turn-state").textContent = t.coded ? "coded ✓" : `${pending} suggestion(s) pending`;
  $("turn-state").className = t.coded ? "coded" : "";
  renderText();
  renderCodes();
  renderProgress(t.progress);
  for (const li of $("queue-list").children) li.classList.toggle("current", Number(li.dataset.id) === t.id);
}

function renderProgress(p) {
  $("progress-bar").max = Math.max(p.turns, 1);
  $("progress-bar").value = p.coded;
  $("progress-text").textContent = `${p.coded}/${p.turns} turns coded · ${p.complete}/${p.transcripts} transcripts complete`;
}

function renderQueue() {
  const list = $("queue-list");
  list.textContent = "";
  for (const row of view.queue) {
    const li = document.createElement("li");
    li.dataset.id = row.id;
    li.className = (row.coded ? "coded " : "") + (view.turn && view.turn.id === row.id ? "current" : "");
    li.textContent = `${row.source} #${row.turn_index}`;
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = row.coded ? "" : `uncertainty ${row.uncertainty.toFixed(2)}`;
    li.appendChild(meta);
    li.addEventListener("click", () => { location.hash = String(row.id); });
    list.appendChild(li);
  }
}

function renderModel(status) {
  const m = status.model;
  let text = m.version === 0
    ? `suggestions of the autocode run (the learner refits from ${m.min_coded_turns} coded turns)`
    : `model ${m.version}: learned on ${m.coded_turns} coded turns (${m.seconds} s)`;
  if (m.code_by_hand && m.code_by_hand.length) {
    text += ` · code by hand (kappa with your coding < ${m.trust_kappa}): ${m.code_by_hand.join(", ")}`;
  }
  if (m.check_more && m.check_more.length) {
    text += ` · check more of (its kappa's 95 % interval reaches below ${m.trust_kappa}): ${m.check_more.join(", ")}`;
  }
  if (m.refitting) text += " · refitting…";
  if (m.error) text += " · " + m.error;
  $("model-state").textContent = text;
  $("model-state").dataset.version = m.version;
}

// ------------------------------------------------------------------ loading
async function loadQueue() {
  const data = await api("/api/queue");
  view.queue = data.turns;
  view.version = data.model_version;
  renderQueue();
}

async function show(id) {
  view.turn = await api("/api/turns/" + encodeURIComponent(id));
  view.focus = Math.max(0, view.turn.codes.findIndex((c) => c.status === "pending"));
  renderTurn();
  const li = $("queue-list").querySelector(`li[data-id="${id}"]`);
  if (li) li.scrollIntoView({ block: "nearest" });
}

async function poll() {
  try {
    const status = await api("/api/status");
    renderModel(status);
    if (status.model.version !== view.version) {
      await loadQueue();
      if (view.turn && !view.turn.coded) await show(view.turn.id);  // new suggestions for this turn
      say(`queue re-ranked by model ${status.model.version}`, true);
    }
  } catch (err) {
    say(err.message);
  }
}

// ------------------------------------------------------------------ decisions
async function send(body) {
  if (!view.turn || view.busy) return;
  view.busy = true;
  try {
    const before = view.turn.coded;
    view.turn = await api(`/api/turns/${view.turn.id}/decisions`, { method: "POST", body });
    const row = view.queue.find((r) => r.id === view.turn.id);
    if (row) row.coded = view.turn.coded;
    if (!before && view.turn.coded) renderQueue();
    const next = view.turn.codes.findIndex((c) => c.status === "pending");
    if (next >= 0) view.focus = next;
    renderTurn();
    say("saved", true);
  } catch (err) {
    say(err.message);
  } finally {
    view.busy = false;
  }
}

function decide(decision) {
  const code = selectedCode();
  if (!code) { say("no code selected"); return; }
  send({ code: code.code, decision });
}

async function done() {
  if (!view.turn) return;
  await send({ decision: "done" });
  move(1, true);
}

function move(step, uncodedOnly = false) {
  if (!view.queue.length) return;
  let at = view.turn ? view.queue.findIndex((r) => r.id === view.turn.id) : -1;
  for (let n = 0; n < view.queue.length; n++) {
    at += step;
    if (at < 0 || at >= view.queue.length) return;
    if (!uncodedOnly || !view.queue[at].coded) break;
  }
  location.hash = String(view.queue[at].id);
}

// ------------------------------------------------------------------ the code picker
const codePicker = numberedPicker({
  entries: () => view.codebook.map((c) => ({ number: c.number, name: c.name, key: c.code, title: c.description })),
  onClose: () => $("text").focus(),
  onPick: (entry) => send({ code: entry.key, decision: "add" }).then(() => {
    const at = view.turn.codes.findIndex((c) => c.code === entry.key);
    if (at >= 0) { view.focus = at; renderTurn(); }
  }),
});

function openPicker() {
  if (view.turn) codePicker.open();
}

// ------------------------------------------------------------------ keys
const KEYS = {
  j: () => move(1), ArrowDown: () => move(1), k: () => move(-1), ArrowUp: () => move(-1),
  l: () => focusCode(1), ArrowRight: () => focusCode(1), h: () => focusCode(-1), ArrowLeft: () => focusCode(-1),
  a: () => decide("accept"), x: () => decide("reject"), u: () => decide("undo"),
  c: openPicker, Enter: done, F: refit,
  "?": () => $("help").classList.toggle("hidden"),
};

function focusCode(step) {
  const t = view.turn;
  if (!t || !t.codes.length) return;
  view.focus = (view.focus + step + t.codes.length) % t.codes.length;
  renderTurn();
}

async function refit() {
  try {
    renderModel(await api("/api/refit", { method: "POST" }));
  } catch (err) {
    say(err.message);
  }
}

document.addEventListener("keydown", (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey || !$("picker").hidden) return;
  const action = KEYS[e.key];
  if (action) { e.preventDefault(); action(); }
});

for (const [id, action] of [["accept", () => decide("accept")], ["reject", () => decide("reject")],
  ["undo", () => decide("undo")], ["add", openPicker], ["done", done], ["refit", refit]]) {
  $(id).addEventListener("click", action);
}

window.addEventListener("hashchange", () => {
  const id = decodeURIComponent(location.hash.slice(1));
  if (id !== "") show(id).catch((err) => say(err.message));
});

async function start() {
  try {
    view.codebook = await api("/api/codebook");
    await loadQueue();
    renderModel(await api("/api/status"));
    const wanted = decodeURIComponent(location.hash.slice(1));
    if (wanted !== "") await show(wanted);
    else if (view.queue.length) location.hash = String(view.queue[0].id);
    setInterval(poll, 2000);
  } catch (err) {
    say(err.message);
  }
}

start();
