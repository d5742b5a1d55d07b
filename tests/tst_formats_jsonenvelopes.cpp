// The JSON-envelope family: JSON calls inside tags (<tool_call>, <tool_calls>, <TOOLCALL>,
// <longcat_tool_call>, Hermes look-alikes, <function_call>), special tokens (Granite, InternLM,
// Apertus, GigaChat, LFM2, Cohere) and keyword prefixes (functools, Command R+'s "Action:").
// Every case runs through a Rescuer that knows only the parser under test, so content and near
// misses are checked the way the proxy computes them.
#include "guard/formats/jsonenvelopes.h"
#include "guard/formats/registry.h"
#include "guard/rescuer.h"
#include "jsoncompare.h"
#include "streamingcheck.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace Guard;

namespace {

const ToolCatalog& catalog()
{
    static const ToolCatalog tools = ToolCatalog::fromTools(QJsonDocument::fromJson(R"([
        {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
            "required": ["city"]}}},
        {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object",
            "properties": {"timezone": {"type": "string"}}}}},
        {"type": "function", "function": {"name": "special_function", "parameters": {"type": "object",
            "properties": {"arg1": {"type": "integer"}}, "required": ["arg1"]}}},
        {"type": "function", "function": {"name": "read_file", "parameters": {"type": "object",
            "properties": {"path": {"type": "string"}, "start": {"type": "integer"}, "max_chars": {"type": "integer"}}}}},
        {"type": "function", "function": {"name": "set_flags", "parameters": {"type": "object",
            "properties": {"enabled": {"type": "boolean"}, "ratio": {"type": "number"}, "meta": {"type": "object"},
                           "note": {"type": ["string", "null"]}, "code": {"type": "string"}}}}},
        {"type": "function", "function": {"name": "say_hello", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "say_hello_world", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "refresh", "parameters": {"type": "object", "properties": {}}}},
        {"type": "function", "function": {"name": "天気", "parameters": {"type": "object",
            "properties": {"都市": {"type": "string"}}}}}
    ])")
                                                                .array());
    return tools;
}

const HermesJsonParser hermesParser;
const HermesAltWrapperParser altParser;
const ToolCallsBlockParser toolCallsParser;
const NemotronToolCallParser nemotronParser;
const LongCatParser longCatParser;
const GraniteToolCallTokenParser graniteTokenParser;
const Granite20bFunctionCallParser granite20bParser;
const FunctoolsParser functoolsParser;
const InternLmActionParser internLmParser;
const ApertusParser apertusParser;
const GigaChatParser gigaChatParser;
const Lfm2JsonParser lfm2JsonParser;
const CohereActionParser cohereParser;
const CommandRPlusParser commandRPlusParser;

const QList<const FormatParser*> kFamily = { &hermesParser, &altParser, &toolCallsParser, &nemotronParser,
    &longCatParser, &graniteTokenParser, &granite20bParser, &functoolsParser, &internLmParser, &apertusParser,
    &gigaChatParser, &lfm2JsonParser, &cohereParser, &commandRPlusParser };

QString describe(const QList<ParsedCall>& calls, bool withIds)
{
    QJsonArray array;
    for (const ParsedCall& call : calls) {
        QJsonObject object { { u"name"_s, call.name }, { u"arguments"_s, call.arguments } };
        if (withIds && !call.id.isEmpty())
            object.insert(u"id"_s, call.id);
        array.append(object);
    }
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

void addColumns()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("calls"); // [{name, arguments, id?}] as JSON; "[]" for none
    QTest::addColumn<QString>("content"); // what the Rescuer leaves for the user
    QTest::addColumn<QString>("format"); // the catalog id, checked when there are calls
    QTest::addColumn<bool>("nearMiss"); // call-shaped text that gave no call
}

// A case whose text yields calls.
void call(
    const char* tag, const QString& text, const QString& calls, const QString& content, const QString& format)
{
    QTest::addRow("%s", tag) << text << calls << content << format << false;
}

// A case whose text yields no call: the content stays as written.
void noCall(const char* tag, const QString& text, bool nearMiss)
{
    QTest::addRow("%s", tag) << text << u"[]"_s << text << QString() << nearMiss;
}

void checkRow(const FormatParser& parser)
{
    QFETCH(QString, text);
    QFETCH(QString, calls);
    QFETCH(QString, content);
    QFETCH(QString, format);
    QFETCH(bool, nearMiss);

    const QJsonArray expected = QJsonDocument::fromJson(calls.toUtf8()).array();
    QVERIFY2(
        !calls.isEmpty() && (calls == u"[]"_s || !expected.isEmpty()), "the expected calls are not JSON");
    const RescueResult result = Rescuer({ &parser }).rescue(text, catalog());
    if (!StreamingCheck::callsAreHeldBack(text, catalog()))
        return;
    const QString got = describe(result.calls, true);
    QVERIFY2(result.calls.size() == expected.size(), qPrintable(u"got "_s + got + u" want "_s + calls));
    for (qsizetype i = 0; i < expected.size(); ++i) {
        const QJsonObject want = expected.at(i).toObject();
        QCOMPARE(result.calls.at(i).name, want.value("name"_L1).toString());
        QVERIFY2(jsonEquivalent(result.calls.at(i).arguments, want.value("arguments"_L1)),
            qPrintable(u"got "_s + got + u" want "_s + calls));
        if (want.contains("id"_L1))
            QCOMPARE(result.calls.at(i).id, want.value("id"_L1).toString());
    }
    QCOMPARE(result.content, content);
    if (!expected.isEmpty()) {
        QCOMPARE(result.format, format);
        QCOMPARE(result.parser, parser.name());
    }
    QVERIFY2(result.nearMiss == nearMiss, qPrintable(u"near miss: "_s + result.issues.join(u" | "_s)));
}

} // namespace

class TestFormatsJsonEnvelopes : public QObject
{
    Q_OBJECT

private slots:
    void hermesJson_data();
    void hermesJson() { checkRow(hermesParser); }
    void hermesAltWrappers_data();
    void hermesAltWrappers() { checkRow(altParser); }
    void toolCallsBlock_data();
    void toolCallsBlock() { checkRow(toolCallsParser); }
    void nemotron_data();
    void nemotron() { checkRow(nemotronParser); }
    void longCat_data();
    void longCat() { checkRow(longCatParser); }
    void graniteToken_data();
    void graniteToken() { checkRow(graniteTokenParser); }
    void granite20b_data();
    void granite20b() { checkRow(granite20bParser); }
    void functools_data();
    void functools() { checkRow(functoolsParser); }
    void internLm_data();
    void internLm() { checkRow(internLmParser); }
    void apertus_data();
    void apertus() { checkRow(apertusParser); }
    void gigaChat_data();
    void gigaChat() { checkRow(gigaChatParser); }
    void lfm2Json_data();
    void lfm2Json() { checkRow(lfm2JsonParser); }
    void cohere_data();
    void cohere() { checkRow(cohereParser); }
    void commandRPlus_data();
    void commandRPlus() { checkRow(commandRPlusParser); }

    void spans();
    void failuresAndIssues();
    void otherFamiliesLeftAlone_data();
    void otherFamiliesLeftAlone();
    void registeredInRankOrder();
    void linearOnBraceHeavyText();
};

