import type { AdapterFieldView, AdapterView, ErrorIssueView, IntegrationView } from '../admin-api-types.js'
import { h, richText, uniqueId } from './dom.js'

/** What the form read: the config to send and the keys to remove, or `undefined` when a field is not valid JSON. */
export interface ConfigValue {
  readonly config: Record<string, unknown>
  readonly unset: readonly string[]
}

/** The config fields of one adapter, as a fieldset. */
export interface ConfigForm {
  readonly element: HTMLElement
  read(): ConfigValue | undefined
  /** Shows the issues at `config.<field>` next to their field; returns those it could not place. */
  showIssues(issues: readonly ErrorIssueView[]): ErrorIssueView[]
  clearIssues(): void
}

interface FieldControl {
  readonly field: AdapterFieldView
  readonly input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement
  readonly remove: HTMLInputElement | undefined
  readonly error: HTMLElement
}

/**
 * A form built from the adapter's config schema: text, number, yes/no and choice inputs, JSON for
 * objects and lists. Secret fields are write-only: they start empty, say whether a value is saved,
 * and are sent only when something is typed (or removed with their checkbox).
 */
export function configForm(adapter: AdapterView, existing: IntegrationView | undefined): ConfigForm {
  const controls = adapter.fields.map((field) => control(field, existing))
  // A schema that does not show its fields: the (non-secret) config as one JSON object.
  const whole = adapter.freeform ? wholeConfig(existing) : undefined
  const element = h(
    'fieldset',
    { class: 'config' },
    h('legend', {}, `${adapter.type} settings`),
    controls.length === 0 && !whole && h('p', { class: 'hint' }, 'This adapter has no settings.'),
    whole &&
      h(
        'div',
        { class: 'field' },
        h('label', { for: whole.input.id }, 'Settings ', h('span', { class: 'hint' }, '(JSON)')),
        whole.input,
        whole.error,
      ),
    controls.map(({ field, input, remove, error }) =>
      h(
        'div',
        { class: 'field' },
        h(
          'label',
          { for: input.id },
          field.name,
          ' ',
          h('span', { class: 'hint' }, qualifier(field, existing)),
        ),
        input,
        remove && h('label', { class: 'checkbox' }, remove, ' Remove the saved value'),
        field.description !== undefined &&
          h('p', { class: 'hint', id: `${input.id}-hint` }, field.description),
        error,
      ),
    ),
  )
  return {
    element,
    read: () => {
      const config: Record<string, unknown> = {}
      const unset: string[] = []
      let valid = true
      if (whole) {
        setError(whole.input, whole.error, '')
        const parsed = parseObject(whole.input.value)
        if (parsed === INVALID) {
          setError(whole.input, whole.error, 'Expected a JSON object, e.g. { "region": "eu" }.')
          valid = false
        } else {
          for (const [key, value] of Object.entries(parsed)) {
            Object.defineProperty(config, key, {
              value,
              enumerable: true,
              writable: true,
              configurable: true,
            })
          }
          for (const key of Object.keys(existing?.config ?? {})) if (!(key in parsed)) unset.push(key)
        }
      }
      for (const { field, input, remove, error } of controls) {
        setError(input, error, '')
        if (remove?.checked) {
          unset.push(field.name)
          continue
        }
        const raw = input.value
        if (raw.trim() === '') {
          // An emptied field that had a value is removed; an empty secret keeps the saved one.
          if (!field.secret && existing !== undefined && existing.config[field.name] !== undefined) {
            unset.push(field.name)
          }
          continue
        }
        const value = parse(field, raw)
        if (value === INVALID) {
          setError(input, error, 'Not valid JSON.')
          valid = false
          continue
        }
        Object.defineProperty(config, field.name, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        })
      }
      return valid ? { config, unset } : undefined
    },
    showIssues: (issues) => {
      const rest: ErrorIssueView[] = []
      for (const issue of issues) {
        const name = issue.path.startsWith('config.')
          ? issue.path.slice('config.'.length).split('.')[0]
          : undefined
        const target = controls.find((c) => c.field.name === name)
        if (target) setError(target.input, target.error, issue.message)
        else rest.push(issue)
      }
      return rest
    },
    clearIssues: () => {
      for (const { input, error } of controls) setError(input, error, '')
    },
  }
}

