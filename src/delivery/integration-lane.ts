import PQueue from 'p-queue'
import type { ResolvedPacing } from './pacing.js'

/** Why a delivery was parked (dead-lettered without an attempt) rather than attempted. */
export type ParkReason = 'circuit_open' | 'integration_disabled' | 'shutdown'

/** What an attempt waits for: a slot of its integration's pacing, unless it is parked. */
export interface DeliveryGate {
  /**
   * Runs `attempt` once pacing allows and `admit` lets delivery `deliveryId` through;
   * resolves with its result, or with the reason it was parked instead.
   */
  run<T>(deliveryId: string, attempt: () => Promise<T>): Promise<T | ParkReason>
  /** The destination is throttling: start no attempt for `ms`. */
  throttle(ms: number): void
}

/** A gate with no pacing, for test sends: only shutdown parks. */
export function directGate(isShuttingDown: () => boolean): DeliveryGate {
  return {
    async run(_id, attempt) {
      return isShuttingDown() ? 'shutdown' : attempt()
    },
    throttle() {},
  }
}

/**
 * Pacing shared with the other processes of a fleet (the store's `takeSlot`, `takeStart` and
 * `pauseStarts`), on top of the lane's own.
 */
export interface FleetPacing {
  /**
   * Takes one of the fleet's slots of attempts in flight: resolves with the function that gives
   * it back once the attempt settled, or with the ms to wait before asking again.
   */
  slot(): Promise<(() => void) | number>
  /** Takes one start for the fleet: resolves 0 when granted, or the ms to wait before asking again. */
  take(): Promise<number>
  /** Pauses the starts of every process for `ms` (this lane was throttled). */
  pause(ms: number): void
}

interface Waiting {
  readonly park: (reason: ParkReason) => void
  /** Set while the attempt waits for the minute window. */
  minuteSlot?: (granted: boolean) => void
  /** Set while the attempt waits for the fleet to grant its slot and start: ends the wait at once. */
  wake?: (() => void) | undefined
}

/**
 * The queue of one integration: p-queue bounds the attempts in flight and the starts per
 * rolling second; a second p-queue in front of the send bounds the starts per rolling
 * minute. `throttle()` pauses the lane (a 429's Retry-After) without touching other
 * integrations, and `cancel()` parks everything still waiting (circuit open, integration
 * disabled, shutdown).
 */
export class IntegrationLane implements DeliveryGate {
  /** The pacing this lane was built with. */
  readonly pacing: ResolvedPacing
  readonly #queue: PQueue
  readonly #minute: PQueue | undefined
  readonly #admit: (deliveryId: string) => ParkReason | undefined
  readonly #onThrottle: (pauseMs: number) => void
  readonly #waiting = new Set<Waiting>()
  readonly #onRoom: () => void
  readonly #fleet: FleetPacing | undefined
  /** Attempts waiting for a slot or in flight. */
  #load = 0
  /** Attempts in flight. */
  #inFlight = 0
  #resumeAt = 0
  #resumeTimer: ReturnType<typeof setTimeout> | undefined

