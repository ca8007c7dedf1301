// Klaviyo Bulk Create Events, `POST /api/event-bulk-create-jobs`
// (developers.klaviyo.com/en/reference/bulk_create_events): "Create a batch of events for one or
// more profiles ... Accepts up to 1,000 events per request. The maximum allowed payload size is
// 5MB." Body: `{ data: { type: 'event-bulk-create-job', attributes: { 'events-bulk-create': {
// data: [{ type: 'event-bulk-create', attributes: { profile: { data: { type: 'profile',
// attributes } }, events: { data: [{ type: 'event', attributes }] } } }] } } } }`: events are
// grouped per profile. "If unique_id is repeated for the same profile and metric, the request
// will fail and no events will be processed": the request is all or nothing.

import type { BatchItem } from '../adapter-batching.js'

/** Most events in one Bulk Create Events request ("up to 1,000 events per request"). */
export const KLAVIYO_BULK_MAX_EVENTS = 1000

/** Where each item of a batch goes in the request: its profile group and its place in the group's events. */
export interface KlaviyoBulkLayout {
  /** Per profile group, in order of first appearance: its key (the profile JSON) and its items' indices. */
  readonly groups: readonly { readonly profile: string; readonly items: readonly number[] }[]
}

/** Groups the items of a batch per profile, keeping the order they joined in. */
export function klaviyoBulkLayout(items: readonly BatchItem[]): KlaviyoBulkLayout {
  const byProfile = new Map<string, number[]>()
  items.forEach((item, index) => {
    const profile = item.group ?? '{}'
    const list = byProfile.get(profile)
    if (list) list.push(index)
    else byProfile.set(profile, [index])
  })
  return { groups: [...byProfile].map(([profile, indices]) => ({ profile, items: indices })) }
}

/** The Bulk Create Events body of a batch: items are event JSON, grouped by their profile JSON. */
export function buildKlaviyoBulkRequest(items: readonly BatchItem[]): string {
  const { groups } = klaviyoBulkLayout(items)
  // Joined as text: every item is JSON already, and parsing it again would cost more than the send.
  const parts = groups.map(
    ({ profile, items: indices }) =>
      `{"type":"event-bulk-create","attributes":{"profile":{"data":{"type":"profile","attributes":${profile}}},"events":{"data":[${indices.map((index) => (items[index] as BatchItem).json).join(',')}]}}}`,
  )
  return `{"data":{"type":"event-bulk-create-job","attributes":{"events-bulk-create":{"data":[${parts.join(',')}]}}}}`
}

// `/data/attributes/events-bulk-create/data/<group>[/attributes/events/data/<event>]...`
const POINTER = /^\/data\/attributes\/events-bulk-create\/data\/(\d+)(?:\/attributes\/events\/data\/(\d+))?/

/**
 * The items an error's `source.pointer` names: one event, or every event of a profile group
 * (a pointer into the profile), or `undefined` when it names no item of the batch.
 */
export function itemsAtPointer(layout: KlaviyoBulkLayout, pointer: string): readonly number[] | undefined {
  const match = POINTER.exec(pointer)
  if (!match) return undefined
  const group = layout.groups[Number(match[1])]
  if (!group) return undefined
  if (match[2] === undefined) {
    // Into the group but not into one event: the profile (or the whole group) is wrong.
    return group.items
  }
  const item = group.items[Number(match[2])]
  return item === undefined ? undefined : [item]
}
