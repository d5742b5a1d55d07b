// The bare-JSON family: calls written as JSON with no envelope (llama3_json, forge_prompt_json,
// json_other_shapes) and JSON calls in markdown fences (json_code_fence). Most cases run through
// the Rescuer with just these two parsers, so content, reasoning and near misses are checked the
// way a client sees them.
#include "guard/formats/barejson.h"
#include "guard/literalparser.h"
#include "guard/rescuer.h"
#include "jsoncompare.h"
#include "streamingcheck.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace Guard;

namespace {

ToolCatalog catalog()
{
    const QByteArray declared = R"([
        {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
            "properties": {"city": {"type": "string"}}}}},
        {"type": "function", "function": {"name": "search", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "searchTool", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "getOpenIncidentsTool", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "get_pricing", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "say_hello", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "say_hello_world", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "write_file", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "获取天气", "parameters": {"type": "object"}}}
    ])";
    return ToolCatalog::fromTools(QJsonDocument::fromJson(declared).array());
}

const JsonFenceParser& fenceParser()
{
    static const JsonFenceParser parser;
    return parser;
}

const BareJsonParser& bareParser()
{
    static const BareJsonParser parser;
    return parser;
}

RescueResult rescue(const QString& text)
{
    return Rescuer({ &fenceParser(), &bareParser() }).rescue(text, catalog());
}

QString describe(const QList<ParsedCall>& calls)
{
    QJsonArray array;
    for (const ParsedCall& call : calls)
        array.append(QJsonObject { { u"name"_s, call.name }, { u"arguments"_s, call.arguments } });
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

QString spanText(const QString& text, const TextSpan& span)
{
    return text.mid(span.start, span.length());
}

} // namespace

class TestFormatsBareJson : public QObject
{
    Q_OBJECT

private slots:
    void identity();
    void rescues_data();
    void rescues();
    void spans();
    void idsPreserved();
    void failures_data();
    void failures();
    void fenceAloneClaimsOnlyFences();
    void staysFast_data();
    void staysFast();
    void checkAgreesWithParse_data();
    void checkAgreesWithParse();
};

void TestFormatsBareJson::identity()
{
    QCOMPARE(bareParser().rank(), ParserRank::Bare);
    QCOMPARE(fenceParser().rank(), ParserRank::Envelope);
    QVERIFY(!bareParser().name().isEmpty());
    QVERIFY(bareParser().name() != fenceParser().name());
    // No braces, no work: prose comes back empty-handed.
    const FormatMatch prose = bareParser().parse(u"Plain answer [1] with brackets only."_s, catalog());
    QVERIFY(prose.calls.isEmpty() && prose.markup.isEmpty() && prose.failed.isEmpty());
    QVERIFY(bareParser().parse(u"{\"name\": \"search\"}"_s, ToolCatalog()).calls.isEmpty());
}

