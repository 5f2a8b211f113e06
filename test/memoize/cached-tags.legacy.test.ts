import { describeTaggedDecorators } from './cached-tags-suite'

describe('tags through the decorators, experimentalDecorators', () => describeTaggedDecorators())
