export {
  type AdapterConformanceOptions,
  assertAdapterConformance,
  type ConformanceCheck,
  type ConformanceReport,
  type ConformanceResponses,
  checkAdapterConformance,
} from './adapter-conformance.js'
export {
  type MockAnswer,
  MockScript,
  MockTransport,
  type RecordedRequest,
  type RequestMatcher,
} from './mock-transport.js'
export {
  assertStoreContract,
  type StoreContractCase,
  type StoreContractOptions,
  storeContractCases,
} from './store-contract.js'
