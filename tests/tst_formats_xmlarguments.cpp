// The XML-per-argument family: <function=NAME> calls (Qwen3-Coder, Seed-OSS, Functionary v3.1)
// and envelopes that open with the tool name (GLM, Laguna's hybrid, Hunyuan V3). Each case runs
// through the Rescuer with only the parser under test, so content and reasoning are checked too.
#include "guard/formats/xmlarguments.h"
#include "guard/rescuer.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include "streamingcheck.h"

#include <QtTest>

using namespace Qt::StringLiterals;
using namespace Guard;

namespace {

ToolCatalog testTools()
{
    static const ToolCatalog tools = ToolCatalog::fromTools(QJsonDocument::fromJson(R"([
        {"type": "function", "function": {"name": "special_function", "parameters": {"type": "object",
            "properties": {"arg1": {"type": "integer"}}, "required": ["arg1"]}}},
        {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}, "required": ["city"]}}},
        {"type": "function", "function": {"name": "get_current_date", "parameters": {}}},
        {"type": "function", "function": {"name": "edit", "parameters": {"type": "object", "properties": {
            "filename": {"type": "string"}, "oldString": {"type": "string"}, "newString": {"type": "string"}}}}},
        {"type": "function", "function": {"name": "write", "parameters": {"type": "object", "properties": {
            "path": {"type": "string"}, "content": {"type": "string"}}, "required": ["path", "content"]}}},
        {"type": "function", "function": {"name": "exec", "parameters": {"type": "object", "properties": {
            "command": {"type": "string"}}, "required": ["command"]}}},
        {"type": "function", "function": {"name": "read", "parameters": {"type": "object", "properties": {
            "path": {"type": "string"}}}}},
        {"type": "function", "function": {"name": "skill", "parameters": {"type": "object", "properties": {
            "name": {"type": "string"}}}}},
        {"type": "function", "function": {"name": "calculate", "parameters": {"type": "object", "properties": {
            "x": {"type": "number"}, "y": {"type": "integer"}, "enabled": {"type": "boolean"},
            "items": {"type": "array"}, "count": {"type": ["integer", "null"]}}}}},
        {"type": "function", "function": {"name": "set_union", "parameters": {"type": "object", "properties": {
            "value": {"type": ["string", "object"]}, "amount": {"type": ["string", "integer"]}}}}},
        {"type": "function", "function": {"name": "configure", "parameters": {"type": "object", "properties": {
            "config": {"$ref": "#/$defs/config"}}, "$defs": {"config": {"type": "object"}}}}},
        {"type": "function", "function": {"name": "zip_lookup", "parameters": {"type": "object", "properties": {
            "code": {"type": "string"}}}}},
        {"type": "function", "function": {"name": "获取天气", "parameters": {"type": "object", "properties": {
            "城市": {"type": "string"}}}}},
        {"type": "function", "function": {"name": "get current temperature", "parameters": {"type": "object",
            "properties": {"location": {"type": "string"}}}}}
    ])").array());
    return tools;
}

QJsonArray describe(const QList<ParsedCall>& calls)
{
    QJsonArray array;
    for (const ParsedCall& call : calls)
        array.append(QJsonObject { { u"name"_s, call.name }, { u"arguments"_s, call.arguments } });
    return array;
}

QString compact(const QJsonArray& array)
{
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

QJsonArray parseCalls(const QString& json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad expected calls in a test row: %s", qPrintable(json));
    return document.array();
}

QStringView spanText(QStringView text, const TextSpan& span)
{
    return text.sliced(span.start, span.length());
}

// Columns shared by the two parsers' tables.
void addColumns()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("calls"); // JSON array of {name, arguments}, exact values
    QTest::addColumn<QString>("format");
    QTest::addColumn<QString>("content");
    QTest::addColumn<QString>("reasoning");
    QTest::addColumn<bool>("nearMiss");
}

void addCall(const char* row, const QString& text, const QString& calls, const QString& format,
             const QString& content = QString(), const QString& reasoning = QString())
{
    QTest::addRow("%s", row) << text << calls << format << content << reasoning << false;
}

// No call: the text stays as it was; `nearMiss` says whether it was call-shaped text of the format.
void addNoCall(const char* row, const QString& text, bool nearMiss)
{
    QTest::addRow("%s", row) << text << u"[]"_s << QString() << text << QString() << nearMiss;
}

void checkRescue(const FormatParser& parser)
{
    QFETCH(QString, text);
    QFETCH(QString, calls);
    QFETCH(QString, format);
    QFETCH(QString, content);
    QFETCH(QString, reasoning);
    QFETCH(bool, nearMiss);

    const RescueResult result = Rescuer({ &parser }).rescue(text, testTools());
    if (!StreamingCheck::callsAreHeldBack(text, testTools()))
        return;
    const QJsonArray expected = parseCalls(calls);
    QCOMPARE(compact(describe(result.calls)), compact(expected));
    if (!expected.isEmpty()) {
        QCOMPARE(result.format, format);
        QCOMPARE(result.parser, parser.name());
    }
    QCOMPARE(result.content, content);
    QCOMPARE(result.reasoning, reasoning);
    QCOMPARE(result.nearMiss, nearMiss);
    QCOMPARE(result.nearMiss, !result.issues.isEmpty() && result.calls.isEmpty());
}

} // namespace