void TestFormatsJsonEnvelopes::hermesJson_data()
{
    addColumns();
    const QString hermesJson = u"hermes_json"_s;
    call("canonical with newlines", uR"(<tool_call>
{"name": "get_weather", "arguments": {"city": "NYC"}}
</tool_call>)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "NYC"}}])"_s, QString(), hermesJson);
    call("two envelopes back to back",
        uR"(<tool_call>{"name": "get_time", "arguments": {"timezone": "UTC"}}</tool_call><tool_call>{"name": "say_hello", "arguments": {}}</tool_call>)"_s,
        uR"([{"name": "get_time", "arguments": {"timezone": "UTC"}}, {"name": "say_hello", "arguments": {}}])"_s,
        QString(), hermesJson);
    call("prose before, between and after", uR"(Checking both.
<tool_call>
{"name": "get_time", "arguments": {"timezone": "UTC"}}
</tool_call>
and then
<tool_call>
{"name": "get_weather", "arguments": {"city": "Paris"}}
</tool_call>
Done.)"_s,
        uR"([{"name": "get_time", "arguments": {"timezone": "UTC"}}, {"name": "get_weather", "arguments": {"city": "Paris"}}])"_s,
        u"Checking both.\nand then\nDone."_s, hermesJson);
    call("closing tag missing at the end", uR"(<tool_call>
{"name": "get_weather", "arguments": {"city": "Paris"}})"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Paris"}}])"_s, QString(), hermesJson);
    call("second call left unclosed", uR"(<tool_call>{"name": "get_time", "arguments": {}}</tool_call>
<tool_call>{"name": "say_hello", "arguments": {}})"_s,
        uR"([{"name": "get_time", "arguments": {}}, {"name": "say_hello", "arguments": {}}])"_s, QString(),
        hermesJson);
    call("unclosed call then prose", uR"(<tool_call>{"name": "get_time", "arguments": {}}
{"note": "example"} is just data.)"_s,
        uR"([{"name": "get_time", "arguments": {}}])"_s, uR"({"note": "example"} is just data.)"_s,
        hermesJson);
    call("arguments as a JSON string (Granite 4)",
        uR"(<tool_call>{"name": "get_weather", "arguments": "{\"city\": \"Oslo\"}"}</tool_call>)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Oslo"}}])"_s, QString(), hermesJson);
    call("parameters instead of arguments",
        uR"(<tool_call>{"name": "get_weather", "parameters": {"city": "Rome"}}</tool_call>)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Rome"}}])"_s, QString(), hermesJson);
    call("arguments before the name",
        uR"(<tool_call>{"arguments": {"city": "Lima", "unit": "celsius"}, "name": "get_weather"}</tool_call>)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Lima", "unit": "celsius"}}])"_s, QString(),
        hermesJson);
    call("a JSON array in one envelope (xLAM)",
        uR"(<tool_call>[{"name": "get_time", "arguments": {}}, {"name": "special_function", "arguments": {"arg1": 1}}]</tool_call>)"_s,
        uR"([{"name": "get_time", "arguments": {}}, {"name": "special_function", "arguments": {"arg1": 1}}])"_s,
        QString(), hermesJson);
    call("two objects in one envelope", uR"(<tool_call>
{"name": "get_time", "arguments": {}}
{"name": "refresh", "arguments": {}}
</tool_call>)"_s,
        uR"([{"name": "get_time", "arguments": {}}, {"name": "refresh", "arguments": {}}])"_s, QString(),
        hermesJson);
    call("longest of two prefixed names",
        uR"(<tool_call>{"name": "say_hello_world", "arguments": {}}</tool_call>)"_s,
        uR"([{"name": "say_hello_world", "arguments": {}}])"_s, QString(), hermesJson);
    call("braces, quotes and the closing tag inside a string",
        uR"(<tool_call>{"name": "read_file", "arguments": {"path": "a}{b</tool_call>\"c\\"}}</tool_call>)"_s,
        uR"([{"name": "read_file", "arguments": {"path": "a}{b</tool_call>\"c\\"}}])"_s, QString(),
        hermesJson);
    call("unicode name and value",
        uR"(<tool_call>{"name": "天気", "arguments": {"都市": "東京 🌸"}}</tool_call>)"_s,
        uR"([{"name": "天気", "arguments": {"都市": "東京 🌸"}}])"_s, QString(), hermesJson);
    call("pretty-printed with nested values", uR"(<tool_call>
{
  "name": "set_flags",
  "arguments": {
    "enabled": true,
    "ratio": 0.5,
    "meta": {"tags": ["a", "b"], "depth": {"x": null}},
    "note": null
  }
}
</tool_call>)"_s,
        uR"([{"name": "set_flags", "arguments": {"enabled": true, "ratio": 0.5, "meta": {"tags": ["a", "b"], "depth": {"x": null}}, "note": null}}])"_s,
        QString(), hermesJson);
    call("a fence inside the envelope", uR"(<tool_call>
```json
{"name": "get_time", "arguments": {"timezone": "CET"}}
```
</tool_call>)"_s,
        uR"([{"name": "get_time", "arguments": {"timezone": "CET"}}])"_s, QString(), hermesJson);
    call("a fence around the envelope", uR"(Here you go:
```xml
<tool_call>{"name": "get_time", "arguments": {}}</tool_call>
```)"_s,
        uR"([{"name": "get_time", "arguments": {}}])"_s, u"Here you go:"_s, hermesJson);
    call("forced-open thinking", uR"(I'll check.</think>
<tool_call>{"name": "get_time", "arguments": {}}</tool_call>)"_s,
        uR"([{"name": "get_time", "arguments": {}}])"_s, QString(), hermesJson);
    call("a rehearsal inside closed thinking is dropped",
        uR"(<think>maybe <tool_call>{"name": "refresh", "arguments": {}}</tool_call></think>Real: <tool_call>{"name": "get_time", "arguments": {}}</tool_call>)"_s,
        uR"([{"name": "get_time", "arguments": {}}])"_s, u"Real:"_s, hermesJson);
    call("a call that ends unclosed thinking",
        uR"(<think>I need the time <tool_call>{"name": "get_time", "arguments": {}}</tool_call>)"_s,
        uR"([{"name": "get_time", "arguments": {}}])"_s, QString(), hermesJson);
    call("stray closing brace before the tag",
        uR"(<tool_call>{"name": "get_time", "arguments": {"timezone": "UTC"}}}</tool_call>)"_s,
        uR"([{"name": "get_time", "arguments": {"timezone": "UTC"}}])"_s, QString(), hermesJson);
    call("python-style dict",
        uR"(<tool_call>{'name': 'get_weather', 'arguments': {'city': 'Paris', 'unit': None}}</tool_call>)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Paris", "unit": null}}])"_s, QString(),
        hermesJson);
    call("id preserved", uR"(<tool_call>{"id": "call_7", "name": "get_time", "arguments": {}}</tool_call>)"_s,
        uR"([{"name": "get_time", "arguments": {}, "id": "call_7"}])"_s, QString(), hermesJson);
    call("OpenAI nesting",
        uR"(<tool_call>{"type": "function", "function": {"name": "get_time", "arguments": "{\"timezone\": \"CET\"}"}}</tool_call>)"_s,
        uR"([{"name": "get_time", "arguments": {"timezone": "CET"}}])"_s, QString(), hermesJson);
    call("end-of-turn token after the call",
        uR"(<tool_call>{"name": "get_time", "arguments": {}}</tool_call><|im_end|>)"_s,
        uR"([{"name": "get_time", "arguments": {}}])"_s, QString(), hermesJson);
    call("one undeclared call next to a declared one",
        uR"(<tool_call>[{"name": "get_time", "arguments": {}}, {"name": "launch_missiles", "arguments": {}}]</tool_call>)"_s,
        uR"([{"name": "get_time", "arguments": {}}])"_s, QString(), hermesJson);
    call("Granite 3.1 <tool_call> list without a closing tag",
        uR"(<tool_call> [{"name": "get_weather", "arguments": {"city": "Tokyo"}}, {"arguments": {"timezone": "Asia/Tokyo"}, "name": "get_time"}])"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Tokyo"}}, {"name": "get_time", "arguments": {"timezone": "Asia/Tokyo"}}])"_s,
        QString(), u"granite_tool_call_token"_s);
    call("Granite 3.1 list followed by prose", uR"(Let me check.
<tool_call> [{"name": "get_weather", "arguments": {"city": "Tokyo"}}]
I'll get that information.)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Tokyo"}}])"_s,
        u"Let me check.\nI'll get that information."_s, u"granite_tool_call_token"_s);

    noCall(
        "undeclared tool", uR"(<tool_call>{"name": "launch_missiles", "arguments": {}}</tool_call>)"_s, true);
    noCall("truncated JSON", uR"(<tool_call>{"name": "get_weather", "arguments": {"city": "Par)"_s, true);
    noCall("a brace missing before the closing tag",
        uR"(<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}</tool_call>)"_s, true);
    noCall("the marker alone at the end", u"Let me call it. <tool_call>"_s, true);
    noCall("JSON that names no call", uR"(<tool_call>{"city": "Paris"}</tool_call>)"_s, true);
    noCall("prose that mentions the tool and the tag",
        u"I could use get_weather, written as <tool_call> tags, but I won't."_s, false);
    noCall("plain prose", u"This is not a tool call."_s, false);
}

