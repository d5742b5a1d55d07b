#pragma once

#include "formatparser.h"

namespace Guard {

// JSON tool calls with no envelope, anywhere in prose:
//   {"name": N, "parameters"|"arguments": {...}}          llama3_json (Llama 3.x/4 JSON template,
//                                                         small fine-tunes, any prompt-mode model)
//   {"tool": N, "args": {...}}                            forge_prompt_json (forge's prompt protocol)
//   {"function": {...}}, {"N": {...}}, {"tool_calls": [...]}, N({...}),
//   [tool]N[args]{...}[end]                               json_other_shapes (ollama, llama.cpp generic)
// Several calls: ';', ',' or newlines between objects, or one JSON array. Only objects in a call
// shape naming a declared tool are calls; data JSON and braces in prose stay content. Runs last
// (rank Bare) so that it never claims JSON sitting inside another format's markers.
class BareJsonParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// json_code_fence: calls inside a markdown fence, ```json\n{call}\n``` (any info string, or none;
// ~~~ fences too), several calls or an array per fence, and <function_call> {json} </function_call>
// inside the fence. Emitted by models in prompt-injected mode, Hermes drift, xLAM, forge users.
// A fence is claimed only when it holds nothing but calls; its ``` lines are then markup. Bare
// calls elsewhere in the same text are reported with it, since only one parser wins a text.
class JsonFenceParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

} // namespace Guard
