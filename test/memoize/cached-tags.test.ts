import { describeTaggedDecorators } from './cached-tags-suite'

describe('tags through the decorators, standard (TC39) decorators', () =>
  describeTaggedDecorators())
