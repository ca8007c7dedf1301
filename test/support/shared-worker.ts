import { afterAll, vi } from 'vitest'

// vitest.config.ts runs most files one after another in the same worker (isolate: false). A
// file that ends with fake timers installed would hand them to the next file, which would then
// wait forever on a real timer: whatever a file did with the clock, the next starts on real time.
afterAll(() => {
  vi.useRealTimers()
})
