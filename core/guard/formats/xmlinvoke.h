#pragma once

#include "formatparser.h"

namespace Guard {

// Invoke-style XML: a call is an element named by a name attribute, holding one element per
// argument; a run of calls may sit inside a block element.
//   <function_calls>
//   <invoke name="NAME">
//   <parameter name="KEY">VALUE</parameter>
//   </invoke>
//   </function_calls>
//
// minimax_m2_xml: MiniMax-M2 / M2.1 wrap the run in <minimax:tool_call>.
// minimax_m3_ns_xml: MiniMax-M3 writes the literal ]<]minimax[>[ before every tag, uses
// <tool_call> as the block and names each argument by its element (<city>Tokyo</city>), with
// arrays as <item> children and objects as nested elements, read by the schema.
// function_calls_invoke_xml: Claude-distilled fine-tunes (<function_calls>), and MiniMax bodies
// whose wrapper was lost or became <tool_call>.
// Values are typed by the schema; CDATA sections are unwrapped; a string="true|false" attribute
// (DeepSeek DSML with its namespace stripped) says whether the value is text or JSON.
class InvokeParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// deepseek_dsml: DeepSeek V3.2 (<｜DSML｜function_calls>) and V4 (<｜DSML｜tool_calls>); the same
// grammar with every element in the ｜DSML｜ namespace (fullwidth bars, or ASCII look-alikes).
// string="true" keeps a value as text, string="false" reads it as JSON.
class DsmlParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// step3_steptml: StepFun Step3 puts a <steptml:invoke> element in each call of a special-token
// envelope (plain underscores, not DeepSeek's U+2581):
//   <｜tool_calls_begin｜><｜tool_call_begin｜>function<｜tool_sep｜><steptml:invoke name="N">
//   <steptml:parameter name="K">V</steptml:parameter></steptml:invoke><｜tool_call_end｜>
//   <｜tool_calls_end｜>
// Values are raw text up to the closing tag, '<' included.
class SteptmlParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// muse_glimmer_atem: Muse Glimmer answers in recipient-addressed messages,
//   [<|start|>assistant] to=RECIPIENT<|message|>BODY<|eom|> or <|eot|>
// to=self is reasoning, to=user (or no recipient) is the answer, any other recipient is a tool
// channel whose body is <atem:function_calls><atem:invoke name="N"><atem:parameter name="K">V
// </atem:parameter></atem:invoke></atem:function_calls>. Markup quoted in the answer or in the
// reasoning stays text. Without any message header the whole text is read as a tool channel.
class AtemParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// minicpm5_xml: OpenBMB MiniCPM5, <function name="N"><param name="K">V</param></function>, one
// element per call; values may be CDATA-protected, the parameters may sit in an <arguments>
// element, and some outputs glue the attribute to the element (<functionname="N">).
// <function name="N">{json}</function> is a Hermes look-alike and is left to that parser.
class MiniCpm5Parser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// kimi_k3_xtml: Kimi K3's XTML, sections built from the <|open|>, <|close|> and <|sep|> tokens:
//   [THINK<|close|>think<|sep|>]<|open|>response<|sep|>ANSWER<|close|>response<|sep|>
//   <|open|>tools<|sep|><|open|>call tool="N" index="1"<|sep|>
//   <|open|>argument key="K" type="number"<|sep|>1<|close|>argument<|sep|>
//   <|close|>call<|sep|><|close|>tools<|sep|><|close|>message<|sep|>
// The think section (usually opened by the prompt) is reported as reasoning and the response
// section's text is the content. type="string" values are raw text, other types are JSON; a
// <|open|>json type="object"<|sep|>{...}<|close|>json<|sep|> element carries all arguments.
class KimiXtmlParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

} // namespace Guard
