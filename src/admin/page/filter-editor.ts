import type { CatalogFieldView, ErrorIssueView } from '../admin-api-types.js'
import { h, richText, uniqueId } from './dom.js'
import {
  type Condition,
  conditionsToFilter,
  filterToConditions,
  OPERATORS,
  type Operator,
} from './filter-model.js'

/** The filter editor of the subscription dialog. */
export interface FilterEditor {
  readonly element: HTMLElement
  /** The filter, or `undefined` (with the reason shown) when its JSON is not a valid object. */
  value(): Record<string, unknown> | undefined
  /** Offers the fields of another event. */
  setFields(fields: readonly CatalogFieldView[]): void
  /** Shows the issues at `filter...` by their row and under the JSON; returns the others. */
  showIssues(issues: readonly ErrorIssueView[]): ErrorIssueView[]
  clearIssues(): void
}

interface Row {
  condition: Condition
  readonly element: HTMLElement
  readonly field: HTMLInputElement
  readonly operator: HTMLSelectElement
  readonly valueSlot: HTMLElement
  value: HTMLInputElement | HTMLSelectElement
  readonly message: HTMLElement
}

/**
 * Rows of "field, operator, value" built from the catalog's filterable fields, with the filter's
 * JSON beside them; either side can be edited and the other follows. A filter the rows cannot
 * show (`$or`, `$elemMatch`...) is edited as JSON. The API's own check ("did you mean") shows
 * by the row it is about.
 */
