// The decorator machinery shared by @Cached and @InvalidatesCache: one method transform, both decorator flavours.

export type AnyMethod = (this: unknown, ...args: unknown[]) => unknown

export interface MethodContext {
  kind: string
  name: string | symbol
  private?: boolean
  static?: boolean
  addInitializer?(initializer: (this: unknown) => void): void
}

/**
 * The class that declares a decorated method. Known at decoration time under legacy decorators; under
 * standard ones it is learnt when the class (static method) or its first instance is initialised, so a
 * first call without `this` (a method passed as a callback) still finds the class and its @CacheConfig.
 */
export class Owner {
  #known: Named | undefined

  constructor(known?: Named) {
    this.#known = known
  }

  learn(candidate: Named): void {
    this.#known ??= candidate
  }

  /** `Class.method` when the class is known already (legacy decorators), else `method`: for messages. */
  describe(methodName: string): string {
    return this.#known ? `${this.#known.name}.${methodName}` : methodName
  }

  get(self: unknown): Named {
    return this.#known ?? (self?.constructor as Named | undefined) ?? { name: 'anonymous' }
  }
}

export type Named = { readonly name: string }

/** Adapts one method transform to both decorator flavours. */
export function decorateMethod(
  decorator: string,
  transform: (method: AnyMethod, methodName: string, owner: Owner, isStatic: boolean) => AnyMethod,
) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the two flavours pass different arguments
  return function (...params: any[]): any {
    const [first, second, third] = params as [unknown, unknown, unknown]
    if (isStandardContext(second)) {
      if (second.kind !== 'method')
        throw new TypeError(`@${decorator} decorates methods only (got a ${second.kind})`)
      if (second.private) throw new TypeError(`@${decorator} cannot decorate a private method`)
      const owner = new Owner()
      const replacement = transform(
        first as AnyMethod,
        String(second.name),
        owner,
        second.static === true,
      )
      second.addInitializer?.(function (this: unknown) {
        // `this` is the class for a static method, else an instance under construction (maybe of a subclass).
        owner.learn(second.static ? (this as Named) : ownerOf(this, second.name, replacement))
      })
      return replacement
    }
    const descriptor = third as PropertyDescriptor | undefined
    if (!descriptor || typeof descriptor.value !== 'function')
      throw new TypeError(`@${decorator} decorates methods only`)
    // Legacy decorators get the prototype, or the class itself for a static method.
    const owner = new Owner(
      typeof first === 'function' ? (first as Named) : ((first as object).constructor as Named),
    )
    descriptor.value = transform(
      descriptor.value as AnyMethod,
      String(second),
      owner,
      typeof first === 'function',
    )
    return descriptor
  }
}

export function isStandardContext(value: unknown): value is MethodContext {
  return typeof value === 'object' && value !== null && 'kind' in value && 'name' in value
}

/**
 * The class that declares the method: the first object on `self`'s prototype chain (or `self` itself, for a
 * static method) that holds `replacement` as its own property. A subclass instance thus keys by the declaring class.
 */
function ownerOf(self: unknown, methodName: string | symbol, replacement: unknown): Named {
  for (let o = self as object | null; o !== null && o !== undefined; o = Object.getPrototypeOf(o)) {
    const own = Object.getOwnPropertyDescriptor(o, methodName)
    if (own?.value === replacement)
      return typeof o === 'function' ? (o as { name: string }) : (o.constructor as { name: string })
  }
  return (
    ((self as object | null)?.constructor as { name: string } | undefined) ?? { name: 'anonymous' }
  )
}
