import { describeCachedDecorators } from './cached-suite'

describe('@Cached with standard (TC39) decorators', () => describeCachedDecorators('standard'))