  /**
   * @param admit says whether a delivery may make an attempt now, or why it is parked
   * @param onThrottle told when a throttled answer pauses (or extends the pause of) the lane
   * @param onRoom told each time an attempt leaves the lane (done or parked): there is room for another
   * @param fleet the fleet's pacing, asked before each attempt once the lane's own pacing let it through
   */
  constructor(
    pacing: ResolvedPacing,
    admit: (deliveryId: string) => ParkReason | undefined,
    onThrottle: (pauseMs: number) => void = () => {},
    onRoom: () => void = () => {},
    fleet?: FleetPacing,
  ) {
    this.pacing = pacing
    this.#fleet = fleet
    this.#admit = admit
    this.#onThrottle = onThrottle
    this.#onRoom = onRoom
    this.#queue = new PQueue({
      concurrency: pacing.concurrency,
      ...(pacing.perSecond === null ? {} : { intervalCap: pacing.perSecond, interval: 1000, strict: true }),
    })
    this.#minute =
      pacing.perMinute === null
        ? undefined
        : new PQueue({ intervalCap: pacing.perMinute, interval: 60_000, strict: true })
  }

  /** Attempts waiting for a slot or in flight. */
  get load(): number {
    return this.#load
  }

  /** Attempts in flight: admitted and not settled (for `stats()`). */
  get inFlight(): number {
    return this.#inFlight
  }

  run<T>(deliveryId: string, attempt: () => Promise<T>): Promise<T | ParkReason> {
    return this.#counted(() => this.#admit(deliveryId), attempt)
  }

  /**
   * Runs the one request of a batch once pacing allows: the batch takes one slot, as one
   * request. `attempt` is given the admission of the lane, to ask it for each delivery of the
   * batch; the batch as a whole is parked when the lane is cancelled while it waits.
   */
  runBatch<T>(
    attempt: (admit: (deliveryId: string) => ParkReason | undefined) => Promise<T>,
  ): Promise<T | ParkReason> {
    return this.#counted(
      () => undefined,
      () => attempt(this.#admit),
    )
  }

  #counted<T>(admitted: () => ParkReason | undefined, attempt: () => Promise<T>): Promise<T | ParkReason> {
    this.#load++
    const left = () => {
      this.#load--
      this.#onRoom()
    }
    const done = this.#enter(admitted, attempt)
    done.then(left, left)
    return done
  }

  #enter<T>(admitted: () => ParkReason | undefined, attempt: () => Promise<T>): Promise<T | ParkReason> {
    return new Promise<T | ParkReason>((resolve, reject) => {
      const waiting: Waiting = { park: resolve }
      this.#waiting.add(waiting)
      this.#queue
        .add(async () => {
          if (this.#minute && !(await this.#minuteSlot(waiting))) return
          const release = this.#fleet ? await this.#fleetStart(this.#fleet, waiting) : undefined
          if (release === null) return
          try {
            if (!this.#waiting.delete(waiting)) return
            const parked = admitted()
            if (parked !== undefined) return resolve(parked)
            // The slot is held until the attempt settles: that is the concurrency limit.
            this.#inFlight++
            await attempt().then(resolve, reject)
            this.#inFlight--
          } finally {
            release?.()
          }
        })
        .catch(reject)
    })
  }

  throttle(ms: number): void {
    const until = Date.now() + ms
    if (until <= this.#resumeAt) return
    this.#resumeAt = until
    this.#queue.pause()
    clearTimeout(this.#resumeTimer)
    this.#resumeTimer = setTimeout(() => {
      this.#resumeTimer = undefined
      this.#queue.start()
    }, ms)
    this.#onThrottle(ms)
    this.#fleet?.pause(ms)
  }

  /** Resolves once nothing waits in the lane and nothing is in flight. */
  drained(): Promise<void> {
    return this.#queue.onIdle()
  }

  /** Parks every attempt still waiting for a slot with `reason`. Attempts in flight go on. */
  cancel(reason: ParkReason): void {
    const waiting = [...this.#waiting]
    this.#waiting.clear()
    this.#queue.clear()
    this.#minute?.clear()
    for (const entry of waiting) {
      entry.minuteSlot?.(false)
      entry.wake?.()
      entry.park(reason)
    }
  }

  /**
   * First step of shutdown: starts no more attempts (what waits stays queued, to be parked by
   * `cancel()` later) and stops the throttle timer. Resolves once the attempts in flight are done.
   */
  stop(): Promise<void> {
    clearTimeout(this.#resumeTimer)
    this.#resumeTimer = undefined
    this.#queue.pause()
    for (const entry of this.#waiting) {
      // Waiting for the minute window holds a slot: give it back now.
      if (entry.minuteSlot || entry.wake) {
        this.#waiting.delete(entry)
        entry.minuteSlot?.(false)
        entry.wake?.()
        entry.park('shutdown')
      }
    }
    return this.#queue.onPendingZero()
  }

  /**
   * Resolves with the release of the fleet slot once the fleet granted a slot and then a start
   * (so that the start counted is the one that goes out now), or `null` if the attempt was parked
   * meanwhile; a slot is never kept while the attempt waits for its start, nor once it is parked.
   */
  async #fleetStart(fleet: FleetPacing, waiting: Waiting): Promise<(() => void) | null> {
    for (;;) {
      // Set while asking too: stop() parks the attempt, and the answer is then ignored.
      waiting.wake = () => {}
      const slot = await fleet.slot()
      if (!this.#waiting.has(waiting)) {
        if (typeof slot === 'function') slot()
        return null
      }
      if (typeof slot === 'number') {
        if (!(await this.#wait(waiting, slot))) return null
        continue
      }
      const waitMs = await fleet.take()
      if (!this.#waiting.has(waiting)) {
        slot()
        return null
      }
      if (waitMs <= 0) {
        waiting.wake = undefined
        return slot
      }
      slot()
      if (!(await this.#wait(waiting, waitMs))) return null
    }
  }

  // Waits `ms` (at least 1) unless the attempt is parked meanwhile: resolves whether it is still waiting.
  async #wait(waiting: Waiting, ms: number): Promise<boolean> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(1, ms))
      waiting.wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })
    return this.#waiting.has(waiting)
  }

  // Resolves true once the minute window has room, false if cancel() parked the attempt.
  #minuteSlot(waiting: Waiting): Promise<boolean> {
    const minute = this.#minute as PQueue
    return new Promise((resolve) => {
      waiting.minuteSlot = resolve
      void minute.add(() => {
        if (this.#waiting.has(waiting)) resolve(true)
      })
    })
  }
}