void TestFormatsBareJson::rescues_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("calls"); // [{name, arguments}] as JSON; [] for none
    QTest::addColumn<QString>("content"); // compared exactly
    QTest::addColumn<QString>("format"); // empty when no call is expected
    QTest::addColumn<bool>("nearMiss");

    const QString weatherParis = uR"([{"name":"get_weather","arguments":{"city":"Paris"}}])"_s;
    const QString twoWeathers
        = uR"([{"name":"get_weather","arguments":{"city":"Paris"}},{"name":"get_weather","arguments":{"city":"Oslo"}}])"_s;

    // --- llama3_json
    QTest::addRow("llama3 parameters") << uR"({"name": "get_weather", "parameters": {"city": "Paris"}})"_s
                                       << weatherParis << QString() << u"llama3_json"_s << false;
    QTest::addRow("llama3 type function")
        << uR"({"type": "function", "name": "get_weather", "parameters": {"city": "Paris"}})"_s
        << weatherParis << QString() << u"llama3_json"_s << false;
    QTest::addRow("arguments key first") << uR"({"arguments": {"city": "Paris"}, "name": "get_weather"})"_s
                                         << weatherParis << QString() << u"llama3_json"_s << false;
    QTest::addRow("pretty printed")
        << u"{\n  \"name\": \"get_weather\",\n  \"parameters\": {\n    \"city\": \"Paris\"\n  }\n}\n"_s
        << weatherParis << QString() << u"llama3_json"_s << false;
    QTest::addRow("argument called name")
        << uR"({"name": "search", "arguments": {"name": "Alice"}})"_s
        << uR"([{"name":"search","arguments":{"name":"Alice"}}])"_s << QString() << u"llama3_json"_s << false;
    QTest::addRow("no arguments") << uR"({"name": "say_hello"})"_s
                                  << uR"([{"name":"say_hello","arguments":{}}])"_s << QString()
                                  << u"llama3_json"_s << false;
    QTest::addRow("longest name wins")
        << uR"({"name": "say_hello_world", "arguments": {}})"_s
        << uR"([{"name":"say_hello_world","arguments":{}}])"_s << QString() << u"llama3_json"_s << false;
    QTest::addRow("functions prefix")
        << uR"({"name": "functions.get_weather", "arguments": {"city": "Paris"}})"_s << weatherParis
        << QString() << u"llama3_json"_s << false;
    QTest::addRow("prose before and after")
        << uR"(Let me check. {"name": "get_weather", "parameters": {"city": "Paris"}} I will report back.)"_s
        << weatherParis << u"Let me check. I will report back."_s << u"llama3_json"_s << false;
    QTest::addRow("semicolon and space")
        << uR"({"name": "get_weather", "parameters": {"city": "Paris"}}; {"name": "get_weather", "parameters": {"city": "Oslo"}})"_s
        << twoWeathers << QString() << u"llama3_json"_s << false;
    QTest::addRow("bare semicolon")
        << uR"({"name":"get_weather","parameters":{"city":"Paris"}};{"name":"get_weather","parameters":{"city":"Oslo"}})"_s
        << twoWeathers << QString() << u"llama3_json"_s << false;
    QTest::addRow("newline separated")
        << u"{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n"_s
        << twoWeathers << QString() << u"llama3_json"_s << false;
    QTest::addRow("comma separated, no brackets")
        << uR"({"name": "get_weather", "arguments": {"city": "Paris"}}, {"name": "get_weather", "arguments": {"city": "Oslo"}})"_s
        << twoWeathers << QString() << u"llama3_json"_s << false;
    QTest::addRow("json array")
        << uR"([{"name": "get_weather", "arguments": {"city": "Paris"}}, {"name": "get_weather", "arguments": {"city": "Oslo"}}])"_s
        << twoWeathers << QString() << u"llama3_json"_s << false;
    QTest::addRow("array in prose, multi-line")
        << u"Calling both:\n[\n  {\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}},\n  {\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n]\nDone."_s
        << twoWeathers << u"Calling both:\nDone."_s << u"llama3_json"_s << false;
    QTest::addRow("array never closed") << uR"([{"name": "get_weather", "arguments": {"city": "Paris"}})"_s
                                        << weatherParis << QString() << u"llama3_json"_s << false;
    QTest::addRow("prose between calls")
        << uR"(First {"name": "get_weather", "arguments": {"city": "Paris"}} and then {"name": "get_weather", "arguments": {"city": "Oslo"}} done.)"_s
        << twoWeathers << u"First and then done."_s << u"llama3_json"_s << false;
    QTest::addRow("extra closing brace") << uR"({"name": "get_weather", "arguments": {"city": "Paris"}}})"_s
                                         << weatherParis << QString() << u"llama3_json"_s << false;
    QTest::addRow("trailing semicolon")
        << u"{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}};\nThanks."_s << weatherParis
        << u"Thanks."_s << u"llama3_json"_s << false;
    QTest::addRow("brace in trailing prose")
        << uR"({"name": "searchTool", "parameters": {"query": "test"}} I used {searchTool} for this.)"_s
        << uR"([{"name":"searchTool","arguments":{"query":"test"}}])"_s << u"I used {searchTool} for this."_s
        << u"llama3_json"_s << false;
    QTest::addRow("second fragment in prose is data")
        << uR"({"name": "search", "arguments": {"q": "x"}} Result shape: {"items": []})"_s
        << uR"([{"name":"search","arguments":{"q":"x"}}])"_s << uR"(Result shape: {"items": []})"_s
        << u"llama3_json"_s << false;
    QTest::addRow("braces, brackets, quotes in strings")
        << uR"({"name": "search", "arguments": {"q": "a } b { \"c\" ] [ ; ,"}})"_s
        << uR"([{"name":"search","arguments":{"q":"a } b { \"c\" ] [ ; ,"}}])"_s << QString()
        << u"llama3_json"_s << false;
    QTest::addRow("stringified arguments")
        << uR"({"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"})"_s << weatherParis << QString()
        << u"llama3_json"_s << false;
    QTest::addRow("unicode name and values")
        << uR"({"name": "获取天气", "arguments": {"城市": "北京 🌧"}})"_s
        << uR"([{"name":"获取天气","arguments":{"城市":"北京 🌧"}}])"_s << QString()
        << u"llama3_json"_s << false;
    QTest::addRow("inline code backticks")
        << uR"(Run `{"name": "search", "arguments": {"q": "x"}}` now.)"_s
        << uR"([{"name":"search","arguments":{"q":"x"}}])"_s << u"Run now."_s << u"llama3_json"_s << false;
    QTest::addRow("end-of-turn token")
        << uR"({"name": "get_weather", "parameters": {"city": "Paris"}}<|eot_id|>)"_s << weatherParis
        << QString() << u"llama3_json"_s << false;
    QTest::addRow("undeclared sibling in an array")
        << uR"([{"name": "get_weather", "arguments": {"city": "Paris"}}, {"name": "rm_rf", "arguments": {}}])"_s
        << weatherParis << QString() << u"llama3_json"_s << false;

    // --- forge_prompt_json
    QTest::addRow("forge tool args") << uR"({"tool": "get_pricing", "args": {"part": "A"}})"_s
                                     << uR"([{"name":"get_pricing","arguments":{"part":"A"}}])"_s << QString()
                                     << u"forge_prompt_json"_s << false;
    QTest::addRow("forge several in prose")
        << uR"(Checking prices. {"tool": "get_pricing", "args": {"part": "A"}} {"tool": "search", "args": {"q": "B"}} That is all.)"_s
        << uR"([{"name":"get_pricing","arguments":{"part":"A"}},{"name":"search","arguments":{"q":"B"}}])"_s
        << u"Checking prices. That is all."_s << u"forge_prompt_json"_s << false;
    QTest::addRow("forge name and args") << uR"({"name": "get_pricing", "args": {"part": "A"}})"_s
                                         << uR"([{"name":"get_pricing","arguments":{"part":"A"}}])"_s
                                         << QString() << u"forge_prompt_json"_s << false;
    QTest::addRow("forge call with a rehearsed companion")
        << uR"({"tool": "get_pricing", "args": {"a": 1}} search[ARGS]{"b": 2})"_s
        << uR"([{"name":"get_pricing","arguments":{"a":1}},{"name":"search","arguments":{"b":2}}])"_s
        << QString() << u"forge_prompt_json"_s << false;
    QTest::addRow("forge call without args")
        << uR"({"tool": "get_pricing"})"_s << uR"([{"name":"get_pricing","arguments":{}}])"_s << QString()
        << u"forge_prompt_json"_s << false;
    QTest::addRow("forge brace in a string")
        << uR"({"tool": "search", "args": {"q": "fn() { return 1; }"}})"_s
        << uR"([{"name":"search","arguments":{"q":"fn() { return 1; }"}}])"_s << QString()
        << u"forge_prompt_json"_s << false;

    // --- json_other_shapes
    QTest::addRow("nested function")
        << uR"({"function": {"name": "get_weather", "arguments": {"city": "Paris"}}})"_s << weatherParis
        << QString() << u"json_other_shapes"_s << false;
    QTest::addRow("openai nesting, stringified")
        << uR"({"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}})"_s
        << weatherParis << QString() << u"json_other_shapes"_s << false;
    QTest::addRow("name as key") << uR"({"get_weather": {"city": "Paris"}})"_s << weatherParis << QString()
                                 << u"json_other_shapes"_s << false;
    QTest::addRow("name as key, stringified") << uR"({"get_weather": "{\"city\": \"Paris\"}"})"_s
                                              << weatherParis << QString() << u"json_other_shapes"_s << false;
    QTest::addRow("call syntax") << uR"(get_weather({"city": "Paris"}))"_s << weatherParis << QString()
                                 << u"json_other_shapes"_s << false;
    QTest::addRow("call syntax in prose")
        << uR"(Calling get_weather( {"city": "Paris"} ) now.)"_s << weatherParis << u"Calling now."_s
        << u"json_other_shapes"_s << false;
    QTest::addRow("template tokens") << uR"([tool]get_weather[args]{"city": "Paris"}[end])"_s << weatherParis
                                     << QString() << u"json_other_shapes"_s << false;
    QTest::addRow("tool_calls wrapper")
        << uR"({"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}, "id": "a"}, {"name": "get_weather", "arguments": {"city": "Oslo"}, "id": "b"}]})"_s
        << twoWeathers << QString() << u"json_other_shapes"_s << false;
    QTest::addRow("tool_call wrapper")
        << uR"({"tool_call": {"name": "get_weather", "arguments": {"city": "Paris"}}})"_s << weatherParis
        << QString() << u"json_other_shapes"_s << false;
    QTest::addRow("tool_name parameters")
        << uR"({"tool_name": "get_weather", "parameters": {"city": "Paris"}})"_s << weatherParis << QString()
        << u"json_other_shapes"_s << false;

    // --- json_code_fence
    QTest::addRow("fence json")
        << u"```json\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n```"_s
        << weatherParis << QString() << u"json_code_fence"_s << false;
    QTest::addRow("fence without info")
        << u"```\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n```"_s << weatherParis
        << QString() << u"json_code_fence"_s << false;
    QTest::addRow("fence xml")
        << u"```xml\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n```"_s << weatherParis
        << QString() << u"json_code_fence"_s << false;
    QTest::addRow("fence with function_call tag")
        << u"```json\n  <function_call> {\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}} \n  </function_call> \n``` "_s
        << weatherParis << QString() << u"json_code_fence"_s << false;
    QTest::addRow("fence forge")
        << u"```json\n{\"tool\": \"get_pricing\", \"args\": {\"part\": \"A\"}}\n```"_s
        << uR"([{"name":"get_pricing","arguments":{"part":"A"}}])"_s << QString() << u"json_code_fence"_s
        << false;
    QTest::addRow("fence with prose around")
        << u"I'll check.\n```json\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n```\nDone."_s
        << weatherParis << u"I'll check.\nDone."_s << u"json_code_fence"_s << false;
    QTest::addRow("fence holding an array")
        << u"```json\n[{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}},\n {\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}]\n```"_s
        << twoWeathers << QString() << u"json_code_fence"_s << false;
    QTest::addRow("fence holding json lines")
        << u"```json\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n```"_s
        << twoWeathers << QString() << u"json_code_fence"_s << false;
    QTest::addRow("fence closed on the JSON line")
        << u"```json\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}```"_s << weatherParis
        << QString() << u"json_code_fence"_s << false;
    QTest::addRow("fence never closed")
        << u"Sure.\n```json\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n"_s
        << weatherParis << u"Sure."_s << u"json_code_fence"_s << false;
    QTest::addRow("unclosed fence, closing tag kept out of content")
        << u"```json\n<function_call> {\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}} </function_call>"_s
        << weatherParis << QString() << u"json_code_fence"_s << false;
    QTest::addRow("fence on one line")
        << u"```json {\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}} ```"_s << weatherParis
        << QString() << u"json_code_fence"_s << false;
    QTest::addRow("fence opened after a colon")
        << u"Call:```json\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n```"_s
        << weatherParis << u"Call:"_s << u"json_code_fence"_s << false;
    QTest::addRow("tilde fence")
        << u"~~~json\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n~~~"_s
        << weatherParis << QString() << u"json_code_fence"_s << false;
    QTest::addRow("fence in an argument string")
        << u"```json\n{\"name\": \"write_file\", \"arguments\": {\"text\": \"```py\\nprint(1)\\n```\"}}\n```"_s
        << uR"([{"name":"write_file","arguments":{"text":"```py\nprint(1)\n```"}}])"_s << QString()
        << u"json_code_fence"_s << false;
    QTest::addRow("data fence stays, call fence goes")
        << u"Body:\n```json\n{\"city\": \"Paris\"}\n```\nCall:\n```json\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n```"_s
        << weatherParis << u"Body:\n```json\n{\"city\": \"Paris\"}\n```\nCall:"_s << u"json_code_fence"_s
        << false;
    QTest::addRow("fenced and bare calls together")
        << u"{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\nand\n```json\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n```"_s
        << twoWeathers << u"and"_s << u"json_code_fence"_s << false;
    QTest::addRow("fence with prose inside is bare JSON")
        << u"```\nCall this:\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n```"_s
        << weatherParis << u"```\nCall this:\n```"_s << u"llama3_json"_s << false;

    // --- reasoning (handled by the Rescuer; the parsers report every call with its span)
    QTest::addRow("rehearsal in closed think")
        << uR"(<think>maybe {"name": "get_weather", "arguments": {"city": "Rome"}}</think>Answer.)"_s
        << u"[]"_s << u"Answer."_s << QString() << false;
    QTest::addRow("call ends an unclosed think")
        << uR"(<think>I should check {"name": "get_weather", "arguments": {"city": "Paris"}})"_s
        << weatherParis << QString() << u"llama3_json"_s << false;
    QTest::addRow("fenced call after think")
        << u"<think>plan</think>\n```json\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n```"_s
        << weatherParis << QString() << u"json_code_fence"_s << false;

    // --- not calls
    QTest::addRow("data with a name") << uR"({"name": "Alice", "age": 30})"_s << u"[]"_s
                                      << uR"({"name": "Alice", "age": 30})"_s << QString() << false;
    QTest::addRow("data named like a tool")
        << uR"({"name": "search", "url": "https://x"})"_s << u"[]"_s
        << uR"({"name": "search", "url": "https://x"})"_s << QString() << false;
    QTest::addRow("unknown argument key is data")
        << uR"({"name": "get_pricing", "params": {}})"_s << u"[]"_s
        << uR"({"name": "get_pricing", "params": {}})"_s << QString() << false;
    QTest::addRow("no name key") << uR"({"parameters": {}})"_s << u"[]"_s << uR"({"parameters": {}})"_s
                                 << QString() << false;
    QTest::addRow("square brackets in prose")
        << u"[special delivery]"_s << u"[]"_s << u"[special delivery]"_s << QString() << false;
    QTest::addRow("markdown link and braces")
        << u"See [docs](http://x) and {get_weather} or {city}."_s << u"[]"_s
        << u"See [docs](http://x) and {get_weather} or {city}."_s << QString() << false;
    QTest::addRow("prose mentioning a tool")
        << u"You could use get_weather for that."_s << u"[]"_s << u"You could use get_weather for that."_s
        << QString() << false;
    QTest::addRow("tool declaration quoted")
        << uR"({"name": "get_weather", "description": "Weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}})"_s
        << u"[]"_s
        << uR"({"name": "get_weather", "description": "Weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}})"_s
        << QString() << false;
    QTest::addRow("python dict is not json")
        << uR"({'name': 'get_weather', 'arguments': {'city': 'Paris'}})"_s << u"[]"_s
        << uR"({'name': 'get_weather', 'arguments': {'city': 'Paris'}})"_s << QString() << false;
    QTest::addRow("unknown name as key") << uR"({"settings": {"dark": true}})"_s << u"[]"_s
                                         << uR"({"settings": {"dark": true}})"_s << QString() << false;
    QTest::addRow("mixed array is data")
        << uR"([{"name": "get_weather", "arguments": {}}, 42])"_s << u"[]"_s
        << uR"([{"name": "get_weather", "arguments": {}}, 42])"_s << QString() << false;
    QTest::addRow("call in a data object")
        << uR"({"result": {"name": "get_weather", "arguments": {}}, "ok": true})"_s << u"[]"_s
        << uR"({"result": {"name": "get_weather", "arguments": {}}, "ok": true})"_s << QString() << false;
    QTest::addRow("undeclared call syntax") << uR"(console.log({"city": "Paris"}))"_s << u"[]"_s
                                            << uR"(console.log({"city": "Paris"}))"_s << QString() << false;
    QTest::addRow("declared name as a suffix")
        << uR"(my_get_weather({"city": "Paris"}))"_s << u"[]"_s << uR"(my_get_weather({"city": "Paris"}))"_s
        << QString() << false;
    QTest::addRow("mistral args token is not ours")
        << uR"(get_weather[ARGS]{"city": "Paris"})"_s << u"[]"_s << uR"(get_weather[ARGS]{"city": "Paris"})"_s
        << QString() << false;
    QTest::addRow("empty object in a fence")
        << u"Hello\n```json\n{}```"_s << u"[]"_s << u"Hello\n```json\n{}```"_s << QString() << false;
    QTest::addRow("data in a fence") << u"Example:\n```json\n{\"name\": \"Alice\", \"age\": 30}\n```"_s
                                     << u"[]"_s
                                     << u"Example:\n```json\n{\"name\": \"Alice\", \"age\": 30}\n```"_s
                                     << QString() << false;
    QTest::addRow("pythonic list in a fence")
        << u"```\n[get_weather(city=\"Paris\")]\n```"_s << u"[]"_s
        << u"```\n[get_weather(city=\"Paris\")]\n```"_s << QString() << false;

    // --- near misses: content untouched, flagged
    QTest::addRow("undeclared tool") << uR"({"name": "delete_everything", "arguments": {}})"_s << u"[]"_s
                                     << uR"({"name": "delete_everything", "arguments": {}})"_s << QString()
                                     << true;
    QTest::addRow("undeclared in a fence")
        << u"```json\n{\"tool\": \"rm_rf\", \"args\": {}}\n```"_s << u"[]"_s
        << u"```json\n{\"tool\": \"rm_rf\", \"args\": {}}\n```"_s << QString() << true;
    QTest::addRow("invalid json naming a tool")
        << uR"({"tool": "get_pricing", "args": {bad json})"_s << u"[]"_s
        << uR"({"tool": "get_pricing", "args": {bad json})"_s << QString() << true;
    QTest::addRow("truncated call") << uR"(Sure: {"name": "get_weather", "arguments": {"city": "Par)"_s
                                    << u"[]"_s
                                    << uR"(Sure: {"name": "get_weather", "arguments": {"city": "Par)"_s
                                    << QString() << true;
    QTest::addRow("truncated call with a call-like argument")
        << uR"({"name": "search", "arguments": {"q": {"name": "get_weather", "arguments": {}}})"_s << u"[]"_s
        << uR"({"name": "search", "arguments": {"q": {"name": "get_weather", "arguments": {}}})"_s
        << QString() << true;
    QTest::addRow("broken name-as-key call") << uR"({"get_pricing": {part: A}})"_s << u"[]"_s
                                             << uR"({"get_pricing": {part: A}})"_s << QString() << true;
    QTest::addRow("complete call inside unclosed data")
        << uR"({"log": [1, {"name": "get_weather", "arguments": {"city": "Paris"}})"_s << weatherParis
        << uR"({"log": [1,)"_s << u"llama3_json"_s << false;
    QTest::addRow("broken call then a good one")
        << u"{\"name\": \"get_weather\", \"arguments\": {\"city\": oops}}\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}"_s
        << weatherParis << u"{\"name\": \"get_weather\", \"arguments\": {\"city\": oops}}"_s
        << u"llama3_json"_s << false;
    QTest::addRow("broken json naming nothing declared")
        << uR"({"tool": "unknown", "args": {bad})"_s << u"[]"_s << uR"({"tool": "unknown", "args": {bad})"_s
        << QString() << false;

    // --- data JSON is stepped over unread (no call word in it); what may be a call is still read
    QTest::addRow("data before a wrapped call")
        << uR"(Data {"city": "Rome"} then get_weather({"city": "Paris"}))"_s << weatherParis
        << u"Data {\"city\": \"Rome\"} then"_s << u"json_other_shapes"_s << false;
    QTest::addRow("data fence then a call fence")
        << u"```json\n{\"a\": [1, {\"b\": 2}]}\n```\n```json\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n```"_s
        << weatherParis << u"```json\n{\"a\": [1, {\"b\": 2}]}\n```"_s << u"json_code_fence"_s << false;
    QTest::addRow("escaped key")
        << uR"({"na\u006de": "get_weather", "arguments": {"city": "Paris"}})"_s << weatherParis << QString()
        << u"llama3_json"_s << false;
    QTest::addRow("name with spaces around it")
        << uR"({"name": " get_weather ", "arguments": {"city": "Paris"}})"_s << weatherParis << QString()
        << u"llama3_json"_s << false;
    QTest::addRow("name as key after data")
        << uR"({"rows": [1, 2]} {"get_weather": {"city": "Paris"}})"_s << weatherParis
        << uR"({"rows": [1, 2]})"_s << u"json_other_shapes"_s << false;
    QTest::addRow("data naming a tool in a value only")
        << uR"({"used": "get_weather", "ok": true})"_s << u"[]"_s << uR"({"used": "get_weather", "ok": true})"_s
        << QString() << false;
    QTest::addRow("a string holding a call stays data")
        << uR"({"example": "{\"name\": \"get_weather\", \"arguments\": {}}"})"_s << u"[]"_s
        << uR"({"example": "{\"name\": \"get_weather\", \"arguments\": {}}"})"_s << QString() << false;
}

