import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

let collect: (() => void) | undefined

/**
 * A full, synchronous garbage collection. Vitest's workers do not run with `--expose-gc`, so
 * the flag is set at run time and `gc` is taken from a fresh context, which then has it.
 */
export function forceGc(): void {
  if (!collect) {
    if (typeof globalThis.gc === 'function') collect = globalThis.gc as () => void
    else {
      setFlagsFromString('--expose-gc')
      collect = runInNewContext('gc') as () => void
    }
  }
  collect()
}

/**
 * `heapUsed` after full collections. WeakRef targets and FinalizationRegistry cells survive
 * until the current job ends, so it yields to the event loop between collections.
 */
export async function heapUsedAfterGc(): Promise<number> {
  for (let round = 0; round < 3; round++) {
    await new Promise((resolve) => setImmediate(resolve))
    forceGc()
  }
  return process.memoryUsage().heapUsed
}

export const MB = 1024 * 1024
