// A loopback receiver for the delivery benchmark, run in its own process (child_process.fork)
// so that it does not share the client's event loop. It answers every POST with a small JSON
// 200 over keep-alive, and counts connections and requests for the parent.
//
// Messages from the parent: { type: 'stats' } -> { type: 'stats', connections, requests }
// and { type: 'reset' }. On start it sends { type: 'listening', port }.
// The fleet suite also sends { type: 'expect', count }: from then on the receiver notes each
// `webhook-id` (the delivery id) and, once `count` distinct ones arrived, answers
// { type: 'reached', at, requests } with `at` the wall-clock time in ms (performance.timeOrigin +
// performance.now(), comparable across the processes of one machine). Off by default, so that
// the delivery suite's receiver does no more than count.
import { createServer } from 'node:http'

const ANSWER = Buffer.from('{"ok":true}')
let connections = 0
let requests = 0
/** Delivery ids seen since the last `expect`, or `undefined` when not asked. */
let ids
let expected = 0

const server = createServer((request, response) => {
  // Read the body fully, as a real receiver does before answering.
  request.on('data', () => {})
  request.on('end', () => {
    requests++
    if (ids !== undefined) {
      ids.add(request.headers['webhook-id'])
      if (ids.size === expected) {
        process.send?.({ type: 'reached', at: performance.timeOrigin + performance.now(), requests })
        ids = undefined
      }
    }
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': ANSWER.length })
    response.end(ANSWER)
  })
})
// Keep idle connections for the whole run; never close a socket after N requests.
server.keepAliveTimeout = 60_000
server.headersTimeout = 61_000
server.maxRequestsPerSocket = 0
server.on('connection', () => {
  connections++
})
server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'listening', port: server.address().port })
})

process.on('message', (message) => {
  if (message?.type === 'stats') process.send?.({ type: 'stats', connections, requests })
  if (message?.type === 'reset') {
    connections = 0
    requests = 0
  }
  if (message?.type === 'expect') {
    ids = new Set()
    expected = message.count
    requests = 0
    connections = 0
  }
})
// Exit with the parent, even if it dies without a word.
process.on('disconnect', () => process.exit(0))