void TestFormatsBareJson::rescues()
{
    QFETCH(QString, text);
    QFETCH(QString, calls);
    QFETCH(QString, content);
    QFETCH(QString, format);
    QFETCH(bool, nearMiss);

    const RescueResult result = rescue(text);
    if (!StreamingCheck::callsAreHeldBack(text, catalog()))
        return;
    const QJsonArray expected = QJsonDocument::fromJson(calls.toUtf8()).array();
    QVERIFY2(result.calls.size() == expected.size(),
        qPrintable(u"got "_s + describe(result.calls) + u" want "_s + calls));
    for (qsizetype i = 0; i < expected.size(); ++i) {
        const QJsonObject want = expected.at(i).toObject();
        QCOMPARE(result.calls.at(i).name, want.value("name"_L1).toString());
        QVERIFY2(jsonEquivalent(result.calls.at(i).arguments, want.value("arguments"_L1)),
            qPrintable(u"got "_s + describe(result.calls) + u" want "_s + calls));
        QVERIFY(result.calls.at(i).span.length() > 0);
    }
    QCOMPARE(result.content, content);
    QCOMPARE(result.format, format);
    QCOMPARE(result.nearMiss, nearMiss);
    if (nearMiss)
        QVERIFY(!result.issues.isEmpty());
}