class TestFormatsXmlArguments : public QObject
{
    Q_OBJECT

private slots:
    void functionTag_data();
    void functionTag();
    void nameFirst_data();
    void nameFirst();
    void valueLayout_data();
    void valueLayout();
    void spans();
    void failures();
    void otherFormatsUnclaimed_data();
    void otherFormatsUnclaimed();
    void staysLinear();
};

void TestFormatsXmlArguments::functionTag_data()
{
    addColumns();
    const QString qwen = u"qwen3_coder_xml"_s;
    const QString seed = u"seed_oss_xml"_s;
    const QString functionary = u"functionary_v31"_s;

    addCall("newline layout",
            u"<tool_call>\n<function=special_function>\n<parameter=arg1>\n1\n</parameter>\n</function>\n</tool_call>"_s,
            uR"([{"name":"special_function","arguments":{"arg1":1}}])"_s, qwen);
    addCall("compact single line",
            u"<tool_call><function=edit><parameter=filename>foo.c</parameter><parameter=oldString>a</parameter></function></tool_call>"_s,
            uR"([{"name":"edit","arguments":{"filename":"foo.c","oldString":"a"}}])"_s, qwen);
    addCall("indented",
            u"<tool_call>\n  <function=get_weather>\n    <parameter=city>\n      Paris\n    </parameter>\n"
            "    <parameter=days>\n      3\n    </parameter>\n  </function>\n</tool_call>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Paris","days":3}}])"_s, qwen);
    addCall("spaces between tags",
            u" <tool_call>\n<function=special_function> <parameter=arg1>1\n</parameter>\n</function> </tool_call>\n\n\n"_s,
            uR"([{"name":"special_function","arguments":{"arg1":1}}])"_s, qwen);
    addCall("parameters in any order",
            u"<function=edit>\n<parameter=newString>\n#include\n</parameter>\n<parameter=filename>\nfoo.c\n</parameter>\n</function>"_s,
            uR"([{"name":"edit","arguments":{"filename":"foo.c","newString":"#include"}}])"_s, qwen);
    addCall("no wrapper at all",
            u"<function=get_weather>\n<parameter=city>\nOslo\n</parameter>\n</function>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Oslo"}}])"_s, qwen);
    addCall("opening tool_call missing",
            u"Let me check.\n<function=get_weather>\n<parameter=city>\nOslo\n</parameter>\n</function>\n</tool_call>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Oslo"}}])"_s, qwen, u"Let me check."_s);
    addCall("closing tool_call missing at the end",
            u"<tool_call>\n<function=get_weather>\n<parameter=city>\nOslo\n</parameter>\n</function>\n<|im_end|>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Oslo"}}])"_s, qwen);
    addCall("parameter close missing before function close",
            u"<tool_call>\n<function=get_weather>\n<parameter=city>\nOslo\n</function>\n</tool_call>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Oslo"}}])"_s, qwen);
    addCall("parameter close missing before the next parameter",
            u"<function=get_weather><parameter=city>Oslo<parameter=days>2</parameter></function>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Oslo","days":2}}])"_s, qwen);
    addCall("function close missing inside a closed envelope",
            u"<tool_call>\n<function=get_weather>\n<parameter=city>\nOslo\n</parameter>\n</tool_call>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Oslo"}}])"_s, qwen);
    addCall("raw ampersands, angle brackets and html",
            u"<tool_call>\n<function=exec>\n<parameter=command>\nls && echo \"a > b < c\" <b>&amp;</b>\n</parameter>\n</function>\n</tool_call>"_s,
            uR"([{"name":"exec","arguments":{"command":"ls && echo \"a > b < c\" <b>&amp;</b>"}}])"_s, qwen);
    addCall("value quoting closing tags",
            u"<tool_call><function=exec><parameter=command>echo '</function>' && echo '</tool_call>'</parameter></function></tool_call>"_s,
            uR"([{"name":"exec","arguments":{"command":"echo '</function>' && echo '</tool_call>'"}}])"_s, qwen);
    addCall("multi-line code",
            u"<tool_call>\n<function=write>\n<parameter=path>\nf.py\n</parameter>\n<parameter=content>\n"
            "def f():\n    return \"x\"\n\n</parameter>\n</function>\n</tool_call>"_s,
            uR"([{"name":"write","arguments":{"path":"f.py","content":"def f():\n    return \"x\"\n"}}])"_s, qwen);
    addCall("empty value",
            u"<function=edit><parameter=filename></parameter></function>"_s,
            uR"([{"name":"edit","arguments":{"filename":""}}])"_s, qwen);
    addCall("unicode names and values",
            u"<tool_call>\n<function=获取天气>\n<parameter=城市>\n北京 🌍\n</parameter>\n</function>\n</tool_call>"_s,
            uR"([{"name":"获取天气","arguments":{"城市":"北京 🌍"}}])"_s, qwen);
    addCall("quoted names with spaces",
            u"<function=\"get current temperature\">\n<parameter=\"location\">\nSF\n</parameter>\n</function>"_s,
            uR"([{"name":"get current temperature","arguments":{"location":"SF"}}])"_s, qwen);
    addCall("typed scalars",
            u"<function=calculate>\n<parameter=x>\n-1.5e-3\n</parameter>\n<parameter=y>\n-42\n</parameter>\n"
            "<parameter=enabled>\nTrue\n</parameter>\n<parameter=count>\nnull\n</parameter>\n</function>"_s,
            uR"([{"name":"calculate","arguments":{"x":-0.0015,"y":-42,"enabled":true,"count":null}}])"_s, qwen);
    addCall("integers JSON cannot write",
            u"<function=calculate><parameter=y>007</parameter><parameter=count>99999999999999999999</parameter></function>"_s,
            uR"([{"name":"calculate","arguments":{"y":7,"count":1e20}}])"_s, qwen);
    addCall("json array and object text",
            u"<function=calculate>\n<parameter=items>\n[\"a\", {\"b\": 1}]\n</parameter>\n</function>\n"
            "<function=configure>\n<parameter=config>\n{ \"k\": [1, 2] }\n</parameter>\n</function>"_s,
            uR"([{"name":"calculate","arguments":{"items":["a",{"b":1}]}},{"name":"configure","arguments":{"config":{"k":[1,2]}}}])"_s,
            qwen);
    addCall("union types",
            u"<function=set_union>\n<parameter=value>\n{\"a\": 1}\n</parameter>\n<parameter=amount>\n7\n</parameter>\n</function>\n"
            "<function=set_union>\n<parameter=value>\nplain text\n</parameter>\n<parameter=amount>\n2 dollars\n</parameter>\n</function>"_s,
            uR"([{"name":"set_union","arguments":{"value":{"a":1},"amount":7}},{"name":"set_union","arguments":{"value":"plain text","amount":"2 dollars"}}])"_s,
            qwen);
    addCall("numeric-looking string",
            u"<function=zip_lookup><parameter=code>02139</parameter></function>"_s,
            uR"([{"name":"zip_lookup","arguments":{"code":"02139"}}])"_s, qwen);
    addCall("quoted string keeps its quotes",
            u"<function=exec>\n<parameter=command>\n\"ls\"\n</parameter>\n</function>"_s,
            uR"([{"name":"exec","arguments":{"command":"\"ls\""}}])"_s, qwen);
    addCall("zero-argument function",
            u"<tool_call>\n<function=get_current_date>\n</function>\n</tool_call>"_s,
            uR"([{"name":"get_current_date","arguments":{}}])"_s, qwen);
    addCall("skeleton then the complete call",
            u"<tool_call>\n<function=write>\n<parameter=path>\na.txt\n</parameter>\n</function>\n</tool_call>\n"
            "<tool_call>\n<function=write>\n<parameter=path>\na.txt\n</parameter>\n<parameter=content>\nhi\n</parameter>\n</function>\n</tool_call>"_s,
            uR"([{"name":"write","arguments":{"path":"a.txt","content":"hi"}}])"_s, qwen);
    addCall("identical complete calls both kept",
            u"<function=get_weather><parameter=city>Oslo</parameter></function><function=get_weather><parameter=city>Oslo</parameter></function>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Oslo"}},{"name":"get_weather","arguments":{"city":"Oslo"}}])"_s, qwen);
    addCall("prose before, between and after",
            u"First.\n<tool_call>\n<function=get_weather>\n<parameter=city>\nOslo\n</parameter>\n</function>\n</tool_call>\nThen.\n"
            "<tool_call>\n<function=read>\n<parameter=path>\na\n</parameter>\n</function>\n</tool_call>\nDone."_s,
            uR"([{"name":"get_weather","arguments":{"city":"Oslo"}},{"name":"read","arguments":{"path":"a"}}])"_s, qwen,
            u"First.\nThen.\nDone."_s);
    addCall("call ends an unclosed think block",
            u"<think>I need the weather\n<tool_call>\n<function=get_weather>\n<parameter=city>\nOslo\n</parameter>\n</function>\n</tool_call>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Oslo"}}])"_s, qwen, QString(), u"I need the weather"_s);
    addCall("forced-open thinking",
            u"Planning\n</think>\n\n<tool_call>\n<function=special_function>\n<parameter=arg1>\n1\n</parameter>\n</function>\n</tool_call>"_s,
            uR"([{"name":"special_function","arguments":{"arg1":1}}])"_s, qwen, QString(), u"Planning"_s);
    addCall("rehearsal in closed thinking dropped",
            u"<think>maybe <function=get_weather><parameter=city>Rome</parameter></function></think>\n"
            "<function=get_weather><parameter=city>Oslo</parameter></function>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Oslo"}}])"_s, qwen, QString(),
            u"maybe <function=get_weather><parameter=city>Rome</parameter></function>"_s);
    addCall("undeclared call beside a declared one stays text",
            u"<function=delete_all><parameter=x>1</parameter></function>\n<function=get_weather><parameter=city>Oslo</parameter></function>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Oslo"}}])"_s, qwen,
            u"<function=delete_all><parameter=x>1</parameter></function>"_s);
    addCall("unfinished call written again in full",
            u"<tool_call>\n<function=write>\n<parameter=path>\na.txt\n</parameter>\n<tool_call>\n<function=write>\n"
            "<parameter=path>\na.txt\n</parameter>\n<parameter=content>\nhi\n</parameter>\n</function>\n</tool_call>"_s,
            uR"([{"name":"write","arguments":{"path":"a.txt","content":"hi"}}])"_s, qwen);
    addCall("unfinished call before a different one stays text",
            u"<function=get_weather><parameter=city>Oslo</parameter>\n<function=get_weather><parameter=city>Rome</parameter></function>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Rome"}}])"_s, qwen,
            u"<function=get_weather><parameter=city>Oslo</parameter>"_s);

    addCall("fenced by a prompt-mode model",
            u"Here:\n```xml\n<tool_call>\n<function=get_weather>\n<parameter=city>\nOslo\n</parameter>\n</function>\n</tool_call>\n```\nDone."_s,
            uR"([{"name":"get_weather","arguments":{"city":"Oslo"}}])"_s, qwen, u"Here:\nDone."_s);
    addCall("closing line of an earlier fence stays",
            u"```\ncode\n```\n<function=get_weather><parameter=city>Oslo</parameter></function>\n```"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Oslo"}}])"_s, qwen, u"```\ncode\n```\n```"_s);
    addCall("fence holding prose too stays",
            u"```\nSee <function=get_weather><parameter=city>Oslo</parameter></function>\n```"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Oslo"}}])"_s, qwen, u"```\nSee\n```"_s);
    addCall("seed wrapper, inline values",
            u"<seed:tool_call>\n<function=get_weather>\n<parameter=city>Oslo</parameter>\n<parameter=days>2</parameter>\n</function>\n</seed:tool_call>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Oslo","days":2}}])"_s, seed);
    addCall("seed wrapper after seed thinking",
            u"<seed:think>plan it</seed:think>Looking.\n<seed:tool_call>\n<function=get_weather>\n<parameter=city>\nOslo\n</parameter>\n</function>\n</seed:tool_call><seed:eos>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Oslo"}}])"_s, seed, u"Looking."_s, u"plan it"_s);

    addCall("functionary json body",
            u"<function=get_weather>{\"city\": \"Oslo\", \"days\": 2}</function>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Oslo","days":2}}])"_s, functionary);
    addCall("functionary calls with prose, braces in strings",
            u"Checking both.\n<function=exec>{\"command\": \"echo '}{' </function>\"}</function>\n<function=get_current_date>{}</function><|eot_id|>"_s,
            uR"([{"name":"exec","arguments":{"command":"echo '}{' </function>"}},{"name":"get_current_date","arguments":{}}])"_s,
            functionary, u"Checking both."_s);

    addNoCall("prose mentioning the tag", u"Use the <function=get_weather> tag, then <parameter=city> inside it."_s, false);
    addNoCall("prose with an unclosed tag", u"the tag <function=foo is documented here"_s, false);
    addNoCall("json body of another family",
              u"<tool_call>\n{\"name\": \"write\", \"arguments\": {\"path\": \"a\", \"content\": \"<function=get_weather><parameter=city>Oslo</parameter></function>\"}}\n</tool_call>"_s,
              false);
    addNoCall("cut off inside a value",
              u"<tool_call>\n<function=write>\n<parameter=path>\na.txt\n</parameter>\n<parameter=content>\nprint('hel"_s, true);
    addNoCall("cut off before the function close", u"<function=get_weather><parameter=city>Oslo</parameter>"_s, true);
    addNoCall("never closed", u"<function=get_weather><parameter=city>never closed"_s, true);
    addNoCall("undeclared tool",
              u"<tool_call><function=delete_all><parameter=x>1</parameter></function></tool_call>"_s, true);
    addNoCall("functionary json cut off", u"<function=get_weather>{\"city\": \"Os"_s, true);
    addNoCall("stray text inside the call",
              u"<function=get_weather><parameter=city>Oslo</parameter> and then some words</function>"_s, true);
}

