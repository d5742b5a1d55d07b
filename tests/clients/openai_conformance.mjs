// The official `openai` npm package, pointed at a real Temper process (with its embedded demo
// model), must see exactly what it would see from a well-behaved backend: tool calls with
// parseable arguments, streamed or not. Run by ctest as:
//   node openai_conformance.mjs <path to the temper executable>
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import readline from 'node:readline';
import OpenAI from 'openai';

const temperPath = process.argv[2];
if (!temperPath) {
  console.error('usage: node openai_conformance.mjs <temper executable>');
  process.exit(2);
}

const tools = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Current weather and forecast for a city',
      parameters: {
        type: 'object',
        properties: {
          city: { type: 'string' },
          days: { type: 'integer', minimum: 1, maximum: 7 },
        },
        required: ['city', 'days'],
        additionalProperties: false,
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'search_docs',
      description: 'Search the project documentation',
      parameters: { type: 'object', properties: { query: { type: 'string' }, limit: { type: 'integer' } }, required: ['query'] },
    },
  },
];

let temper;
let client;

before(async () => {
  temper = spawn(temperPath, ['--no-gui', '--demo', '--demo-traffic=off', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // The first line names the listening address.
  const lines = readline.createInterface({ input: temper.stdout });
  const [firstLine] = await once(lines, 'line');
  const match = /listening on (http:\/\/[^,\s]+)/.exec(firstLine);
  assert.ok(match, `unexpected first line: ${firstLine}`);
  client = new OpenAI({ baseURL: `${match[1]}/v1`, apiKey: 'sk-conformance-test', maxRetries: 0, timeout: 20000 });
});

after(() => {
  temper?.kill('SIGTERM');
});

function messages(scenario) {
  return [
    { role: 'system', content: 'You are a helpful assistant with tools.' },
    { role: 'user', content: `What is the weather in Paris for the next days? [demo:${scenario}]` },
  ];
}

function assertWeatherCall(call) {
  assert.equal(call.type, 'function');
  assert.equal(call.function.name, 'get_weather');
  assert.ok(call.id, 'a tool call has an id');
  const args = JSON.parse(call.function.arguments);
  assert.deepEqual(args, { city: 'Paris', days: 3 });
  assert.ok(Number.isInteger(args.days));
}

// Accumulates streamed tool-call deltas the way the SDK documentation shows.
async function collectStream(stream) {
  const calls = [];
  let content = '';
  let finishReason = null;
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    if (!choice) continue;
    content += choice.delta?.content ?? '';
    for (const delta of choice.delta?.tool_calls ?? []) {
      calls[delta.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } };
      const call = calls[delta.index];
      if (delta.id) call.id = delta.id;
      if (delta.function?.name) call.function.name += delta.function.name;
      if (delta.function?.arguments) call.function.arguments += delta.function.arguments;
    }
    finishReason = choice.finish_reason ?? finishReason;
  }
  return { calls, content, finishReason };
}

test('non-streamed tool call', async () => {
  const completion = await client.chat.completions.create({ model: 'temper-demo-1.0', messages: messages('native'), tools });
  const message = completion.choices[0].message;
  assert.equal(completion.choices[0].finish_reason, 'tool_calls');
  assert.equal(message.tool_calls.length, 1);
  assertWeatherCall(message.tool_calls[0]);
});

test('streamed tool call, accumulated from deltas', async () => {
  const stream = await client.chat.completions.create({ model: 'temper-demo-1.0', messages: messages('native'), tools, stream: true });
  const { calls, finishReason } = await collectStream(stream);
  assert.equal(finishReason, 'tool_calls');
  assert.equal(calls.length, 1);
  assertWeatherCall(calls[0]);
});

test('streamed tool call through the SDK stream helper', async () => {
  const runner = client.chat.completions.stream({ model: 'temper-demo-1.0', messages: messages('native'), tools });
  const completion = await runner.finalChatCompletion();
  const message = completion.choices[0].message;
  assert.equal(message.tool_calls.length, 1);
  assertWeatherCall(message.tool_calls[0]);
});

test('streamed text without tools', async () => {
  const stream = await client.chat.completions.create({ model: 'temper-demo-1.0', messages: messages('text'), stream: true });
  const { calls, content, finishReason } = await collectStream(stream);
  assert.equal(calls.length, 0);
  assert.equal(finishReason, 'stop');
  assert.match(content, /^Hello! I am Temper's demo model/);
});

test('model list passes through', async () => {
  const models = await client.models.list();
  assert.deepEqual(models.data.map((m) => m.id), ['temper-demo-1.0']);
});
