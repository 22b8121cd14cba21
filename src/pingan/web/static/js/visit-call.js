// 视频会见通话 (#visitcall/<booking_id>[/terminal|monitor]): the visitor at home, the officer at
// the facility's terminal, or an officer watching live. The API admits the caller as one side
// (identity re-check, the monitor never on a lawyer's call) and hands out a short-lived token for
// the platform's signalling socket; media flows browser to browser (WebRTC), the socket only
// relays offers, answers and ICE candidates. The terminal offers to the visitor; the monitor
// offers receive-only to each side and is answered with their camera and microphone. Where the
// booking is recorded the terminal records the call (MediaRecorder) and uploads it at the end.
// Every text from the API reaches the page as text (el(), textContent).
import { post, el, $, t, session } from "./core.js";
import { addTexts, fill, onLang, serverText } from "./i18n.js";

export const CALL_ROLES = ["citizen", "lawyer", "officer", "commander"];
const BASE = "/api/v1/visits";

addTexts({
  nav_visitcall: "视频会见", vc_title: "视频会见通话", vc_me: "本人画面", vc_remaining: "剩余时间",
  vc_side_visitor: "会见人", vc_side_terminal: "监所终端", vc_side_monitor: "监看民警",
  vc_you_are: "您的身份：{side}", vc_with: "会见对象：{name}", vc_booking: "预约号 {no}",
  vc_detainee: "在押人员", vc_visitor: "会见人", vc_party: "同行人员：{names}",
  vc_end: "结束会见", vc_leave: "暂时离开", vc_warn: "警告", vc_warn_note: "警告内容",
  vc_end_reason: "结束原因", vc_r_officer_ended: "民警结束", vc_r_violation: "违反会见规定",
  vc_end_note: "说明（可选）", vc_monitor_end: "中止会见",
  vc_st_admitting: "正在进入会见…", vc_st_camera: "正在打开摄像头和麦克风…", vc_st_connecting: "正在连接…",
  vc_st_waiting: "已进入，等待对方加入…", vc_st_in_call: "会见进行中", vc_st_peer_left: "{side}已离开，可等待其重新加入",
  vc_st_left: "您已离开，刷新页面可重新加入", vc_st_ended: "会见已结束", vc_st_time_up: "会见时间已到，通话已结束",
  vc_st_ended_by: "会见已被结束：{reason}", vc_st_replaced: "已在另一个窗口打开本次会见",
  vc_st_lost: "与服务器的连接已断开，刷新页面可重新加入", vc_st_no_booking: "未指定会见预约",
  vc_st_no_camera: "无法打开摄像头或麦克风：{why}", vc_st_refused: "无法进入会见：", vc_reverify: "去重新核验身份",
  vc_r_completed: "会见结束", vc_r_left: "一方离开", vc_r_time_up: "时间已到",
  vc_recording: "本次会见全程录像", vc_not_recorded: "本次会见不录像", vc_monitored: "本次会见有民警监看",
  vc_rec_uploading: "正在上传录像…", vc_rec_done: "录像已保存并签名（SHA-256 {sha}）", vc_rec_failed: "录像上传失败：",
  vc_warned: "民警警告：", vc_err: "信令错误：{code}", vc_watching: "监看：{side}",
}, {
  nav_visitcall: "Video visit", vc_title: "Video visit call", vc_me: "You", vc_remaining: "Time left",
  vc_side_visitor: "visitor", vc_side_terminal: "facility terminal", vc_side_monitor: "monitoring officer",
  vc_you_are: "You are: {side}", vc_with: "Visiting: {name}", vc_booking: "Booking {no}",
  vc_detainee: "Detainee", vc_visitor: "Visitor", vc_party: "With: {names}",
  vc_end: "End the visit", vc_leave: "Step away", vc_warn: "Warn", vc_warn_note: "Warning",
  vc_end_reason: "Reason", vc_r_officer_ended: "ended by the officer", vc_r_violation: "breach of the visiting rules",
  vc_end_note: "Note (optional)", vc_monitor_end: "Stop the visit",
  vc_st_admitting: "Joining the visit…", vc_st_camera: "Opening the camera and microphone…", vc_st_connecting: "Connecting…",
  vc_st_waiting: "Joined; waiting for the other side…", vc_st_in_call: "The visit is on", vc_st_peer_left: "The {side} left; they may come back",
  vc_st_left: "You left; reload the page to join again", vc_st_ended: "The visit has ended", vc_st_time_up: "Time is up; the call has ended",
  vc_st_ended_by: "The visit was ended: {reason}", vc_st_replaced: "This visit is open in another window",
  vc_st_lost: "The connection to the server was lost; reload the page to join again", vc_st_no_booking: "No booking given",
  vc_st_no_camera: "The camera or microphone cannot be opened: {why}", vc_st_refused: "Cannot join the visit: ", vc_reverify: "Verify my identity again",
  vc_r_completed: "visit over", vc_r_left: "a side left", vc_r_time_up: "time up",
  vc_recording: "This visit is recorded", vc_not_recorded: "This visit is not recorded", vc_monitored: "An officer watches this visit",
  vc_rec_uploading: "Uploading the recording…", vc_rec_done: "Recording kept and signed (SHA-256 {sha})", vc_rec_failed: "The recording was not uploaded: ",
  vc_warned: "Officer's warning: ", vc_err: "Signalling error: {code}", vc_watching: "Watching: {side}",
});