const INVALID = Symbol('invalid')

function parse(field: AdapterFieldView, raw: string): unknown {
  switch (field.kind) {
    case 'number':
    case 'integer':
      return Number.isFinite(Number(raw)) ? Number(raw) : raw
    case 'boolean':
      return raw === 'true'
    case 'enum':
      return field.enum?.find((value) => String(value) === raw) ?? raw
    case 'json':
      try {
        return JSON.parse(raw) as unknown
      } catch {
        return INVALID
      }
    default:
      return raw
  }
}

function qualifier(field: AdapterFieldView, existing: IntegrationView | undefined): string {
  if (field.secret) {
    const saved = existing?.secrets[field.name] === true
    return saved ? '(secret, saved: type a new value to replace it)' : '(secret)'
  }
  return field.required ? '(required)' : '(optional)'
}

function control(field: AdapterFieldView, existing: IntegrationView | undefined): FieldControl {
  const id = uniqueId(`config-${field.name}`)
  const current = field.secret ? undefined : existing?.config[field.name]
  const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true })
  const described = [field.description !== undefined ? `${id}-hint` : '', `${id}-error`]
    .filter(Boolean)
    .join(' ')
  const common = {
    id,
    name: field.name,
    'aria-describedby': described,
    'aria-required': field.required && existing === undefined ? 'true' : null,
  }
  let input: FieldControl['input']
  if (field.kind === 'enum' || field.kind === 'boolean') {
    const values = field.kind === 'boolean' ? [true, false] : (field.enum ?? [])
    input = h(
      'select',
      common,
      !field.required && h('option', { value: '' }, '(default)'),
      values.map((value) =>
        h('option', { value: String(value), selected: current === value }, String(value)),
      ),
    )
  } else if (field.kind === 'json') {
    input = h('textarea', { ...common, rows: 3, spellcheck: 'false', class: 'code' })
    input.value = current === undefined ? '' : JSON.stringify(current, null, 2)
  } else {
    input = h('input', {
      ...common,
      type: field.secret ? 'password' : field.kind === 'string' ? 'text' : 'number',
      ...(field.kind === 'integer' ? { step: 1 } : field.kind === 'number' ? { step: 'any' } : {}),
      autocomplete: field.secret ? 'new-password' : 'off',
      spellcheck: 'false',
    })
    input.value = current === undefined ? '' : String(current)
  }
  // A field being corrected no longer shows the error about its old value.
  input.addEventListener('input', () => setError(input, error, ''))
  const saved = field.secret && existing?.secrets[field.name] === true
  const remove =
    saved && !field.required ? h('input', { type: 'checkbox', name: `${field.name}-remove` }) : undefined
  return { field, input, remove, error }
}

function setError(input: HTMLElement, error: HTMLElement, message: string): void {
  error.replaceChildren(...richText(message))
  error.hidden = message === ''
  if (message === '') input.removeAttribute('aria-invalid')
  else input.setAttribute('aria-invalid', 'true')
}

function wholeConfig(existing: IntegrationView | undefined): {
  input: HTMLTextAreaElement
  error: HTMLElement
} {
  const id = uniqueId('config-json')
  const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true })
  const input = h('textarea', {
    id,
    rows: 6,
    spellcheck: 'false',
    class: 'code',
    'aria-describedby': `${id}-error`,
  })
  input.value = JSON.stringify(existing?.config ?? {}, null, 2)
  input.addEventListener('input', () => setError(input, error, ''))
  return { input, error }
}

function parseObject(text: string): Record<string, unknown> | typeof INVALID {
  try {
    const value: unknown = JSON.parse(text.trim() === '' ? '{}' : text)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : INVALID
  } catch {
    return INVALID
  }
}
