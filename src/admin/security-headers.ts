/**
 * Headers of every answer. The page runs under a strict Content-Security-Policy: its script and
 * stylesheet are files of this handler (`'self'`), there is no inline script or style to allow,
 * and it only talks to its own API (`connect-src 'self'`).
 */
export function securityHeaders(frameAncestors: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {
    'content-security-policy': [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      `frame-ancestors ${frameAncestors.join(' ')}`,
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    // No other site may load the API's JSON or the page's files as a resource (no-cors reads).
    'cross-origin-resource-policy': 'same-origin',
  }
  // The same rule for browsers that predate frame-ancestors.
  if (frameAncestors.length === 1 && frameAncestors[0] === "'none'") headers['x-frame-options'] = 'DENY'
  if (frameAncestors.length === 1 && frameAncestors[0] === "'self'") headers['x-frame-options'] = 'SAMEORIGIN'
  return headers
}
