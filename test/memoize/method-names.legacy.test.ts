import { describeMethodNames } from './method-names-suite'

describe('names of decorated methods in keys, legacy decorators', () => describeMethodNames())
