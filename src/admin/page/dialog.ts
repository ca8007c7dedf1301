import { type Child, h, uniqueId } from './dom.js'

/** An open dialog. */
export interface DialogHandle {
  readonly dialog: HTMLDialogElement
  close(): void
}

/** What {@link openDialog} shows. */
export interface DialogOptions {
  readonly title: string
  readonly content: readonly Child[]
  /** Buttons at the top right of the header (Delete). */
  readonly headerActions?: readonly Child[]
  /** The element to focus first. @default the first field or button of the content */
  readonly initialFocus?: HTMLElement
  readonly onClose?: () => void
  readonly className?: string
}

/**
 * A modal `<dialog>`: the browser keeps focus inside it and makes the page behind it inert,
 * Escape closes it, and focus goes back to what opened it when it closes.
 */
export function openDialog(options: DialogOptions): DialogHandle {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
  const titleId = uniqueId('dialog-title')
  const dialog = h(
    'dialog',
    { 'aria-labelledby': titleId, class: `dialog ${options.className ?? ''}`.trim() },
    h(
      'header',
      { class: 'dialog-header' },
      h('h2', { id: titleId }, options.title),
      h('div', { class: 'dialog-header-actions' }, ...(options.headerActions ?? [])),
      h(
        'button',
        { type: 'button', class: 'icon-button', 'aria-label': 'Close', onclick: () => dialog.close() },
        '×',
      ),
    ),
    h('div', { class: 'dialog-body' }, ...options.content),
  )
  dialog.addEventListener('close', () => {
    dialog.remove()
    options.onClose?.()
    if (opener?.isConnected) opener.focus()
  })
  document.body.append(dialog)
  dialog.showModal()
  const first =
    options.initialFocus ??
    dialog.querySelector<HTMLElement>(
      '.dialog-body input:not([disabled]), .dialog-body select:not([disabled]), .dialog-body textarea:not([disabled]), .dialog-body button:not([disabled])',
    )
  first?.focus()
  return { dialog, close: () => dialog.close() }
}

/** Asks for a confirmation; resolves `true` when the user confirms. Cancel has the focus. */
export function confirmDialog(options: {
  readonly title: string
  readonly message: string
  readonly confirmLabel: string
}): Promise<boolean> {
  return new Promise((resolve) => {
    let confirmed = false
    const cancel = h('button', { type: 'button', onclick: () => handle.close() }, 'Cancel')
    const confirm = h(
      'button',
      {
        type: 'button',
        class: 'danger',
        onclick: () => {
          confirmed = true
          handle.close()
        },
      },
      options.confirmLabel,
    )
    const handle = openDialog({
      title: options.title,
      className: 'confirm',
      content: [h('p', {}, options.message), h('div', { class: 'dialog-actions' }, cancel, confirm)],
      initialFocus: cancel,
      onClose: () => resolve(confirmed),
    })
  })
}
