#pragma once

#include "formatparser.h"

namespace Guard {

// The formats whose calls are call expressions rather than JSON objects: Python-style
// NAME(key=value, ...) with Python or JSON literals, and Gemma's call:NAME{key:value}. All of
// them share one call-expression reader (pythonic.cpp); the classes below only differ in the
// envelope around the calls.

// Liquid LFM2 / LFM2.5: <|tool_call_start|>[NAME(k="v"), NAME2()]<|tool_call_end|>, also with
// the brackets left out, several envelopes in a row, or the end token missing at the end of the
// text. A JSON body in the same envelope is lfm2_json (another family) and is left alone.
class Lfm2PythonicParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override { return ParserRank::Anchored; }
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// Gemma 4: <|tool_call>call:NAME{key:<|"|>text<|"|>,n:42}<tool_call|> (also closed by <turn|>,
// followed by <|tool_response>), and FunctionGemma:
// <start_function_call>call:NAME{key:<escape>text<escape>}<end_function_call>. Arguments are
// read in the Gemma literal dialect: unquoted keys, <|"|> or <escape> string delimiters.
class GemmaCallParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override { return ParserRank::Anchored; }
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// Gemma calls whose special tokens were stripped or never written: call:NAME{...} at a word
// boundary, e.g. right after the <channel|> that ends Gemma 4's thought channel. Only declared
// names count, since there is no marker to vouch for the text.
class BareGemmaCallParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override { return ParserRank::Bare; }
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// AllenAI Olmo 3: <function_calls>NAME(k="v")\nNAME2(...)</function_calls>, one call per line,
// JSON literals (true, null) as common as Python ones. An <invoke> body in the same tags is
// function_calls_invoke_xml (another family) and is left alone.
class Olmo3FunctionCallsParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override { return ParserRank::Anchored; }
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// Llama 3.1 built-in tools: <|python_tag|>TOOL.call(k="v") becomes a call to the declared tool
// TOOL (brave_search, wolfram_alpha, code_interpreter, python, ...). Raw code after the tag goes
// to a declared python / code_interpreter tool as {"code": ...}. A JSON call object after the tag
// ({"name": N, "parameters": {...}}) is reported as llama3_json.
class PythonTagParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override { return ParserRank::Anchored; }
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// Llama 4: <|python_start|>[NAME(k='v'), ...]<|python_end|> (a pythonic_list in Llama 4's
// wrapper; the end token may be missing at the end of the text). A JSON call after
// <|python_start|> is reported as llama3_json.
class PythonStartParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override { return ParserRank::Anchored; }
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// Envelope-free call lists: [NAME(a=1, b='x'), NAME2()] anywhere in the text (Llama 3.2
// pythonic template, ToolACE, BFCL-style fine-tunes), possibly in several bracket groups with
// prose between them. A broken call does not take its well-formed siblings down with it; markdown
// links, bracketed prose and lists of non-calls stay content.
class PythonicListParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override { return ParserRank::Bare; }
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

} // namespace Guard
