import type { IntegrationHealth } from '../stores/store.js'

/**
 * What adopting another process's health record changes here. `suspended`: its circuit is open and
 * ours was closed. `resumed`: its circuit closed and ours was open. `rescheduled`: both open, with
 * a newer probe time. `pause`: only a later `Retry-After` pause. `outdated`: ours is the newer
 * circuit state, and the shared record holds an older one (a process wrote before it adopted ours).
 */
export type CircuitAdoption =
  | { readonly change: 'suspended' | 'resumed' | 'rescheduled' | 'pause'; readonly health: IntegrationHealth }
  | { readonly change: 'outdated' }
  | undefined

/**
 * How this process's health of an integration (`ours`, `undefined`: none kept, so closed) takes
 * in the record another process of the fleet wrote (`theirs`), at `now`. The circuit state whose
 * last change (`circuitChangedAt`) is later wins; a half-open circuit elsewhere is open here (its
 * probe is another process's), and the failure count stays this process's record (a fleet counts
 * failures in its store, `Store.countFailures`, not in health records). A pause is taken
 * when it ends later than ours.
 */
export function adoptHealth(
  ours: IntegrationHealth | undefined,
  theirs: IntegrationHealth,
  now: number,
): CircuitAdoption {
  const ourChange = ours?.circuitChangedAt ?? 0
  const theirChange = theirs.circuitChangedAt ?? 0
  const ourCircuit = ours?.circuit ?? 'closed'
  const base = ours ?? { ...theirs, circuit: 'closed' as const, probeAt: null, probeDeliveryId: null }
  const pausedUntil = Math.max(ours?.pausedUntil ?? 0, theirs.pausedUntil ?? 0)
  const paused = pausedUntil > now && pausedUntil > (ours?.pausedUntil ?? 0) ? { pausedUntil } : {}
  if (theirChange > ourChange) {
    if (theirs.circuit !== 'closed' && ourCircuit === 'closed') {
      return { change: 'suspended', health: { ...base, ...paused, ...opened(theirs, theirChange) } }
    }
    if (theirs.circuit === 'closed' && ourCircuit !== 'closed') {
      return {
        change: 'resumed',
        health: {
          ...base,
          ...paused,
          circuit: 'closed',
          consecutiveFailures: 0,
          probeAt: null,
          probeDeliveryId: null,
          circuitChangedAt: theirChange,
        },
      }
    }
    // Both open: the other process's probe failed and opened it again, later. Ours probing: let it finish.
    if (theirs.circuit !== 'closed' && ourCircuit === 'open') {
      return { change: 'rescheduled', health: { ...base, ...paused, ...opened(theirs, theirChange) } }
    }
  } else if (theirChange < ourChange && theirs.circuit !== ourCircuit && ourCircuit !== 'half-open') {
    return { change: 'outdated' }
  }
  if ('pausedUntil' in paused) return { change: 'pause', health: { ...base, ...paused } }
  return undefined
}

function opened(theirs: IntegrationHealth, changedAt: number) {
  return {
    circuit: 'open' as const,
    consecutiveFailures: theirs.consecutiveFailures,
    probeAt: theirs.probeAt,
    probeDeliveryId: null,
    circuitChangedAt: changedAt,
  }
}