void TestFormatsXmlArguments::functionTag()
{
    checkRescue(FunctionTagParser());
}

void TestFormatsXmlArguments::nameFirst_data()
{
    addColumns();
    const QString glm = u"glm45_xml"_s;
    const QString hybrid = u"name_then_json_hybrid"_s;
    const QString hunyuan = u"hunyuan_v3_xml"_s;

    addCall("glm one element a line",
            u"<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Paris</arg_value>\n<arg_key>days</arg_key>\n<arg_value>3</arg_value>\n</tool_call>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Paris","days":3}}])"_s, glm);
    addCall("glm compact",
            u"<tool_call>get_weather<arg_key>city</arg_key><arg_value>Paris</arg_value><arg_key>days</arg_key><arg_value>3</arg_value></tool_call>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Paris","days":3}}])"_s, glm);
    addCall("glm name alone means no arguments",
            u"<tool_call>get_current_date\n</tool_call><tool_call>get_current_date</tool_call>"_s,
            uR"([{"name":"get_current_date","arguments":{}},{"name":"get_current_date","arguments":{}}])"_s, glm);
    addCall("glm leading newline and indented name",
            u"\n<tool_call>\n  get_weather\n<arg_key> city </arg_key>\n<arg_value>Paris</arg_value>\n</tool_call>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Paris"}}])"_s, glm);
    addCall("glm keys before values",
            u"<tool_call>edit\n<arg_key>filename</arg_key>\n<arg_key>oldString</arg_key>\n<arg_value>a.c</arg_value>\n<arg_value>x</arg_value>\n</tool_call>"_s,
            uR"([{"name":"edit","arguments":{"filename":"a.c","oldString":"x"}}])"_s, glm);
    addCall("glm typed by schema",
            u"<tool_call>set_union\n<arg_key>value</arg_key>\n<arg_value>123 Main St</arg_value>\n<arg_key>amount</arg_key>\n<arg_value>7</arg_value>\n</tool_call>"_s,
            uR"([{"name":"set_union","arguments":{"value":"123 Main St","amount":7}}])"_s, glm);
    addCall("glm special characters and unicode",
            u"<tool_call>获取天气\n<arg_key>城市</arg_key>\n<arg_value>a < b && c > d <![CDATA[x]]></arg_value>\n</tool_call>"_s,
            uR"([{"name":"获取天气","arguments":{"城市":"a < b && c > d <![CDATA[x]]>"}}])"_s, glm);
    addCall("glm identical parallel calls both kept",
            u"</think>\n<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Paris</arg_value>\n</tool_call>\n"
            "<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Paris</arg_value>\n</tool_call>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Paris"}},{"name":"get_weather","arguments":{"city":"Paris"}}])"_s, glm);
    addCall("glm value quoting envelope tags",
            u"<tool_call>write<arg_key>path</arg_key><arg_value>docs/format.md</arg_value><arg_key>content</arg_key>"
            "<arg_value>Wrap each call in <tool_call> and </tool_call>; done.</arg_value></tool_call>"_s,
            uR"([{"name":"write","arguments":{"path":"docs/format.md","content":"Wrap each call in <tool_call> and </tool_call>; done."}}])"_s,
            glm);
    addCall("glm value holding a think tag",
            u"<think>plan</think><tool_call>write<arg_key>path</arg_key><arg_value>a.md</arg_value>"
            "<arg_key>content</arg_key><arg_value>end with </think> here</arg_value></tool_call>"_s,
            uR"([{"name":"write","arguments":{"path":"a.md","content":"end with </think> here"}}])"_s, glm, QString(), u"plan"_s);
    addCall("glm value close missing before the next key",
            u"<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Paris<arg_key>days</arg_key>\n<arg_value>2</arg_value>\n</tool_call>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Paris","days":2}}])"_s, glm);
    addCall("glm value close missing before the envelope close",
            u"<tool_call>get_weather<arg_key>city</arg_key><arg_value>Paris</tool_call>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Paris"}}])"_s, glm);
    addCall("glm envelope close missing at the end",
            u"<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Paris</arg_value>\n<|observation|>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Paris"}}])"_s, glm);
    addCall("glm repeated key keeps the last value",
            u"<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Paris</arg_value>\n<arg_key>city</arg_key>\n<arg_value>Rome</arg_value>\n</tool_call>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Rome"}}])"_s, glm);
    addCall("glm prose before, between and after",
            u"<think>Let me call a tool</think>here is text<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Paris</arg_value>\n</tool_call>\n"
            "and more<tool_call>read<arg_key>path</arg_key><arg_value>a</arg_value></tool_call>\nThe time has been checked."_s,
            uR"([{"name":"get_weather","arguments":{"city":"Paris"}},{"name":"read","arguments":{"path":"a"}}])"_s, glm,
            u"here is text\nand more\nThe time has been checked."_s, u"Let me call a tool"_s);
    addCall("glm call ends an unclosed think block",
            u"<think>Need lookup<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>SF</arg_value>\n</tool_call>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"SF"}}])"_s, glm, QString(), u"Need lookup"_s);
    addCall("glm functions prefix",
            u"<tool_call>functions.get_weather<arg_key>city</arg_key><arg_value>Paris</arg_value></tool_call>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Paris"}}])"_s, glm);

    addCall("hybrid name then json",
            u"<tool_call>get_weather\n{\"city\":\"San Francisco\", \"days\": 2}</tool_call>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"San Francisco","days":2}}])"_s, hybrid);
    addCall("hybrid unclosed repeat collapsed",
            u"<tool_call>skill\n{\"name\":\"git-diff-review\"}\n<tool_call>skill\n{\"name\":\"git-diff-review\"}</tool_call>"_s,
            uR"([{"name":"skill","arguments":{"name":"git-diff-review"}}])"_s, hybrid);
    addCall("glm name alone, then the whole call",
            u"<tool_call>get_weather\n<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Oslo</arg_value>\n</tool_call>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Oslo"}}])"_s, glm);
    addCall("hybrid unclosed call before a different one kept",
            u"<tool_call>get_weather\n{\"city\": \"Oslo\"}\n<tool_call>read\n{\"path\": \"a\"}</tool_call>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Oslo"}},{"name":"read","arguments":{"path":"a"}}])"_s, hybrid);
    addCall("hybrid hermes object after the name",
            u"<tool_call>get_weather\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Rome\"}}\n</tool_call>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Rome"}}])"_s, hybrid);
    addCall("hybrid python literal body",
            u"<tool_call>calculate\n{'enabled': True, 'items': ['a']}\n</tool_call>"_s,
            uR"([{"name":"calculate","arguments":{"enabled":true,"items":["a"]}}])"_s, hybrid);
    addCall("user envelope with pairs",
            u"I'll read the file for you.\n<user>read\n<arg_key>path</arg_key>\n<arg_value>/Users/test/go.mod</arg_value>\n</user>"_s,
            uR"([{"name":"read","arguments":{"path":"/Users/test/go.mod"}}])"_s, hybrid, u"I'll read the file for you."_s);
    addCall("user envelope with a whole json call",
            u"I'll run git diff for you.<user>\n{\"name\":\"exec\",\"arguments\":{\"command\":\"git diff main\"}}\n</user>"_s,
            uR"([{"name":"exec","arguments":{"command":"git diff main"}}])"_s, hybrid, u"I'll run git diff for you."_s);

    addCall("hunyuan one element a line",
            u"<tool_calls>\n<tool_call>get_current_date<tool_sep>\n</tool_call>\n<tool_call>get_weather<tool_sep>\n"
            "<arg_key>city</arg_key>\n<arg_value>Shanghai</arg_value>\n</tool_call>\n</tool_calls>"_s,
            uR"([{"name":"get_current_date","arguments":{}},{"name":"get_weather","arguments":{"city":"Shanghai"}}])"_s, hunyuan);
    addCall("hunyuan inline after prose",
            u"Checking.<tool_calls><tool_call>get_weather<tool_sep><arg_key>city</arg_key><arg_value>Beijing</arg_value>"
            "<arg_key>days</arg_key><arg_value>2</arg_value></tool_call></tool_calls>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Beijing","days":2}}])"_s, hunyuan, u"Checking."_s);
    addCall("hunyuan labelled tags",
            u"<tool_calls:opensource>\n<tool_call:opensource>get_weather<tool_sep:opensource>\n<arg_key:opensource>city</arg_key:opensource>\n"
            "<arg_value:opensource>Beijing</arg_value:opensource>\n</tool_call:opensource>\n</tool_calls:opensource>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Beijing"}}])"_s, hunyuan);
    addCall("hunyuan json body",
            u"<tool_calls><tool_call>get_weather<tool_sep>{\"city\": \"Hangzhou\"}</tool_call></tool_calls>"_s,
            uR"([{"name":"get_weather","arguments":{"city":"Hangzhou"}}])"_s, hunyuan);

    addNoCall("hermes json body is another family's",
              u"<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>"_s, false);
    addNoCall("json array list is another family's",
              u"<tool_calls>[{\"name\": \"get_weather\", \"arguments\": {}}]</tool_calls>"_s, false);
    addNoCall("function body is the other parser's",
              u"<tool_call>\n<function=get_weather>\n<parameter=city>\nOslo\n</parameter>\n</function>\n</tool_call>"_s, false);
    addNoCall("prose mentioning the tag", u"Wrap calls in <tool_call> tags, then name get_weather."_s, false);
    addNoCall("user tag in prose", u"<user>hello</user>"_s, false);
    addNoCall("user tag around an undeclared name", u"<user>delete_all\n<arg_key>x</arg_key><arg_value>1</arg_value></user>"_s, false);
    addNoCall("undeclared tool",
              u"<tool_call>delete_everything\n<arg_key>x</arg_key>\n<arg_value>1</arg_value>\n</tool_call>"_s, true);
    addNoCall("not a call inside the envelope", u"<tool_call>this is not valid xml at all</tool_call>"_s, true);
    addNoCall("cut off inside a value", u"<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Par"_s, true);
    addNoCall("cut off after the name", u"<tool_call>get_weather"_s, true);
    addNoCall("name alone before another tool's call",
              u"<tool_call>get_weather\n<tool_call>delete_all<arg_key>x</arg_key><arg_value>1</arg_value></tool_call>"_s, true);
    addNoCall("keys and values do not pair up",
              u"<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_key>days</arg_key>\n<arg_value>Paris</arg_value></tool_call>"_s, true);
    addNoCall("json arguments cut off", u"<tool_call>get_weather\n{\"city\": \"Par"_s, true);
}

