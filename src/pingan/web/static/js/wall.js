// Wall mode (大屏模式): a board alone on a dark ground, in large type, filling the screen; the
// button or leaving full screen (Esc) ends it. The KPI board and the anti-fraud wall share it:
// body.wall-mode, with app.css styling the views marked class="view wall".
import { t } from "./core.js";
import { addTexts } from "./i18n.js";

addTexts({ wall_on: "大屏模式", wall_off: "退出大屏" }, { wall_on: "Wall mode", wall_off: "Leave wall mode" });

/** Each wall's button, with what to redraw once the mode changes (charts change their ink). */
const walls = new Map();

export const inWall = () => document.body.classList.contains("wall-mode");

function toggleWall() {
  const on = document.body.classList.toggle("wall-mode");
  for (const [button, redraw] of walls) {
    button.dataset.i18n = on ? "wall_off" : "wall_on";
    button.textContent = t(button.dataset.i18n);
    try { redraw(on); } catch (e) { console.error(e); }
  }
  if (on && document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(() => {});
  if (!on && document.fullscreenElement) document.exitFullscreen().catch(() => {});
}

/** Let `button` switch wall mode on and off; `redraw` runs after every switch. Once per button. */
export function wallButton(button, redraw = () => {}) {
  if (walls.has(button)) return;
  if (!walls.size) document.addEventListener("fullscreenchange", () => { if (!document.fullscreenElement && inWall()) toggleWall(); });
  walls.set(button, redraw);
  button.addEventListener("click", toggleWall);
}
