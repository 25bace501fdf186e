// Feeds a breaker built by real opossum from exported options the same calls, at the same
// instants, that tst_opossumexport fed Breakwater's, on mocked timers (no waiting), and prints the
// breaker's state after each call as a JSON array: "closed", "open", "halfOpen", or "rejected"
// when opossum refused the call without running it.
// usage: node replay.js OPTIONS.json CALLS.json, CALLS: [{"atMs": 0, "ok": true}, ...] in time order.
'use strict';
const fs = require('node:fs');
const { mock } = require('node:test');

// Date and the timers are opossum's clock: its rolling buckets rotate on setInterval and its
// open state ends on setTimeout.
mock.timers.enable({ apis: ['setInterval', 'setTimeout', 'Date'], now: 0 });
const CircuitBreaker = require('opossum');

const options = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const calls = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));

async function main () {
  const breaker = new CircuitBreaker(async ok => { if (!ok) throw new Error('500'); return ok; }, options);
  const states = [];
  let now = 0;
  for (const call of calls) {
    mock.timers.tick(call.atMs - now);
    now = call.atMs;
    let rejected = false;
    try {
      await breaker.fire(call.ok);
    } catch (error) {
      rejected = error.code === 'EOPENBREAKER';
    }
    states.push(rejected ? 'rejected' : breaker.opened ? 'open' : breaker.halfOpen ? 'halfOpen' : 'closed');
  }
  breaker.shutdown();
  process.stdout.write(JSON.stringify(states) + '\n');
}

main().catch(error => { console.error(error); process.exit(1); });