void TestFormatsJsonEnvelopes::hermesAltWrappers_data()
{
    addColumns();
    const QString alt = u"hermes_alt_wrappers"_s;
    const QString special = uR"([{"name": "special_function", "arguments": {"arg1": 1}}])"_s;
    call("<tool>", uR"(<tool>{"name": "special_function", "arguments": {"arg1": 1}}</tool>)"_s, special,
        QString(), alt);
    call("<tools>", uR"(<tools>
  {"name": "special_function", "arguments": {"arg1": 1}}
</tools>)"_s,
        special, QString(), alt);
    call("<response>", uR"(<response>{"name": "special_function", "arguments": {"arg1": 1}}</response>)"_s,
        special, QString(), alt);
    call("<json> indented", uR"(<json>
  {"name": "special_function", "arguments": {"arg1": 1}}
</json>)"_s,
        special, QString(), alt);
    call("<JSON> upper case", uR"(<JSON>
  {"name": "special_function", "arguments": {"arg1": 1}}
</JSON>)"_s,
        special, QString(), alt);
    call("<xml>", uR"(<xml>{"name": "special_function", "arguments": {"arg1": 1}}</xml>)"_s, special,
        QString(), alt);
    call("fenced <response>", uR"(```xml
<response>
    {"name": "special_function", "arguments": {"arg1": 1}}
</response>
```)"_s,
        special, QString(), alt);
    call("<function name=\"N\">", uR"(<function name="get_weather">{"city": "Paris"}</function>)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Paris"}}])"_s, QString(), alt);
    call("<function name='N'> with prose after", uR"(<function name='special_function'>{"arg1": 1}</function>
Done.)"_s,
        special, u"Done."_s, alt);
    call("<function name=\"N\"> unclosed at the end", uR"(<function name="get_time">{"timezone": "UTC"})"_s,
        uR"([{"name": "get_time", "arguments": {"timezone": "UTC"}}])"_s, QString(), alt);
    call("prose around", uR"(Sure.
<response>{"name": "get_time", "arguments": {}}</response>
Anything else?)"_s,
        uR"([{"name": "get_time", "arguments": {}}])"_s, u"Sure.\nAnything else?"_s, alt);
    call("two wrappers",
        uR"(<tool>{"name": "get_time", "arguments": {}}</tool><json>{"name": "refresh", "arguments": {}}</json>)"_s,
        uR"([{"name": "get_time", "arguments": {}}, {"name": "refresh", "arguments": {}}])"_s, QString(),
        alt);

    noCall("data in <response>", uR"(<response>{"temperature": 21}</response>)"_s, false);
    noCall("Granite's plain answer", u"<response>Hello, world!</response>"_s, false);
    noCall("MiniCPM5 body", uR"(<function name="get_weather"><param name="city">Paris</param></function>)"_s,
        false);
    noCall("Functionary v3.1 tag", uR"(<function=get_weather>{"city": "Paris"}</function>)"_s, false);
    noCall("undeclared <function name>", uR"(<function name="launch">{"x": 1}</function>)"_s, true);
    noCall("undeclared in <tool>", uR"(<tool>{"name": "launch", "arguments": {}}</tool>)"_s, true);
    noCall("tool definitions echoed from the prompt",
        uR"(<tools>{"type": "function", "function": {"name": "get_weather", "description": "Weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}</tools>)"_s,
        false);
    noCall("a longer tag name", uR"(<toolbox>{"name": "get_time", "arguments": {}}</toolbox>)"_s, false);
}

void TestFormatsJsonEnvelopes::toolCallsBlock_data()
{
    addColumns();
    const QString array = u"tool_calls_json_array"_s;
    const QString lines = u"minimax_m1_json_lines"_s;
    call("Jamba with a leading space",
        uR"( <tool_calls>[{"name": "get_weather", "arguments": {"city": "Boston"}}]</tool_calls>)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Boston"}}])"_s, QString(), array);
    call("several calls, empty arguments first",
        uR"(<tool_calls>[{"name": "say_hello", "arguments": {}}, {"name": "get_weather", "arguments": {"city": "Oslo"}}]</tool_calls>)"_s,
        uR"([{"name": "say_hello", "arguments": {}}, {"name": "get_weather", "arguments": {"city": "Oslo"}}])"_s,
        QString(), array);
    call("prose before and after",
        uR"(I will call the tool now. <tool_calls>[{"name": "get_weather", "arguments": {"city": "Seattle"}}]</tool_calls>
Thank you!)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Seattle"}}])"_s,
        u"I will call the tool now.\nThank you!"_s, array);
    call("non-ASCII value",
        uR"(<tool_calls>[{"name": "get_weather", "arguments": {"city": "北京"}}]</tool_calls>)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "北京"}}])"_s, QString(), array);
    call("closing tag missing", uR"(<tool_calls>[{"name": "get_time", "arguments": {"timezone": "UTC"}}])"_s,
        uR"([{"name": "get_time", "arguments": {"timezone": "UTC"}}])"_s, QString(), array);
    call("Apriel 1.6 final response marker", uR"(Let me think about it.
[BEGIN FINAL RESPONSE]
<tool_calls>[{"name": "get_time", "arguments": {}}]</tool_calls>)"_s,
        uR"([{"name": "get_time", "arguments": {}}])"_s, QString(), array);
    call("MiniMax-M1 lines", uR"(<tool_calls>
{"name": "get_weather", "arguments": {"city": "Dallas", "unit": "fahrenheit"}}
{"name": "get_weather", "arguments": {"city": "Orlando", "unit": "fahrenheit"}}
</tool_calls>)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Dallas", "unit": "fahrenheit"}}, {"name": "get_weather", "arguments": {"city": "Orlando", "unit": "fahrenheit"}}])"_s,
        QString(), lines);
    call("MiniMax-M1 pretty-printed object", uR"(<tool_calls>
{
  "name": "get_weather",
  "arguments": {
    "city": "New York"
  }
}
</tool_calls>)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "New York"}}])"_s, QString(), lines);
    call("MiniMax-M1 broken line between valid ones", uR"(<tool_calls>
{"name": "get_time", "arguments": {"timezone": "UTC"}}
{invalid json here}
{"name": "refresh", "arguments": {}}
</tool_calls>)"_s,
        uR"([{"name": "get_time", "arguments": {"timezone": "UTC"}}, {"name": "refresh", "arguments": {}}])"_s,
        QString(), lines);
    call("MiniMax-M1 line without a name", uR"(<tool_calls>
{"name": "get_time", "arguments": {}}
{"arguments": {"city": "Portland"}}
</tool_calls>)"_s,
        uR"([{"name": "get_time", "arguments": {}}])"_s, QString(), lines);
    call("MiniMax-M1 closing tag missing", uR"(<tool_calls>
{"name": "get_weather", "arguments": {"city": "Boston"}})"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Boston"}}])"_s, QString(), lines);
    call("MiniMax-M1 rehearsal in thinking", uR"(<think>I should use a tool. <tool_calls>
{"name": "refresh", "arguments": {}}
</tool_calls></think>

Let me help. <tool_calls>
{"name": "get_time", "arguments": {}}
</tool_calls>)"_s,
        uR"([{"name": "get_time", "arguments": {}}])"_s, u"Let me help."_s, lines);

    noCall("Hunyuan V3 XML body", uR"(<tool_calls>
<tool_call>get_weather<tool_sep>
<arg_key>city</arg_key>
<arg_value>Paris</arg_value>
</tool_call>
</tool_calls>)"_s,
        false);
    noCall("truncated array", uR"(<tool_calls>[{"name": "get_weather", "arguments": {"city": "Bos)"_s, true);
    noCall("undeclared tool", uR"(<tool_calls>[{"name": "launch", "arguments": {}}]</tool_calls>)"_s, true);
    noCall("empty list", u"<tool_calls>[]</tool_calls>"_s, false);
}

void TestFormatsJsonEnvelopes::nemotron_data()
{
    addColumns();
    const QString nemotronFormat = u"nemotron_v2_toolcall"_s;
    call("array", uR"(<TOOLCALL>[{"name": "special_function", "arguments": {"arg1": 1}}]</TOOLCALL>)"_s,
        uR"([{"name": "special_function", "arguments": {"arg1": 1}}])"_s, QString(), nemotronFormat);
    call("prose before and after",
        uR"(Let me check that.<TOOLCALL>[{"name": "get_weather", "arguments": {"city": "Tokyo", "unit": "celsius"}}]</TOOLCALL>Hello, world!)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Tokyo", "unit": "celsius"}}])"_s,
        u"Let me check that. Hello, world!"_s, nemotronFormat);
    call("single object", uR"(<TOOLCALL>{"name": "get_time", "arguments": {"timezone": "UTC"}}</TOOLCALL>)"_s,
        uR"([{"name": "get_time", "arguments": {"timezone": "UTC"}}])"_s, QString(), nemotronFormat);
    call("string arguments",
        uR"(<TOOLCALL>[{"name": "get_time", "arguments": "{\"timezone\": \"UTC\"}"}]</TOOLCALL>)"_s,
        uR"([{"name": "get_time", "arguments": {"timezone": "UTC"}}])"_s, QString(), nemotronFormat);
    call("two calls, thinking first", uR"(<think>
I need both.
</think>
<TOOLCALL>[{"name": "get_time", "arguments": {}}, {"name": "refresh", "arguments": {}}]</TOOLCALL>)"_s,
        uR"([{"name": "get_time", "arguments": {}}, {"name": "refresh", "arguments": {}}])"_s, QString(),
        nemotronFormat);
    call("closing tag missing", uR"(<TOOLCALL>[{"name": "refresh", "arguments": {}}])"_s,
        uR"([{"name": "refresh", "arguments": {}}])"_s, QString(), nemotronFormat);
    call("lower-case tags", uR"(<toolcall>[{"name": "refresh", "arguments": {}}]</toolcall>)"_s,
        uR"([{"name": "refresh", "arguments": {}}])"_s, QString(), nemotronFormat);
    noCall("a brace missing", uR"(<TOOLCALL>[{"name": "refresh", "arguments": {}</TOOLCALL>)"_s, true);
    noCall("pythonic body", u"<TOOLCALL>[refresh()]</TOOLCALL>"_s, false);
}

void TestFormatsJsonEnvelopes::longCat_data()
{
    addColumns();
    const QString longCatFormat = u"longcat_tool_call"_s;
    call("JSON body", uR"(<longcat_tool_call>{"name": "refresh", "arguments": {}}</longcat_tool_call>)"_s,
        uR"([{"name": "refresh", "arguments": {}}])"_s, QString(), longCatFormat);
    call("two calls and prose", uR"(Let me check.
<longcat_tool_call>{"name": "get_weather", "arguments": {"city": "Tokyo"}}</longcat_tool_call>
<longcat_tool_call>{"name": "get_time", "arguments": {"timezone": "Asia/Tokyo"}}</longcat_tool_call>
Here is the result.)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Tokyo"}}, {"name": "get_time", "arguments": {"timezone": "Asia/Tokyo"}}])"_s,
        u"Let me check.\nHere is the result."_s, longCatFormat);
    call("escaped strings", uR"(<longcat_tool_call>{
  "name": "set_flags",
  "arguments": {"code": "He said \"hi\"\nC:\\Users\\file.txt 🎉"}
}</longcat_tool_call>)"_s,
        uR"([{"name": "set_flags", "arguments": {"code": "He said \"hi\"\nC:\\Users\\file.txt 🎉"}}])"_s,
        QString(), longCatFormat);
    call("argument pairs, typed by the schema", uR"(<longcat_tool_call>read_file
<longcat_arg_key>path</longcat_arg_key>
<longcat_arg_value>main.py</longcat_arg_value>
<longcat_arg_key>start</longcat_arg_key>
<longcat_arg_value>0</longcat_arg_value>
<longcat_arg_key>max_chars</longcat_arg_key>
<longcat_arg_value>24000</longcat_arg_value>
</longcat_tool_call>)"_s,
        uR"([{"name": "read_file", "arguments": {"path": "main.py", "start": 0, "max_chars": 24000}}])"_s,
        QString(), longCatFormat);
    call("compact argument pairs",
        uR"(<longcat_tool_call>set_flags<longcat_arg_key>enabled</longcat_arg_key><longcat_arg_value>true</longcat_arg_value><longcat_arg_key>meta</longcat_arg_key><longcat_arg_value>{"a": [1, 2]}</longcat_arg_value><longcat_arg_key>note</longcat_arg_key><longcat_arg_value>null</longcat_arg_value></longcat_tool_call>)"_s,
        uR"([{"name": "set_flags", "arguments": {"enabled": true, "meta": {"a": [1, 2]}, "note": null}}])"_s,
        QString(), longCatFormat);
    call("pairs with end tags left out", uR"(<longcat_tool_call>get_weather
<longcat_arg_key>city <longcat_arg_value>Paris
<longcat_arg_key>unit</longcat_arg_key><longcat_arg_value>celsius
</longcat_tool_call>)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}])"_s, QString(),
        longCatFormat);
    call("name without arguments", u"<longcat_tool_call>refresh\n</longcat_tool_call>"_s,
        uR"([{"name": "refresh", "arguments": {}}])"_s, QString(), longCatFormat);
    call("name then JSON arguments", uR"(<longcat_tool_call>get_weather
{"city": "Rome"}
</longcat_tool_call>)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Rome"}}])"_s, QString(), longCatFormat);
    noCall("not JSON and no declared name", u"Some text with <longcat_tool_call>invalid json"_s, true);
    noCall("truncated JSON", uR"(<longcat_tool_call>{"name": "refresh", "arguments": {)"_s, true);
    noCall("undeclared name with pairs", uR"(<longcat_tool_call>launch
<longcat_arg_key>x</longcat_arg_key>
<longcat_arg_value>1</longcat_arg_value>
</longcat_tool_call>)"_s,
        true);
    noCall("pairs cut off", uR"(<longcat_tool_call>get_weather
<longcat_arg_key>city</longcat_arg_key>
<longcat_arg_value>Par)"_s,
        true);
}

void TestFormatsJsonEnvelopes::graniteToken_data()
{
    addColumns();
    const QString granite = u"granite_tool_call_token"_s;
    call("Granite 3.0 token", uR"(<|tool_call|>[{"name": "special_function", "arguments": {"arg1": 1}}])"_s,
        uR"([{"name": "special_function", "arguments": {"arg1": 1}}])"_s, QString(), granite);
    call("parallel calls over several lines", uR"(<|tool_call|> [
  {"name": "get_weather", "arguments": {"city": "Tokyo"}},
  {"name": "get_time", "arguments": {"timezone": "Asia/Tokyo"}}
])"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Tokyo"}}, {"name": "get_time", "arguments": {"timezone": "Asia/Tokyo"}}])"_s,
        QString(), granite);
    call("arguments before the name",
        uR"(<|tool_call|> [{"arguments": {"city": "Tokyo"}, "name": "get_weather"}, {"arguments": {"timezone": "Asia/Tokyo"}, "name": "get_time"}])"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Tokyo"}}, {"name": "get_time", "arguments": {"timezone": "Asia/Tokyo"}}])"_s,
        QString(), granite);
    call("prose before and after", uR"(Let me check the weather for you.
<|tool_call|> [{"name": "get_weather", "arguments": {"city": "Tokyo"}}]
I'll get that information.)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Tokyo"}}])"_s,
        u"Let me check the weather for you.\nI'll get that information."_s, granite);
    call("Phi-4-mini closing token",
        uR"(Sure. <|tool_call|>[{"name": "refresh", "arguments": {}}]<|/tool_call|>)"_s,
        uR"([{"name": "refresh", "arguments": {}}])"_s, u"Sure."_s, granite);
    call("a single object", uR"(<|tool_call|>{"name": "refresh", "arguments": {}})"_s,
        uR"([{"name": "refresh", "arguments": {}}])"_s, QString(), granite);
    call("end-of-text token after",
        uR"(<|tool_call|>[{"name": "refresh", "arguments": {}}]<|end_of_text|>)"_s,
        uR"([{"name": "refresh", "arguments": {}}])"_s, QString(), granite);
    noCall("truncated", uR"(<|tool_call|> [{"name": "get_weather", "arguments": {)"_s, true);
    noCall("undeclared", uR"(<|tool_call|>[{"name": "func", "arguments": {}}])"_s, true);
}

void TestFormatsJsonEnvelopes::granite20b_data()
{
    addColumns();
    const QString granite = u"granite_20b_function_call"_s;
    call("one call", uR"(<function_call> {"name": "get_weather", "arguments": {"city": "Tokyo"}})"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Tokyo"}}])"_s, QString(), granite);
    call("one call per line", uR"(<function_call> {"name": "get_weather", "arguments": {"city": "Tokyo"}}
<function_call> {"name": "get_time", "arguments": {"timezone": "Asia/Tokyo"}})"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Tokyo"}}, {"name": "get_time", "arguments": {"timezone": "Asia/Tokyo"}}])"_s,
        QString(), granite);
    call("pretty-printed", uR"(<function_call> {
  "name": "set_flags",
  "arguments": {"enabled": false, "ratio": 3.14, "meta": {}}
})"_s,
        uR"([{"name": "set_flags", "arguments": {"enabled": false, "ratio": 3.14, "meta": {}}}])"_s,
        QString(), granite);
    call("prose before", uR"(Let me check the weather for you.
<function_call> {"name": "get_weather", "arguments": {"city": "Tokyo"}})"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Tokyo"}}])"_s,
        u"Let me check the weather for you."_s, granite);
    call("with a closing tag", uR"(<function_call> {"name": "refresh", "arguments": {}} </function_call>
Done.)"_s,
        uR"([{"name": "refresh", "arguments": {}}])"_s, u"Done."_s, granite);
    noCall("inside a markdown fence (json_code_fence)", uR"(```json
<function_call> {"name": "special_function", "arguments": {"arg1": 1}}
</function_call>
```)"_s,
        false);
    noCall("truncated", uR"(<function_call> {"name": "get_weather", "arguments": {)"_s, true);
    noCall("a name that is no string", uR"(<function_call> {"name": 123})"_s, true);
    noCall(
        "a list is not this format", uR"(<function_call> [{"name": "refresh", "arguments": {}}])"_s, false);
}

void TestFormatsJsonEnvelopes::functools_data()
{
    addColumns();
    const QString functoolsFormat = u"functools_json_list"_s;
    call("Phi-4-mini", uR"(functools[{"name": "get_weather", "arguments": {"city": "Tokyo"}}])"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Tokyo"}}])"_s, QString(), functoolsFormat);
    call("Firefunction v2 leading space", uR"( functools[{"name": "refresh", "arguments": {}}])"_s,
        uR"([{"name": "refresh", "arguments": {}}])"_s, QString(), functoolsFormat);
    call("parallel calls", uR"(functools[
  {"name": "get_weather", "arguments": {"city": "Tokyo"}},
  {"name": "get_time", "arguments": {"timezone": "Asia/Tokyo"}}
])"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Tokyo"}}, {"name": "get_time", "arguments": {"timezone": "Asia/Tokyo"}}])"_s,
        QString(), functoolsFormat);
    call("prose before and after", uR"(Let me check the weather for you.
functools[{"name": "get_weather", "arguments": {"city": "Tokyo"}}]
Would you like to know more?)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Tokyo"}}])"_s,
        u"Let me check the weather for you.\nWould you like to know more?"_s, functoolsFormat);
    call("escaped strings",
        uR"(functools[{"name": "set_flags", "arguments": {"code": "He said \"hello\" C:\\Users 🎉"}}])"_s,
        uR"([{"name": "set_flags", "arguments": {"code": "He said \"hello\" C:\\Users 🎉"}}])"_s, QString(),
        functoolsFormat);
    noCall("an empty list and prose", u"functools[] This is just text"_s, false);
    noCall("not JSON in the list", u"functools[ This is just text ]"_s, true);
    noCall(
        "another word ending in functools", uR"(myfunctools[{"name": "refresh", "arguments": {}}])"_s, false);
    noCall("the Python module", u"Use functools.partial(f, 1) here."_s, false);
    noCall("truncated", uR"(functools[{"name": "refresh", "arguments": {)"_s, true);
}

void TestFormatsJsonEnvelopes::internLm_data()
{
    addColumns();
    const QString internLmFormat = u"internlm_action"_s;
    call("one call",
        uR"(<|action_start|><|plugin|>{"name": "get_weather", "parameters": {"city": "Tokyo"}}<|action_end|>)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Tokyo"}}])"_s, QString(), internLmFormat);
    call("prose before",
        uR"(Let me check the weather for you. <|action_start|><|plugin|>{"name": "get_weather", "parameters": {"city": "Tokyo"}}<|action_end|>)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Tokyo"}}])"_s,
        u"Let me check the weather for you."_s, internLmFormat);
    call("pretty-printed, spaces between tokens", uR"(<|action_start|> <|plugin|>
{
  "name": "set_flags",
  "parameters": {"code": "He said \"hello\"\nline2", "ratio": 1e-3}
}
<|action_end|>)"_s,
        uR"([{"name": "set_flags", "arguments": {"code": "He said \"hello\"\nline2", "ratio": 0.001}}])"_s,
        QString(), internLmFormat);
    call("end token missing", uR"(<|action_start|><|plugin|>{"name": "refresh", "parameters": {}})"_s,
        uR"([{"name": "refresh", "arguments": {}}])"_s, QString(), internLmFormat);
    call("arguments that are not an object are kept for the validator",
        uR"(<|action_start|><|plugin|>{"name": "get_time", "parameters": "not a dict"}<|action_end|>)"_s,
        uR"([{"name": "get_time", "arguments": "not a dict"}])"_s, QString(), internLmFormat);
    noCall("undeclared tool",
        uR"(<|action_start|><|plugin|>{"name": "delete_everything", "parameters": {"city": "Tokyo"}}<|action_end|>)"_s,
        true);
    noCall("interpreter action", u"<|action_start|><|interpreter|>print(1)<|action_end|>"_s, false);
    noCall("no plugin token", uR"(<|action_start|>{"name": "refresh"})"_s, false);
    noCall("not JSON", u"<|action_start|><|plugin|>not json<|action_end|>"_s, false);
    noCall("cut off after the tokens", u"<|action_start|><|plugin|>"_s, true);
}

void TestFormatsJsonEnvelopes::apertus_data()
{
    addColumns();
    const QString apertusFormat = u"apertus_tools_prefix"_s;
    call("one call", uR"(<|tools_prefix|>[{"get_weather": {"city": "London"}}]<|tools_suffix|>)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "London"}}])"_s, QString(), apertusFormat);
    call("several calls",
        uR"(<|tools_prefix|>[{"get_weather": {"city": "London"}}, {"get_time": {"timezone": "GMT"}}]<|tools_suffix|>)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "London"}}, {"name": "get_time", "arguments": {"timezone": "GMT"}}])"_s,
        QString(), apertusFormat);
    call("reasoning first", uR"(<|inner_prefix|>I'm
thinking<|inner_suffix|><|tools_prefix|>[{"special_function": {"arg1": 1}}]<|tools_suffix|>)"_s,
        uR"([{"name": "special_function", "arguments": {"arg1": 1}}])"_s, QString(), apertusFormat);
    call("prose before, content after the suffix",
        uR"(Let me check. <|tools_prefix|>[{"get_time": {}}]<|tools_suffix|> Checking now.)"_s,
        uR"([{"name": "get_time", "arguments": {}}])"_s, u"Let me check. Checking now."_s, apertusFormat);
    call("suffix missing",
        uR"(<|tools_prefix|>[{"get_weather": {"city": "San Francisco", "unit": "celsius"}}])"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "San Francisco", "unit": "celsius"}}])"_s,
        QString(), apertusFormat);
    noCall("the call object never closed", uR"(<|tools_prefix|>[{"get_weather": {"city": "London"})"_s, true);
    noCall("undeclared name key", uR"(<|tools_prefix|>[{"launch": {}}]<|tools_suffix|>)"_s, true);
}

void TestFormatsJsonEnvelopes::gigaChat_data()
{
    addColumns();
    const QString giga = u"gigachat_function_call"_s;
    call("GigaChat 3.1 token",
        uR"(<|function_call|>{"name": "get_time", "arguments": {"timezone": "MSK"}})"_s,
        uR"([{"name": "get_time", "arguments": {"timezone": "MSK"}}])"_s, QString(), giga);
    call("GigaChat 3.1 after prose, end token",
        uR"(I'll check that for you.<|function_call|>{"name": "refresh", "arguments": {}}</s>)"_s,
        uR"([{"name": "refresh", "arguments": {}}])"_s, u"I'll check that for you."_s, giga);
    call("GigaChat 3 message and role separators", uR"(<|message_sep|>

function call<|role_sep|>
{"name": "set_flags", "arguments": {"enabled": true, "meta": {"short_answers": true}}})"_s,
        uR"([{"name": "set_flags", "arguments": {"enabled": true, "meta": {"short_answers": true}}}])"_s,
        QString(), giga);
    call("GigaChat 3 after prose, end token", uR"(I'll check that for you.<|message_sep|>

function call<|role_sep|>
{"name": "get_time", "arguments": {}}</s>)"_s,
        uR"([{"name": "get_time", "arguments": {}}])"_s, u"I'll check that for you."_s, giga);
    call("role separator without the message separator", uR"(function call<|role_sep|>
{"name": "refresh", "arguments": {}})"_s,
        uR"([{"name": "refresh", "arguments": {}}])"_s, QString(), giga);
    call("bare words opening a line", uR"(Sure.
function call{"name": "refresh", "arguments": {}})"_s,
        uR"([{"name": "refresh", "arguments": {}}])"_s, u"Sure."_s, giga);
    noCall("the words in prose", uR"(I will make a function call {"name": "refresh"} later.)"_s, false);
    noCall("undeclared", uR"(<|function_call|>{"name": "no_such_tool", "arguments": {}})"_s, true);
}

void TestFormatsJsonEnvelopes::lfm2Json_data()
{
    addColumns();
    const QString lfm2 = u"lfm2_json"_s;
    call("one call",
        uR"(<|tool_call_start|>[{"name": "special_function", "arguments": {"arg1": 1}}]<|tool_call_end|>)"_s,
        uR"([{"name": "special_function", "arguments": {"arg1": 1}}])"_s, QString(), lfm2);
    call("several calls",
        uR"(<|tool_call_start|>[{"name": "get_weather", "arguments": {"city": "Paris"}}, {"name": "get_time", "arguments": {"timezone": "UTC"}}]<|tool_call_end|>)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Paris"}}, {"name": "get_time", "arguments": {"timezone": "UTC"}}])"_s,
        QString(), lfm2);
    call("content before",
        uR"(Let me check the weather for you.<|tool_call_start|>[{"name": "get_weather", "arguments": {"city": "Paris"}}]<|tool_call_end|>)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Paris"}}])"_s,
        u"Let me check the weather for you."_s, lfm2);
    call("content after",
        uR"(<|tool_call_start|>[{"name": "get_weather", "arguments": {"city": "Paris"}}]<|tool_call_end|>Here's the result.)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Paris"}}])"_s, u"Here's the result."_s, lfm2);
    call("newlines inside", uR"(<|tool_call_start|>[{
    "name": "get_time",
    "arguments": {
        "timezone": "Europe/Paris"
    }
}]<|tool_call_end|><|im_end|>)"_s,
        uR"([{"name": "get_time", "arguments": {"timezone": "Europe/Paris"}}])"_s, QString(), lfm2);
    noCall("pythonic body (lfm2_pythonic)",
        uR"(<|tool_call_start|>[get_weather(city="Paris")]<|tool_call_end|>)"_s, false);
    noCall("truncated", uR"(<|tool_call_start|>[{"name": "get_weather", "arguments": {"city":)"_s, true);
}

void TestFormatsJsonEnvelopes::cohere_data()
{
    addColumns();
    const QString cohereFormat = u"cohere_action"_s;
    call("thinking then two calls", uR"(plan<|END_THINKING|><|START_ACTION|>[
    {"tool_call_id": "0", "tool_name": "get_weather", "parameters": {"city": "Paris"}},
    {"tool_call_id": "1", "tool_name": "get_time", "parameters": {}}
]<|END_ACTION|>)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Paris"}, "id": "0"}, {"name": "get_time", "arguments": {}, "id": "1"}])"_s,
        QString(), cohereFormat);
    call("missing comma between elements",
        uR"(<|START_ACTION|>[{"tool_call_id": "0", "tool_name": "refresh", "parameters": {}}{"tool_call_id": "1", "tool_name": "set_flags", "parameters": {"code": "{not json}"}}]<|END_ACTION|>)"_s,
        uR"([{"name": "refresh", "arguments": {}}, {"name": "set_flags", "arguments": {"code": "{not json}"}}])"_s,
        QString(), cohereFormat);
    call("a malformed element does not cost its sibling", uR"(plan<|END_THINKING|><|START_ACTION|>[
    {"tool_call_id": "0", "tool_name": "set_flags", "parameters": {"ratio": 15:30}},
    {"tool_call_id": "1", "tool_name": "get_weather", "parameters": {"city": "Oslo"}}
]<|END_ACTION|>)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "Oslo"}}])"_s, QString(), cohereFormat);
    call("answer wrappers are not content",
        uR"(<|START_RESPONSE|>Checking.<|END_RESPONSE|><|START_ACTION|>[{"tool_call_id": "0", "tool_name": "refresh", "parameters": {}}]<|END_ACTION|><|END_OF_TURN_TOKEN|>)"_s,
        uR"([{"name": "refresh", "arguments": {}}])"_s, u"Checking."_s, cohereFormat);
    call("end token missing",
        uR"(<|START_ACTION|>[{"tool_call_id": "0", "tool_name": "refresh", "parameters": {}}])"_s,
        uR"([{"name": "refresh", "arguments": {}}])"_s, QString(), cohereFormat);
    noCall("garbage", u"<|START_ACTION|>[!!!]<|END_ACTION|>"_s, false);
    QTest::addRow("a rehearsal inside thinking")
        << uR"(<|START_THINKING|><|START_ACTION|>[{"tool_name": "refresh", "parameters": {}}]<|END_ACTION|><|END_THINKING|>Done.)"_s
        << u"[]"_s << u"Done."_s << QString() << false;
}

void TestFormatsJsonEnvelopes::commandRPlus_data()
{
    addColumns();
    const QString commandR = u"command_r_plus_markdown"_s;
    call("fence on the Action line", uR"(Action: ```json
[
    {
        "tool_name": "get_weather",
        "parameters": {"city": "San Francisco", "unit": "celsius"}
    }
]
```)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "San Francisco", "unit": "celsius"}}])"_s,
        QString(), commandR);
    call("fence on its own line, two calls", uR"(Action:
```json
[{"tool_name": "get_weather", "parameters": {"city": "New York"}}, {"tool_name": "get_time", "parameters": {"timezone": "EST"}}]
```)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "New York"}}, {"name": "get_time", "arguments": {"timezone": "EST"}}])"_s,
        QString(), commandR);
    call("plan before the action", uR"(Plan: I will look up the weather.
Action: ```json
[{"tool_name": "get_weather", "parameters": {"city": "NYC"}}]
```)"_s,
        uR"([{"name": "get_weather", "arguments": {"city": "NYC"}}])"_s,
        u"Plan: I will look up the weather."_s, commandR);
    call("a single object", uR"(Action: ```json
{"tool_name": "read_file", "parameters": {"path": "/etc/hosts"}}
```)"_s,
        uR"([{"name": "read_file", "arguments": {"path": "/etc/hosts"}}])"_s, QString(), commandR);
    call("closing fence missing", uR"(Action: ```json
[{"tool_name": "refresh", "parameters": {}}])"_s,
        uR"([{"name": "refresh", "arguments": {}}])"_s, QString(), commandR);
    call("directly_answer next to a real call", uR"(Action: ```json
[{"tool_name": "directly_answer", "parameters": {}}, {"tool_name": "refresh", "parameters": {}}]
```)"_s,
        uR"([{"name": "refresh", "arguments": {}}])"_s, QString(), commandR);
    noCall("directly_answer alone", uR"(Action: ```json
[{"tool_name": "directly-answer", "parameters": {}}]
```)"_s,
        false);
    noCall("mid-sentence keyword",
        uR"(The next Action: ```json [{"tool_name": "refresh", "parameters": {}}]```)"_s, false);
    noCall("ReAct-style action line", u"Action: search\nAction Input: weather"_s, false);
    noCall("undeclared", uR"(Action: ```json
[{"tool_name": "launch", "parameters": {}}]
```)"_s,
        true);
}

// Call spans are the call's own text; markup covers exactly the envelopes.
void TestFormatsJsonEnvelopes::spans()
{
    {
        const QString text = uR"(Hi <tool_call>{"name": "get_time", "arguments": {}}</tool_call> bye)"_s;
        const FormatMatch match = hermesParser.parse(text, catalog());
        QCOMPARE(match.calls.size(), 1);
        const qsizetype start = text.indexOf(u"<tool_call>"_s);
        const qsizetype end = text.indexOf(u" bye"_s);
        QCOMPARE(match.calls.first().span, (TextSpan { start, end }));
        QCOMPARE(match.markup, (QList<TextSpan> { { start, end } }));
        QVERIFY(match.failed.isEmpty());
    }
    {
        const QString text
            = uR"(<tool_calls>[{"name": "get_time", "arguments": {}}, {"name": "refresh", "arguments": {}}]</tool_calls>)"_s;
        const FormatMatch match = toolCallsParser.parse(text, catalog());
        QCOMPARE(match.calls.size(), 2);
        const qsizetype first = text.indexOf(u"{\"name\": \"get_time\""_s);
        const qsizetype second = text.indexOf(u"{\"name\": \"refresh\""_s);
        QCOMPARE(match.calls.at(0).span, (TextSpan { first, text.indexOf(u", {"_s) }));
        QCOMPARE(match.calls.at(1).span, (TextSpan { second, text.indexOf(u"]</tool_calls>"_s) }));
        QCOMPARE(match.markup, (QList<TextSpan> { { 0, text.size() } }));
    }
    {
        // Unclosed: the envelope ends with the call, the prose after it is not markup.
        const QString text = uR"(<tool_call>{"name": "get_time", "arguments": {}} and more)"_s;
        const FormatMatch match = hermesParser.parse(text, catalog());
        QCOMPARE(match.markup, (QList<TextSpan> { { 0, text.indexOf(u" and"_s) } }));
    }
    {
        // A fence that holds only the envelope is markup too; the prose around it is not.
        const QString text
            = u"Look:\n```xml\n<response>{\"name\": \"refresh\", \"arguments\": {}}</response>\n```\nok"_s;
        const RescueResult result = Rescuer({ &altParser }).rescue(text, catalog());
        QCOMPARE(result.calls.size(), 1);
        QCOMPARE(result.content, u"Look:\nok"_s);
    }
}

