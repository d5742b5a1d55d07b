#pragma once

#include "formatparser.h"

// Tool calls written as JSON inside a tag, a special token or a keyword prefix. Each parser
// claims only its own body shape: an envelope that holds another family's syntax (XML
// arguments, a Python call list) is left alone, silently.

namespace Guard {

// Hermes / Qwen:  <tool_call>{"name": N, "arguments": {...}}</tool_call>, repeated per call.
// Emitted by Hermes 2 Pro/3/4, Qwen2.5, Qwen3 (instruct and thinking), QwQ, Granite 4, Ernie 4.5,
// MiMo, Reka. Also read: a JSON array or several objects in one envelope (xLAM), the closing tag
// missing at the end, a markdown fence inside or around the envelope. Granite 3.1-3.3 write
// "<tool_call> [{...}]" with no closing tag at all: that is reported as granite_tool_call_token.
class HermesJsonParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// Hermes look-alike wrappers that llama.cpp's Hermes 2 Pro parser tolerated:
//   <tool>{...}</tool>, <tools>, <response>, <json>, <JSON>, <xml> (any case), a fenced
//   ```xml\n<response>{...}</response>\n```, and <function name="N">{args}</function>.
// These tags also hold plain data (Granite's <response> answer, a JSON sample), so JSON that is
// not call-shaped stays content without a near miss. <function name="N"><param ...> is MiniCPM5's
// and <function=N> is Functionary's: not read here.
class HermesAltWrapperParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// <tool_calls> with a JSON body, in two shapes:
//   <tool_calls>[{...}, {...}]</tool_calls>        tool_calls_json_array: AI21 Jamba, Hunyuan-A13B,
//                                                  Apriel 1.5/1.6
//   <tool_calls>\n{...}\n{...}\n</tool_calls>      minimax_m1_json_lines: MiniMax-M1
// A broken element or line does not cost its siblings. <tool_calls>\n<tool_call>NAME<tool_sep> is
// Hunyuan V3's XML and is left alone.
class ToolCallsBlockParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// NVIDIA Nemotron Nano v2:  <TOOLCALL>[{"name": N, "arguments": {...}}]</TOOLCALL>
// (a single object instead of the array, and a missing closing tag at the end, are read too).
class NemotronToolCallParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// Meituan LongCat-Flash:  <longcat_tool_call>{json}</longcat_tool_call>, and the GLM-like form
// third-party clients report for the thinking model:
//   <longcat_tool_call>NAME\n<longcat_arg_key>K</longcat_arg_key>\n<longcat_arg_value>V</longcat_arg_value>\n</longcat_tool_call>
// whose values are typed by the tool's schema.
class LongCatParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// IBM Granite 3.0:  <|tool_call|>[{"name": N, "arguments": {...}}] (arguments may come first), no
// closing token; Phi-4-mini's <|tool_call|>[...]<|/tool_call|> has the same grammar.
class GraniteToolCallTokenParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// Granite-20B-FunctionCalling:  <function_call> {json}, one call per line, optionally closed by
// </function_call>. Inside a markdown code fence the tag belongs to json_code_fence.
class Granite20bFunctionCallParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// Firefunction v2 (" functools[...]") and Phi-4-mini-instruct ("functools[...]"):
//   functools[{"name": N, "arguments": {...}}, ...]
// "functools[]" and "functools[ not json ]" give no call.
class FunctoolsParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// InternLM2 / InternLM2.5 / Intern-S1, one call per turn:
//   <|action_start|><|plugin|>{"name": N, "parameters": {...}}<|action_end|>
// The <|interpreter|> action carries code, not a tool call, and is left alone.
class InternLmActionParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// Swiss AI Apertus:  <|tools_prefix|>[{"NAME": {args}}, ...]<|tools_suffix|>, the tool name
// being the object's key; content may follow the suffix.
class ApertusParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// GigaChat 3:    <|message_sep|>\n\nfunction call<|role_sep|>\n{"name": N, "arguments": {...}}
// GigaChat 3.1:  <|function_call|>{"name": N, "arguments": {...}}
// Also read: "function call{...}" without the role separator at the start of a line.
class GigaChatParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// Liquid LFM2 with JSON tools forced by the system prompt:
//   <|tool_call_start|>[{"name": N, "arguments": {...}}, ...]<|tool_call_end|>
// The pythonic body <|tool_call_start|>[NAME(k=v)] is lfm2_pythonic and is left alone.
class Lfm2JsonParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// Cohere Command R7B / Command A:
//   <|START_THINKING|>…<|END_THINKING|><|START_ACTION|>[{"tool_call_id": "0", "tool_name": N,
//   "parameters": {...}}, ...]<|END_ACTION|>
// A missing comma between elements and one malformed element are tolerated (as ollama does);
// the <|START_RESPONSE|>/<|START_TEXT|> wrappers around the answer are dropped from content.
class CohereActionParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// Command R+:  Action: ```json\n[{"tool_name": N, "parameters": {...}}]\n```
// (the fence on its own line, a single object, a missing closing fence at the end). The
// directly_answer pseudo-tool means "no tool" and is never a call. Runs before the generic code
// fence parser, which would otherwise take the block as json_code_fence.
class CommandRPlusParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

} // namespace Guard
