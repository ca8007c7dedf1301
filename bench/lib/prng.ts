/**
 * mulberry32: a tiny seeded PRNG, so that every run benchmarks the very same events.
 * Returns floats in [0, 1).
 */
export function createPrng(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Picks from weighted choices: `pick(random, [['gold', 15], ['silver', 30]])`. */
export function pick<T>(random: () => number, choices: readonly (readonly [T, number])[]): T {
  let total = 0
  for (const [, weight] of choices) total += weight
  let roll = random() * total
  for (const [value, weight] of choices) {
    roll -= weight
    if (roll < 0) return value
  }
  return choices[choices.length - 1]![0]
}