void TestFormatsBareJson::spans()
{
    const ToolCatalog tools = catalog();
    {
        const QString text
            = uR"(A {"name": "search", "arguments": {"q": 1}}; {"tool": "search", "args": {}} B)"_s;
        const FormatMatch match = bareParser().parse(text, tools);
        QCOMPARE(match.calls.size(), 2);
        QCOMPARE(spanText(text, match.calls.at(0).span), uR"({"name": "search", "arguments": {"q": 1}})"_s);
        QCOMPARE(spanText(text, match.calls.at(1).span), uR"({"tool": "search", "args": {}})"_s);
        // One group: both calls and the separator, never the prose around them.
        QCOMPARE(match.markup.size(), 1);
        QCOMPARE(spanText(text, match.markup.first()),
            uR"({"name": "search", "arguments": {"q": 1}}; {"tool": "search", "args": {}})"_s);
        QVERIFY(match.failed.isEmpty());
    }
    {
        const QString text
            = uR"(x [ {"name": "search", "arguments": {}} , {"name": "say_hello", "arguments": {}} ] y)"_s;
        const FormatMatch match = bareParser().parse(text, tools);
        QCOMPARE(match.calls.size(), 2);
        QCOMPARE(spanText(text, match.calls.at(0).span), uR"({"name": "search", "arguments": {}})"_s);
        QCOMPARE(spanText(text, match.calls.at(1).span), uR"({"name": "say_hello", "arguments": {}})"_s);
        QCOMPARE(spanText(text, match.markup.first()), text.mid(2, text.size() - 4));
    }
    {
        const QString text
            = uR"(Now functions.get_weather({"city": "Paris"}) and [tool]search[args]{"q": "x"}[end].)"_s;
        const FormatMatch match = bareParser().parse(text, tools);
        QCOMPARE(match.calls.size(), 2);
        QCOMPARE(spanText(text, match.calls.at(0).span), uR"(functions.get_weather({"city": "Paris"}))"_s);
        QCOMPARE(match.calls.at(0).name, u"get_weather"_s);
        QCOMPARE(spanText(text, match.calls.at(1).span), uR"([tool]search[args]{"q": "x"}[end])"_s);
    }
    {
        const QString text = u"Go:\n```json\n{\"name\": \"search\", \"arguments\": {}}\n```\nok"_s;
        const FormatMatch match = fenceParser().parse(text, tools);
        QCOMPARE(match.format, u"json_code_fence"_s);
        QCOMPARE(match.calls.size(), 1);
        QCOMPARE(spanText(text, match.calls.first().span), uR"({"name": "search", "arguments": {}})"_s);
        QCOMPARE(match.markup.size(), 1);
        QCOMPARE(spanText(text, match.markup.first()),
            u"```json\n{\"name\": \"search\", \"arguments\": {}}\n```"_s);
    }
    {
        const QString text = uR"(Oops {"tool": "get_pricing", "args": {bad json} end)"_s;
        const FormatMatch match = bareParser().parse(text, tools);
        QVERIFY(match.calls.isEmpty());
        QCOMPARE(match.failed.size(), 1);
        QCOMPARE(match.failed.first().start, 5);
        QCOMPARE(match.issues.size(), 1);
        QVERIFY(match.issues.first().contains(u"get_pricing"_s));
    }
}

