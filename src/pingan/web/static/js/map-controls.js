// Leaflet's own controls speak English ("Zoom in", its link's title) and the city's notice is
// added to a map once, in the language of that moment: relabel them in the page's language.
import { addTexts, t, lang } from "./i18n.js";
import { el } from "./core.js";
import { cached } from "./map.js";

addTexts({ map_zoom_in: "放大", map_zoom_out: "缩小", map_leaflet: "Leaflet：交互式地图程序库" },
  { map_zoom_in: "Zoom in", map_zoom_out: "Zoom out", map_leaflet: "Leaflet: a library for interactive maps" });

/** Relabel one Leaflet map's controls; safe to call again (after each language switch). */
export async function labelControls(m) {
  const box = m.getContainer();
  for (const [sel, key] of [[".leaflet-control-zoom-in", "map_zoom_in"], [".leaflet-control-zoom-out", "map_zoom_out"]]) {
    const b = box.querySelector(sel);
    if (b) { b.title = t(key); b.setAttribute("aria-label", t(key)); }
  }
  const city = await cached("/api/v1/geo/city").catch(() => null);
  if (city && city.notice && m.attributionControl) {
    // Leaflet keeps attributions as HTML strings: the notice goes in, and comes out, as escaped text.
    const html = (text) => el("span", {}, text).innerHTML;
    m.attributionControl.removeAttribution(html(city.notice.zh)).removeAttribution(html(city.notice.en));
    m.attributionControl.addAttribution(html(lang === "zh" ? city.notice.zh : city.notice.en));
  }
  // after the attribution changed: Leaflet rewrites the control, its own link included
  const credit = box.querySelector(".leaflet-control-attribution a[href*='leafletjs']");
  if (credit) credit.title = t("map_leaflet");
}