let call = null; // the call on screen: { bookingId, side, ws, pcs, … }
// Test and operations hook: frames decoded per remote side, the uploaded recording.
window.pinganVisitCall = { frames, recording: () => (call ? call.recording : null), status: () => (call ? call.status : null) };

const word = (key, vars) => (vars ? fill(key, vars) : t(key));
function setStatus(key, vars) {
  if (!call) return;
  call.status = key; call.statusVars = vars;
  const node = $("#vc-status");
  node.dataset.i18n = key; // a plain key re-reads in the other language; a filled one is redrawn below
  node.textContent = word(key, vars);
  if (vars) delete node.dataset.i18n;
}
function refused(e) {
  const node = $("#vc-status");
  delete node.dataset.i18n;
  node.replaceChildren(el("span", { "data-i18n": "vc_st_refused" }, t("vc_st_refused")), serverText(el("span"), e.message));
  if (e.body && e.body.code === "reverify_needed") node.append(" ", el("a", { href: "#identity", "data-i18n": "vc_reverify" }, t("vc_reverify")));
}

function layout(view) {
  const remote = (id) => el("figure", { class: "vc-remote" }, el("video", { id, autoplay: "", playsinline: "" }), el("figcaption", { id: id + "-name" }));
  view.replaceChildren(el("div", { class: "card" },
    el("h2", { "data-i18n": "vc_title" }, t("vc_title")),
    el("p", { id: "vc-who" }), el("p", { id: "vc-status", role: "status" }),
    el("p", { id: "vc-warning", class: "vc-warning", role: "alert", hidden: "" }),
    el("p", {}, el("span", { "data-i18n": "vc_remaining" }, t("vc_remaining")), " ", el("strong", { id: "vc-countdown" }, "--:--")),
    el("p", { id: "vc-flags", class: "hint" }),
    el("div", { class: "vc-videos" }, remote("vc-remote-a"), remote("vc-remote-b"),
      el("figure", { id: "vc-self" }, el("video", { id: "vc-local", autoplay: "", playsinline: "", muted: "" }), el("figcaption", { "data-i18n": "vc_me" }, t("vc_me")))),
    el("div", { id: "vc-actions", class: "vc-actions" },
      el("button", { type: "button", id: "vc-end", "data-i18n": "vc_end", onclick: endBySide }, t("vc_end")),
      el("button", { type: "button", id: "vc-leave", "data-i18n": "vc_leave", onclick: stepAway }, t("vc_leave"))),
    el("form", { id: "vc-monitor", class: "vc-actions", hidden: "", onsubmit: (ev) => ev.preventDefault() },
      el("label", {}, el("span", { "data-i18n": "vc_warn_note" }, t("vc_warn_note")), " ", el("input", { name: "note", maxlength: "200" })),
      el("button", { type: "button", id: "vc-warn", "data-i18n": "vc_warn", onclick: warn }, t("vc_warn")),
      el("label", {}, el("span", { "data-i18n": "vc_end_reason" }, t("vc_end_reason")), " ",
        el("select", { name: "reason" }, ...["officer_ended", "violation"].map((r) => el("option", { value: r, "data-i18n": "vc_r_" + r }, t("vc_r_" + r))))),
      el("label", {}, el("span", { "data-i18n": "vc_end_note" }, t("vc_end_note")), " ", el("input", { name: "end_note", maxlength: "200" })),
      el("button", { type: "button", id: "vc-stop", "data-i18n": "vc_monitor_end", onclick: stopByMonitor }, t("vc_monitor_end"))),
    el("p", { id: "vc-recording", class: "hint" })));
}

