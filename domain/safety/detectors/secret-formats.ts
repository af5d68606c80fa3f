// Formats of credentials, each from its issuer's documented token layout. A finding covers the secret
// itself, not the label in front of it, so the redacted text stays readable ("api_key=[redacted:secret]").

export interface SecretFormat {
  name: string;
  pattern: RegExp;
  /** Capture group holding the secret when the pattern also matches its context (0 = whole match). */
  group: number;
  confidence: number;
}

const edge = '(?<![A-Za-z0-9_-])';
const tail = '(?![A-Za-z0-9_-])';

export const secretFormats: SecretFormat[] = [
  // AWS access key ids: a 4-letter prefix naming the key type (AKIA long-lived, ASIA temporary, …) + 16.
  { name: 'AWS access key id', pattern: new RegExp(`${edge}(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}${tail}`, 'g'), group: 0, confidence: 0.95 },
  // GitHub tokens carry a type prefix (ghp_ personal, gho_ OAuth, ghu_/ghs_ app, ghr_ refresh) + 36 base62;
  // fine-grained personal tokens start with github_pat_.
  { name: 'GitHub token', pattern: new RegExp(`${edge}(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{60,255})${tail}`, 'g'), group: 0, confidence: 0.97 },
  // GitLab personal access tokens: glpat- + 20 characters.
  { name: 'GitLab token', pattern: new RegExp(`${edge}glpat-[A-Za-z0-9_-]{20,64}${tail}`, 'g'), group: 0, confidence: 0.95 },
  // Slack tokens: xox + type letter (b bot, p user, a app, r refresh, s/o legacy) + dash-separated parts.
  { name: 'Slack token', pattern: new RegExp(`${edge}xox[abposr]-[A-Za-z0-9-]{10,250}${tail}`, 'g'), group: 0, confidence: 0.95 },
  { name: 'Slack webhook', pattern: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9_/]{20,120}/g, group: 0, confidence: 0.95 },
  // Stripe secret and restricted keys: sk_/rk_ + live/test + base62.
  { name: 'Stripe key', pattern: new RegExp(`${edge}(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,247}${tail}`, 'g'), group: 0, confidence: 0.97 },
  // Anthropic (sk-ant-) and OpenAI (sk-, sk-proj-, sk-svcacct-, sk-admin-) API keys.
  { name: 'LLM provider API key', pattern: new RegExp(`${edge}sk-(?:ant-|proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,200}${tail}`, 'g'), group: 0, confidence: 0.9 },
  // Google API keys: AIza + 35 characters.
  { name: 'Google API key', pattern: new RegExp(`${edge}AIza[0-9A-Za-z_-]{35}${tail}`, 'g'), group: 0, confidence: 0.95 },
  // JSON Web Tokens: base64url header and payload that both start with '{"' (eyJ), and a signature.
  { name: 'JSON web token', pattern: new RegExp(`${edge}eyJ[A-Za-z0-9_-]{5,2000}\\.eyJ[A-Za-z0-9_-]{5,4000}\\.[A-Za-z0-9_-]{10,2000}${tail}`, 'g'), group: 0, confidence: 0.95 },
  // PEM private keys: the whole armoured block, or from the header to the end of the base64 body when the
  // footer is missing (a truncated key is still a leak).
  {
    name: 'private key',
    pattern: /-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]{0,8000}?-----END (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s:,-]{0,8000})/g,
    group: 0,
    confidence: 0.99,
  },
  // Passwords inside URLs: scheme://user:password@host.
  { name: 'password in URL', pattern: /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/@]{1,128}:([^\s@/]{1,256})@/gi, group: 1, confidence: 0.9 },
  // Authorization headers with bearer tokens.
  { name: 'bearer token', pattern: /\bBearer\s+([A-Za-z0-9._~+/-]{20,2000}=*)/g, group: 1, confidence: 0.85 },
  // A value assigned to a credential-named key (api_key=…, "password": "…", client_secret: …). Values that
  // are placeholders or references ($VAR, <your key>, {{…}}, ***) are skipped, and so are plain words
  // ("secret: always"): a value must contain a digit or a symbol.
  {
    name: 'credential assignment',
    pattern: /(?<![\p{L}\p{N}_])(?:api[_-]?key|apikey|secret[_-]?key|client[_-]?secret|access[_-]?token|auth[_-]?token|refresh[_-]?token|private[_-]?key|aws[_-]secret[_-]access[_-]key|password|passwd|pwd|passphrase|secret|token)["']?\s{0,3}(?:[:=]|=>)\s{0,3}["']?((?![$<{*%]|x{4}|\.{3})(?=[^\s"'`,;]{0,255}[0-9!@#$%^&*_+=/\\-])[^\s"'`,;]{5,255}[^\s"'`,;.)])/giu,
    group: 1,
    confidence: 0.8,
  },
];
