// mrfabric console: a client of mrfabricd's Redfish API.
//
// Log in with a Redfish session (the token is kept in sessionStorage and
// sent as X-Auth-Token with every request), draw the chassis from the
// Redfish resources, follow the SSE event stream (read with fetch(), since
// EventSource cannot send the X-Auth-Token header; Last-Event-ID on
// reconnect, then a full refresh), and move, bind and unbind VFs through
// MrFabric.MoveEndpoint and Zone.AddEndpoint / Zone.RemoveEndpoint,
// following the task they start until it ends.
"use strict";

const ROOT = "/redfish/v1";
const FABRIC = ROOT + "/Fabrics/PCIe";
const SESSIONS = ROOT + "/SessionService/Sessions";
const SSE = ROOT + "/EventService/SSE";
const MOVE = FABRIC + "/Actions/Oem/MrFabric.MoveEndpoint";
const STORE_KEY = "mrfabric.session";
const TASK_POLL_MS = 250;
const TASK_END_STATES = ["Completed", "Exception", "Killed", "Cancelled"];

const $ = (id) => document.getElementById(id);

const state = {
  session: null,     // {token, location, user}
  blades: [],        // [{id, uri, name, host, zone, index}]
  zoneBlade: new Map(), // zone uri -> blade
  switches: [],      // [{id, name, ports: [...]}]
  devices: [],       // [{id, name, functions: [{...}]}]
  endpoints: new Map(), // endpoint uri -> {zone, busy}
  selected: null,    // endpoint uri of the selected VF
  task: null,        // {id, uri} of the task being followed
  lastEventId: null,
  stream: null,      // AbortController of the SSE fetch
  refreshTimer: null,
  loading: null,
  drawn: "",         // the model last drawn, as JSON
  loadFailed: false, // the last refresh failed (its message is shown)
  retryMs: 0,        // the stream's "retry:" field, 0 until one came
};

// ---------------------------------------------------------------------
// HTTP

class ApiError extends Error {
  constructor(status, body, fallback) {
    super(errorText(status, body, fallback));
    this.status = status;
    this.body = body;
  }
}

// The message of a Redfish error body: the first extended message, else
// error.message, else @fallback.
function redfishMessage(body, fallback) {
  const e = body && body.error;
  if (!e) return fallback;
  const info = e["@Message.ExtendedInfo"];
  if (Array.isArray(info) && info.length && info[0].Message) return info[0].Message;
  return e.message || fallback;
}

// What the operator reads for a refused or failed request.
function errorText(status, body, fallback) {
  const detail = redfishMessage(body, fallback || "HTTP " + status);
  if (status === 403)
    return "Not allowed (403): your role may only look, not change bindings. " + detail;
  if (status === 409)
    return "Refused (409): another move is running or this VF is busy. " + detail;
  if (status === 401)
    return "Your session has ended (401): log in again.";
  return "Failed (" + status + "): " + detail;
}

async function api(method, uri, body) {
  const headers = { "Accept": "application/json" };
  if (state.session) headers["X-Auth-Token"] = state.session.token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(uri, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  let json = null;
  const text = await r.text();
  if (text) {
    try { json = JSON.parse(text); } catch (e) { json = null; }
  }
  if (r.status === 401 && state.session) {
    endSession("Your session has ended: log in again.");
  }
  if (!r.ok) throw new ApiError(r.status, json);
  return { status: r.status, json, headers: r.headers };
}

const get = async (uri) => (await api("GET", uri)).json;

async function members(uri) {
  const c = await get(uri);
  return Promise.all((c.Members || []).map((m) => get(m["@odata.id"])));
}

const lastSegment = (uri) => uri.substring(uri.lastIndexOf("/") + 1);
const link = (o) => (o && o["@odata.id"]) || null;

// ---------------------------------------------------------------------
// Session

function saveSession(s) {
  state.session = s;
  if (s) sessionStorage.setItem(STORE_KEY, JSON.stringify(s));
  else sessionStorage.removeItem(STORE_KEY);
}

async function login(user, password) {
  const r = await fetch(SESSIONS, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Accept": "application/json" },
    body: JSON.stringify({ UserName: user, Password: password }),
  });
  if (r.status !== 201) {
    let body = null;
    try { body = await r.json(); } catch (e) { body = null; }
    throw new Error(r.status === 401
      ? "Wrong user name or password."
      : redfishMessage(body, "Login failed (HTTP " + r.status + ")."));
  }
  const token = r.headers.get("X-Auth-Token");
  const body = await r.json();
  const location = r.headers.get("Location") || link(body);
  if (!token) throw new Error("The service sent no session token.");
  saveSession({ token, location, user });
}