void TestFormatsXmlArguments::nameFirst()
{
    checkRescue(NameFirstParser());
}

// Exact argument text: one newline after the opening tag and one before the closing tag are
// layout; everything else in the value is kept.
void TestFormatsXmlArguments::valueLayout_data()
{
    QTest::addColumn<QString>("written");
    QTest::addColumn<QString>("expected");

    QTest::addRow("inline") << u"value"_s << u"value"_s;
    QTest::addRow("one newline each side") << u"\nvalue\n"_s << u"value"_s;
    QTest::addRow("only one newline each side") << u"\n\nvalue\n\n"_s << u"\nvalue\n"_s;
    QTest::addRow("crlf") << u"\r\nvalue\r\n"_s << u"value"_s;
    QTest::addRow("newline not first") << u" \nvalue"_s << u" \nvalue"_s;
    QTest::addRow("surrounding spaces inline") << u"  value  "_s << u"  value  "_s;
    QTest::addRow("indented element") << u"\n      John Doe\n    "_s << u"John Doe"_s;
    QTest::addRow("indented code keeps inner indentation")
        << u"\ndef hello():\n    return True\n    "_s << u"def hello():\n    return True"_s;
    QTest::addRow("tabs inside") << u"\nline1\n\tindented line\n    spaces\n"_s << u"line1\n\tindented line\n    spaces"_s;
    QTest::addRow("whitespace only, indented") << u"\n      \n    "_s << QString();
    QTest::addRow("empty") << QString() << QString();
}

