// The live feed: Server-Sent Events read with fetch() so the bearer token travels in a header
// (EventSource cannot send one). The last `id:` seen goes back as Last-Event-ID on every
// reconnect, so the server replays exactly what was missed; "resync" means it could not, and
// every view reloads its snapshot.
import { session, $, t } from "./core.js";

const handlers = new Set();
export const live = { lastId: null, connected: false, seen: new Set(), stats: { events: 0, resyncs: 0, reconnects: 0 } };
let controller = null;
let running = false;

export const onLive = (fn) => { handlers.add(fn); return () => handlers.delete(fn); };

function status(key, cls) { const p = $("#live"); p.className = "pill " + cls; p.dataset.i18n = key; p.textContent = t(key); }

function emit(type, data) { handlers.forEach((fn) => { try { fn(type, data); } catch (e) { console.error(e); } }); }

function handleFrame(frame) {
  let id = null, type = "message", data = "";
  for (const line of frame.split("\n")) {
    if (line.startsWith(":")) continue;
    const i = line.indexOf(":");
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? "" : line.slice(i + 1).replace(/^ /, "");
    if (field === "id") id = value; else if (field === "event") type = value; else if (field === "data") data += value;
  }
  if (id !== null) live.lastId = id;
  if (type === "resync") { live.stats.resyncs++; emit("resync", {}); return; }
  if (!data) return;
  const body = JSON.parse(data);
  if (body.event_id && live.seen.has(body.event_id)) return; // belt and braces: never apply twice
  if (body.event_id) { live.seen.add(body.event_id); if (live.seen.size > 5000) live.seen.clear(); }
  live.stats.events++;
  emit(type, body);
}

async function loop() {
  let delay = 500;
  while (running) {
    controller = new AbortController();
    try {
      const headers = { Authorization: "Bearer " + session.token };
      if (live.lastId) headers["Last-Event-ID"] = live.lastId;
      const res = await fetch("/api/v1/live/stream", { headers, signal: controller.signal });
      if (res.status === 401) { running = false; session.onExpired(); return; }
      if (res.status === 503) { status("live_none", "warn"); await sleep(10000); continue; }
      if (!res.ok) throw new Error(String(res.status));
      live.connected = true; delay = 500; status("live_on", "ok");
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buf = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buf.indexOf("\n\n")) >= 0) { handleFrame(buf.slice(0, cut)); buf = buf.slice(cut + 2); }
      }
    } catch (e) {
      if (!running) return;
    }
    live.connected = false; live.stats.reconnects++;
    if (!running) return;
    status("live_retry", "warn");
    await sleep(delay); delay = Math.min(delay * 2, 8000);
  }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function startLive() { if (running) return; running = true; loop(); }
export function stopLive() { running = false; if (controller) controller.abort(); status("live_off", ""); }
/** Drop the connection now (the browser test uses this to prove resumption). */
export function dropLive() { if (controller) controller.abort(); }
