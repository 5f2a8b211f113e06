import type { Cache } from '../storage/cache'

/**
 * What `@Cached(…)` and `@InvalidatesCache(…)` return: a decorator of asynchronous methods, typed for both
 * decorator modes, so that `tsc` refuses what the runtime would refuse or get wrong: a getter, a field or
 * an accessor; a private method; a synchronous method (its calls would return a promise its type does not
 * say); a method whose arguments the options' functions cannot take (a key function of other parameters).
 * The functions may take fewer arguments than the method.
 *
 * @example
 * ```ts
 * import { Cached } from 'tiercache'
 *
 * class Videos {
 *   @Cached({ key: (id: string) => `video_${id}` })
 *   async load(id: string) {
 *     return { id }
 *   }
 *
 *   // @ts-expect-error: a synchronous method's calls would return a promise its type does not say
 *   @Cached() title() {
 *     return 'not cached'
 *   }
 * }
 * ```
 */
export interface AsyncMethodDecorator<A extends unknown[], R> {
  /** Standard (TC39) decorators. */
  <This, Args extends unknown[], Result extends R>(
    method: (this: This, ...args: Args) => Promise<Result>,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => Promise<Result>> & {
      readonly private: false
    } & ArgumentsFit<A, Args>,
  ): void
  /** `experimentalDecorators`. */
  <This, Args extends unknown[], Result extends R>(
    target: object,
    name: string | symbol,
    descriptor: TypedPropertyDescriptor<(this: This, ...args: Args) => Promise<Result>> &
      ArgumentsFit<A, Args>,
  ): void
}

/**
 * Nothing when functions taking `A` can be called with the method's arguments `Args` (a prefix of them
 * will do), else a property no context or descriptor has, whose name says what is wrong. Checked on the exact
 * `Args` rather than as a constraint: a constraint that fails falls back to itself, and a method taking fewer
 * arguments than the key function would then pass.
 */
type ArgumentsFit<A extends unknown[], Args extends unknown[]> = [Args] extends [
  [...A, ...unknown[]],
]
  ? unknown
  : {
      readonly 'the key (or other) function of the options takes other arguments than the method': A
    }

/**
 * What `@CacheConfig(…)` returns: a class decorator, in both decorator modes (not one for methods).
 *
 * @example
 * ```ts
 * import { CacheConfig, Cached } from 'tiercache'
 *
 * @CacheConfig({ namespace: 'video', version: 2 })
 * class VideoService {
 *   @Cached()
 *   async metadata(videoId: string) {
 *     return { videoId }
 *   }
 * }
 * ```
 */
export interface ClassOnlyDecorator {
  /** Standard (TC39) decorators. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any constructor, whatever it takes
  <C extends abstract new (...args: any[]) => unknown>(
    target: C,
    context: ClassDecoratorContext<C>,
  ): void
  /** `experimentalDecorators`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any constructor, whatever it takes
  <C extends abstract new (...args: any[]) => unknown>(target: C): void
}

/**
 * The `cache` option of the decorators: a `Cache`, or a function of the instance (of the class, for a static
 * method) returning one, called at each call, so that a cache injected into the instance (a NestJS provider)
 * serves its methods. `self` is typed `any`: the options are written before the class they decorate exists.
 * @example @Cached({ cache: (self: VideoService) => self.cache })
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the instance, whatever its class
export type CacheOption = Cache | ((self: any) => Cache)
