import { describeDecoratorReview } from './decorators-suite'

describe('decorators (experimentalDecorators)', () => describeDecoratorReview())
