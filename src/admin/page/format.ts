/** Dates and numbers as the page shows them. */

/** `2025-01-31 09:30:00 UTC` from an ISO string or epoch ms; the input as is when it is not a date. */
export function formatTime(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '—'
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) return String(value)
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`
}

/** Compact JSON for a table cell. */
export function compactJson(value: unknown): string {
  return JSON.stringify(value) ?? ''
}

/** A number for a table cell, `—` when absent. */
export function formatNumber(value: unknown, unit = ''): string {
  return typeof value === 'number' && Number.isFinite(value) ? `${Math.round(value * 10) / 10}${unit}` : '—'
}
