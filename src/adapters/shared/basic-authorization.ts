/** An HTTP Basic `Authorization` value (RFC 7617): `Basic base64(user:password)`, UTF-8. */
export function basicAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`
}