async function logout() {
  const s = state.session;
  stopStream();
  if (s && s.location) {
    try { await api("DELETE", s.location); } catch (e) { /* gone already */ }
  }
  endSession("");
}

function endSession(why) {
  stopStream();
  saveSession(null);
  state.task = null;
  $("console").hidden = true;
  $("who").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = why;
  $("login-password").value = "";
}

function showConsole() {
  $("login").hidden = true;
  $("console").hidden = false;
  $("who").hidden = false;
  $("who-user").textContent = state.session.user;
}

// ---------------------------------------------------------------------
// Model

async function loadBlades() {
  const systems = await members(ROOT + "/Systems");
  const blades = await Promise.all(systems.map(async (sys, index) => {
    const host = link(((sys.Links || {}).Endpoints || [])[0]);
    let zone = null;
    if (host) {
      const ep = await get(host);
      zone = link(((ep.Links || {}).Zones || [])[0]);
    }
    return { id: sys.Id, uri: sys["@odata.id"], name: sys.Name || sys.Id, host, zone, index };
  }));
  return blades;
}

async function loadSwitches() {
  const sws = await members(FABRIC + "/Switches");
  return Promise.all(sws.map(async (sw) => ({
    id: sw.Id,
    name: sw.Name || sw.Id,
    ports: sw.Ports ? await members(link(sw.Ports)) : [],
  })));
}

async function loadDevices() {
  const chassis = await members(ROOT + "/Chassis");
  const out = [];
  for (const ch of chassis) {
    if (!ch.PCIeDevices) continue;
    const devs = await members(link(ch.PCIeDevices));
    for (const d of devs) {
      const fns = d.PCIeFunctions ? await members(link(d.PCIeFunctions)) : [];
      fns.sort((a, b) => (a.FunctionId || 0) - (b.FunctionId || 0));
      out.push({ id: d.Id, name: d.Name || d.Id, model: d.Manufacturer || d.Model || "", functions: fns });
    }
  }
  return out;
}

async function loadEndpoints() {
  const eps = await members(FABRIC + "/Endpoints");
  const map = new Map();
  for (const ep of eps) {
    map.set(ep["@odata.id"], {
      id: ep.Id,
      zone: link(((ep.Links || {}).Zones || [])[0]),
      state: (ep.Status || {}).State || "",
    });
  }
  return map;
}

// Read everything again and redraw.  Concurrent calls share one load.
async function refresh() {
  if (!state.session) return;
  if (state.loading) return state.loading;
  state.loading = (async () => {
    try {
      const [blades, switches, devices, endpoints] = await Promise.all([
        loadBlades(), loadSwitches(), loadDevices(), loadEndpoints(),
      ]);
      state.blades = blades;
      state.zoneBlade = new Map(blades.filter((b) => b.zone).map((b) => [b.zone, b]));
      state.switches = switches;
      state.devices = devices;
      state.endpoints = endpoints;
      // redraw only what changed: a redraw replaces the elements, which
      // would cut short a drag or a click in progress
      const drawn = JSON.stringify([blades, switches, devices, [...endpoints]]);
      if (drawn !== state.drawn) render();
      state.drawn = drawn;
      if (state.loadFailed) showMessage("", "");
      state.loadFailed = false;
    } catch (e) {
      if (state.session) {
        state.loadFailed = true;
        showMessage("Could not read the chassis: " + e.message, "bad");
      }
    } finally {
      state.loading = null;
    }
  })();
  return state.loading;
}

