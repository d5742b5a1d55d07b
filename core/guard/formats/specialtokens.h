#pragma once

#include "formatparser.h"

namespace Guard {

// Mistral's [TOOL_CALLS] envelope, three generations of it:
//   [TOOL_CALLS] [{"name": N, "arguments": {...}, "id": "abcdef123"}, ...]   (7B v0.3, Nemo, Small 3.0/3.1)
//   [TOOL_CALLS]NAME{json}                                                 (v11 tokenizers, [ARGS] stripped)
//   [TOOL_CALLS]NAME[ARGS]{json}, [TOOL_CALLS]NAME[CALL_ID]ID[ARGS]{json}  (Magistral, Ministral 3,
//                                                                          Devstral, Small 3.2)
// Several calls repeat the token; the array form may be closed by [/TOOL_CALLS].
class MistralParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// NAME[ARGS]{json} (and NAME[CALL_ID]ID[ARGS]{json}) with no [TOOL_CALLS] before it: Mistral-family
// reasoning models rehearsing a call in text, or any server that stripped the special tokens.
class ArgsRehearsalParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// DeepSeek's fullwidth-bar tokens (｜ U+FF5C, ▁ U+2581), in two call bodies:
//   V3 / R1:
//   <｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>NAME\n```json\n{args}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>
//   V3.1:
//   <｜tool▁calls▁begin｜><｜tool▁call▁begin｜>NAME<｜tool▁sep｜>{args}<｜tool▁call▁end｜><｜tool▁calls▁end｜>
// Also read: ASCII bars, '_' or ' ' for '▁', the short <｜tool▁calls｜> opener (which may hold a
// JSON call array), missing end tokens. DSML and Step3's steptml bodies belong to other parsers.
class DeepSeekParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// Kimi K2 / K2-Thinking:
//   <|tool_calls_section_begin|><|tool_call_begin|>functions.NAME:0<|tool_call_argument_begin|>{json}<|tool_call_end|><|tool_calls_section_end|>
// The id carries the name; section and end tokens are often missing.
class KimiK2Parser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// OpenAI gpt-oss "harmony" messages:
//   <|channel|>analysis<|message|>…<|end|><|start|>assistant<|channel|>commentary to=functions.NAME
//   <|constrain|>json<|message|>{json}<|call|>
// The recipient sits in the role or the channel header; the analysis channel is reasoning, final
// and commentary without a recipient are content. Also read: the LLM-jp dialect (spaces after
// the tokens, <|end|> between calls) and the stripped form "commentary to=functions.NAME json{…}".
class HarmonyParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// Functionary v3.2 recipient lines: ">>>NAME\n{json}", ">>>all\ntext" (the user channel),
// ">>>python\ncode" (raw code, when a python tool is declared). The first ">>>" is usually part of
// the prompt, so the text may start with "NAME\n{json}". The anchored instance needs a ">>>" in
// the text; the markerless one reads only the start form and runs with the bare parsers.
class FunctionaryV32Parser : public FormatParser
{
public:
    explicit FunctionaryV32Parser(bool markerless = false);

    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;

private:
    bool m_markerless;
};

} // namespace Guard