void TestFormatsXmlArguments::valueLayout()
{
    QFETCH(QString, written);
    QFETCH(QString, expected);

    const ToolCatalog& tools = testTools();
    const QString qwen = u"<function=exec><parameter=command>"_s + written + u"</parameter></function>"_s;
    FormatMatch match = FunctionTagParser().parse(qwen, tools);
    QCOMPARE(match.calls.size(), 1);
    QCOMPARE(match.calls.first().arguments.toObject().value("command"_L1).toString(), expected);

    const QString glm = u"<tool_call>exec<arg_key>command</arg_key><arg_value>"_s + written + u"</arg_value></tool_call>"_s;
    match = NameFirstParser().parse(glm, tools);
    QCOMPARE(match.calls.size(), 1);
    QCOMPARE(match.calls.first().arguments.toObject().value("command"_L1).toString(), expected);
}

// Spans are the calls' own text; markup adds envelopes and dropped stutters, never prose.
void TestFormatsXmlArguments::spans()
{
    const ToolCatalog& tools = testTools();
    {
        const QString text = u"Before <tool_call><function=get_weather><parameter=city>Oslo</parameter></function></tool_call> after"_s;
        const FormatMatch match = FunctionTagParser().parse(text, tools);
        QCOMPARE(match.format, u"qwen3_coder_xml"_s);
        QCOMPARE(match.calls.size(), 1);
        QCOMPARE(spanText(text, match.calls.first().span),
                 u"<tool_call><function=get_weather><parameter=city>Oslo</parameter></function></tool_call>");
        QCOMPARE(match.markup.size(), 1);
        QVERIFY(match.markup.first() == match.calls.first().span);
        QVERIFY(match.calls.first().id.isEmpty());
    }
    {
        const QString text = u"Go.\n<function=read>\n<parameter=path>\na\n</parameter>\n</function>\n</tool_call>\nDone"_s;
        const FormatMatch match = FunctionTagParser().parse(text, tools);
        QCOMPARE(match.calls.size(), 1);
        QCOMPARE(spanText(text, match.calls.first().span),
                 u"<function=read>\n<parameter=path>\na\n</parameter>\n</function>\n</tool_call>");
    }
    {
        const QString text = u"Hi <tool_calls>\n<tool_call>get_current_date<tool_sep>\n</tool_call>\n</tool_calls> bye"_s;
        const FormatMatch match = NameFirstParser().parse(text, tools);
        QCOMPARE(match.calls.size(), 1);
        QCOMPARE(spanText(text, match.calls.first().span), u"<tool_call>get_current_date<tool_sep>\n</tool_call>");
        QCOMPARE(match.markup.size(), 3);
        QCOMPARE(spanText(text, match.markup.at(0)), u"<tool_calls>");
        QCOMPARE(spanText(text, match.markup.at(1)), spanText(text, match.calls.first().span));
        QCOMPARE(spanText(text, match.markup.at(2)), u"</tool_calls>");
    }
    {
        // The collapsed stutter is markup, the call is the complete envelope.
        const QString text = u"<tool_call>skill\n{\"name\":\"x\"}\n<tool_call>skill\n{\"name\":\"x\"}</tool_call>"_s;
        const FormatMatch match = NameFirstParser().parse(text, tools);
        QCOMPARE(match.calls.size(), 1);
        QCOMPARE(spanText(text, match.calls.first().span), u"<tool_call>skill\n{\"name\":\"x\"}</tool_call>");
        QCOMPARE(match.markup.size(), 2);
        QCOMPARE(spanText(text, match.markup.at(0)), u"<tool_call>skill\n{\"name\":\"x\"}");
        QCOMPARE(match.issues.size(), 1);
    }
}

