import { describeMethodNames } from './method-names-suite'

describe('names of decorated methods in keys, standard (TC39) decorators', () =>
  describeMethodNames())
