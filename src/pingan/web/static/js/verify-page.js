// The public e-certificate check (/verify, no sign-in): paste a QR payload or a certificate's
// JSON, scan the QR code with the camera (where the browser has BarcodeDetector) or send a
// photo. A QR payload is checked offline first (qr-offline.js: signature and dates against the
// cached key list), then online (revocation, scan limit, PIN) when the server answers.
import { $, el, api, session } from "./core.js";
import { t, fill, lang, setLang, applyLang, onLang, serverText, word } from "./i18n.js";
import { keyList, checkPayload, ed25519Supported } from "./qr-offline.js";
import "./verify-texts.js";

const URL = "/api/v1/trust/certificates";
const MAX_UPLOAD = 4 * 1024 * 1024; // the endpoint's limit; larger photos are scaled down first
session.token = null; // a public check carries no sign-in, even from a signed-in tab

// What the result panel shows, kept so a language switch can re-draw it without a new check
// (each online check counts against the certificate's scans).
let shown = null;

const reasonText = (code) => word("vreason_", code);

function keysAge(fetchedAt) {
  if (!fetchedAt) return "";
  const mins = Math.max(0, Math.floor((Date.now() - fetchedAt) / 60000));
  const age = mins < 1 ? t("verify_keys_now") : mins < 60 ? fill("verify_keys_minutes", { n: mins })
    : mins < 1440 ? fill("verify_keys_hours", { n: Math.floor(mins / 60) }) : fill("verify_keys_days", { n: Math.floor(mins / 1440) });
  const when = new Date(fetchedAt).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false });
  return fill("verify_keys_age", { when, age });
}

function offlineLine(off) {
  if (!off) return "";
  if (off.state === "vc") return t("verify_offline_vc");
  if (off.state === "image") return t("verify_offline_image");
  if (off.state === "unsupported") return t("verify_offline_unsupported");
  if (off.state === "nokeys") return t("verify_offline_nokeys");
  if (off.reason == null) return fill("verify_offline_ok", { kid: off.kid });
  if (off.signed) return fill("verify_offline_dates", { kid: off.kid, reason: reasonText(off.reason) });
  return fill("verify_offline_bad", { reason: reasonText(off.reason) });
}

function summaryRows(on, off) {
  const b = on && on.body;
  const c = off && off.claims;
  const src = b ? { name: b.name_masked, id: b.id_masked, kind: b.kind, result: b.result, number: b.number,
    from: b.valid_from, until: b.valid_until, scans: b.scans_left }
    : c ? { name: c.nm, id: c.id, kind: c.t === "C" ? "certificate" : c.t, result: c.r, number: c.n, from: c.f, until: c.u } : null;
  if (!src) return [];
  const rows = [["verify_name", src.name], ["verify_id", src.id], ["verify_kind", word("vkind_", src.kind)],
    ["verify_result", word("vresult_", src.result)], ["verify_number", src.number],
    ["verify_from", (src.from || "").slice(0, 10)], ["verify_until", (src.until || "").slice(0, 10)]];
  if (src.scans != null) rows.push(["verify_scans_left", src.scans]);
  return rows.filter(([, v]) => v !== undefined && v !== null && v !== "")
    .flatMap(([k, v]) => [el("dt", {}, t(k)), el("dd", { "data-field": k }, String(v))]);
}