/** The view: the same booking already on screen stays as it is (a language switch re-routes). */
export async function showVisitCall() {
  const [, id, side] = location.hash.replace(/^#/, "").split("/");
  const bookingId = Number(id);
  if (call && call.bookingId === bookingId && !call.over) return;
  hangUp();
  const view = $("#view-visitcall");
  layout(view);
  call = { bookingId, side: side || null, pcs: {}, chains: {}, status: null, recording: null, over: false };
  if (!bookingId) { setStatus("vc_st_no_booking"); return; }
  setStatus("vc_st_admitting");
  let adm;
  try {
    adm = await post(`${BASE}/bookings/${bookingId}/session`, side ? { side } : {});
  } catch (e) { refused(e); call.over = true; return; }
  call.adm = adm; call.side = adm.side;
  showWho(adm);
  $("#vc-monitor").hidden = adm.side !== "monitor";
  $("#vc-actions").hidden = adm.side === "monitor";
  $("#vc-leave").hidden = adm.side === "terminal"; // the terminal stays until the end (it records)
  $("#vc-self").hidden = adm.side === "monitor";
  $("#vc-remote-b").parentElement.hidden = adm.side !== "monitor";
  countdown(adm.ends_at);
  if (adm.side !== "monitor") {
    setStatus("vc_st_camera");
    try {
      call.local = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    } catch (e) { setStatus("vc_st_no_camera", { why: e.message || e.name }); call.over = true; return; }
    $("#vc-local").srcObject = call.local;
  }
  connect(adm);
}

function showWho(adm) {
  const who = $("#vc-who");
  const parts = [el("span", {}, fill("vc_booking", { no: adm.booking_no })), " · ", el("span", {}, fill("vc_you_are", { side: t("vc_side_" + adm.side) }))];
  const other = adm.side === "visitor" ? adm.detainee_name : adm.side === "terminal" ? adm.visitor_name : `${adm.visitor_name} · ${adm.detainee_name}`;
  parts.push(" · ", el("span", {}, fill("vc_with", { name: other })));
  if (adm.party.length) parts.push(" · ", el("span", {}, fill("vc_party", { names: adm.party.map((p) => p.name_masked).join("、") })));
  who.replaceChildren(...parts);
  $("#vc-flags").replaceChildren(
    el("span", { "data-i18n": adm.recorded ? "vc_recording" : "vc_not_recorded" }, t(adm.recorded ? "vc_recording" : "vc_not_recorded")),
    ...(adm.monitored ? [" · ", el("span", { "data-i18n": "vc_monitored" }, t("vc_monitored"))] : []));
  // remote panes: the monitor sees both sides, a side sees the other
  const names = adm.side === "monitor" ? ["visitor", "terminal"] : [adm.side === "visitor" ? "terminal" : "visitor"];
  call.panes = {};
  names.forEach((s, i) => {
    const id = i === 0 ? "vc-remote-a" : "vc-remote-b";
    call.panes[s] = $("#" + id);
    const label = s === "visitor" ? adm.visitor_name : adm.detainee_name;
    $(`#${id}-name`).replaceChildren(el("span", { "data-i18n": "vc_side_" + s }, t("vc_side_" + s)), "：", el("span", {}, label));
  });
}

function countdown(endsAt) {
  const end = new Date(endsAt).getTime();
  const tick = () => {
    const left = Math.max(0, Math.round((end - Date.now()) / 1000));
    const node = $("#vc-countdown");
    if (node) node.textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
  };
  tick();
  call.timer = setInterval(tick, 1000);
}

// -- signalling ----------------------------------------------------------------------------------
function connect(adm) {
  setStatus("vc_st_connecting");
  const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + adm.socket_path);
  call.ws = ws;
  const mine = call;
  ws.onopen = () => ws.send(JSON.stringify({ type: "join", token: adm.token }));
  ws.onmessage = (ev) => { if (call === mine) onMessage(JSON.parse(ev.data)); };
  ws.onclose = () => { if (call === mine && !mine.over) { setStatus("vc_st_lost"); finish(); } };
}
const send = (message) => { if (call && call.ws && call.ws.readyState === WebSocket.OPEN) call.ws.send(JSON.stringify(message)); };

