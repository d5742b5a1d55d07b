// LangChain's ChatOpenAI through a real Temper: invoke() and stream() (chunks concatenated)
// give the same tool call for every scenario the guard handles.
//   node langchain_conformance.mjs <path to the temper executable>
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatOpenAI } from '@langchain/openai';
import { expectedCall, openAiTools, scenarios, startTemper, temperPathFromArgs, userPrompt } from './harness.mjs';

const temperPath = temperPathFromArgs();
let temper;
let model;

before(async () => {
  temper = await startTemper(temperPath);
  model = new ChatOpenAI({
    model: 'temper-demo-1.0',
    apiKey: 'sk-conformance-test',
    configuration: { baseURL: `${temper.url}/v1` },
    maxRetries: 0,
  }).bindTools(openAiTools);
});

after(() => temper?.stop());

function assertCalls(message) {
  assert.equal(message.tool_calls.length, 1);
  assert.equal(message.tool_calls[0].name, expectedCall.name);
  assert.deepEqual(message.tool_calls[0].args, expectedCall.arguments);
  assert.ok(message.tool_calls[0].id);
  assert.equal(message.invalid_tool_calls?.length ?? 0, 0);
}

function input(scenario) {
  return [
    ['system', 'You are a helpful assistant with tools.'],
    ['user', userPrompt(scenario)],
  ];
}

for (const scenario of Object.keys(scenarios)) {
  test(`${scenario}: invoke`, async () => {
    assertCalls(await model.invoke(input(scenario)));
  });

  test(`${scenario}: stream, chunks concatenated`, async () => {
    let full;
    for await (const chunk of await model.stream(input(scenario)))
      full = full ? full.concat(chunk) : chunk;
    assertCalls(full);
  });
}
