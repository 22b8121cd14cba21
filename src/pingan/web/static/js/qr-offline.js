// The offline check of a certificate's QR payload, in the browser: the Ed25519 signature
// against the published key list (kept in localStorage, so it works without a network) and
// the dates. The same rules as src/pingan/trust/certificates/qr.py and verify.py:
//   PA1.<key id>.<base64url(JCS claims)>.<base64url(signature)>
// signed over the ASCII "PA1.<key id>.<claims>"; every base64url field canonical; the claims
// exactly n t nm id r f u s i; valid from f to u inclusive (UTC dates, as the server compares).
// Hand-written because it is a few lines over WebCrypto, which does the cryptography itself.

const KEYS_URL = "/api/v1/trust/keys";
const STORE = "pingan.trust.keys";
const SHAPE = /^PA1\.([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;
const CLAIMS = ["f", "i", "id", "n", "nm", "r", "s", "t", "u"];

const toB64u = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
/** Unpadded base64url in its canonical spelling, or null (as encoding.from_b64u refuses). */
export function fromB64u(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return toB64u(bytes) === text ? bytes : null;
}

/** The key list: fetched when the network allows (and cached with the time), else the cached
 * copy. {doc, fetchedAt (ms), fresh} or null when there is neither. */
export async function keyList({ refresh = true } = {}) {
  if (refresh) {
    try {
      const res = await fetch(KEYS_URL, { cache: "no-store" });
      if (res.ok) {
        const doc = await res.json();
        const fetchedAt = Date.now();
        localStorage.setItem(STORE, JSON.stringify({ fetched_at: fetchedAt, doc }));
        return { doc, fetchedAt, fresh: true };
      }
    } catch { /* offline: the cached copy below */ }
  }
  try {
    const kept = JSON.parse(localStorage.getItem(STORE) || "null");
    if (kept && kept.doc && Array.isArray(kept.doc.keys)) return { doc: kept.doc, fetchedAt: kept.fetched_at, fresh: false };
  } catch { /* a damaged copy counts as none */ }
  return null;
}

let support = null;
/** Whether this browser's WebCrypto verifies Ed25519 (Chrome 137+, Firefox 129+, Safari 17+). */
export function ed25519Supported() {
  if (support) return support;
  const probe = new Uint8Array(32); probe[0] = 1; // any 32 bytes import as a raw public key
  support = (globalThis.crypto && crypto.subtle
    ? crypto.subtle.importKey("raw", probe, { name: "Ed25519" }, false, ["verify"]).then(() => true, () => false)
    : Promise.resolve(false));
  return support;
}

const todayUtc = (now) => new Date(now).toISOString().slice(0, 10);

/** Check `payload` against `doc` (the key list). Answers {reason, kid, claims}: reason null when
 * the signature holds and today is within the dates; `bad_signature`, `unknown_key`,
 * `key_revoked`, `malformed_payload`, `malformed_key`, `not_yet_valid`, `expired` otherwise.
 * `signed` tells whether the signature itself held (a signed but expired certificate). */
export async function checkPayload(payload, doc, now = Date.now()) {
  const m = SHAPE.exec(payload.trim());
  if (!m) return { reason: "malformed_payload", signed: false };
  const [, kid, body, sig] = m;
  const claimBytes = fromB64u(body), value = fromB64u(sig);
  let claims = null;
  try { claims = claimBytes && JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(claimBytes)); } catch { claims = null; }
  if (!value || !claims || typeof claims !== "object" || Array.isArray(claims)
    || Object.keys(claims).sort().join() !== CLAIMS.join()) return { reason: "malformed_payload", kid, signed: false };
  const jwk = (doc.keys || []).find((k) => k.kid === kid);
  if (!jwk) return { reason: "unknown_key", kid, signed: false };
  if (jwk.status === "revoked") return { reason: "key_revoked", kid, signed: false };
  const x = jwk.crv === "Ed25519" && typeof jwk.x === "string" ? fromB64u(jwk.x) : null;
  if (!x || x.length !== 32) return { reason: jwk.crv === "Ed25519" ? "malformed_key" : "algorithm_mismatch", kid, signed: false };
  const head = new TextEncoder().encode(payload.trim().slice(0, payload.trim().lastIndexOf(".")));
  const key = await crypto.subtle.importKey("raw", x, { name: "Ed25519" }, false, ["verify"]);
  const ok = value.length === 64 && await crypto.subtle.verify({ name: "Ed25519" }, key, value, head);
  if (!ok) return { reason: "bad_signature", kid, signed: false };
  const today = todayUtc(now);
  if (today < claims.f) return { reason: "not_yet_valid", kid, claims, signed: true };
  if (today > claims.u) return { reason: "expired", kid, claims, signed: true };
  return { reason: null, kid, claims, signed: true };
}
