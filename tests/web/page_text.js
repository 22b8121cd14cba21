// Everything a user can read on the page, as [where, line] pairs (tests/web/test_languages.py):
// the page's lines and table cells, what select boxes offer, titles, placeholders, aria labels,
// and what canvases draw (map tooltips and popups, chart series and axis names).
() => {
  const out = [];
  const seen = new Set();
  const push = (where, s) => {
    for (const line of String(s ?? "").split(/[\n\t]/)) {
      const x = line.trim();
      if (x && !seen.has(where + x)) { seen.add(where + x); out.push([where, x]); }
    }
  };
  const shown = (e) => e.getClientRects().length > 0;
  push("text", document.body.innerText);
  document.querySelectorAll("select").forEach((s) => { if (shown(s)) [...s.options].forEach((o) => push("option", o.text)); });
  document.querySelectorAll("[title]").forEach((e) => { if (shown(e)) push("title", e.title); });
  document.querySelectorAll("[placeholder]").forEach((e) => { if (shown(e)) push("placeholder", e.placeholder); });
  document.querySelectorAll("[aria-label]").forEach((e) => { if (shown(e)) push("aria-label", e.getAttribute("aria-label")); });
  document.querySelectorAll("input[type=submit], input[type=button]").forEach((e) => { if (shown(e)) push("button", e.value); });
  const text = (c, layer) => {
    if (typeof c === "function") c = c(layer);
    if (c instanceof Node) return c.textContent;
    return new DOMParser().parseFromString(String(c ?? ""), "text/html").body.textContent; // Leaflet takes strings as HTML
  };
  for (const m of Object.values((window.pingan && window.pingan.maps) || {})) {
    if (!shown(m.getContainer())) continue;
    m.eachLayer((l) => {
      const tip = l.getTooltip && l.getTooltip(), pop = l.getPopup && l.getPopup();
      if (tip) push("tooltip", text(tip.getContent(), l));
      if (pop) push("popup", text(pop.getContent(), l));
    });
  }
  document.querySelectorAll(".chart").forEach((d) => {
    const c = shown(d) && window.echarts && window.echarts.getInstanceByDom(d);
    if (!c) return;
    const o = c.getOption();
    (o.series || []).forEach((s) => {
      push("chart", s.name);
      (s.data || []).forEach((x) => { if (x && typeof x === "object" && !Array.isArray(x) && x.name) push("chart", x.name); });
    });
    [...(o.xAxis || []), ...(o.yAxis || [])].forEach((a) => {
      if (a.name) push("chart", a.name);
      (a.data || []).forEach((x) => { if (typeof x === "string") push("chart", x); });
    });
    (o.title || []).forEach((x) => push("chart", x.text));
  });
  return out;
}
