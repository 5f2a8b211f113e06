import { describeDecoratorReview } from './decorators-suite'

describe('decorators (standard)', () => describeDecoratorReview())