// Near misses carry a span over the envelope and one line in plain words.
void TestFormatsJsonEnvelopes::failuresAndIssues()
{
    {
        const QString text = uR"(Sure <tool_call>{"name": "launch", "arguments": {}}</tool_call>)"_s;
        const FormatMatch match = hermesParser.parse(text, catalog());
        QVERIFY(match.calls.isEmpty());
        QCOMPARE(match.failed, (QList<TextSpan> { { 5, text.size() } }));
        QCOMPARE(match.issues.size(), 1);
        QVERIFY2(match.issues.first().contains(u"'launch' is not a declared tool"_s),
            qPrintable(match.issues.first()));
        QCOMPARE(match.format, u"hermes_json"_s);
    }
    {
        const QString text = uR"(<tool_call>{"name": "get_weather", "arguments": {"city": "Pa)"_s;
        const FormatMatch match = hermesParser.parse(text, catalog());
        QVERIFY(match.calls.isEmpty());
        QCOMPARE(match.failed, (QList<TextSpan> { { 0, text.size() } }));
        QVERIFY2(match.issues.value(0).contains(u"truncated"_s), qPrintable(match.issues.value(0)));
    }
    {
        // The bad line of a MiniMax block is a near miss of its own, beside the good calls.
        const QString text
            = u"<tool_calls>\n{\"name\": \"refresh\", \"arguments\": {}}\n{broken}\n</tool_calls>"_s;
        const FormatMatch match = toolCallsParser.parse(text, catalog());
        QCOMPARE(match.calls.size(), 1);
        QCOMPARE(match.failed.size(), 1);
        QCOMPARE(text.mid(match.failed.first().start, 8), u"{broken}"_s);
        QCOMPARE(match.issues.size(), 1);
    }
    {
        // A near miss inside closed reasoning is a rehearsal, not a near miss.
        const QString text
            = uR"(<think><tool_call>{"name": "launch", "arguments": {}}</tool_call></think>Hello.)"_s;
        const RescueResult result = Rescuer({ &hermesParser }).rescue(text, catalog());
        QVERIFY(!result.nearMiss);
        QCOMPARE(result.content, u"Hello."_s);
    }
}

