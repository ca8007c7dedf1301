import { ValidationError, type ValidationIssue } from '../errors/validation-error.js'

/**
 * Deepest nesting accepted in event payloads and integration configs: the payload object itself
 * is level 1. JSON from real systems is far shallower; the bound keeps a hostile payload from
 * exhausting the stack of every JSON.stringify, adapter and store that reads it.
 */
export const MAX_JSON_DEPTH = 64

/**
 * Keys that cannot be kept as plain data: `__proto__` sets the prototype when an object literal or
 * a copy (`{ ...value }`, `Object.assign`) is made, so the key vanishes or, worse, changes what
 * other keys resolve to; `constructor` and `prototype` are the other two ways prototype pollution
 * is reached in code that merges objects.
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])

/** Most problems listed in one error: enough to fix a payload, bounded for a hostile one. */
const MAX_ISSUES = 20

const HINTS: Readonly<Record<string, string>> = {
  Date: '; pass date.toISOString()',
  Map: '; use a plain object',
  Set: '; use an array',
  RegExp: '; pass its source as a string',
}

/**
 * The problems that keep `value` from being JSON that `JSON.stringify`/`JSON.parse` carry
 * faithfully: NaN and ±Infinity, BigInt, functions, Symbols (as values or keys), `undefined` in an
 * array and empty array slots, Map, Set, Date and every other non-plain object, objects whose
 * prototype was set (`{ __proto__: … }`), the keys in {@link FORBIDDEN_KEYS}, cycles, nesting
 * deeper than {@link MAX_JSON_DEPTH}, and getters or Proxy traps that throw. An object property
 * whose value is `undefined` is accepted: JSON has no `undefined`, and the property is absent
 * once serialised, as `JSON.stringify` drops it. Paths start at `path`.
 */
export function jsonProblems(value: unknown, path: string): ValidationIssue[] {
  // Most payloads are plain JSON: checked first without allocating anything.
  if (isPlainJson(value, 1)) return []
  const walk = new JsonWalk()
  walk.visit(value, path, 1)
  return walk.issues
}

/**
 * Throws a {@link ValidationError} about `what` listing every problem {@link jsonProblems}
 * finds in `value`; returns normally when it is faithful JSON.
 */
export function assertJsonData(value: unknown, path: string, what: string): void {
  const issues = jsonProblems(value, path)
  if (issues.length > 0) throw new ValidationError(what, issues)
}

/**
 * Whether `value` is faithful JSON within {@link MAX_JSON_DEPTH}: the quick check, without a
 * word about what is wrong (a cycle is caught by the depth bound). A getter that throws, or any
 * doubt, answers false, and the full walk then says what it is.
 */
function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return true
    case 'number':
      return Number.isFinite(value)
    case 'object':
      break
    default:
      return false
  }
  if (value === null) return true
  if (depth > MAX_JSON_DEPTH) return false
  try {
    if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) {
        if (!(index in value) || value[index] === undefined || !isPlainJson(value[index], depth + 1))
          return false
      }
      return true
    }
    const prototype: unknown = Object.getPrototypeOf(value)
    if (prototype !== Object.prototype && prototype !== null) return false
    const object = value as Record<string, unknown>
    for (const key in object) {
      if (FORBIDDEN_KEYS.has(key) || !isPlainJson(object[key], depth + 1)) return false
    }
    return Object.getOwnPropertySymbols(object).length === 0
  } catch {
    return false
  }
}

class JsonWalk {
  readonly issues: ValidationIssue[] = []
  readonly #ancestors = new Set<object>()