export function filterEditor(
  initial: Readonly<Record<string, unknown>>,
  initialFields: readonly CatalogFieldView[],
): FilterEditor {
  let fields = initialFields
  let rows: Row[] = []
  const datalist = h('datalist', { id: uniqueId('filter-fields') })
  const rowsBox = h('div', { class: 'conditions' })
  const rowsNote = h('p', { class: 'hint' })
  const addButton = h(
    'button',
    { type: 'button', onclick: () => addRow({ field: '', operator: 'eq', value: '' }, true) },
    'Add condition',
  )
  const jsonId = uniqueId('filter-json')
  const json = h('textarea', {
    id: jsonId,
    class: 'code',
    rows: 8,
    spellcheck: 'false',
    'aria-describedby': `${jsonId}-error`,
  })
  const jsonError = h('p', { class: 'field-error', id: `${jsonId}-error`, hidden: true })
  const issuesList = h('ul', { class: 'issues', hidden: true })

  const fieldOf = (path: string) => fields.find((field) => field.path === path)

  const renderDatalist = () => {
    datalist.replaceChildren(
      ...fields.map((field) =>
        h(
          'option',
          { value: field.path },
          `${field.type}${field.description ? `: ${field.description}` : ''}`,
        ),
      ),
    )
  }

  const writeJson = () => {
    json.value = JSON.stringify(
      conditionsToFilter(
        rows.map((row) => row.condition),
        fieldOf,
      ),
      null,
      2,
    )
    setJsonError('')
  }

  const setJsonError = (message: string) => {
    jsonError.textContent = message
    jsonError.hidden = message === ''
    if (message === '') json.removeAttribute('aria-invalid')
    else json.setAttribute('aria-invalid', 'true')
  }

  const renumber = () => {
    rows.forEach((row, index) => {
      const n = index + 1
      row.element.setAttribute('aria-label', `Condition ${n}`)
      row.field.setAttribute('aria-label', `Field of condition ${n}`)
      row.operator.setAttribute('aria-label', `Operator of condition ${n}`)
      row.value.setAttribute('aria-label', `Value of condition ${n}`)
      row.element.querySelector('.remove')?.setAttribute('aria-label', `Remove condition ${n}`)
    })
    rowsNote.textContent = rows.length === 0 ? 'No conditions: every event of this type is sent.' : ''
    rowsNote.hidden = rows.length !== 0
  }

  /** The choices a row's value offers (`undefined`: free text), from its field and operator. */
  const choicesOf = (condition: Condition): string[] | undefined => {
    const field = fieldOf(condition.field.trim())
    if (condition.operator === 'exists') return ['true', 'false']
    if (condition.operator !== 'eq' && condition.operator !== 'ne') return undefined
    return field?.type === 'boolean' ? ['true', 'false'] : field?.enum?.map(String)
  }

  const valueControl = (row: Pick<Row, 'condition'>): HTMLInputElement | HTMLSelectElement => {
    const { operator, value } = row.condition
    const field = fieldOf(row.condition.field.trim())
    const choices = choicesOf(row.condition)
    if (choices !== undefined) {
      const select = h(
        'select',
        {},
        !choices.includes(value) && h('option', { value, selected: true }, value === '' ? 'Choose…' : value),
        choices.map((choice) => h('option', { value: choice, selected: choice === value }, choice)),
      )
      return select
    }
    const input = h('input', {
      type: 'text',
      spellcheck: 'false',
      autocomplete: 'off',
      placeholder: placeholderOf(operator, field),
    })
    input.value = value
    return input
  }

  const addRow = (condition: Condition, focus: boolean) => {
    const field = h('input', {
      type: 'text',
      list: datalist.id,
      spellcheck: 'false',
      autocomplete: 'off',
      placeholder: 'field, e.g. customer.tier',
    })
    field.value = condition.field
    const operator = h(
      'select',
      {},
      OPERATORS.map((op) =>
        h('option', { value: op.value, selected: op.value === condition.operator }, op.label),
      ),
    )
    const valueSlot = h('span', { class: 'value-slot' })
    const message = h('p', { class: 'field-error', hidden: true })
    const element = h(
      'div',
      { class: 'condition', role: 'group' },
      field,
      operator,
      valueSlot,
      h('button', { type: 'button', class: 'remove icon-button', onclick: () => removeRow(row) }, '×'),
      message,
    )
    const row: Row = {
      condition,
      element,
      field,
      operator,
      valueSlot,
      value: valueControl({ condition }),
      message,
    }
    valueSlot.append(row.value)
    const update = (rebuildValue: boolean) => {
      const before = row.condition
      row.condition = { field: field.value, operator: operator.value as Operator, value: row.value.value }
      // Only when the kind of value changes (text, a choice of values): a control replaced
      // under the user's hands would lose their focus.
      if (rebuildValue && JSON.stringify(choicesOf(before)) !== JSON.stringify(choicesOf(row.condition))) {
        const hadFocus = document.activeElement === row.value
        const next = valueControl(row)
        row.value.replaceWith(next)
        row.value = next
        next.addEventListener('input', () => update(false))
        next.addEventListener('change', () => update(false))
        renumber()
        if (hadFocus) next.focus()
      } else if (row.value instanceof HTMLInputElement) {
        row.value.placeholder = placeholderOf(row.condition.operator, fieldOf(row.condition.field.trim()))
      }
      clearRowIssue(row)
      writeJson()
    }
    field.addEventListener('input', () => update(false))
    field.addEventListener('change', () => update(true))
    operator.addEventListener('change', () => update(true))
    row.value.addEventListener('input', () => update(false))
    row.value.addEventListener('change', () => update(false))
    rows.push(row)
    rowsBox.append(element)
    renumber()
    if (focus) {
      writeJson()
      field.focus()
    }
  }

  const removeRow = (row: Row) => {
    const index = rows.indexOf(row)
    rows = rows.filter((candidate) => candidate !== row)
    row.element.remove()
    renumber()
    writeJson()
    // Focus stays in the editor: the next row's remove button, or "Add condition".
    const next = rows[Math.min(index, rows.length - 1)]
    ;(next?.element.querySelector<HTMLElement>('.remove') ?? addButton).focus()
  }

  const setRows = (conditions: readonly Condition[] | undefined) => {
    rows = []
    rowsBox.replaceChildren()
    const editable = conditions !== undefined
    addButton.disabled = !editable
    if (!editable) {
      rowsNote.textContent =
        'This filter uses operators the rows cannot show ($or, $elemMatch...): edit it as JSON.'
      rowsNote.hidden = false
      return
    }
    for (const condition of conditions) addRow(condition, false)
    renumber()
  }

  json.addEventListener('input', () => {
    let parsed: unknown
    try {
      parsed = JSON.parse(json.value === '' ? '{}' : json.value)
    } catch (error) {
      setJsonError(`Not valid JSON: ${(error as Error).message}`)
      return
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      setJsonError('A filter is a JSON object, e.g. { "coins": { "$gte": 100 } }.')
      return
    }
    setJsonError('')
    setRows(filterToConditions(parsed))
  })

  const clearRowIssue = (row: Row) => {
    row.message.replaceChildren()
    row.message.hidden = true
    row.field.removeAttribute('aria-invalid')
  }

  renderDatalist()
  setRows(filterToConditions(initial))
  json.value = JSON.stringify(initial, null, 2)

  const element = h(
    'fieldset',
    { class: 'filter-editor' },
    h('legend', {}, 'Filter'),
    h(
      'p',
      { class: 'hint' },
      'Send the event only when every condition holds. Leave empty to send every event.',
    ),
    h(
      'div',
      { class: 'filter-grid' },
      h('div', { class: 'filter-rows' }, rowsBox, rowsNote, addButton, datalist),
      h('div', { class: 'filter-json' }, h('label', { for: jsonId }, 'Filter as JSON'), json, jsonError),
    ),
    issuesList,
  )

  return {
    element,
    value: () => {
      try {
        const parsed: unknown = JSON.parse(json.value.trim() === '' ? '{}' : json.value)
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
          return parsed as Record<string, unknown>
        setJsonError('A filter is a JSON object, e.g. { "coins": { "$gte": 100 } }.')
      } catch (error) {
        setJsonError(`Not valid JSON: ${(error as Error).message}`)
      }
      json.focus()
      return undefined
    },
    setFields: (next) => {
      fields = next
      renderDatalist()
    },
    showIssues: (issues) => {
      const rest: ErrorIssueView[] = []
      const mine = issues.filter((issue) => issue.path === 'filter' || issue.path.startsWith('filter.'))
      for (const issue of issues) if (!mine.includes(issue)) rest.push(issue)
      // Each issue by the row of its field; those of no row (`$or`, JSON-only filters) under the JSON.
      const unplaced: ErrorIssueView[] = []
      for (const issue of mine) {
        const path = issue.path.slice('filter.'.length)
        const row = rows.find((candidate) => {
          const field = candidate.condition.field.trim()
          return field !== '' && (path === field || path.startsWith(`${field}.$`))
        })
        if (row) showRowIssue(row, issue.message)
        else unplaced.push(issue)
      }
      issuesList.replaceChildren(
        ...unplaced.map((issue) => h('li', {}, `${issue.path}: `, ...richText(issue.message))),
      )
      issuesList.hidden = unplaced.length === 0
      return rest
    },
    clearIssues: () => {
      issuesList.replaceChildren()
      issuesList.hidden = true
      for (const row of rows) clearRowIssue(row)
    },
  }

  function showRowIssue(row: Row, message: string): void {
    row.field.setAttribute('aria-invalid', 'true')
    const suggestion = /did you mean `([^`]+)`\?/.exec(message)?.[1]
    const fix =
      suggestion !== undefined && fieldOf(suggestion) !== undefined
        ? h(
            'button',
            {
              type: 'button',
              class: 'link',
              onclick: () => {
                row.field.value = suggestion
                row.field.dispatchEvent(new Event('change'))
                row.field.focus()
              },
            },
            `Use ${suggestion}`,
          )
        : undefined
    row.message.replaceChildren(...richText(message), fix ? ' ' : '', fix ?? '')
    row.message.hidden = false
  }
}

function placeholderOf(operator: Operator, field: CatalogFieldView | undefined): string {
  if (operator === 'in' || operator === 'nin') return 'values, comma-separated'
  if (operator === 'regex') return 'pattern, e.g. ^VIP'
  if (field?.type === 'date') return 'e.g. 2025-01-31T00:00:00Z'
  if (field?.type === 'number' || field?.type === 'integer') return 'a number'
  return 'value'
}
