/** An item of a {@link DueQueue}: ordered by `dueAt`, then by `seq` (first written first). */
export interface DueItem {
  readonly dueAt: number
  readonly seq: number
}

/**
 * A binary min-heap of items by due time, then write order: what `claimDue` pops from. Pushing
 * items that are due in write order (the usual case: `emit()` appends deliveries due now) costs
 * one comparison each.
 */
export class DueQueue<T extends DueItem> {
  readonly #items: T[] = []

  get size(): number {
    return this.#items.length
  }

  /** The earliest item, without removing it. */
  peek(): T | undefined {
    return this.#items[0]
  }

  push(item: T): void {
    const items = this.#items
    items.push(item)
    let index = items.length - 1
    while (index > 0) {
      const parent = (index - 1) >> 1
      if (!before(item, items[parent] as T)) break
      items[index] = items[parent] as T
      index = parent
    }
    items[index] = item
  }

  /** Removes and returns the earliest item. */
  pop(): T | undefined {
    const items = this.#items
    const top = items[0]
    const last = items.pop()
    if (top === undefined || last === undefined || items.length === 0) return top
    let index = 0
    const length = items.length
    for (;;) {
      const left = 2 * index + 1
      if (left >= length) break
      const right = left + 1
      const child = right < length && before(items[right] as T, items[left] as T) ? right : left
      if (!before(items[child] as T, last)) break
      items[index] = items[child] as T
      index = child
    }
    items[index] = last
    return top
  }
}

function before(a: DueItem, b: DueItem): boolean {
  return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.seq < b.seq)
}