// Messages of one peer are handled in order (an ICE candidate must wait for the offer before it).
function queue(from, step) {
  const chain = (call.chains[from] || Promise.resolve()).then(step).catch((e) => console.error(e));
  call.chains[from] = chain;
}

function onMessage(m) {
  const side = call.side;
  if (m.type === "joined") {
    setStatus(m.peers.some((p) => p !== "monitor") || side === "monitor" ? "vc_st_in_call" : "vc_st_waiting");
    if (side === "terminal" && m.peers.includes("visitor")) queue("visitor", () => offerTo("visitor"));
    if (side === "monitor") m.peers.forEach((p) => queue(p, () => offerTo(p)));
  } else if (m.type === "join") {
    if (m.from !== "monitor" || side === "monitor") setStatus("vc_st_in_call");
    if (side === "terminal" && m.from === "visitor") queue("visitor", () => offerTo("visitor"));
    if (side === "monitor") queue(m.from, () => offerTo(m.from));
  } else if (m.type === "offer") {
    queue(m.from, () => answer(m.from, m.sdp));
  } else if (m.type === "answer") {
    queue(m.from, () => call.pcs[m.from] && call.pcs[m.from].setRemoteDescription({ type: "answer", sdp: m.sdp }));
  } else if (m.type === "ice") {
    queue(m.from, () => call.pcs[m.from] && call.pcs[m.from].addIceCandidate(m.candidate || null));
  } else if (m.type === "leave") {
    closePeer(m.from);
    if (m.from !== "monitor") setStatus("vc_st_peer_left", { side: t("vc_side_" + m.from) });
  } else if (m.type === "warn") {
    const w = $("#vc-warning");
    w.hidden = false;
    w.replaceChildren(el("strong", { "data-i18n": "vc_warned" }, t("vc_warned")), el("span", {}, m.note));
  } else if (m.type === "end" || m.type === "time_up") {
    call.over = true;
    if (m.type === "time_up") setStatus("vc_st_time_up");
    else setStatus("vc_st_ended_by", { reason: t("vc_r_" + m.reason) });
    finish();
  } else if (m.type === "replaced") {
    call.over = true;
    setStatus("vc_st_replaced");
    finish();
  } else if (m.type === "error") {
    const node = $("#vc-warning");
    node.hidden = false;
    node.replaceChildren(el("span", {}, fill("vc_err", { code: m.code })));
  }
}

function peer(other) {
  closePeer(other);
  const pc = new RTCPeerConnection({ iceServers: call.adm.ice_servers });
  call.pcs[other] = pc;
  pc.onicecandidate = (ev) => send({ type: "ice", to: other, candidate: ev.candidate ? ev.candidate.toJSON() : null });
  pc.ontrack = (ev) => {
    const pane = call.panes[other];
    if (!pane) return; // a side shows the other side only, never the monitor (who sends nothing)
    const stream = ev.streams[0] || new MediaStream([ev.track]);
    if (pane.srcObject !== stream) pane.srcObject = stream;
    if (call.side === "terminal" && other === "visitor" && call.adm.recorded) startRecording(stream);
  };
  return pc;
}

function closePeer(other) {
  const pc = call && call.pcs[other];
  if (pc) { pc.close(); delete call.pcs[other]; }
}

/** The terminal to the visitor (both ways), the monitor to a side (receive-only). */
async function offerTo(other) {
  const pc = peer(other);
  if (call.side === "monitor") {
    pc.addTransceiver("video", { direction: "recvonly" });
    pc.addTransceiver("audio", { direction: "recvonly" });
  } else {
    call.local.getTracks().forEach((track) => pc.addTrack(track, call.local));
  }
  await pc.setLocalDescription(await pc.createOffer());
  send({ type: "offer", to: other, sdp: pc.localDescription.sdp });
}

/** An offer from the other side or the monitor: answered with this side's camera and microphone
 * (to the monitor the answer only sends: its offer receives only). */
async function answer(other, sdp) {
  const pc = peer(other);
  await pc.setRemoteDescription({ type: "offer", sdp });
  call.local.getTracks().forEach((track) => pc.addTrack(track, call.local));
  await pc.setLocalDescription(await pc.createAnswer());
  send({ type: "answer", to: other, sdp: pc.localDescription.sdp });
}