// Texts of other families' formats in envelopes this family shares: no parser of this family
// may claim them or call them near misses.
void TestFormatsJsonEnvelopes::otherFamiliesLeftAlone_data()
{
    QTest::addColumn<QString>("text");
    QTest::addRow("qwen3_coder_xml") << uR"(<tool_call>
<function=get_weather>
<parameter=city>
Paris
</parameter>
</function>
</tool_call>)"_s;
    QTest::addRow("glm45_xml")
        << u"<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Paris</arg_value>\n</tool_call>"_s;
    QTest::addRow("name_then_json_hybrid") << uR"(<tool_call>get_weather
{"city": "Paris"}</tool_call>)"_s;
    QTest::addRow("hunyuan_v3_xml")
        << u"<tool_calls>\n<tool_call>get_weather<tool_sep>\n<arg_key>city</arg_key>\n<arg_value>Paris</arg_value>\n</tool_call>\n</tool_calls>"_s;
    QTest::addRow("minicpm5_xml")
        << uR"(<function name="get_weather"><param name="city">Paris</param></function>)"_s;
    QTest::addRow("functionary_v31") << uR"(<function=get_weather>{"city": "Paris"}</function>)"_s;
    QTest::addRow("lfm2_pythonic") << uR"(<|tool_call_start|>[get_weather(city="Paris")]<|tool_call_end|>)"_s;
    QTest::addRow("json_code_fence with <function_call>") << uR"(```json

                    <function_call> {"name": "special_function", "arguments": {"arg1": 1}} 
                    </function_call> 
