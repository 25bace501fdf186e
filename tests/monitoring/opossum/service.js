// A Node service whose dependency is guarded by a real opossum breaker, exported through
// opossum-prometheus (/metrics) and opossum-hystrix (/hystrix.stream), for tst_fleetopossum.
// It calls its dependency 50 times a second; the test makes the dependency fail and recover and
// stops or starts the traffic through /control, and reads the breaker's own flags at /state.
// usage: node service.js; prints {"port": N} once it listens on 127.0.0.1.
'use strict';
const http = require('node:http');
const CircuitBreaker = require('opossum');
const PrometheusMetrics = require('opossum-prometheus');
const HystrixStats = require('opossum-hystrix');

let healthy = true;
let traffic = true;

const breaker = new CircuitBreaker(async () => {
  if (!healthy) throw new Error('dependency down');
  return 'ok';
}, {
  name: 'inventory', group: 'orders', timeout: 1000, errorThresholdPercentage: 50, volumeThreshold: 5, resetTimeout: 2000,
  rollingCountTimeout: 2000, rollingCountBuckets: 4
});

// opossum-prometheus counts only the events that already have a listener when it is added, and
// opossum itself listens to neither halfOpen nor the state events' order: listen first.
for (const event of ['open', 'halfOpen', 'close']) breaker.on(event, () => {});
const metrics = new PrometheusMetrics({ circuits: [breaker] });
const hystrix = new HystrixStats([breaker]);

setInterval(() => {
  if (traffic) breaker.fire().catch(() => {});
}, 20);

const server = http.createServer(async (request, response) => {
  const url = new URL(request.url, 'http://127.0.0.1');
  if (url.pathname === '/metrics') {
    response.writeHead(200, { 'Content-Type': metrics.client.register.contentType });
    response.end(await Promise.resolve(metrics.metrics));
  } else if (url.pathname === '/hystrix.stream') {
    response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    const stream = hystrix.getHystrixStream();
    stream.pipe(response);
    request.on('close', () => stream.unpipe(response));
  } else if (url.pathname === '/state') {
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ opened: breaker.opened, halfOpen: breaker.halfOpen, closed: breaker.closed }));
  } else if (url.pathname === '/control') {
    if (url.searchParams.has('dependency')) healthy = url.searchParams.get('dependency') === 'ok';
    if (url.searchParams.has('traffic')) traffic = url.searchParams.get('traffic') === 'on';
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ healthy, traffic }));
  } else {
    response.writeHead(404);
    response.end('not found\n');
  }
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
