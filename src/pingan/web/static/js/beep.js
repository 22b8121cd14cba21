// A short alarm tone through WebAudio, for alarms a dispatcher must not miss while looking away.
// Browsers keep audio silent until the page has had a click or key press: before that (and in
// a headless test) it does nothing, and it never throws.
let ctx = null;

export function beep(freq = 880, ms = 180) {
  try {
    const active = navigator.userActivation ? navigator.userActivation.hasBeenActive : true;
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!active || !Ctx) return false;
    ctx = ctx || new Ctx();
    if (ctx.state === "suspended") ctx.resume();
    const osc = ctx.createOscillator(), gain = ctx.createGain();
    osc.frequency.value = freq;
    gain.gain.value = 0.15;
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + ms / 1000);
    return true;
  } catch {
    return false;
  }
}