void TestFormatsBareJson::idsPreserved()
{
    const ToolCatalog tools = catalog();
    const FormatMatch array = bareParser().parse(
        uR"([{"id": "call_9", "name": "search", "arguments": {}}, {"name": "search", "arguments": {}, "id": "call_10"}])"_s,
        tools);
    QCOMPARE(array.calls.size(), 2);
    QCOMPARE(array.calls.at(0).id, u"call_9"_s);
    QCOMPARE(array.calls.at(1).id, u"call_10"_s);

    const FormatMatch wrapped = bareParser().parse(
        uR"({"tool_calls": [{"name": "search", "arguments": {"q": "a"}, "id": "abc"}]})"_s, tools);
    QCOMPARE(wrapped.calls.size(), 1);
    QCOMPARE(wrapped.calls.first().id, u"abc"_s);
    QCOMPARE(wrapped.format, u"json_other_shapes"_s);

    const FormatMatch openai = fenceParser().parse(
        u"```json\n{\"id\": \"call_x\", \"type\": \"function\", \"function\": {\"name\": \"search\", \"arguments\": \"{}\"}}\n```"_s,
        tools);
    QCOMPARE(openai.calls.size(), 1);
    QCOMPARE(openai.calls.first().id, u"call_x"_s);

    const FormatMatch none = bareParser().parse(uR"({"name": "search", "arguments": {}})"_s, tools);
    QCOMPARE(none.calls.size(), 1);
    QVERIFY(none.calls.first().id.isEmpty());
}

