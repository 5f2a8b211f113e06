import { describeCacheOption } from './cache-option-suite'

describe("the decorators' cache option as a function of the instance, TC39 decorators", () =>
  describeCacheOption())
