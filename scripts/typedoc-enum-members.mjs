// A typedoc plugin (typedoc.json `plugin`) for one kind of member only: the members of the value map
// zod builds for `z.enum(['paid', 'refunded'])`, whose type is `ZodEnum<{ paid: 'paid'; refunded:
// 'refunded' }>`. That map is made by a mapped type inside zod, so its members have no declaration
// in our source to carry JSDoc, and typedoc would report each of them (182 in the loyalty catalog)
// as undocumented. Each such member is its own value; it gets that as its comment. Any other
// member without JSDoc is still reported.
import { Comment, Converter, ReflectionKind } from 'typedoc'

/** @param {import('typedoc').Application} app */
export function load(app) {
  /** Properties whose symbol has no declaration: synthesized by a mapped type. */
  const synthesized = new Set()
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Property)) return
    if (!reflection.parent?.kindOf(ReflectionKind.TypeLiteral)) return
    const symbol = context.getSymbolFromReflection(reflection)
    if (symbol !== undefined && (symbol.declarations ?? []).length === 0) synthesized.add(reflection)
  })
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, () => {
    for (const reflection of synthesized) {
      const type = reflection.type
      const isOwnValue = type?.type === 'literal' && type.value === reflection.name
      if (isOwnValue && !reflection.hasComment()) {
        reflection.comment = new Comment([
          { kind: 'text', text: 'The value ' },
          { kind: 'code', text: `\`'${reflection.name}'\`` },
          { kind: 'text', text: '.' },
        ])
      }
    }
    synthesized.clear()
  })
}