// Refresh once after a burst of events.
function refreshSoon() {
  if (state.refreshTimer) return;
  state.refreshTimer = setTimeout(async () => {
    state.refreshTimer = null;
    if (state.loading) await state.loading;
    refresh();
  }, 150);
}

// The blade owning endpoint @uri, null when it is free.
function ownerOf(uri) {
  const ep = state.endpoints.get(uri);
  if (!ep || !ep.zone) return null;
  return state.zoneBlade.get(ep.zone) || null;
}

// ---------------------------------------------------------------------
// Drawing

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c) e.append(c);
  return e;
}

// Redraw from the model.  A VF that had the keyboard focus keeps it (its
// button is a new element after the redraw).
function render() {
  const active = document.activeElement;
  const focusedVf = active && active.dataset ? active.dataset.ep : null;
  renderLegend();
  renderBlades();
  renderSwitches();
  renderDevices();
  renderTargets();
  renderSelection();
  if (focusedVf) {
    const again = document.querySelector('.vf[data-ep="' + focusedVf + '"]');
    if (again) again.focus();
  }
}

function renderLegend() {
  const lg = $("legend");
  lg.replaceChildren(
    ...state.blades.map((b) => el("span", {},
      el("span", { class: "swatch owner-" + (b.index % 8), "aria-hidden": "true" }),
      document.createTextNode(b.name))),
    el("span", {}, el("span", { class: "swatch vf free", "aria-hidden": "true" }),
      document.createTextNode("free VF")));
}

function vfLabel(fn) {
  return fn.endpoint ? lastSegment(fn.endpoint) : fn.Name;
}

function allVfs() {
  const out = [];
  for (const d of state.devices) {
    for (const fn of d.functions) {
      const ep = link(((fn.Oem || {}).MrFabric || {}).Endpoint);
      if (fn.FunctionType === "Virtual" && ep) out.push({ device: d, fn, endpoint: ep });
    }
  }
  return out;
}

function renderBlades() {
  const box = $("blades");
  const vfs = allVfs();
  box.replaceChildren(...state.blades.map((b) => {
    const owned = vfs.filter((v) => ownerOf(v.endpoint) === b);
    const list = owned.length
      ? el("ul", {}, ...owned.map((v) => el("li", { text: lastSegment(v.endpoint) + " (" + v.device.name + ")" })))
      : el("p", { class: "hint", text: "owns no VF" });
    const card = el("section", {
      class: "blade owner-" + (b.index % 8),
      "data-blade": b.id,
      "aria-label": b.name + ": " + owned.length + " VF(s)",
    }, el("h4", { text: b.name + " (" + owned.length + " VF" + (owned.length === 1 ? "" : "s") + ")" }), list);
    card.addEventListener("dragover", (ev) => { ev.preventDefault(); card.classList.add("drop-over"); });
    card.addEventListener("dragleave", () => card.classList.remove("drop-over"));
    card.addEventListener("drop", (ev) => {
      ev.preventDefault();
      card.classList.remove("drop-over");
      const uri = ev.dataTransfer.getData("text/plain");
      if (uri) dropOnBlade(uri, b);
    });
    return card;
  }));
}

function linkClass(port) {
  if (port.LinkStatus === "LinkUp") return "up";
  if (port.LinkStatus === "Training") return "training";
  return "down";
}

function renderSwitches() {
  $("switches").replaceChildren(...state.switches.map((sw) => el("section", { class: "switch", "data-switch": sw.id },
    el("h4", { text: "Switch " + sw.name }),
    el("ul", { class: "ports" }, ...sw.ports.map((p) => {
      const assoc = ((p.Links || {}).AssociatedEndpoints || []).map(link);
      const host = assoc.find((u) => state.blades.some((b) => b.host === u));
      const blade = host ? state.blades.find((b) => b.host === host) : null;
      const what = blade ? blade.name : (p.PortType || "");
      const speed = p.LinkStatus === "LinkUp" && p.Width ? " x" + p.Width + " " + p.CurrentSpeedGbps + " Gb/s" : "";
      return el("li", {
        class: "port " + linkClass(p),
        "data-port": p.Id,
        "data-link": p.LinkStatus || "",
      },
      el("div", { text: "Port " + p.Id + " \u2013 " + what }),
      el("div", {}, el("span", { class: "state", text: (p.LinkStatus || "?") }),
        document.createTextNode(" (" + (p.LinkState || "?") + ")" + speed)));
    })))));
}

