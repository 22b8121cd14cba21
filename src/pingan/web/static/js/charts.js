// ECharts (about 1 MB) is fetched from /static only when a view draws a chart: the map,
// the queue and the phone pages never load it. A script element from our own origin is what
// the Content-Security-Policy (script-src 'self', no eval) allows.
const SRC = "/static/vendor/echarts/echarts.min.js";
let loading = null;

/** The echarts global, loading it once on first use; a failed load is retried next time. */
export function loadEcharts() {
  if (window.echarts) return Promise.resolve(window.echarts);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = SRC;
      s.addEventListener("load", () => resolve(window.echarts));
      s.addEventListener("error", () => { loading = null; s.remove(); reject(new Error("echarts: " + SRC)); });
      document.head.append(s);
    });
  }
  return loading;
}

/** The chart drawn in a node, made on first use (two draws racing share one instance). */
export async function chartIn(node) {
  const echarts = await loadEcharts();
  return echarts.getInstanceByDom(node) || echarts.init(node);
}
