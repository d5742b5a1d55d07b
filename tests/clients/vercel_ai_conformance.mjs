// The Vercel AI SDK (OpenAI-compatible provider) through a real Temper: generateText and
// streamText see the same tool call for every scenario the guard handles.
//   node vercel_ai_conformance.mjs <path to the temper executable>
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateText, jsonSchema, streamText, tool } from 'ai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { expectedCall, messages, scenarios, searchParameters, startTemper, temperPathFromArgs, weatherParameters } from './harness.mjs';

const temperPath = temperPathFromArgs();
let temper;
let model;

// Tools without `execute`: the SDK returns the calls instead of running them.
const tools = {
  get_weather: tool({ description: 'Current weather and forecast for a city', inputSchema: jsonSchema(weatherParameters) }),
  search_docs: tool({ description: 'Search the project documentation', inputSchema: jsonSchema(searchParameters) }),
};

before(async () => {
  temper = await startTemper(temperPath);
  const provider = createOpenAICompatible({ name: 'temper', baseURL: `${temper.url}/v1`, apiKey: 'sk-conformance-test', includeUsage: true });
  model = provider('temper-demo-1.0');
});

after(() => temper?.stop());

function assertCalls(toolCalls) {
  assert.equal(toolCalls.length, 1);
  assert.equal(toolCalls[0].toolName, expectedCall.name);
  assert.deepEqual(toolCalls[0].input, expectedCall.arguments);
  assert.ok(toolCalls[0].toolCallId);
}

for (const scenario of Object.keys(scenarios)) {
  test(`${scenario}: generateText`, async () => {
    const result = await generateText({ model, messages: messages(scenario), tools, maxRetries: 0 });
    assert.equal(result.finishReason, 'tool-calls');
    assertCalls(result.toolCalls);
  });

  test(`${scenario}: streamText`, async () => {
    const result = streamText({ model, messages: messages(scenario), tools, maxRetries: 0 });
    let text = '';
    for await (const part of result.textStream) text += part;
    assert.equal(await result.finishReason, 'tool-calls');
    assertCalls(await result.toolCalls);
    assert.doesNotMatch(text, /tool_call|TOOL_CALLS|```|<function/);
  });
}

test('text answer streams as text', async () => {
  const result = streamText({ model, messages: messages('text'), tools, maxRetries: 0 });
  let text = '';
  for await (const part of result.textStream) text += part;
  assert.match(text, /^Hello! I am Temper's demo model/);
  assert.equal((await result.toolCalls).length, 0);
});
