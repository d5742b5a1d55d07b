// Shared by the client conformance tests: a real Temper process with its demo model, and the
// scripted conversations that make the demo model misbehave in each way the guard handles.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import readline from 'node:readline';

export const weatherParameters = {
  type: 'object',
  properties: {
    city: { type: 'string', description: 'City name' },
    days: { type: 'integer', minimum: 1, maximum: 7, description: 'Forecast days' },
  },
  required: ['city', 'days'],
  additionalProperties: false,
};

export const searchParameters = {
  type: 'object',
  properties: { query: { type: 'string' }, limit: { type: 'integer', minimum: 1 } },
  required: ['query'],
};

// The same two tools in OpenAI's request form.
export const openAiTools = [
  { type: 'function', function: { name: 'get_weather', description: 'Current weather and forecast for a city', parameters: weatherParameters } },
  { type: 'function', function: { name: 'search_docs', description: 'Search the project documentation', parameters: searchParameters } },
];

// What every scenario must end with, once the guard has done its work.
export const expectedCall = { name: 'get_weather', arguments: { city: 'Paris', days: 3 } };

// Scenario -> the outcome Temper reports for it.
export const scenarios = {
  native: 'passed',
  hermes: 'rescued',
  mistral: 'rescued',
  fenced: 'rescued',
  'qwen-xml': 'rescued',
  float: 'repaired',
  'unknown-tool': 'retried',
  'bad-args': 'retried',
  llama500: 'rescued',
};

export function userPrompt(scenario) {
  return `What is the weather in Paris for the next days? [demo:${scenario}]`;
}

export function messages(scenario) {
  return [
    { role: 'system', content: 'You are a helpful assistant with tools.' },
    { role: 'user', content: userPrompt(scenario) },
  ];
}

// Starts `temper --no-gui --demo` on a free port and resolves with its base URL.
export async function startTemper(temperPath) {
  const child = spawn(temperPath, ['--no-gui', '--demo', '--demo-traffic=off', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout });
  const [firstLine] = await once(lines, 'line');
  const match = /listening on (http:\/\/[^,\s]+)/.exec(firstLine);
  if (!match) {
    child.kill('SIGTERM');
    throw new Error(`unexpected first line from temper: ${firstLine}`);
  }
  return { url: match[1], stop: () => child.kill('SIGTERM') };
}

export function temperPathFromArgs() {
  const path = process.argv[2];
  if (!path) {
    console.error(`usage: node ${process.argv[1]} <temper executable>`);
    process.exit(2);
  }
  return path;
}
