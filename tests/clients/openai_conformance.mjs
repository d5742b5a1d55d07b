// The official `openai` npm package through a real Temper: the tool calls it accumulates are
// the same, streamed or not, whatever the model did wrong and Temper repaired.
//   node openai_conformance.mjs <path to the temper executable>
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { expectedCall, messages, openAiTools, scenarios, startTemper, temperPathFromArgs } from './harness.mjs';

const temperPath = temperPathFromArgs();
let temper;
let client;

before(async () => {
  temper = await startTemper(temperPath);
  client = new OpenAI({ baseURL: `${temper.url}/v1`, apiKey: 'sk-conformance-test', maxRetries: 0, timeout: 20000 });
});

after(() => temper?.stop());

function assertWeatherCall(call) {
  assert.equal(call.type, 'function');
  assert.equal(call.function.name, expectedCall.name);
  assert.ok(call.id, 'a tool call has an id');
  const args = JSON.parse(call.function.arguments);
  assert.deepEqual(args, expectedCall.arguments);
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

for (const [scenario, outcome] of Object.entries(scenarios)) {
  test(`${scenario}: non-streamed answer is a clean tool call (${outcome})`, async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'temper-demo-1.0', messages: messages(scenario), tools: openAiTools })
      .withResponse();
    assert.equal(response.headers.get('x-temper-outcome'), outcome);
    assert.equal(data.choices[0].finish_reason, 'tool_calls');
    assert.equal(data.choices[0].message.tool_calls.length, 1);
    assertWeatherCall(data.choices[0].message.tool_calls[0]);
  });

  test(`${scenario}: streamed deltas accumulate to the same call`, async () => {
    const stream = await client.chat.completions.create({ model: 'temper-demo-1.0', messages: messages(scenario), tools: openAiTools, stream: true });
    const { calls, content, finishReason } = await collectStream(stream);
    assert.equal(finishReason, 'tool_calls');
    assert.equal(calls.length, 1);
    assertWeatherCall(calls[0]);
    assert.doesNotMatch(content, /tool_call|TOOL_CALLS|```|<function/, 'no call markup reaches the client');
  });

  test(`${scenario}: the SDK stream helper yields the same call`, async () => {
    const runner = client.chat.completions.stream({ model: 'temper-demo-1.0', messages: messages(scenario), tools: openAiTools, stream_options: { include_usage: true } });
    const completion = await runner.finalChatCompletion();
    const message = completion.choices[0].message;
    assert.equal(message.role, 'assistant');
    assert.equal(message.tool_calls.length, 1);
    assertWeatherCall(message.tool_calls[0]);
    // Usage is summed from what the backend reported; an answer read out of an error has none.
    if (scenario !== 'llama500') assert.ok(completion.usage?.completion_tokens > 0, 'usage is reported');
    else assert.equal(completion.usage ?? null, null);
  });
}

test('streamed text without tools', async () => {
  const stream = await client.chat.completions.create({ model: 'temper-demo-1.0', messages: messages('text'), stream: true });
  const { calls, content, finishReason } = await collectStream(stream);
  assert.equal(calls.length, 0);
  assert.equal(finishReason, 'stop');
  assert.match(content, /^Hello! I am Temper's demo model/);
});

test('prose with tools declared is a legitimate answer', async () => {
  const { data, response } = await client.chat.completions
    .create({ model: 'temper-demo-1.0', messages: messages('text'), tools: openAiTools })
    .withResponse();
  assert.equal(response.headers.get('x-temper-outcome'), 'passed');
  assert.equal(data.choices[0].finish_reason, 'stop');
  assert.match(data.choices[0].message.content, /^Hello!/);
});

test('a stubborn model: the client still gets a well-formed answer', async () => {
  const { data, response } = await client.chat.completions
    .create({ model: 'temper-demo-1.0', messages: messages('stubborn'), tools: openAiTools })
    .withResponse();
  assert.equal(response.headers.get('x-temper-outcome'), 'gave-up');
  assert.equal(data.choices[0].message.tool_calls[0].function.name, 'get_weather_v2');
});

test('model list passes through', async () => {
  const models = await client.models.list();
  assert.deepEqual(models.data.map((m) => m.id), ['temper-demo-1.0']);
});