``` )"_s;
    QTest::addRow("json_code_fence") << uR"(```json
{"name": "get_weather", "arguments": {"city": "Paris"}}
```)"_s;
    QTest::addRow("llama3_json") << uR"({"name": "get_weather", "parameters": {"city": "Paris"}})"_s;
    QTest::addRow("mistral_json_array")
        << uR"([TOOL_CALLS] [{"name": "get_weather", "arguments": {"city": "Paris"}}])"_s;
    QTest::addRow("pythonic_list") << uR"([get_weather(city="Paris")])"_s;
    QTest::addRow("kimi_k2")
        << uR"(<|tool_calls_section_begin|><|tool_call_begin|>functions.get_weather:0<|tool_call_argument_begin|>{"city": "Paris"}<|tool_call_end|><|tool_calls_section_end|>)"_s;
    QTest::addRow("gemma4_call") << uR"(<|tool_call>call:get_weather{city:<|"|>Paris<|"|>}<tool_call|>)"_s;
}

void TestFormatsJsonEnvelopes::otherFamiliesLeftAlone()
{
    QFETCH(QString, text);
    for (const FormatParser* parser : kFamily) {
        const FormatMatch match = parser->parse(text, catalog());
        QVERIFY2(match.calls.isEmpty(), qPrintable(parser->name() + u" claimed a call"_s));
        QVERIFY2(match.failed.isEmpty(),
            qPrintable(parser->name() + u" reported a near miss: "_s + match.issues.join(u"; "_s)));
    }
}

// The registry knows every parser of the family, special tokens before generic tags.
void TestFormatsJsonEnvelopes::registeredInRankOrder()
{
    const QList<const FormatParser*>& all = formatParsers();
    QStringList names;
    for (const FormatParser* parser : all)
        names.append(parser->name());
    for (const FormatParser* parser : kFamily)
        QVERIFY2(names.contains(parser->name()), qPrintable(parser->name()));
    for (const FormatParser* anchored : { static_cast<const FormatParser*>(&cohereParser),
             static_cast<const FormatParser*>(&commandRPlusParser),
             static_cast<const FormatParser*>(&toolCallsParser) })
        QCOMPARE(anchored->rank(), ParserRank::Anchored);
    for (const FormatParser* envelope :
        { static_cast<const FormatParser*>(&hermesParser), static_cast<const FormatParser*>(&altParser),
            static_cast<const FormatParser*>(&granite20bParser) })
        QCOMPARE(envelope->rank(), ParserRank::Envelope);
    QVERIFY(names.indexOf(commandRPlusParser.name()) < names.indexOf(hermesParser.name()));
}

// Prose full of braces, brackets and half markers: every parser stays roughly linear.
void TestFormatsJsonEnvelopes::linearOnBraceHeavyText()
{
    QString text;
    while (text.size() < 10000)
        text
            += uR"({[ "a": {"b": [1, 2, {"c" <tool_call>{"x": <tool_calls>[{ functools[{ <|START_ACTION|>[{ <TOOLCALL>{"q )"_s;
    QElapsedTimer timer;
    timer.start();
    for (const FormatParser* parser : kFamily)
        parser->parse(text, catalog());
    QVERIFY2(timer.elapsed() < 1000, qPrintable(QString::number(timer.elapsed()) + u" ms"_s));

    QString prose;
    while (prose.size() < 10000)
        prose += u"Plain prose about tools, weather and time, with no markers at all. "_s;
    timer.restart();
    for (int round = 0; round < 100; ++round) {
        for (const FormatParser* parser : kFamily)
            QVERIFY(parser->parse(prose, catalog()).calls.isEmpty());
    }
    QVERIFY2(timer.elapsed() < 1000, qPrintable(QString::number(timer.elapsed()) + u" ms"_s));
}

QTEST_APPLESS_MAIN(TestFormatsJsonEnvelopes)
#include "tst_formats_jsonenvelopes.moc"