function draw() {
  const box = $("#verify-result");
  if (!shown) { box.hidden = true; return; }
  const { off, on, fetchedAt } = shown;
  box.hidden = false;
  const offBad = off && off.reason;
  const onBad = on && on.state === "refused";
  const verdict = offBad || onBad ? "invalid" : on && on.state === "valid" ? "valid"
    : on && on.state === "unreachable" && off && off.state === "checked" ? "valid_offline" : "checking";
  box.dataset.verdict = verdict;
  $("#verify-verdict").textContent = t({ invalid: "verify_invalid", valid: "verify_valid", valid_offline: "verify_valid_offline", checking: "verify_checking" }[verdict]);
  const reason = $("#verify-reason");
  if (onBad && on.known) reason.textContent = reasonText(on.code);
  else if (onBad) serverText(reason, on.detail || on.code || "");
  else reason.textContent = offBad ? reasonText(off.reason) : "";
  $("#verify-summary").replaceChildren(...(verdict === "invalid" && !(on && on.body) && !(off && off.signed) ? [] : summaryRows(on, off)));
  $("#verify-offline").textContent = offlineLine(off);
  $("#verify-offline").dataset.state = off ? (off.state === "checked" ? (off.reason == null ? "valid" : off.signed ? "dates" : "invalid") : off.state) : "";
  $("#verify-keys-age").textContent = off && off.state === "checked" ? keysAge(fetchedAt) : "";
  const online = $("#verify-online");
  online.dataset.state = on ? on.state : "";
  if (!on) online.textContent = "";
  else if (on.state === "pending") online.textContent = t("verify_online_pending");
  else if (on.state === "valid") online.textContent = t("verify_online_ok");
  else if (on.state === "unreachable") online.textContent = t("verify_online_unreachable");
  else if (on.known) online.textContent = fill("verify_online_bad", { reason: reasonText(on.code) });
  else serverText(online, on.detail || on.code || "");
}

/** The online answer as a state: valid with the body, refused with the reason code, or
 * unreachable (no answer at all: the offline check stands alone). */
async function online(call) {
  try {
    return { state: "valid", body: await call() };
  } catch (e) {
    if (e.status === undefined) return { state: "unreachable" };
    const code = (e.body && e.body.code) || (e.status === 413 ? "payload_too_large" : String(e.status));
    return { state: "refused", code, detail: e.message, known: hasText(code) };
  }
}
const hasText = (code) => t("vreason_" + code) !== "vreason_" + code;

function pinOf() {
  const pin = $("#verify-pin").value.trim();
  if (pin && !/^[0-9]{4,8}$/.test(pin)) { $("#verify-form-error").textContent = t("verify_bad_pin"); return undefined; }
  return pin || null;
}

async function offlineCheck(payload) {
  if (!(await ed25519Supported())) return { off: { state: "unsupported" } };
  let keys = await keyList({ refresh: false });
  const kid = (/^PA1\.([A-Za-z0-9_-]{1,64})\./.exec(payload.trim()) || [])[1];
  if (!keys || (kid && !keys.doc.keys.some((k) => k.kid === kid))) keys = (await keyList()) || keys; // a new key: refresh once
  if (!keys) return { off: { state: "nokeys" } };
  return { off: { state: "checked", ...(await checkPayload(payload, keys.doc)) }, fetchedAt: keys.fetchedAt };
}

async function verifyText(text, pin) {
  const trimmed = text.trim();
  let body;
  if (trimmed.startsWith("{")) {
    let credential;
    try { credential = JSON.parse(trimmed); } catch { $("#verify-form-error").textContent = t("verify_bad_json"); return; }
    shown = { off: { state: "vc" }, on: { state: "pending" } };
    body = { credential };
  } else {
    shown = { ...(await offlineCheck(trimmed)), on: { state: "pending" } };
    body = { payload: trimmed };
  }
  draw(); $("#verify-result").scrollIntoView({ block: "nearest" });
  if (pin) body.pin = pin;
  const mine = shown;
  const on = await online(() => api(`${URL}/verify`, { method: "POST", body: JSON.stringify(body) }));
  if (shown === mine) { shown.on = on; draw(); }
}

$("#verify-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const err = $("#verify-form-error"); err.textContent = "";
  const text = $("#verify-text").value;
  if (!text.trim()) { err.textContent = t("verify_empty"); return; }
  const pin = pinOf();
  if (pin === undefined) return;
  await verifyText(text, pin);
});

// --- scanning: the camera where BarcodeDetector reads QR codes, a photo everywhere ---------

let detector = null;
async function qrDetector() {
  if (!("BarcodeDetector" in window)) return null;
  try {
    const formats = await window.BarcodeDetector.getSupportedFormats();
    return formats.includes("qr_code") ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
  } catch { return null; }
}

