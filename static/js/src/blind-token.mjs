// Entry point of the committed bundle static/js/blind-token.bundle.js (npm ci && npm run build).
// It exposes RFC 9474 RSABSSA-SHA384-PSS-Deterministic from @cloudflare/blindrsa-ts as
// window.VoiceboxBlindRSA; the page logic lives in static/js/tokens.js.
import { RSABSSA } from '@cloudflare/blindrsa-ts';

export const SUITE = 'RSABSSA-SHA384-PSS-Deterministic';
const suite = RSABSSA.SHA384.PSS.Deterministic();

// blindrsa-ts reads the modulus out of the key, so it must be importable as extractable.
export function importPublicKey(spki) {
  return crypto.subtle.importKey('spki', spki, { name: 'RSA-PSS', hash: 'SHA-384' }, true, ['verify']);
}

export const prepare = (message) => suite.prepare(message);
export const blind = (publicKey, prepared) => suite.blind(publicKey, prepared);
export const blindSign = (privateKey, blindedMsg) => suite.blindSign(privateKey, blindedMsg);
export const finalize = (publicKey, prepared, blindSig, inv) => suite.finalize(publicKey, prepared, blindSig, inv);
export const verify = (publicKey, signature, prepared) => suite.verify(publicKey, signature, prepared);