function renderDevices() {
  $("devices").replaceChildren(...state.devices.map((d) => el("section", { class: "device", "data-device": d.id },
    el("h4", { text: d.name + (d.model ? " \u2013 " + d.model : "") }),
    el("ul", { class: "vfs" }, ...d.functions.map((fn) => el("li", {}, vfButton(d, fn)))))));
}

function vfButton(d, fn) {
  const ep = link(((fn.Oem || {}).MrFabric || {}).Endpoint);
  const fnState = ((fn.Oem || {}).MrFabric || {}).State || "";
  if (fn.FunctionType !== "Virtual" || !ep) {
    return el("span", { class: "vf pf button-like", text: (fn.Name || fn.Id) + " (fabric)" });
  }
  const owner = ownerOf(ep);
  const name = lastSegment(ep);
  const busy = !!fnState && !["Free", "Bound"].includes(fnState);
  const b = el("button", {
    type: "button",
    class: "vf " + (owner ? "owner-" + (owner.index % 8) : "free") + (busy ? " busy" : ""),
    draggable: "true",
    "data-ep": name,
    "data-owner": owner ? owner.id : "",
    "aria-pressed": state.selected === ep ? "true" : "false",
    "aria-label": name + ", " + (owner ? "owned by " + owner.name : "free") + (busy ? ", " + fnState : ""),
  },
  document.createTextNode(name),
  el("small", { text: owner ? owner.name : "free" + (busy ? " (" + fnState + ")" : "") }));
  b.addEventListener("click", () => select(ep));
  b.addEventListener("dragstart", (ev) => {
    ev.dataTransfer.setData("text/plain", ep);
    ev.dataTransfer.effectAllowed = "move";
    select(ep);
  });
  return b;
}

function renderTargets() {
  const sel = $("target-blade");
  const keep = sel.value;
  sel.replaceChildren(...state.blades.map((b) => el("option", { value: b.id, text: b.name })));
  if (keep && state.blades.some((b) => b.id === keep)) sel.value = keep;
}

function renderSelection() {
  $("selected-vf").textContent = state.selected
    ? lastSegment(state.selected) + " (" + ((ownerOf(state.selected) || {}).name || "free") + ")"
    : "none";
}

function select(uri) {
  state.selected = uri;
  for (const b of document.querySelectorAll(".vf[data-ep]")) {
    b.setAttribute("aria-pressed", b.dataset.ep === lastSegment(uri) ? "true" : "false");
  }
  renderSelection();
}

function showMessage(text, kind) {
  const m = $("message");
  m.textContent = text;
  m.className = "message" + (kind ? " " + kind : "");
}

function logEvent(text) {
  const log = $("event-log");
  log.prepend(el("li", { text }));
  while (log.children.length > 50) log.lastChild.remove();
}

// ---------------------------------------------------------------------
// Actions and tasks

function targetBlade() {
  const id = $("target-blade").value;
  return state.blades.find((b) => b.id === id) || null;
}

function needSelection() {
  if (state.selected) return true;
  showMessage("Select a VF first.", "bad");
  return false;
}

async function moveTo(uri, blade) {
  const owner = ownerOf(uri);
  if (!owner) return bindTo(uri, blade);
  if (owner === blade) {
    showMessage(lastSegment(uri) + " already belongs to " + blade.name + ".", "bad");
    return;
  }
  await runAction("Move " + lastSegment(uri) + " to " + blade.name, MOVE, {
    Endpoint: { "@odata.id": uri },
    TargetZone: { "@odata.id": blade.zone },
  });
}

