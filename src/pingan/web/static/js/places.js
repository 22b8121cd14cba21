// Place-name suggestions (地名联想) under a text field: the city gazetteer's hits
// (/geo/places: Chinese, English, pinyin or initials) as the user types, ↑↓ to move, Enter or a
// click to take one, Esc to close. Used by the call-intake form and the citizen's report form.
import { api, el, t } from "./core.js";
import { lang } from "./i18n.js";

/** A gazetteer place's name in the page's language. */
export const nameOf = (x) => (lang === "zh" ? x.name_zh : x.name_en);

/**
 * Wire `input` (a combobox) to `list` (its listbox). `onPick(place)` gets the chosen place;
 * `kindKey` is the text-key prefix for the kind shown beside a name (each page its own words),
 * `noneKey` the text for no hit. Returns { hide, isOpen } for the page's own reset and Esc.
 */
export function placeSuggest(input, list, { onPick, kindKey, noneKey }) {
  let hits = [], active = -1, seq = 0, timer = null;

  async function search() {
    const q = input.value.trim();
    const mine = ++seq;
    if (!q) { hide(); return; }
    let found;
    try { found = await api(`/api/v1/geo/places?q=${encodeURIComponent(q.slice(0, 50))}&limit=8`); } catch { return; }
    // a later keystroke already asked again, or the user has left the field
    if (mine !== seq || document.activeElement !== input) return;
    hits = found; active = hits.length ? 0 : -1;
    draw();
  }

  function draw() {
    list.replaceChildren(...(hits.length ? hits.map((p, i) => el("li", { id: `${list.id}-${i}`, role: "option",
      "aria-selected": i === active ? "true" : "false", "data-code": p.code,
      onmousedown: (ev) => { ev.preventDefault(); pick(p); } }, nameOf(p), el("span", { class: "kind" }, t(kindKey + p.kind))))
      : [el("li", { class: "hint", role: "option", "aria-disabled": "true" }, t(noneKey))]));
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    if (active >= 0) input.setAttribute("aria-activedescendant", `${list.id}-${active}`);
    const on = list.querySelector('[aria-selected="true"]');
    if (on) on.scrollIntoView({ block: "nearest" });
  }

  function hide() {
    seq++; // an answer still on its way is not shown
    hits = []; active = -1;
    list.hidden = true; list.replaceChildren();
    input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant");
  }

  function pick(p) {
    input.value = nameOf(p);
    hide();
    onPick(p);
  }

  function keys(ev) {
    const open = !list.hidden && hits.length;
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      if (!open) { search(); return; }
      active = (active + (ev.key === "ArrowDown" ? 1 : hits.length - 1)) % hits.length;
      draw();
    } else if (ev.key === "Enter" && open && active >= 0 && !ev.isComposing) {
      ev.preventDefault(); // Enter takes the highlighted place; the next Enter submits
      pick(hits[active]);
    } else if (ev.key === "Escape" && !list.hidden) {
      ev.preventDefault(); ev.stopPropagation(); hide();
    }
  }

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("autocomplete", "off");
  list.setAttribute("role", "listbox");
  list.classList.add("place-list");
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(search, 120); });
  input.addEventListener("keydown", keys);
  input.addEventListener("blur", () => { clearTimeout(timer); hide(); });
  return { hide, isOpen: () => !list.hidden };
}
