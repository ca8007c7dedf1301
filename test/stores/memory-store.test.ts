import { describe, it } from 'vitest'
import { memoryStore } from '../../src/stores/memory/index.js'
import { storeContractCases } from '../../src/testing/index.js'

describe('memoryStore() passes the store contract', () => {
  for (const contractCase of storeContractCases(() => memoryStore())) {
    it(contractCase.name, () => contractCase.run())
  }
})