  visit(value: unknown, path: string, depth: number): void {
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return
      case 'number':
        if (!Number.isFinite(value)) this.#add(path, `${value} is not JSON`)
        return
      case 'undefined':
        return
      case 'bigint':
        this.#add(path, 'a BigInt is not JSON; send it as a string or a number')
        return
      case 'symbol':
        this.#add(path, 'a Symbol is not JSON')
        return
      case 'function':
        this.#add(path, 'a function is not JSON')
        return
    }
    if (value === null) return
    this.#visitObject(value as object, path, depth)
  }

  #visitObject(object: object, path: string, depth: number): void {
    if (this.issues.length >= MAX_ISSUES) return
    if (this.#ancestors.has(object)) {
      this.#add(path, 'is a cycle: the object contains itself, which JSON cannot represent')
      return
    }
    if (depth > MAX_JSON_DEPTH) {
      this.#add(path, `is nested more than ${MAX_JSON_DEPTH} levels deep`)
      return
    }
    try {
      const array = Array.isArray(object)
      if (!array) {
        const kind = nonPlainKind(object)
        if (kind !== undefined) {
          this.#add(path, kind)
          return
        }
      }
      this.#ancestors.add(object)
      if (array) this.#visitArray(object as readonly unknown[], path, depth)
      else this.#visitProperties(object as Record<string, unknown>, path, depth)
      this.#ancestors.delete(object)
    } catch (error) {
      this.#ancestors.delete(object)
      this.#unreadable(path, error)
    }
  }

  #unreadable(path: string, error: unknown): void {
    const reason = error instanceof Error ? error.message : 'a value was thrown'
    this.#add(path, `could not be read (a getter or Proxy threw: ${reason}); pass plain data`)
  }

  #visitArray(array: readonly unknown[], path: string, depth: number): void {
    for (let index = 0; index < array.length; index++) {
      const itemPath = `${path}.${index}`
      if (!(index in array)) this.#add(itemPath, 'an empty array slot is not JSON (it would be sent as null)')
      else if (array[index] === undefined)
        this.#add(itemPath, 'undefined in an array is not JSON (it would be sent as null)')
      else this.visit(array[index], itemPath, depth + 1)
      if (this.issues.length >= MAX_ISSUES) return
    }
  }

  #visitProperties(object: Record<string, unknown>, path: string, depth: number): void {
    if (Object.getOwnPropertySymbols(object).length > 0) {
      this.#add(path, 'has Symbol keys, which JSON drops')
    }
    for (const key in object) {
      const keyPath = path === '' ? key : `${path}.${key}`
      if (FORBIDDEN_KEYS.has(key)) {
        this.#add(keyPath, `the key \`${key}\` is not allowed (it is how prototypes are polluted); rename it`)
      } else {
        let value: unknown
        try {
          value = object[key]
        } catch (error) {
          this.#unreadable(keyPath, error)
          continue
        }
        this.visit(value, keyPath, depth + 1)
      }
      if (this.issues.length >= MAX_ISSUES) return
    }
  }

  #add(path: string, message: string): void {
    if (this.issues.length < MAX_ISSUES) this.issues.push({ path, message })
  }
}

/** Why an object that is not an array is not a plain JSON object, or `undefined` if it is one. */
function nonPlainKind(object: object): string | undefined {
  const prototype: unknown = Object.getPrototypeOf(object)
  if (prototype === Object.prototype || prototype === null) return undefined
  const name = constructorName(prototype)
  if (name === undefined || name === 'Object') {
    // `{ __proto__: { … } }` in an object literal sets the prototype instead of adding a key.
    return 'is an object whose prototype was set (a `__proto__` key in an object literal?), not plain JSON'
  }
  return `a ${name} is not JSON${HINTS[name] ?? '; pass a plain object'}`
}

function constructorName(prototype: unknown): string | undefined {
  if (prototype === null || typeof prototype !== 'object') return undefined
  const descriptor = Object.getOwnPropertyDescriptor(prototype, 'constructor')
  const name: unknown = typeof descriptor?.value === 'function' ? descriptor.value.name : undefined
  return typeof name === 'string' && name !== '' ? name : undefined
}

/**
 * Throws a {@link ValidationError} about `what` when an options object has one of the
 * {@link FORBIDDEN_KEYS} as an own key (`JSON.parse` makes `__proto__` an own key), which reading
 * options by name would otherwise ignore without a word.
 */
export function assertNoForbiddenKeys(options: object, what: string, path = 'options'): void {
  for (const key of FORBIDDEN_KEYS) {
    if (Object.hasOwn(options, key)) {
      throw new ValidationError(what, [
        {
          path: path === '' ? key : `${path}.${key}`,
          message: `the key \`${key}\` is not allowed (it is how prototypes are polluted)`,
        },
      ])
    }
  }
}
