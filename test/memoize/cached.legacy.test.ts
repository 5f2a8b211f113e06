import { describeCachedDecorators } from './cached-suite'

describe('@Cached with experimentalDecorators', () => describeCachedDecorators('legacy'))
