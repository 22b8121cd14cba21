// 寻亲比对: a case's photos. Thumbnails are fetched with the bearer token and shown from blob:
// URLs (an <img src> cannot carry the token; each read is audited by the API); the caption as
// text. A role with kinship.case may add one (JPEG or PNG, at most 5 MB), a refusal shown in
// the server's words.
import { api, el, t, may, blobUrl } from "./core.js";
import { addTexts } from "./i18n.js";
import { API, serverTextOf } from "./kinship-words.js";

addTexts({
  kn_photos: "照片", kn_no_photos: "尚无照片", kn_photo_file: "照片文件（JPEG 或 PNG，不超过 5 MB）", kn_photo_caption: "照片说明（可选）",
  kn_photo_add: "添加照片", kn_photo_need_file: "请选择照片文件", kn_photo_added: "已添加照片", kn_photo_unavailable: "照片无法显示",
}, {
  kn_photos: "Photos", kn_no_photos: "No photo yet", kn_photo_file: "Photo file (JPEG or PNG, at most 5 MB)", kn_photo_caption: "Caption (optional)",
  kn_photo_add: "Add the photo", kn_photo_need_file: "Choose the photo file", kn_photo_added: "Photo added", kn_photo_unavailable: "The photo cannot be shown",
});

let shown = []; // the blob: URLs on screen, revoked when the block is drawn again

/** The photos block of case `c` (its detail), drawn into `box`; `onAdded` redraws the case. */
export function drawPhotos(box, c, { onAdded }) {
  shown.forEach((u) => URL.revokeObjectURL(u));
  shown = [];
  const list = (c.details && c.details.photos) || [];
  const figures = list.map((p) => {
    const img = el("img", { class: "kn-thumb", alt: p.caption || t("kn_photos"), "data-sha": p.sha256 });
    const fig = el("figure", { class: "kn-photo", "data-sha": p.sha256 }, img, p.caption ? el("figcaption", {}, p.caption) : "");
    blobUrl(`${API}/cases/${c.id}/photos/${p.sha256}`)
      .then((url) => { shown.push(url); img.src = url; })
      .catch(() => fig.append(el("span", { class: "hint" }, t("kn_photo_unavailable"))));
    return fig;
  });
  box.replaceChildren(el("h3", {}, t("kn_photos")),
    figures.length ? el("div", { class: "kn-photos" }, ...figures) : el("p", { class: "hint" }, t("kn_no_photos")),
    may("kinship.case") ? uploadForm(c, onAdded) : "");
}

function uploadForm(c, onAdded) {
  const out = el("p", { class: "form-note", role: "status" });
  const form = el("form", { id: "kn-photo-form", class: "kn-form", novalidate: "" },
    el("label", {}, el("span", {}, t("kn_photo_file")), " ", el("input", { name: "file", type: "file", accept: "image/jpeg,image/png" })),
    el("label", {}, el("span", {}, t("kn_photo_caption")), " ", el("input", { name: "caption", maxlength: "100", autocomplete: "off" })),
    el("button", { type: "submit" }, t("kn_photo_add")), out);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    delete out.dataset.outcome;
    const file = form.elements.file.files[0];
    if (!file) { out.textContent = t("kn_photo_need_file"); out.dataset.outcome = "missing"; return; }
    const data = new FormData();
    data.append("file", file);
    if (form.elements.caption.value.trim()) data.append("caption", form.elements.caption.value.trim());
    try {
      await api(`${API}/cases/${c.id}/photos`, { method: "POST", body: data });
      await onAdded();
    } catch (e) {
      if (e.status === 401) return;
      out.dataset.outcome = "refused";
      out.dataset.code = (e.body && e.body.code) || "";
      serverTextOf(out, e);
    }
  });
  return form;
}