async function bindTo(uri, blade) {
  const owner = ownerOf(uri);
  if (owner) {
    showMessage(lastSegment(uri) + " belongs to " + owner.name + ": move it, or unbind it first.", "bad");
    return;
  }
  await runAction("Bind " + lastSegment(uri) + " to " + blade.name,
    blade.zone + "/Actions/Zone.AddEndpoint", { Endpoint: { "@odata.id": uri } });
}

async function unbind(uri) {
  const owner = ownerOf(uri);
  if (!owner) {
    showMessage(lastSegment(uri) + " is free already.", "bad");
    return;
  }
  await runAction("Unbind " + lastSegment(uri) + " from " + owner.name,
    owner.zone + "/Actions/Zone.RemoveEndpoint", { Endpoint: { "@odata.id": uri } });
}

function dropOnBlade(uri, blade) {
  select(uri);
  $("target-blade").value = blade.id;
  moveTo(uri, blade);
}

function setTask(what, status, percent, kind) {
  const t = $("task");
  t.className = "task" + (kind ? " " + kind : "");
  $("task-status").textContent = what + ": " + status;
  $("task-progress").value = percent;
}

// POST an action; follow its task when it answers 202.
async function runAction(what, uri, body) {
  showMessage("", "");
  $("task-phases").replaceChildren();
  setTask(what, "requested", 0, "");
  let r;
  try {
    r = await api("POST", uri, body);
  } catch (e) {
    setTask(what, "refused", 0, "failed");
    showMessage(e.message, "bad");
    return;
  }
  if (r.status !== 202) {
    setTask(what, "Completed", 100, "done");
    showMessage(what + ": done.", "ok");
    refreshSoon();
    return;
  }
  const task = r.json || {};
  state.task = { id: task.Id, uri: task["@odata.id"], monitor: r.headers.get("Location") || task.TaskMonitor, what, phases: [] };
  showTask(task);
  await followTask(state.task);
}

function phaseOf(task) {
  const msgs = task.Messages || [];
  const m = msgs[msgs.length - 1];
  return m && m.Oem && m.Oem.MrFabric ? m.Oem.MrFabric : null;
}

function showTask(task) {
  const t = state.task;
  if (!t) return;
  const ph = phaseOf(task);
  const list = $("task-phases");
  for (const m of task.Messages || []) {
    const p = m.Oem && m.Oem.MrFabric;
    if (!p) continue;
    const key = p.Phase + "|" + p.Detail;
    if (t.phases.includes(key)) continue;
    t.phases.push(key);
    list.append(el("li", { text: p.Phase + (p.Detail ? ": " + p.Detail : "") }));
  }
  const pct = task.PercentComplete || 0;
  const st = task.TaskState || "Running";
  const phase = ph ? ", phase " + ph.Phase : "";
  const done = st === "Completed" && task.TaskStatus !== "Critical";
  const failed = TASK_END_STATES.includes(st) && !done;
  setTask(t.what + " (task " + t.id + ")", st + phase + ", " + pct + "%", done ? 100 : pct,
    done ? "done" : failed ? "failed" : "");
}

async function followTask(t) {
  for (;;) {
    if (state.task !== t || !state.session) return;
    let task;
    try {
      task = await get(t.uri);
    } catch (e) {
      showMessage("Lost track of task " + t.id + ": " + e.message, "bad");
      return;
    }
    showTask(task);
    if (TASK_END_STATES.includes(task.TaskState)) {
      if (task.TaskState === "Completed" && task.TaskStatus !== "Critical") {
        showMessage(t.what + ": done.", "ok");
      } else {
        // the monitor answers the action's own error once it ended
        let detail = task.TaskState;
        try {
          await api("GET", t.monitor);
        } catch (e) {
          detail = e.message;
        }
        showMessage(t.what + " failed: " + detail, "bad");
      }
      state.task = null;
      refreshSoon();
      return;
    }
    await new Promise((res) => setTimeout(res, TASK_POLL_MS));
  }
}

// ---------------------------------------------------------------------
// Events (server-sent, read with fetch)

