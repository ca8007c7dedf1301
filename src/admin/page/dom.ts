/**
 * A tiny element builder. Text always goes in as text nodes: nothing from a payload, a config or
 * an error message is ever parsed as HTML (the page has no innerHTML at all).
 */

/** What `h()` accepts as children. `null`, `undefined` and `false` are skipped. */
export type Child = Node | string | number | null | undefined | false

/** Attributes; `on<event>` keys take listeners, booleans add or omit the attribute. */
export type Attributes = Record<
  string,
  string | number | boolean | null | undefined | ((event: Event) => void)
>

/** Creates an element with attributes and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: (Child | readonly Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value)
    } else if (value === true) {
      element.setAttribute(name, '')
    } else if (value !== false && value !== null && value !== undefined) {
      element.setAttribute(name, String(value))
    }
  }
  append(element, children)
  return element
}

/** Appends children (text as text nodes). */
export function append(parent: Node, children: readonly (Child | readonly Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)))
  }
}

let counter = 0

/** A unique element id, for labels and aria references. */
export function uniqueId(prefix: string): string {
  counter += 1
  return `${prefix}-${counter}`
}

/** `<code>` text. */
export function code(text: string): HTMLElement {
  return h('code', {}, text)
}

/** Text with `backticks` shown as code, as the catalog's descriptions write them. Text nodes only. */
export function richText(text: string): (string | HTMLElement)[] {
  return text.split('`').map((part, index) => (index % 2 === 1 ? code(part) : part))
}
