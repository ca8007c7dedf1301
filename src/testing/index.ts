export {
  type MockAnswer,
  MockScript,
  MockTransport,
  type RecordedRequest,
  type RequestMatcher,
} from './mock-transport.js'