void TestFormatsBareJson::failures_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("failed"); // failed spans the bare parser reports
    QTest::addColumn<QString>("mentions"); // a word the issues must contain

    QTest::addRow("undeclared name") << uR"({"name": "rm_rf", "arguments": {}})"_s << 1 << u"rm_rf"_s;
    QTest::addRow("undeclared wrapped")
        << uR"({"function": {"name": "rm_rf", "arguments": {}}})"_s << 1 << u"rm_rf"_s;
    QTest::addRow("two undeclared in an array")
        << uR"([{"name": "a1", "arguments": {}}, {"name": "a2", "arguments": {}}])"_s << 2 << u"a2"_s;
    QTest::addRow("cut off at the end")
        << uR"({"name": "search", "arguments": {"q": "x"})"_s << 1 << u"cut off"_s;
    QTest::addRow("bad value") << uR"({"name": "search", "arguments": {"q": x}})"_s << 1 << u"search"_s;
    QTest::addRow("name after broken arguments")
        << uR"({"arguments": {"q": x}, "name": "search"})"_s << 1 << u"search"_s;
    QTest::addRow("broken wrapper")
        << uR"({"type": "function", "function": {"name": "search", "arguments": {"q": "x"})"_s << 1
        << u"search"_s;
    QTest::addRow("string input is no call shape")
        << uR"({"name": "Bob", "input": "hello"})"_s << 0 << QString();
    QTest::addRow("broken data holding a call name deeper")
        << uR"({"rows": [{"name": "search", "url": "x"}, oops]})"_s << 0 << QString();
    QTest::addRow("data is no failure")
        << uR"({"name": "Alice", "age": 30} {"tool": "hammer", "price": 3})"_s << 0 << QString();
    QTest::addRow("prose braces are no failure") << u"{ not json } {\"unclosed"_s << 0 << QString();
}

