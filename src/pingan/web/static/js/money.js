// Money and Beijing time as the pages type and show them. Amounts are integer fen everywhere;
// a typed amount in yuan is read as a string, digit by digit, never through a float
// ("0.29" * 100 is 28.999999999999996), and a third decimal is refused, never rounded.
// Times the officer or resident types are Beijing time (the bank's clock, Asia/Shanghai),
// whatever the browser's own time zone.

export const MAX_FEN = 10 ** 15; // the order messages' bound (docs/fraud.md, "Messages")
const YUAN = /^(\d+)(?:\.(\d*))?$/;

/** A typed amount in yuan → {fen} or {error}: "empty", "format" (not a number), "decimals"
 * (more than two), "zero" or "too_large". Spaces and thousands separators are let through. */
export function parseYuan(text) {
  const s = String(text ?? "").replace(/[\s,，]/g, "");
  if (!s) return { error: "empty" };
  const m = YUAN.exec(s);
  if (!m) return { error: "format" };
  const frac = m[2] ?? "";
  if (frac.length > 2) return { error: "decimals" };
  const fen = BigInt(m[1]) * 100n + BigInt(frac.padEnd(2, "0"));
  if (fen === 0n) return { error: "zero" };
  if (fen > BigInt(MAX_FEN)) return { error: "too_large" };
  return { fen: Number(fen) };
}

/** "50000.5" → 5000050; null where parseYuan gives an error. */
export const yuanToFen = (text) => parseYuan(text).fen ?? null;

/** 5000050 → "50000.50" (`group`: "50,000.50"), from the digits, never fen / 100. */
export function fenToYuan(fen, { group = false } = {}) {
  if (fen == null || !Number.isSafeInteger(fen)) return "";
  const digits = String(Math.abs(fen)).padStart(3, "0");
  let whole = digits.slice(0, -2);
  if (group) whole = whole.replace(/\B(?=(\d{3})+$)/g, ",");
  return `${fen < 0 ? "-" : ""}${whole}.${digits.slice(-2)}`;
}

const LOCAL = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?(?:\.\d+)?$/;
/** A datetime-local value read as Beijing time → ISO 8601 with +08:00; null if not one. */
export function beijingIso(local) {
  const m = LOCAL.exec(String(local ?? "").trim());
  if (!m) return null;
  const iso = `${m[1]}T${m[2]}${m[3] || ":00"}+08:00`;
  return Number.isNaN(Date.parse(iso)) ? null : iso;
}

const PARTS = { timeZone: "Asia/Shanghai", hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" };
/** A time as a datetime-local value in Beijing time ("2026-10-02T09:15"): to pre-fill inputs. */
export function beijingLocal(when = new Date()) {
  const p = Object.fromEntries(new Intl.DateTimeFormat("en-CA", PARTS).formatToParts(new Date(when)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/** A time as people read it in the city: "10-02 09:15" (Beijing), seconds with `seconds`. */
export function beijingText(iso, { seconds = false, date = true } = {}) {
  if (!iso) return "";
  const opts = { timeZone: "Asia/Shanghai", hourCycle: "h23", hour: "2-digit", minute: "2-digit" };
  if (seconds) opts.second = "2-digit";
  if (date) Object.assign(opts, { month: "2-digit", day: "2-digit" });
  return new Intl.DateTimeFormat("en-CA", opts).format(new Date(iso)).replace(",", "");
}

/** Seconds as "mm:ss" under an hour, "h:mm:ss" above (a golden-time clock, a countdown). */
export function clockText(seconds) {
  const n = Math.max(0, Math.floor(seconds)), h = Math.floor(n / 3600), m = Math.floor((n % 3600) / 60);
  const mmss = `${String(m).padStart(2, "0")}:${String(n % 60).padStart(2, "0")}`;
  return h ? `${h}:${mmss}` : mmss;
}