// -- recording (the terminal, where the booking is recorded) -------------------------------------
function startRecording(remote) {
  if (call.recorder || typeof MediaRecorder === "undefined") return;
  // both voices on one track: the remote video with the two microphones mixed
  const audio = new AudioContext();
  const mix = audio.createMediaStreamDestination();
  [remote, call.local].forEach((s) => { if (s.getAudioTracks().length) audio.createMediaStreamSource(s).connect(mix); });
  const tracks = [...remote.getVideoTracks(), ...mix.stream.getAudioTracks()];
  const recorder = new MediaRecorder(new MediaStream(tracks), { mimeType: "video/webm" });
  call.recorder = recorder; call.chunks = []; call.audio = audio;
  recorder.ondataavailable = (ev) => { if (ev.data.size) call.chunks.push(ev.data); };
  recorder.start(1000);
}

function stopRecording() {
  const c = call;
  if (!c || !c.recorder || c.recorder.state === "inactive") return Promise.resolve(null);
  return new Promise((resolve) => {
    c.recorder.onstop = () => resolve(new Blob(c.chunks, { type: "video/webm" }));
    c.recorder.stop();
  }).then(async (blob) => {
    if (c.audio) c.audio.close();
    const note = $("#vc-recording");
    note.dataset.i18n = "vc_rec_uploading"; note.textContent = t("vc_rec_uploading");
    try {
      const res = await fetch(`${BASE}/sessions/${c.adm.session_id}/recording`, {
        method: "POST", body: blob, headers: { "Content-Type": "video/webm", Authorization: "Bearer " + session.token },
      });
      const body = await res.json().catch(() => null);
      if (!res.ok) throw new Error((body && body.detail) || String(res.status));
      c.recording = body;
      delete note.dataset.i18n; note.textContent = fill("vc_rec_done", { sha: body.sha256.slice(0, 16) + "…" });
    } catch (e) {
      delete note.dataset.i18n;
      note.replaceChildren(el("span", {}, t("vc_rec_failed")), serverText(el("span"), e.message));
      c.recording = { error: e.message };
    }
  });
}

// -- actions --------------------------------------------------------------------------------------
function endBySide() { send({ type: "end", reason: "completed" }); }
function stepAway() {
  if (!call) return;
  call.over = true;
  send({ type: "leave" });
  setStatus("vc_st_left");
  finish();
}
async function warn() {
  const input = $("#vc-monitor").elements.note;
  if (!input.value.trim()) return;
  try { await post(`${BASE}/sessions/${call.adm.session_id}/warn`, { note: input.value }); input.value = ""; }
  catch (e) { refused(e); }
}
async function stopByMonitor() {
  const f = $("#vc-monitor");
  try { await post(`${BASE}/sessions/${call.adm.session_id}/end`, { reason: f.elements.reason.value, note: f.elements.end_note.value || null }); }
  catch (e) { refused(e); }
}

/** Stop media and timers, upload the recording if one was made; the page keeps its last state. */
function finish() {
  const c = call;
  if (!c) return;
  clearInterval(c.timer);
  const uploaded = stopRecording();
  Object.keys(c.pcs).forEach(closePeer);
  uploaded.finally(() => { if (c.local) c.local.getTracks().forEach((track) => track.stop()); });
  if (c.ws && c.ws.readyState <= WebSocket.OPEN) c.ws.close();
}

function hangUp() {
  if (!call) return;
  if (!call.over) { call.over = true; send({ type: "leave" }); }
  finish();
  call = null;
}

// A language switch redraws what was filled in from the call's data (the rest follows data-i18n).
onLang(() => {
  if (!call || !call.adm || $("#view-visitcall").hidden) return;
  showWho(call.adm);
  if (call.statusVars) setStatus(call.status, call.statusVars);
});

// Leaving the view leaves the call (the other side hears it and may wait).
window.addEventListener("hashchange", () => { if (!location.hash.startsWith("#visitcall/")) hangUp(); });

/** Frames decoded from each remote side (getStats inbound-rtp video), for checks and tests. */
async function frames() {
  const out = {};
  for (const [side, pc] of Object.entries((call && call.pcs) || {})) {
    const stats = await pc.getStats();
    stats.forEach((s) => { if (s.type === "inbound-rtp" && s.kind === "video") out[side] = (out[side] || 0) + (s.framesDecoded || 0); });
  }
  return out;
}