void TestFormatsBareJson::failures()
{
    QFETCH(QString, text);
    QFETCH(int, failed);
    QFETCH(QString, mentions);

    const FormatMatch match = bareParser().parse(text, catalog());
    QVERIFY(match.calls.isEmpty());
    QCOMPARE(match.failed.size(), failed);
    QCOMPARE(match.issues.size(), failed);
    if (!mentions.isEmpty())
        QVERIFY2(match.issues.join(u' ').contains(mentions), qPrintable(match.issues.join(u" | "_s)));
    for (const TextSpan& span : match.failed)
        QVERIFY(span.start >= 0 && span.end <= text.size() && span.length() > 0);
}

void TestFormatsBareJson::fenceAloneClaimsOnlyFences()
{
    const ToolCatalog tools = catalog();
    // Without a fence holding a call, the fence parser stays out of the way of the bare one.
    QVERIFY(fenceParser().parse(uR"({"name": "search", "arguments": {}})"_s, tools).calls.isEmpty());
    QVERIFY(
        fenceParser()
            .parse(u"```json\n{\"name\": \"Alice\"}\n```\n{\"name\": \"search\", \"arguments\": {}}"_s, tools)
            .calls.isEmpty());
    const FormatMatch broken
        = fenceParser().parse(u"```json\n{\"name\": \"search\", \"arguments\": {bad}}\n```"_s, tools);
    QVERIFY(broken.calls.isEmpty() && broken.failed.isEmpty());
    // Inline code with three backticks inside prose is not a fence opener.
    QVERIFY(
        fenceParser().parse(u"word```{\"name\": \"search\", \"arguments\": {}}```"_s, tools).calls.isEmpty());
}

