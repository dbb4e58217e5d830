// Loads a learner's JavaScript and calls one of its functions for graders/javascript.py.
// Request on stdin (JSON): {source, filename, name, args}; one JSON reply line on stdout.
// The learner's code runs in its own vm context so its console.log output is
// captured instead of mixing with the reply, and so it cannot see this runner.
'use strict';
const fs = require('fs');
const util = require('util');
const vm = require('vm');

const CONSOLE_LIMIT = 20000;
const request = JSON.parse(fs.readFileSync(0, 'utf8'));
let consoleText = '';
let replied = false;

function reply(message) {
  replied = true;
  message.console = consoleText;
  // Exit once the reply is flushed (a big reply to a pipe is written in
  // parts), so a timer the learner left running cannot keep Node alive.
  process.stdout.write(JSON.stringify(message) + '\n', () => process.exit(0));
}

function record(...parts) {
  if (consoleText.length < CONSOLE_LIMIT) {
    consoleText += util.format(...parts).slice(0, CONSOLE_LIMIT - consoleText.length) + '\n';
  }
}

// The line in the learner's file: V8 names it as "filename:LINE" in stacks.
function lineOf(error) {
  const stack = String((error && error.stack) || '');
  const at = stack.indexOf(request.filename + ':');
  if (at < 0) return null;
  const match = /^(\d+)/.exec(stack.slice(at + request.filename.length + 1));
  return match ? Number(match[1]) : null;
}

function describe(error) {
  if (error && typeof error === 'object' && 'message' in error) {
    return `${error.name || 'Error'}: ${error.message}`;
  }
  return `throw ${util.inspect(error)}`;
}

const learnerModule = { exports: {} };
const context = vm.createContext({
  console: { log: record, info: record, warn: record, error: record, debug: record },
  setTimeout, clearTimeout, setInterval, clearInterval,
  module: learnerModule,
  exports: learnerModule.exports,
});

async function main() {
  let script;
  try {
    script = new vm.Script(request.source, { filename: request.filename });
  } catch (error) {
    return reply({ status: 'syntax_error', message: describe(error), line: lineOf(error) });
  }
  try {
    script.runInContext(context);
  } catch (error) {
    return reply({ status: 'load_error', message: describe(error), line: lineOf(error) });
  }
  // Top-level const/let functions are not properties of the global object,
  // but a second script in the same context can still see them by name.
  let fn = vm.runInContext(`typeof ${request.name} === 'undefined' ? undefined : ${request.name}`, context);
  const exported = learnerModule.exports;
  if (fn === undefined && exported) {
    fn = typeof exported === 'function' && exported.name === request.name ? exported : exported[request.name];
  }
  if (fn === undefined) {
    const runnerGlobals = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'];
    const available = Object.keys(context).filter(
      (key) => typeof context[key] === 'function' && !runnerGlobals.includes(key));
    return reply({ status: 'missing', available });
  }
  if (typeof fn !== 'function') {
    return reply({ status: 'not_function', type: typeof fn });
  }
  // Arguments are built inside the learner's context so that `x instanceof Array` holds there.
  const args = vm.runInContext('JSON.parse', context)(request.args);
  let value;
  try {
    value = await fn(...args);
  } catch (error) {
    return reply({ status: 'threw', message: describe(error), line: lineOf(error) });
  }
  if (value === undefined) {
    return reply({ status: 'ok', undefined: true });
  }
  let json;
  try {
    json = JSON.stringify(value, (key, item) => (typeof item === 'number' && !Number.isFinite(item) ? String(item) : item));
  } catch (error) {
    return reply({ status: 'unserializable', message: describe(error) });
  }
  if (json === undefined) {
    return reply({ status: 'unserializable', message: `a ${typeof value}` });
  }
  return reply({ status: 'ok', value: JSON.parse(json) });
}

process.on('beforeExit', () => {
  // Reached only when a returned Promise never settles: nothing is left to run.
  if (!replied) reply({ status: 'never_settled' });
});

main().catch((error) => reply({ status: 'internal', message: describe(error) }));