// Call-shaped text that yields no call is reported as failed, with one plain line each.
void TestFormatsXmlArguments::failures()
{
    const ToolCatalog& tools = testTools();
    {
        const QString text = u"Sure. <function=delete_all><parameter=x>1</parameter></function> ok"_s;
        const FormatMatch match = FunctionTagParser().parse(text, tools);
        QVERIFY(match.calls.isEmpty());
        QCOMPARE(match.failed.size(), 1);
        QCOMPARE(spanText(text, match.failed.first()), u"<function=delete_all><parameter=x>1</parameter></function>");
        QCOMPARE(match.issues, QStringList { u"'delete_all' is not a declared tool"_s });
    }
    {
        const QString text = u"<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Par"_s;
        const FormatMatch match = NameFirstParser().parse(text, tools);
        QVERIFY(match.calls.isEmpty());
        QCOMPARE(match.failed.size(), 1);
        QCOMPARE(spanText(text, match.failed.first()), text);
        QCOMPARE(match.issues.size(), 1);
        QVERIFY(match.issues.first().contains(u"cut off"));
    }
    {
        // Without declared tools nothing becomes a call.
        const QString text = u"<tool_call>get_weather<arg_key>city</arg_key><arg_value>Paris</arg_value></tool_call>"_s;
        const FormatMatch match = NameFirstParser().parse(text, ToolCatalog());
        QVERIFY(match.calls.isEmpty());
        QCOMPARE(match.failed.size(), 1);
    }
    {
        // A skeleton alone is still a call: the validator reports what it lacks.
        const QString text = u"<function=write><parameter=path>a</parameter></function>"_s;
        const FormatMatch match = FunctionTagParser().parse(text, tools);
        QCOMPARE(match.calls.size(), 1);
        QVERIFY(match.issues.isEmpty());
    }
}

