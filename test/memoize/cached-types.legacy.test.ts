import { describeDecoratorTypes } from './cached-types-suite'

describe('decorator types (experimentalDecorators)', () => describeDecoratorTypes())