void TestFormatsBareJson::staysFast_data()
{
    QTest::addColumn<QString>("text");

    auto repeated = [](const QString& piece) {
        QString text;
        while (text.size() < 10 * 1024)
            text += piece;
        return text;
    };
    QTest::addRow("prose with braces") << repeated(u"Use {x} or [y] and {\"a\": 1} then [1, 2]; "_s);
    QTest::addRow("open brackets") << repeated(u"["_s);
    QTest::addRow("open braces") << repeated(u"{"_s);
    QTest::addRow("nested open objects") << repeated(u"{\"a\": "_s);
    QTest::addRow("nested open arrays with values") << repeated(u"[1, 2, 3, "_s);
    QTest::addRow("nested broken calls") << repeated(u"{\"name\": \"search\", \"arguments\": {"_s);
    QTest::addRow("unclosed strings") << repeated(u"{\"a\": \"x {\"b\": [\"y "_s);
    QTest::addRow("fences with data") << repeated(u"```json\n{\"a\": [1, {\"b\": 2}]}\n```\n"_s);
    QTest::addRow("nested open wrappers") << repeated(u"{\"function\": {\"type\": 1, \"function\": "_s);
    QTest::addRow("broken arguments") << repeated(u"{\"arguments\": {bad} "_s);
    QTest::addRow("fence openers") << repeated(u" ``` { ["_s);
}

void TestFormatsBareJson::staysFast()
{
    QFETCH(QString, text);
    const ToolCatalog tools = catalog();
    QElapsedTimer timer;
    timer.start();
    const FormatMatch fenced = fenceParser().parse(text, tools);
    const FormatMatch bare = bareParser().parse(text, tools);
    const qint64 elapsed = timer.elapsed();
    QVERIFY(fenced.calls.isEmpty());
    QVERIFY(bare.calls.isEmpty());
    // A 10 KB text must cost milliseconds; the bound leaves room for a loaded machine.
    QVERIFY2(elapsed < 400, qPrintable(u"took "_s + QString::number(elapsed) + u" ms"_s));
}

// The scans step over data with checkLiteral(), which must agree with parseLiteral() on whether
// a value parses, where it ends and why it does not, wherever a value may start.
void TestFormatsBareJson::checkAgreesWithParse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addRow("data") << uR"({"a": [1, 2.5, -3e2, true, false, null, "x\"y\\z\u00e9"], "b": {}})"_s;
    QTest::addRow("broken") << uR"({"a": [1, 2,], "b": 01, "c": 1.} {"d": "never closed)"_s;
    QTest::addRow("numbers") << uR"([1e999, 12abc, 0x10, -, 1.2.3, 9223372036854775808, 10.0, -0])"_s;
    QTest::addRow("keywords") << uR"([nullable, truex, True, None, nul])"_s;
    QTest::addRow("escapes") << uR"(["\q", "\u12", "\ud83d\ude00", "\ud83d", "tab	in"])"_s;
    QTest::addRow("deep") << QString(300, u'[') + QString(300, u']');
    QTest::addRow("prose") << u"Use {x} or [y] and {\"a\": 1} then [1, 2]; {\"b\": [}"_s;
    QFile file(QFINDTESTDATA("data/toolcall-public.jsonl"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    while (!file.atEnd()) {
        const QJsonObject testCase = QJsonDocument::fromJson(file.readLine()).object();
        if (!testCase.isEmpty())
            QTest::addRow("%s", qPrintable(testCase.value("id"_L1).toString())) << testCase.value("content"_L1).toString();
    }
}

void TestFormatsBareJson::checkAgreesWithParse()
{
    QFETCH(QString, text);
    int compared = 0;
    for (qsizetype pos = 0; pos < text.size(); ++pos) {
        if (!QStringView(u"{[\"-0123456789tfn").contains(text.at(pos)))
            continue;
        const LiteralParse parsed = parseLiteral(text, pos, LiteralDialect::Json);
        const LiteralParse checked = checkLiteral(text, pos, LiteralDialect::Json);
        QCOMPARE(checked.ok, parsed.ok);
        QCOMPARE(checked.end, parsed.end);
        QCOMPARE(checked.error, parsed.error);
        QVERIFY(checked.integralFloats.isEmpty());
        ++compared;
    }
    QVERIFY(compared > 0);
}

QTEST_APPLESS_MAIN(TestFormatsBareJson)
#include "tst_formats_barejson.moc"
