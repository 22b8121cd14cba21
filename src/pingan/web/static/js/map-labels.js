// Text on the map (call signs, key-area and road names) drawn on one canvas of its own.
// Leaflet draws paths, not text; one permanent tooltip per unit would be 500 DOM nodes
// moved on every update. Here a redraw is one pass over the labels, at most once per
// animation frame: each label is placed in priority order and dropped when it would
// overlap one already placed (a coarse grid finds the neighbours), so nothing clutters.
const L = window.L;
const CELL = 64; // px: the collision grid's cell
const PAD = 3; // px kept clear around each label

/** A label: { text, lat, lon, font, size (px), color, angle?, dx?, dy? } in the order it should win. */
export const LabelLayer = L.Layer.extend({
  options: { pane: "labels", padding: 0.1 },

  /** `source(map)` gives the labels to place now, most important first. */
  initialize(source, options) { L.setOptions(this, options); this._source = source; this.placed = []; this.drawMs = []; },

  onAdd(map) {
    if (!map.getPane(this.options.pane)) {
      const pane = map.createPane(this.options.pane);
      pane.style.zIndex = 450; // above the canvas of roads and markers, below tooltips and popups
      pane.style.pointerEvents = "none";
    }
    this._canvas = L.DomUtil.create("canvas", "map-labels leaflet-zoom-hide");
    this._canvas.style.pointerEvents = "none";
    map.getPane(this.options.pane).appendChild(this._canvas);
    map.on("moveend zoomend resize viewreset", this.redraw, this);
    this.redraw();
  },

  onRemove(map) {
    map.off("moveend zoomend resize viewreset", this.redraw, this);
    if (this._frame) cancelAnimationFrame(this._frame);
    this._frame = null;
    this._canvas.remove();
    this.placed = [];
  },

  /** Ask for a redraw; several asks in one frame draw once. */
  redraw() {
    if (this._map && !this._frame) this._frame = requestAnimationFrame(() => { this._frame = null; this.draw(); });
    return this;
  },

  /** Draw now: size and place the canvas over the view (plus padding), then the labels. */
  draw() {
    const map = this._map; if (!map) return;
    const t0 = performance.now();
    const size = map.getSize(), pad = size.multiplyBy(this.options.padding).round();
    const w = size.x + 2 * pad.x, h = size.y + 2 * pad.y, dpr = window.devicePixelRatio || 1;
    const c = this._canvas;
    L.DomUtil.setPosition(c, map.containerPointToLayerPoint([-pad.x, -pad.y]).round());
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
      c.width = Math.round(w * dpr); c.height = Math.round(h * dpr);
      c.style.width = w + "px"; c.style.height = h + "px";
    }
    const ctx = c.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.textAlign = "center"; ctx.textBaseline = "middle"; ctx.lineJoin = "round";
    ctx.strokeStyle = "rgba(255,255,255,0.9)"; ctx.lineWidth = 3;
    const grid = new Map(), placed = [];
    let font = null;
    for (const lb of this._source(map)) {
      const p = map.latLngToContainerPoint([lb.lat, lb.lon]);
      const x = p.x + pad.x + (lb.dx || 0), y = p.y + pad.y + (lb.dy || 0);
      if (x < 0 || y < 0 || x > w || y > h) continue;
      if (lb.font !== font) { font = lb.font; ctx.font = font; }
      const tw = textWidth(ctx, font, lb.text), th = lb.size || 12;
      const a = lb.angle || 0, cos = Math.abs(Math.cos(a)), sin = Math.abs(Math.sin(a));
      const bw = tw * cos + th * sin, bh = tw * sin + th * cos; // the rotated text's bounding box
      const box = [x - bw / 2 - PAD, y - bh / 2 - PAD, x + bw / 2 + PAD, y + bh / 2 + PAD];
      if (collides(grid, box)) continue;
      occupy(grid, box);
      if (a) { ctx.translate(x, y); ctx.rotate(a); }
      const [tx, ty] = a ? [0, 0] : [x, y];
      ctx.strokeText(lb.text, tx, ty); // the white halo keeps text legible over roads and areas
      ctx.fillStyle = lb.color || "#222"; ctx.fillText(lb.text, tx, ty);
      if (a) ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      placed.push({ text: lb.text, kind: lb.kind, x: x - pad.x, y: y - pad.y });
    }
    this.placed = placed;
    this.drawMs.push(performance.now() - t0);
    if (this.drawMs.length > 600) this.drawMs.splice(0, 300);
  },
});

const widths = new Map(); // "font|text" → px: call signs and names repeat on every redraw
function textWidth(ctx, font, text) {
  const key = font + "|" + text;
  let w = widths.get(key);
  if (w === undefined) { w = ctx.measureText(text).width; if (widths.size > 5000) widths.clear(); widths.set(key, w); }
  return w;
}

function cells(box, fn) {
  for (let cx = Math.floor(box[0] / CELL); cx <= Math.floor(box[2] / CELL); cx++)
    for (let cy = Math.floor(box[1] / CELL); cy <= Math.floor(box[3] / CELL); cy++) if (fn(cx * 65536 + cy)) return true;
  return false;
}
const overlap = (a, b) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
const collides = (grid, box) => cells(box, (k) => (grid.get(k) || []).some((b) => overlap(b, box)));
const occupy = (grid, box) => cells(box, (k) => { const list = grid.get(k); if (list) list.push(box); else grid.set(k, [box]); return false; });

/** Where to write a line's name: points `spacing` px apart along its longest line, starting
 *  at its middle, with the angle of the road there (kept upright). */
export function alongLine(map, lines, spacing) {
  let best = null, bestLen = 0;
  for (const line of lines) {
    const pts = line.map(([lon, lat]) => map.latLngToContainerPoint([lat, lon]));
    let len = 0; for (let k = 1; k < pts.length; k++) len += pts[k].distanceTo(pts[k - 1]);
    if (len > bestLen) { best = pts; bestLen = len; }
  }
  if (!best) return [];
  const at = [bestLen / 2];
  for (let d = spacing; bestLen / 2 + d < bestLen - spacing / 4; d += spacing) at.push(bestLen / 2 + d, bestLen / 2 - d);
  return at.map((s) => pointAt(best, s, map));
}

function pointAt(pts, s, map) {
  for (let k = 1; k < pts.length; k++) {
    const a = pts[k - 1], b = pts[k], d = a.distanceTo(b);
    if (s <= d || k === pts.length - 1) {
      const f = d ? Math.min(1, s / d) : 0;
      let angle = Math.atan2(b.y - a.y, b.x - a.x);
      if (angle > Math.PI / 2) angle -= Math.PI; else if (angle < -Math.PI / 2) angle += Math.PI;
      const ll = map.containerPointToLatLng([a.x + (b.x - a.x) * f, a.y + (b.y - a.y) * f]);
      return { lat: ll.lat, lon: ll.lng, angle };
    }
    s -= d;
  }
  return null;
}
