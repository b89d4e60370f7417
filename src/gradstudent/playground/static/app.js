// The playground page: settings <-> URL, a websocket to the trainer, and canvas drawing.
"use strict";
const FIELDS = ["dataset", "hidden", "activation", "optimizer", "lr", "batch_size", "l1", "l2", "dropout", "noise", "train_fraction", "seed"];
const EXTENT = 6;
let ws = null, playing = false, points = null, uploadToken = null;

const $ = (id) => document.getElementById(id);
function message(text) { $("message").textContent = text || ""; }

function readConfig() {
  const config = {};
  for (const f of FIELDS) config[f] = $(f).value;
  config.features = [...document.querySelectorAll(".feature")].filter((c) => c.checked).map((c) => c.value).join(",");
  return config;
}

function writeConfig(params) {
  for (const f of FIELDS) if (params.has(f)) $(f).value = params.get(f);
  if (params.has("features")) {
    const chosen = params.get("features").split(",");
    document.querySelectorAll(".feature").forEach((c) => { c.checked = chosen.includes(c.value); });
  }
}

function send(obj) { if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(obj)); }
function sendConfig() {
  message("");
  setPlaying(false);
  send({ type: "config", config: readConfig(), upload: uploadToken });
}
function setPlaying(on) {
  playing = on;
  $("play").textContent = on ? "Pause" : "Play";
  send({ type: on ? "play" : "pause" });
}

// ---- drawing -------------------------------------------------------------------------
function color(v) { // v in [0, 1]: orange (0) .. white .. blue (1)
  const a = [245, 147, 34], b = [8, 119, 189], w = [255, 255, 255];
  const t = Math.max(0, Math.min(1, v));
  const [from, to, s] = t < 0.5 ? [a, w, t * 2] : [w, b, (t - 0.5) * 2];
  return from.map((x, i) => Math.round(x + (to[i] - x) * s));
}
function drawGrid(canvas, grid, normalise) {
  const ctx = canvas.getContext("2d"), n = grid.length, size = canvas.width / n;
  let lo = 0, hi = 1;
  if (normalise) { const flat = grid.flat(); lo = Math.min(...flat); hi = Math.max(...flat); if (hi - lo < 1e-9) hi = lo + 1; }
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    const [r, g, b] = color((grid[i][j] - lo) / (hi - lo));
    ctx.fillStyle = `rgb(${r},${g},${b})`;
    ctx.fillRect(j * size, canvas.height - (i + 1) * size, size + 1, size + 1);
  }
}
function drawPoints(canvas) {
  if (!points) return;
  const ctx = canvas.getContext("2d"), s = canvas.width / (2 * EXTENT);
  for (const [set, stroke] of [["train", "#fff"], ["test", "#000"]]) for (const [x, y, label] of points[set]) {
    const [r, g, b] = color(label);
    ctx.beginPath();
    ctx.arc((x + EXTENT) * s, canvas.height - (y + EXTENT) * s, 3, 0, 2 * Math.PI);
    ctx.fillStyle = `rgb(${r},${g},${b})`; ctx.fill(); ctx.strokeStyle = stroke; ctx.stroke();
  }
}
function drawLoss(history) {
  const c = $("loss"), ctx = c.getContext("2d");
  ctx.clearRect(0, 0, c.width, c.height);
  if (!history.length) return;
  const top = Math.max(...history.map((h) => Math.max(h.train_loss, h.test_loss || 0)), 1e-6);
  for (const [key, col] of [["train_loss", "#555"], ["test_loss", "#d33"]]) {
    ctx.beginPath(); ctx.strokeStyle = col;
    history.forEach((h, i) => {
      const x = (i / Math.max(1, history.length - 1)) * c.width, y = c.height - (h[key] / top) * (c.height - 4);
      i ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
    });
    ctx.stroke();
  }
}
function drawNeurons(layers) {
  const box = $("neurons");
  box.innerHTML = "";
  layers.forEach((layer) => {
    const col = document.createElement("div"); col.className = "neuron-layer";
    layer.forEach((grid) => { const c = document.createElement("canvas"); c.width = c.height = 48; drawGrid(c, grid, true); col.appendChild(c); });
    box.appendChild(col);
  });
}
function show(snap) {
  $("step-count").textContent = snap.steps;
  $("train-loss").textContent = snap.train_loss.toFixed(4);
  $("test-loss").textContent = Number.isFinite(snap.test_loss) ? snap.test_loss.toFixed(4) : "-";
  drawGrid($("boundary"), snap.boundary, false);
  drawPoints($("boundary"));
  drawLoss(snap.history);
  drawNeurons(snap.neurons);
  $("weights").textContent = snap.weights.map((w, i) => `layer ${i + 1}: ` + JSON.stringify(w)).join("\n");
}

// ---- wiring --------------------------------------------------------------------------
function connect() {
  ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
  ws.onopen = sendConfig;
  ws.onmessage = (event) => {
    const msg = JSON.parse(event.data);
    if (msg.type === "reset") { points = msg.points; history.replaceState(null, "", "?" + msg.query); document.body.dataset.query = msg.query; }
    else if (msg.type === "snapshot") show(msg);
    else if (msg.type === "error") { message(msg.message); if (playing) { playing = false; $("play").textContent = "Play"; } }
    else if (msg.type === "export") { const a = $("download"); a.href = msg.url; a.style.display = "inline"; }
  };
  ws.onclose = () => message("disconnected from the server: is `gradstudent playground` still running?");
}

async function uploadFile(file) {
  const response = await fetch("/upload", { method: "POST", body: await file.text(), headers: { "Content-Type": "text/csv" } });
  const reply = await response.json();
  if (!response.ok) { message(reply.error); return; }
  uploadToken = reply.token;
  $("dataset").value = "upload";
  sendConfig();
}

window.addEventListener("load", () => {
  writeConfig(new URLSearchParams(location.search));
  FIELDS.forEach((f) => $(f).addEventListener("change", sendConfig));
  document.querySelectorAll(".feature").forEach((c) => c.addEventListener("change", sendConfig));
  $("play").onclick = () => setPlaying(!playing);
  $("step").onclick = () => send({ type: "step" });
  $("reset").onclick = sendConfig;
  $("export").onclick = () => send({ type: "export" });
  $("upload").addEventListener("change", (e) => { if (e.target.files.length) uploadFile(e.target.files[0]); });
  connect();
});
