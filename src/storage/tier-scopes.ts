import { isInProcessTier, type InProcessTier, type Tier } from './tier'

/** Which tiers a removal reaches: all, those not `shared` with other processes, or the in-process ones. */
export type RemovalScope = 'every tier' | 'local' | 'in-process'

/** Any group of tiers the stack addresses: a removal scope, or the slower tiers a clear waits for. */
export type Scope = RemovalScope | 'persistent' | 'local persistent'

/** A tier and its position in the stack (events name tiers by position). */
export type Layer<T extends Tier = Tier> = { readonly tier: T; readonly index: number }

export interface TierScopes {
  readonly inProcess: readonly Layer<InProcessTier>[]
  readonly of: Readonly<Record<Scope, readonly Layer[]>>
}

/**
 * Groups the tiers once, at construction. 'local': the tiers of this process alone (not `shared`), where a
 * bus message from another process drops keys; 'persistent': the tiers that are not in-process.
 */
export function tierScopes(tiers: readonly Tier[]): TierScopes {
  const layers = tiers.map((tier, index) => ({ tier, index }))
  const inProcess = layers.filter((l): l is Layer<InProcessTier> => isInProcessTier(l.tier))
  const persistent = layers.filter((l) => !isInProcessTier(l.tier))
  const notShared = (l: Layer) => l.tier.shared !== true
  return {
    inProcess,
    of: {
      'every tier': layers,
      'in-process': inProcess,
      local: layers.filter(notShared),
      persistent,
      'local persistent': persistent.filter(notShared),
    },
  }
}