// The public corpus rows of other families' formats must not be claimed by these parsers.
void TestFormatsXmlArguments::otherFormatsUnclaimed_data()
{
    QTest::addColumn<QJsonObject>("testCase");
    QFile file(QFINDTESTDATA("data/toolcall-public.jsonl"));
    QVERIFY2(file.open(QIODevice::ReadOnly), "corpus file missing");
    const QStringList ours { u"qwen3_coder_xml"_s, u"seed_oss_xml"_s, u"glm45_xml"_s, u"name_then_json_hybrid"_s,
                             u"hunyuan_v3_xml"_s, u"functionary_v31"_s };
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        if (line.isEmpty())
            continue;
        const QJsonObject testCase = QJsonDocument::fromJson(line).object();
        if (!ours.contains(testCase.value("format"_L1).toString()))
            QTest::newRow(testCase.value("id"_L1).toString().toUtf8().constData()) << testCase;
    }
}

void TestFormatsXmlArguments::otherFormatsUnclaimed()
{
    QFETCH(QJsonObject, testCase);
    const ToolCatalog tools = ToolCatalog::fromTools(testCase.value("tools"_L1).toArray());
    const QString content = testCase.value("content"_L1).toString();
    QVERIFY(FunctionTagParser().parse(content, tools).calls.isEmpty());
    QVERIFY(NameFirstParser().parse(content, tools).calls.isEmpty());
}

