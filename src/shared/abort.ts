import { ValidationError } from '../errors/validation-error.js'
import { describeValue } from './describe-value.js'

/** Checks a `signal` option: `undefined` or an AbortSignal. */
export function readSignal(value: unknown, subject: string, path: string): AbortSignal | undefined {
  if (value === undefined || value instanceof AbortSignal) return value
  throw new ValidationError(subject, [
    { path, message: `expected an AbortSignal, got ${describeValue(value)}` },
  ])
}

/**
 * `promise`, or a rejection with `signal.reason` as soon as `signal` aborts (at once if it already
 * has). What `promise` stands for is not undone; the caller says what an abort stops.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise
  if (signal.aborted) {
    promise.catch(() => {})
    return Promise.reject(signal.reason)
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}