function stopStream() {
  if (state.stream) state.stream.abort();
  state.stream = null;
}

function setLive(text) {
  $("live-state").textContent = text;
}

function onEvent(id, data) {
  if (id) state.lastEventId = id;
  let ev;
  try { ev = JSON.parse(data); } catch (e) { return; }
  for (const e of ev.Events || []) {
    logEvent((e.EventTimestamp || "") + " " + (e.Message || e.MessageId || ""));
    const origin = link(e.OriginOfCondition);
    if (state.task && origin === state.task.uri) {
      // the poll shows the phases; an event just makes it sooner
      get(state.task.uri).then(showTask, () => {});
    }
  }
  refreshSoon();
}

// Parse text/event-stream (WHATWG HTML "Server-sent events").
async function readStream(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  let id = null;
  let data = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    let nl;
    while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
      const line = buf.substring(0, nl);
      buf = buf.substring(nl + (buf.startsWith("\r\n", nl) ? 2 : 1));
      if (line === "") {
        if (data.length) onEvent(id, data.join("\n"));
        data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.substring(0, colon);
      let val = colon < 0 ? "" : line.substring(colon + 1);
      if (val.startsWith(" ")) val = val.substring(1);
      if (field === "id") id = val;
      else if (field === "data") data.push(val);
      else if (field === "retry" && /^\d+$/.test(val)) state.retryMs = Number(val);
    }
  }
}

// Keep one stream open while logged in; after a drop, reconnect with
// Last-Event-ID (the service replays what was missed) and refresh.
async function streamLoop() {
  let first = true;
  while (state.session) {
    const ctl = new AbortController();
    state.stream = ctl;
    const headers = { "Accept": "text/event-stream", "X-Auth-Token": state.session.token };
    if (state.lastEventId) headers["Last-Event-ID"] = state.lastEventId;
    try {
      const r = await fetch(SSE, { headers, signal: ctl.signal, cache: "no-store" });
      if (r.status === 401) {
        endSession("Your session has ended: log in again.");
        return;
      }
      if (r.ok && r.body) {
        setLive("live");
        if (!first) refresh();
        first = false;
        await readStream(r.body);
      }
    } catch (e) {
      if (ctl.signal.aborted) return;
    }
    if (state.stream !== ctl) return;
    setLive("reconnecting");
    await new Promise((res) => setTimeout(res, state.retryMs || 3000));
  }
}

// ---------------------------------------------------------------------
// Wiring

function start() {
  showConsole();
  setLive("connecting");
  refresh();
  streamLoop();
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    $("login-error").textContent = "";
    const btn = $("login-submit");
    btn.disabled = true;
    try {
      await login($("login-user").value, $("login-password").value);
      $("login-password").value = "";
      start();
    } catch (e) {
      $("login-error").textContent = e.message;
    } finally {
      btn.disabled = false;
    }
  });
  $("logout").addEventListener("click", logout);
  $("move-btn").addEventListener("click", () => {
    const b = targetBlade();
    if (needSelection() && b) moveTo(state.selected, b);
  });
  $("bind-btn").addEventListener("click", () => {
    const b = targetBlade();
    if (needSelection() && b) bindTo(state.selected, b);
  });
  $("unbind-btn").addEventListener("click", () => {
    if (needSelection()) unbind(state.selected);
  });
  const pool = $("free-pool");
  pool.addEventListener("dragover", (ev) => { ev.preventDefault(); pool.classList.add("drop-over"); });
  pool.addEventListener("dragleave", () => pool.classList.remove("drop-over"));
  pool.addEventListener("drop", (ev) => {
    ev.preventDefault();
    pool.classList.remove("drop-over");
    const uri = ev.dataTransfer.getData("text/plain");
    if (uri) {
      select(uri);
      unbind(uri);
    }
  });

  const saved = sessionStorage.getItem(STORE_KEY);
  if (saved) {
    try {
      state.session = JSON.parse(saved);
    } catch (e) {
      state.session = null;
    }
  }
  if (state.session) start();
  else $("login-user").focus();
});
