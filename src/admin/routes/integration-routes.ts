import { NotFoundError } from '../../errors/not-found-error.js'
import { ValidationError } from '../../errors/validation-error.js'
import type { Integration, IntegrationInput, IntegrationPatch } from '../../integrations/integration.js'
import { describeAdapter } from '../describe-adapter.js'
import { assertNoPlaceholder, toIntegrationView } from '../integration-view.js'
import type { Route, RouteContext } from '../route.js'

/** The adapter types (their config forms) and the scope's integrations. */
export const integrationRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: 'adapters',
    changes: false,
    run: ({ adapters }) => ({ status: 200, body: [...adapters.values()].map(describeAdapter) }),
  },
  {
    method: 'GET',
    path: 'integrations',
    changes: false,
    run: (context) => ({ status: 200, body: context.scope.integrations.list().map((i) => view(context, i)) }),
  },
  {
    method: 'POST',
    path: 'integrations',
    changes: true,
    run: (context) => {
      const input = context.body as IntegrationInput
      assertNoPlaceholder(input?.config, 'integration')
      // The router validates the whole input (unknown keys included) and changes nothing if it refuses.
      return { status: 201, body: view(context, context.scope.integrations.add(input)) }
    },
  },
  {
    method: 'GET',
    path: 'integrations/:id',
    changes: false,
    run: (context) => ({ status: 200, body: view(context, existing(context)) }),
  },
  {
    method: 'PATCH',
    path: 'integrations/:id',
    changes: true,
    run: (context) => {
      const id = context.params[0] as string
      const patch = toPatch(context.body)
      return { status: 200, body: view(context, context.scope.integrations.update(id, patch)) }
    },
  },
  {
    method: 'DELETE',
    path: 'integrations/:id',
    changes: true,
    run: ({ scope, params }) => {
      scope.integrations.remove(params[0] as string)
      return { status: 204 }
    },
  },
  {
    method: 'POST',
    path: 'integrations/:id/enable',
    changes: true,
    run: (context) => ({ status: 200, body: view(context, context.scope.integrations.enable(id(context))) }),
  },
  {
    method: 'POST',
    path: 'integrations/:id/disable',
    changes: true,
    run: (context) => ({ status: 200, body: view(context, context.scope.integrations.disable(id(context))) }),
  },
]

function id(context: RouteContext): string {
  return context.params[0] as string
}

function view(context: RouteContext, integration: Integration) {
  return toIntegrationView(integration, context.adapters.get(integration.type))
}

/** The integration, or the router's own `NotFoundError` (another tenant's id included). */
function existing(context: RouteContext): Integration {
  const integration = context.scope.integrations.get(id(context))
  if (integration === undefined) throw new NotFoundError('integration', id(context), 'id')
  return integration
}

/**
 * The router's patch from the request's: JSON has no `undefined`, so the keys to remove from the
 * config (a secret to clear, an optional field emptied) come as `unsetConfig: ['secret']`.
 */
function toPatch(body: unknown): IntegrationPatch {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body as IntegrationPatch
  const { unsetConfig, ...patch } = body as Record<string, unknown> & { unsetConfig?: unknown }
  assertNoPlaceholder(patch.config, 'integration patch')
  const given = patch.config
  // A config that is not an object is the router's to refuse, with its own message.
  if (
    unsetConfig === undefined ||
    (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given)))
  ) {
    return patch as IntegrationPatch
  }
  if (!Array.isArray(unsetConfig) || !unsetConfig.every((key) => typeof key === 'string')) {
    throw new ValidationError('integration patch', [
      { path: 'unsetConfig', message: 'expected an array of config keys to remove' },
    ])
  }
  const config: Record<string, unknown> = { ...(given as Record<string, unknown> | undefined) }
  for (const [index, key] of unsetConfig.entries()) {
    if (Object.hasOwn(config, key)) {
      throw new ValidationError('integration patch', [
        {
          path: `unsetConfig.${index}`,
          message: `\`${key}\` is both set (config) and removed (unsetConfig)`,
        },
      ])
    }
    // The router's patch removes a key set to undefined, then validates the config again.
    Object.defineProperty(config, key, {
      value: undefined,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return { ...patch, config } as IntegrationPatch
}
