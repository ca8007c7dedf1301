import { describe, expect, it } from 'vitest'
import type { CatalogFieldView } from '../../../src/admin/admin-api-types.js'
import { conditionsToFilter, filterToConditions, parseScalar } from '../../../src/admin/page/filter-model.js'

const FIELDS: readonly CatalogFieldView[] = [
  { path: 'coins', type: 'integer', optional: false, nullable: false },
  { path: 'customer.tier', type: 'string', optional: false, nullable: true },
  { path: 'order.number', type: 'string', optional: false, nullable: false },
  { path: 'reason', type: 'string', enum: ['order', 'signup'], optional: false, nullable: false },
  { path: 'acceptsMarketing', type: 'boolean', optional: false, nullable: false },
]
const fieldOf = (path: string) => FIELDS.find((field) => field.path === path)

describe('filter editor model', () => {
  it('turns rows into filter JSON, typed by the catalog field', () => {
    expect(
      conditionsToFilter(
        [
          { field: 'coins', operator: 'gte', value: '100' },
          { field: 'coins', operator: 'lt', value: '500' },
          { field: 'customer.tier', operator: 'in', value: 'Gold, Silver' },
          { field: 'order.number', operator: 'eq', value: '1042' },
          { field: 'acceptsMarketing', operator: 'eq', value: 'true' },
          { field: 'customer.email', operator: 'exists', value: 'false' },
          { field: 'note', operator: 'regex', value: '^VIP' },
          { field: '', operator: 'eq', value: 'ignored' },
        ],
        fieldOf,
      ),
    ).toEqual({
      coins: { $gte: 100, $lt: 500 },
      'customer.tier': { $in: ['Gold', 'Silver'] },
      'order.number': '1042',
      acceptsMarketing: true,
      'customer.email': { $exists: false },
      note: { $regex: '^VIP' },
    })
  })

  it('keeps text the field cannot hold as text, for the API to explain', () => {
    expect(parseScalar('many', fieldOf('coins'))).toBe('many')
    expect(parseScalar('null', fieldOf('customer.tier'))).toBeNull()
    expect(parseScalar('null', fieldOf('order.number'))).toBe('null')
    expect(parseScalar('order', fieldOf('reason'))).toBe('order')
    expect(parseScalar('12', undefined)).toBe(12)
    expect(parseScalar('gold', undefined)).toBe('gold')
  })

  it('reads a filter back into rows, or says it needs the JSON editor', () => {
    expect(
      filterToConditions({ coins: { $gte: 100 }, 'customer.tier': 'Gold', tags: { $nin: ['a', 'b'] } }),
    ).toEqual([
      { field: 'coins', operator: 'gte', value: '100' },
      { field: 'customer.tier', operator: 'eq', value: 'Gold' },
      { field: 'tags', operator: 'nin', value: 'a, b' },
    ])
    expect(filterToConditions({})).toEqual([])
    for (const filter of [
      { $or: [{ coins: 1 }] },
      { items: { $elemMatch: { sku: 'x' } } },
      { customer: { tier: 'Gold' } },
      { tags: ['a'] },
      { tags: { $in: ['a,b'] } },
      { coins: {} },
      [],
    ]) {
      expect(filterToConditions(filter)).toBeUndefined()
    }
  })

  it('round-trips what the rows can show', () => {
    const filter = { coins: { $gte: 100, $ne: 150 }, reason: 'order', 'customer.tier': { $exists: true } }
    expect(conditionsToFilter(filterToConditions(filter) ?? [], fieldOf)).toEqual(filter)
  })
})
