#pragma once

#include "formatparser.h"

namespace Guard {

// XML with one element per argument inside a <function=NAME> element:
//   <tool_call>\n<function=NAME>\n<parameter=KEY>\nVALUE\n</parameter>\n</function>\n</tool_call>
//
// qwen3_coder_xml: Qwen3-Coder, Qwen3.5/3.6, Nemotron 3 Nano, Step-3.5 and many agentic
// fine-tunes; also written without the <tool_call> wrapper (or without its opening tag), compact on
// one line or indented, with a missing </parameter> before </function>. seed_oss_xml: ByteDance
// Seed-OSS wraps the same body in <seed:tool_call>. functionary_v31: Functionary v3.1 writes a JSON
// object as the body, <function=NAME>{json}</function>. Parameter text is typed by the schema.
class FunctionTagParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

// Envelopes that open with the bare tool name, followed by key/value elements or a JSON object:
//   glm45_xml              <tool_call>NAME\n<arg_key>K</arg_key>\n<arg_value>V</arg_value>\n</tool_call>
//                          GLM-4.5/4.6 (one element a line), GLM-4.7/5 (compact), Ling 3, Spark 2.5
//   name_then_json_hybrid  <tool_call>NAME\n{json}</tool_call>, and <user> as a mislabelled
//                          envelope around either body or a whole JSON call (poolside Laguna)
//   hunyuan_v3_xml         <tool_calls><tool_call>NAME<tool_sep><arg_key>K</arg_key><arg_value>V
//                          </arg_value></tool_call></tool_calls>, every tag optionally suffixed with a
//                          label (<tool_call:opensource>), or a JSON body after <tool_sep> (Tencent HY-V3)
class NameFirstParser : public FormatParser
{
public:
    QString name() const override;
    ParserRank rank() const override;
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override;
    QList<Anchor> anchors() const override;
};

} // namespace Guard
