// Live clocks: "how long since" figures (waiting time, time in status, fix age) that tick each
// second in place, without refetching anything. One timer for the whole page: each tick
// rewrites every span it made (class since, data-since), then runs the views' own tick hooks (alarms).
import { el } from "./core.js";

const hooks = new Set();
let timer = null;

/** Seconds from an ISO time to now (never negative: a server clock a little ahead reads 0). */
export const secondsSince = (iso) => (iso ? Math.max(0, (Date.now() - Date.parse(iso)) / 1000) : null);

/** "m:ss" under an hour, "h:mm:ss" above: the same in both languages. */
export function fmtElapsed(s) {
  if (s == null) return "-";
  const n = Math.floor(s), h = Math.floor(n / 3600), m = Math.floor((n % 3600) / 60), sec = String(n % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

/** A span showing the time since `iso`, kept current by the shared tick. */
export function since(iso, attrs = {}) {
  start();
  return el("span", { ...attrs, class: ["since", attrs.class].filter(Boolean).join(" "), "data-since": iso || "" }, fmtElapsed(secondsSince(iso)));
}

function tick() {
  document.querySelectorAll(".since[data-since]").forEach((e) => {
    if (e.dataset.since) e.textContent = fmtElapsed(secondsSince(e.dataset.since));
  });
  hooks.forEach((fn) => { try { fn(); } catch (err) { console.error(err); } });
}

/** Run `fn` after each tick (a view's alarm check); starts the shared timer on first use. */
export function onTick(fn) { hooks.add(fn); start(); }
function start() { if (!timer) timer = setInterval(tick, 1000); }