// Every response passes through these parsers: prose returns at once, and text full of braces,
// brackets and half-written tags is read in one pass.
void TestFormatsXmlArguments::staysLinear()
{
    const ToolCatalog& tools = testTools();
    const QString prose = QString(u"Plain words about weather, nothing else. "_s).repeated(250);
    QVERIFY(FunctionTagParser().parse(prose, tools).calls.isEmpty());

    const QString noisy = QString(u"{\"a\": [1, {\"b\": \"<tool_call>x\"}], \"c\": \"<function=f\"} <parameter=p>v [<tool_call> ] "_s)
                              .repeated(120);
    QString unclosed;
    for (int i = 0; i < 400; ++i)
        unclosed += u"<tool_call>get_weather<arg_key>city</arg_key><arg_value>x<function=get_weather><parameter=city>y"_s;
    QElapsedTimer timer;
    timer.start();
    for (const QString& text : { prose, noisy, unclosed }) {
        QVERIFY(text.size() >= 10000);
        QVERIFY(FunctionTagParser().parse(text, tools).calls.isEmpty());
        QVERIFY(NameFirstParser().parse(text, tools).calls.isEmpty());
    }
    QVERIFY2(timer.elapsed() < 1000, qPrintable(u"took "_s + QString::number(timer.elapsed()) + u" ms"_s));
}

QTEST_APPLESS_MAIN(TestFormatsXmlArguments)
#include "tst_formats_xmlarguments.moc"