let stream = null;
function stopCamera() {
  if (stream) stream.getTracks().forEach((tr) => tr.stop());
  stream = null;
  $("#verify-video").hidden = true;
  const b = $("#verify-camera"); b.dataset.i18n = "verify_camera"; b.textContent = t("verify_camera");
}

async function startCamera() {
  const note = $("#verify-scan-note");
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
  } catch { note.dataset.i18n = "verify_camera_failed"; note.textContent = t("verify_camera_failed"); return; }
  const video = $("#verify-video");
  video.srcObject = stream; video.hidden = false; await video.play();
  const b = $("#verify-camera"); b.dataset.i18n = "verify_camera_stop"; b.textContent = t("verify_camera_stop");
  note.dataset.i18n = "verify_scanning"; note.textContent = t("verify_scanning");
  const look = async () => {
    if (!stream) return;
    const codes = await detector.detect(video).catch(() => []);
    if (codes.length) {
      stopCamera(); note.textContent = ""; delete note.dataset.i18n;
      $("#verify-text").value = codes[0].rawValue;
      const pin = pinOf();
      if (pin !== undefined) await verifyText(codes[0].rawValue, pin);
      return;
    }
    setTimeout(look, 250);
  };
  look();
}

/** The photo as the endpoint reads it: a PNG or JPEG up to 4 MB as it is; anything else (a
 * larger photo, WebP, HEIC where the browser decodes it) redrawn as JPEG, 2048 px at most. */
async function fitted(file) {
  if (file.size <= MAX_UPLOAD && ["image/png", "image/jpeg"].includes(file.type)) return file;
  let bitmap;
  try { bitmap = await createImageBitmap(file); } catch { return file; } // the server says bad_image
  const scale = Math.min(1, 2048 / Math.max(bitmap.width, bitmap.height));
  const canvas = el("canvas", { width: Math.round(bitmap.width * scale), height: Math.round(bitmap.height * scale) });
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return new Promise((done) => canvas.toBlob((b) => done(b || file), "image/jpeg", 0.9));
}

async function verifyPhoto(file) {
  const err = $("#verify-form-error"); err.textContent = "";
  const pin = pinOf();
  if (pin === undefined) return;
  if (detector) { // read in the browser: the payload then gets the offline check too
    const codes = await createImageBitmap(file).then((b) => detector.detect(b)).catch(() => []);
    if (codes.length) { $("#verify-text").value = codes[0].rawValue; await verifyText(codes[0].rawValue, pin); return; }
  }
  const note = $("#verify-scan-note"); note.dataset.i18n = "verify_uploading"; note.textContent = t("verify_uploading");
  shown = { off: { state: "image" }, on: { state: "pending" } }; draw(); $("#verify-result").scrollIntoView({ block: "nearest" });
  const mine = shown;
  const image = await fitted(file);
  const headers = { "Content-Type": image.type || "application/octet-stream" };
  if (pin) headers["X-Holder-Pin"] = pin;
  const on = await online(() => api(`${URL}/verify/image`, { method: "POST", body: image, headers }));
  note.textContent = ""; delete note.dataset.i18n;
  if (shown !== mine) return;
  if (on.state === "valid" && on.body.payload) { // the server read the code: check it here as well
    $("#verify-text").value = on.body.payload;
    Object.assign(shown, await offlineCheck(on.body.payload));
  }
  shown.on = on; draw();
}

$("#verify-file").addEventListener("change", (ev) => {
  const file = ev.target.files && ev.target.files[0];
  if (file) verifyPhoto(file).finally(() => { ev.target.value = ""; });
});
$("#verify-camera").addEventListener("click", () => (stream ? stopCamera() : startCamera()));

function relabel() { document.title = t("verify_title"); draw(); }
onLang(relabel);
$("#lang").addEventListener("click", () => setLang(lang === "zh" ? "en" : "zh"));
applyLang();
relabel();
keyList().catch(() => {}); // keep the cached list fresh while the network is there
qrDetector().then((d) => {
  detector = d;
  $("#verify-camera").hidden = !(d && navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
});
