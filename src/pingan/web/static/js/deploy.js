// Deployment view: shows today's plan once a deployment API exists; until then it says so.
import { api, el, $, t, half } from "./core.js";

export async function showDeploy() {
  const box = $("#deploy-body");
  try {
    const plans = await api("/api/v1/deployment/plans");
    const items = plans.items || plans;
    box.replaceChildren(el("p", {}, `${items.length}`), el("pre", {}, JSON.stringify(items.slice(0, 5), null, 2)));
  } catch (e) {
    if (e.status === 404) box.replaceChildren(el("p", { class: "note", id: "deploy-na" }, t("deployment_na")));
    else box.replaceChildren(el("p", { class: "error" }, half(e.message)));
  }
}
