#pragma once

#include "config/commandline.h"

// `temper parse`: reads model output (plain text with --tools FILE, or JSON lines of
// {"tools":[...],"content":"..."} with --jsonl) from a file or standard input and prints one
// JSON report per input. Returns the process exit code.
int runParseCommand(const Config::CommandLine& commandLine);
