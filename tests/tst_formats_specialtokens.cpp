// The special-token family: Mistral [TOOL_CALLS] (three generations) and the stripped NAME[ARGS]
// rehearsal, DeepSeek V3 / V3.1, Kimi K2, gpt-oss harmony and Functionary v3.2. Every case runs
// through a Rescuer that knows only the parser under test, so content and reasoning are checked
// the way the proxy computes them.
#include "guard/formats/specialtokens.h"
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

ToolCatalog catalog(bool withPython = true)
{
    QJsonArray tools = QJsonDocument::fromJson(R"([
        {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
            "properties": {"location": {"type": "string"}}, "required": ["location"]}}},
        {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object",
            "properties": {"timezone": {"type": "string"}}}}},
        {"type": "function", "function": {"name": "special_function", "parameters": {"type": "object",
            "properties": {"arg1": {"type": "integer"}}, "required": ["arg1"]}}},
        {"type": "function", "function": {"name": "search", "parameters": {"type": "object",
            "properties": {"query": {"type": "string"}}}}},
        {"type": "function", "function": {"name": "say_hello", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "say_hello_world", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "天気", "parameters": {"type": "object"}}}
    ])")
                           .array();
    if (withPython) {
        tools.append(QJsonDocument::fromJson(R"({"type": "function", "function": {"name": "python",
            "parameters": {"type": "object", "properties": {"code": {"type": "string"}}}}})")
                         .object());
    }
    return ToolCatalog::fromTools(tools);
}

QString describe(const QList<ParsedCall>& calls)
{
    QJsonArray array;
    for (const ParsedCall& call : calls) {
        QJsonObject object { { u"name"_s, call.name }, { u"arguments"_s, call.arguments } };
        if (!call.id.isEmpty())
            object.insert(u"id"_s, call.id);
        array.append(object);
    }
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

void addColumns()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("calls"); // [{name, arguments, id?}], compact JSON; "[]" for none
    QTest::addColumn<QString>("content"); // what the Rescuer leaves for the user
    QTest::addColumn<QString>("reasoning"); // what it reports as reasoning
    QTest::addColumn<QString>("format"); // the catalog id, when there are calls
    QTest::addColumn<bool>("nearMiss"); // call-shaped text that gave no call
    QTest::addColumn<bool>("python"); // whether a tool named python is declared
}

// Runs the current data row through a Rescuer holding only `parser`.
void checkRow(const FormatParser& parser)
{
    QFETCH(QString, text);
    QFETCH(QString, calls);
    QFETCH(QString, content);
    QFETCH(QString, reasoning);
    QFETCH(QString, format);
    QFETCH(bool, nearMiss);
    QFETCH(bool, python);

    const RescueResult result = Rescuer({ &parser }).rescue(text, catalog(python));
    if (!StreamingCheck::callsAreHeldBack(text, catalog(python)))
        return;
    const LiteralParse expected = parseWholeLiteral(calls, LiteralDialect::Json);
    QVERIFY2(expected.ok, "bad expectation JSON");
    const QJsonArray want = expected.value.toArray();
    const QString got = describe(result.calls);
    QVERIFY2(result.calls.size() == want.size(), qPrintable(u"got "_s + got + u" want "_s + calls));
    for (qsizetype i = 0; i < want.size(); ++i) {
        const QJsonObject call = want.at(i).toObject();
        const ParsedCall& parsed = result.calls.at(i);
        QCOMPARE(parsed.name, call.value("name"_L1).toString());
        QVERIFY2(jsonEquivalent(parsed.arguments, call.value("arguments"_L1)), qPrintable(u"got "_s + got));
        QCOMPARE(parsed.id, call.value("id"_L1).toString());
        QVERIFY(parsed.span.start >= 0 && parsed.span.end <= text.size() && parsed.span.length() > 0);
    }
    QCOMPARE(result.content, content);
    QCOMPARE(result.reasoning, reasoning);
    if (!want.isEmpty()) {
        QCOMPARE(result.format, format);
        QCOMPARE(result.parser, parser.name());
    }
    QCOMPARE(result.nearMiss, nearMiss);
    if (nearMiss)
        QVERIFY(!result.issues.isEmpty());
}

// Shorthands for rows: a positive case, and a case with no call.
void call(const char* name, const QString& text, const QString& calls, const QString& content,
    const QString& format, const QString& reasoning = QString(), bool python = true)
{
    QTest::addRow("%s", name) << text << calls << content << reasoning << format << false << python;
}

void none(const char* name, const QString& text, bool nearMiss, const QString& content,
    const QString& reasoning = QString(), bool python = true)
{
    QTest::addRow("%s", name) << text << u"[]"_s << content << reasoning << QString() << nearMiss << python;
}

// DeepSeek's tokens, spelled out once: <｜tool▁calls▁begin｜> and friends.
QString ds(QStringView words)
{
    QString token = words.toString();
    token.replace(u' ', u'\u2581');
    return u"<\uff5c"_s + token + u"\uff5c>"_s;
}

} // namespace

class TestFormatsSpecialTokens : public QObject
{
    Q_OBJECT

private slots:
    void mistral_data();
    void mistral();
    void rehearsal_data();
    void rehearsal();
    void deepseek_data();
    void deepseek();
    void kimi_data();
    void kimi();
    void harmony_data();
    void harmony();
    void functionary_data();
    void functionary();
    void functionaryStart_data();
    void functionaryStart();
    void spans_data();
    void spans();
    void leavesOtherFamiliesAlone_data();
    void leavesOtherFamiliesAlone();
    void proseIsCheap();
};

void TestFormatsSpecialTokens::mistral_data()
{
    addColumns();
    const QString array = u"mistral_json_array"_s;
    const QString v11 = u"mistral_v11_name_json"_s;
    const QString tag = u"mistral_args_tag"_s;

    call("array", uR"~([TOOL_CALLS][{"name": "get_weather", "arguments": {"location": "Paris"}}])~"_s,
        uR"~([{"name": "get_weather", "arguments": {"location": "Paris"}}])~"_s, QString(), array);
    call("array with space, arguments first, id kept",
        uR"~([TOOL_CALLS] [{"arguments": {"query": "name"}, "name": "search", "id": "a1B2c3D4e"}])~"_s,
        uR"~([{"name": "search", "arguments": {"query": "name"}, "id": "a1B2c3D4e"}])~"_s, QString(), array);
    call("array of two with prose around",
        u"Let me look.\n[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Oslo\"}},\n {\"name\": \"get_time\", \"arguments\": {}}]\nDone."_s,
        uR"~([{"name": "get_weather", "arguments": {"location": "Oslo"}}, {"name": "get_time", "arguments": {}}])~"_s,
        u"Let me look.\nDone."_s, array);
    call("array with stringified arguments",
        uR"~([TOOL_CALLS][{"name": "special_function", "arguments": "{\"arg1\": 1}"}])~"_s,
        uR"~([{"name": "special_function", "arguments": {"arg1": 1}}])~"_s, QString(), array);
    call("array closed by [/TOOL_CALLS]",
        uR"~([TOOL_CALLS] [{"name": "get_time", "arguments": {"timezone": "UTC"}}][/TOOL_CALLS] ok)~"_s,
        uR"~([{"name": "get_time", "arguments": {"timezone": "UTC"}}])~"_s, u"ok"_s, array);
    call("brackets, braces and fences inside strings",
        uR"~([TOOL_CALLS][{"name": "search", "arguments": {"query": "a ] } ``` [TOOL_CALLS] \"q\""}}])~"_s,
        uR"~([{"name": "search", "arguments": {"query": "a ] } ``` [TOOL_CALLS] \"q\""}}])~"_s, QString(),
        array);
    call("fenced array", u"[TOOL_CALLS]```json\n[{\"name\": \"get_time\", \"arguments\": {}}]\n```"_s,
        uR"~([{"name": "get_time", "arguments": {}}])~"_s, QString(), array);
    call("one good entry beside an undeclared one",
        uR"~([TOOL_CALLS][{"name": "nope", "arguments": {}}, {"name": "get_time", "arguments": {}}])~"_s,
        uR"~([{"name": "get_time", "arguments": {}}])~"_s, QString(), array);
    none("array naming an undeclared tool", uR"~([TOOL_CALLS][{"name": "nope", "arguments": {}}])~"_s, true,
        uR"~([TOOL_CALLS][{"name": "nope", "arguments": {}}])~"_s);
    call("list cut before its bracket", uR"~([TOOL_CALLS][{"name": "get_time", "arguments": {}})~"_s,
        uR"~([{"name": "get_time", "arguments": {}}])~"_s, QString(), array);
    call("complete entry kept when the next is cut off",
        uR"~(Sure. [TOOL_CALLS][{"name": "get_time", "arguments": {}}, {"name": "search", "arguments": {"query": "ca)~"_s,
        uR"~([{"name": "get_time", "arguments": {}}])~"_s, u"Sure."_s, array);
    none("truncated entry", uR"~([TOOL_CALLS][{"name": "get_time", "arguments": {"timezone": "U)~"_s, true,
        uR"~([TOOL_CALLS][{"name": "get_time", "arguments": {"timezone": "U)~"_s);
    none("invalid list", uR"~([TOOL_CALLS][{"name": "get_time", "arguments": {}}, oops])~"_s, true,
        uR"~([TOOL_CALLS][{"name": "get_time", "arguments": {}}, oops])~"_s);

    call("v11 name then json", uR"~([TOOL_CALLS]get_weather{"location": "San Francisco"})~"_s,
        uR"~([{"name": "get_weather", "arguments": {"location": "San Francisco"}}])~"_s, QString(), v11);
    call("v11 space before the brace", uR"~([TOOL_CALLS]get_weather {"location": "Rome"})~"_s,
        uR"~([{"name": "get_weather", "arguments": {"location": "Rome"}}])~"_s, QString(), v11);
    call("v11 newline before the brace", u"[TOOL_CALLS] get_weather\n{\"location\": \"Rome\"}"_s,
        uR"~([{"name": "get_weather", "arguments": {"location": "Rome"}}])~"_s, QString(), v11);
    call("v11 two tokens, prose between",
        uR"~(A [TOOL_CALLS]get_weather{"location": "Rome"} and then [TOOL_CALLS]get_time{"timezone": "CET"} end)~"_s,
        uR"~([{"name": "get_weather", "arguments": {"location": "Rome"}}, {"name": "get_time", "arguments": {"timezone": "CET"}}])~"_s,
        u"A and then end"_s, v11);
    call("v11 stray brace before, quotes and braces in the value",
        uR"~(Note: {x} [TOOL_CALLS]search{"query": "print(\"hi\")\nre.compile(r'{}')"})~"_s,
        uR"~([{"name": "search", "arguments": {"query": "print(\"hi\")\nre.compile(r'{}')"}}])~"_s,
        u"Note: {x}"_s, v11);
    none("v11 truncated", uR"~([TOOL_CALLS]get_weather{"location": "never closed)~"_s, true,
        uR"~([TOOL_CALLS]get_weather{"location": "never closed)~"_s);
    none("v11 undeclared", uR"~([TOOL_CALLS]launch{"target": "moon"})~"_s, true,
        uR"~([TOOL_CALLS]launch{"target": "moon"})~"_s);
    none("token mentioned in prose", u"Mistral prints [TOOL_CALLS] before its calls."_s, false,
        u"Mistral prints [TOOL_CALLS] before its calls."_s);

    call("args tag", uR"~([TOOL_CALLS]get_weather[ARGS]{"location": "Paris"})~"_s,
        uR"~([{"name": "get_weather", "arguments": {"location": "Paris"}}])~"_s, QString(), tag);
    call("call id kept", uR"~([TOOL_CALLS]get_weather[CALL_ID]a1B2c3D4e[ARGS]{"location": "Paris"})~"_s,
        uR"~([{"name": "get_weather", "arguments": {"location": "Paris"}, "id": "a1B2c3D4e"}])~"_s, QString(),
        tag);
    call("two tokens",
        uR"~([TOOL_CALLS]get_weather[ARGS]{"location": "NYC"}[TOOL_CALLS]get_time[ARGS]{"timezone": "EST"})~"_s,
        uR"~([{"name": "get_weather", "arguments": {"location": "NYC"}}, {"name": "get_time", "arguments": {"timezone": "EST"}}])~"_s,
        QString(), tag);
    call("chained without repeating the token",
        u"[TOOL_CALLS]get_weather[ARGS]{\"location\": \"NYC\"}\nget_time[ARGS]{}"_s,
        uR"~([{"name": "get_weather", "arguments": {"location": "NYC"}}, {"name": "get_time", "arguments": {}}])~"_s,
        QString(), tag);
    call("rehearsal in [THINK] dropped",
        uR"~([THINK]maybe [TOOL_CALLS]get_time[ARGS]{}[/THINK]Sure.[TOOL_CALLS]get_weather[ARGS]{"location": "Lima"})~"_s,
        uR"~([{"name": "get_weather", "arguments": {"location": "Lima"}}])~"_s, u"Sure."_s, tag,
        u"maybe [TOOL_CALLS]get_time[ARGS]{}"_s);
    call("content after the arguments",
        u"[TOOL_CALLS]get_weather[ARGS]{\"location\": \"Lima\"}\nI'll wait."_s,
        uR"~([{"name": "get_weather", "arguments": {"location": "Lima"}}])~"_s, u"I'll wait."_s, tag);
    call("nested arrays and a Windows path",
        uR"~([TOOL_CALLS]search[ARGS]{"query": "C:\\Users\\me", "deep": [[{"a": [1, {"b": []}]}]]})~"_s,
        uR"~([{"name": "search", "arguments": {"query": "C:\\Users\\me", "deep": [[{"a": [1, {"b": []}]}]]}}])~"_s,
        QString(), tag);
    call("empty arguments and end token", u"[TOOL_CALLS]say_hello[ARGS]{}</s>"_s,
        uR"~([{"name": "say_hello", "arguments": {}}])~"_s, QString(), tag);
    call("longest declared name", uR"~([TOOL_CALLS]say_hello_world[ARGS]{})~"_s,
        uR"~([{"name": "say_hello_world", "arguments": {}}])~"_s, QString(), tag);
    call("unicode name and values", uR"~([TOOL_CALLS]天気[ARGS]{"都市": "東京 🌸"})~"_s,
        uR"~([{"name": "天気", "arguments": {"都市": "東京 🌸"}}])~"_s, QString(), tag);
    none("[ARGS] without arguments", u"[TOOL_CALLS]get_weather[ARGS] later"_s, true,
        u"[TOOL_CALLS]get_weather[ARGS] later"_s);
    call("an undeclared call stays visible beside a good one",
        uR"~([TOOL_CALLS]nope[ARGS]{} [TOOL_CALLS]get_time[ARGS]{})~"_s,
        uR"~([{"name": "get_time", "arguments": {}}])~"_s, u"[TOOL_CALLS]nope[ARGS]{}"_s, tag);
    none("args tag undeclared", uR"~([TOOL_CALLS]nope[ARGS]{})~"_s, true, uR"~([TOOL_CALLS]nope[ARGS]{})~"_s);
    none("args tag truncated", uR"~([TOOL_CALLS]get_weather[ARGS]{"location": "Li)~"_s, true,
        uR"~([TOOL_CALLS]get_weather[ARGS]{"location": "Li)~"_s);
}

void TestFormatsSpecialTokens::mistral()
{
    checkRow(MistralParser());
}

void TestFormatsSpecialTokens::rehearsal_data()
{
    addColumns();
    const QString format = u"args_rehearsal"_s;
    call("bare", uR"~(get_weather[ARGS]{"location": "Paris"})~"_s,
        uR"~([{"name": "get_weather", "arguments": {"location": "Paris"}}])~"_s, QString(), format);
    call("with call id", uR"~(get_weather[CALL_ID]abc123xyz[ARGS]{"location": "Paris"})~"_s,
        uR"~([{"name": "get_weather", "arguments": {"location": "Paris"}, "id": "abc123xyz"}])~"_s, QString(),
        format);
    call("prose around", uR"~(I'll call it: get_time[ARGS]{"timezone": "UTC"} then done)~"_s,
        uR"~([{"name": "get_time", "arguments": {"timezone": "UTC"}}])~"_s, u"I'll call it: then done"_s,
        format);
    call("glued to punctuation", uR"~(call:get_time[ARGS]{})~"_s,
        uR"~([{"name": "get_time", "arguments": {}}])~"_s, u"call:"_s, format);
    call("two calls on two lines",
        u"get_weather[ARGS]{\"location\": \"A\"}\nget_weather[ARGS]{\"location\": \"B\"}"_s,
        uR"~([{"name": "get_weather", "arguments": {"location": "A"}}, {"name": "get_weather", "arguments": {"location": "B"}}])~"_s,
        QString(), format);
    call("after closed [THINK]", uR"~([THINK]plan[/THINK] search[ARGS]{"query": "x"})~"_s,
        uR"~([{"name": "search", "arguments": {"query": "x"}}])~"_s, QString(), format, u"plan"_s);
    call("longest name wins", uR"~(say_hello_world[ARGS]{})~"_s,
        uR"~([{"name": "say_hello_world", "arguments": {}}])~"_s, QString(), format);
    none("only inside [THINK]", uR"~([THINK]search[ARGS]{"query": "x"}[/THINK])~"_s, false, QString(),
        uR"~(search[ARGS]{"query": "x"})~"_s);
    none("a longer undeclared word", uR"~(my_say_hello[ARGS]{})~"_s, true, uR"~(my_say_hello[ARGS]{})~"_s);
    none("undeclared", uR"~(launch[ARGS]{"x": 1})~"_s, true, uR"~(launch[ARGS]{"x": 1})~"_s);
    none("truncated", uR"~(search[ARGS]{"query": "x)~"_s, true, uR"~(search[ARGS]{"query": "x)~"_s);
    none("marker mentioned in prose", u"The [ARGS] marker separates name and arguments."_s, false,
        u"The [ARGS] marker separates name and arguments."_s);
}

void TestFormatsSpecialTokens::rehearsal()
{
    checkRow(ArgsRehearsalParser());
}

void TestFormatsSpecialTokens::deepseek_data()
{
    addColumns();
    const QString v3 = u"deepseek_v3"_s;
    const QString v31 = u"deepseek_v31"_s;
    const QString begin = ds(u"tool calls begin"), end = ds(u"tool calls end");
    const QString callBegin = ds(u"tool call begin"), callEnd = ds(u"tool call end"), sep = ds(u"tool sep");
    const QString weather = uR"~([{"name": "get_weather", "arguments": {"location": "Paris"}}])~"_s;

    call("v3.1", begin + callBegin + u"get_weather"_s + sep + uR"~({"location": "Paris"})~"_s + callEnd + end,
        weather, QString(), v31);
    call("v3.1 prose around",
        u"I'll check."_s + begin + callBegin + u"get_weather"_s + sep + uR"~({"location":"Paris"})~"_s
            + callEnd + end + u"Done ✅"_s,
        weather, u"I'll check. Done ✅"_s, v31);
    call("v3.1 two calls on lines",
        begin + u"\n"_s + callBegin + u"get_weather"_s + sep + uR"~({"location": "Paris"})~"_s + callEnd
            + u"\n"_s + callBegin + u"get_time"_s + sep + u"{}"_s + callEnd + u"\n"_s + end,
        uR"~([{"name": "get_weather", "arguments": {"location": "Paris"}}, {"name": "get_time", "arguments": {}}])~"_s,
        QString(), v31);
    call("v3 fenced",
        begin + callBegin + u"function"_s + sep + u"get_weather\n```json\n{\"location\": \"Paris\"}\n```"_s
            + callEnd + end,
        weather, QString(), v3);
    call("v3 closing fence glued",
        begin + callBegin + u"function"_s + sep + u"get_weather\n```json\n{\"location\": \"Paris\"}```"_s
            + callEnd + end,
        weather, QString(), v3);
    call("v3 without newlines",
        begin + callBegin + u"function"_s + sep + u"get_weather```json{\"location\": \"Paris\"}```"_s
            + callEnd + end,
        weather, QString(), v3);
    call("v3 name between spaces",
        begin + callBegin + u"function"_s + sep
            + u"  get_weather  \n```json\n{\n  \"location\": \"Paris\"\n}\n```"_s + callEnd + end,
        weather, QString(), v3);
    call("v3 two calls",
        begin + callBegin + u"function"_s + sep + u"get_weather\n```json\n{\"location\": \"Paris\"}\n```"_s
            + callEnd + u"\n"_s + callBegin + u"function"_s + sep + u"get_time\n```json\n{}\n```"_s + callEnd
            + end,
        uR"~([{"name": "get_weather", "arguments": {"location": "Paris"}}, {"name": "get_time", "arguments": {}}])~"_s,
        QString(), v3);
    call("v3 per-call token left out",
        begin + u"function"_s + sep + u"get_weather\n```json\n{\"location\": \"Paris\"}\n```"_s + callEnd
            + end,
        weather, QString(), v3);
    call("short opener",
        ds(u"tool calls") + callBegin + u"get_weather"_s + sep + uR"~({"location": "Paris"})~"_s + callEnd
            + end,
        weather, QString(), v31);
    call("ascii bars",
        u"<|tool▁calls▁begin|><|tool▁call▁begin|>get_weather<|tool▁sep|>{\"location\": \"Paris\"}<|tool▁call▁end|><|tool▁calls▁end|>"_s,
        weather, QString(), v31);
    call("underscores",
        u"<｜tool_calls_begin｜><｜tool_call_begin｜>get_weather<｜tool_sep｜>{\"location\": \"Paris\"}<｜tool_call_end｜><｜tool_calls_end｜>"_s,
        weather, QString(), v31);
    call("no end tokens", begin + callBegin + u"get_weather"_s + sep + uR"~({"location": "Paris"})~"_s,
        weather, QString(), v31);
    call("lone call token", callBegin + u"get_weather"_s + sep + uR"~({"location": "Paris"})~"_s + callEnd,
        weather, QString(), v31);
    call("end of sentence",
        begin + callBegin + u"get_weather"_s + sep + uR"~({"location": "Paris"})~"_s + callEnd + end
            + ds(u"end of sentence"),
        weather, QString(), v31);
    call("rehearsal in think dropped",
        u"<think>try "_s + begin + callBegin + u"get_time"_s + sep + u"{}"_s + callEnd + end + u"</think>ok"_s
            + begin + callBegin + u"get_weather"_s + sep + uR"~({"location": "Paris"})~"_s + callEnd + end,
        weather, u"ok"_s, v31, u"try "_s + begin + callBegin + u"get_time"_s + sep + u"{}"_s + callEnd + end);
    call("json list in the short opener",
        ds(u"tool calls") + uR"~([{"name": "get_weather", "arguments": {"location": "Paris"}}])~"_s
            + u"<\uff5c/tool\u2581calls\uff5c>"_s,
        weather, QString(), v3);
    call("unicode arguments",
        begin + callBegin + u"search"_s + sep + uR"~({"query": "北京天气", "lang": "中文"})~"_s + callEnd
            + end,
        uR"~([{"name": "search", "arguments": {"query": "北京天气", "lang": "中文"}}])~"_s, QString(), v31);
    none("prose mentions the opener", u"Emit "_s + begin + u" to start a call."_s, false,
        u"Emit "_s + begin + u" to start a call."_s);
    none("tool output is not a call",
        u"Here: "_s + ds(u"tool output begin") + u"22°C"_s + ds(u"tool output end") + u" Enjoy!"_s, false,
        u"Here: "_s + ds(u"tool output begin") + u"22°C"_s + ds(u"tool output end") + u" Enjoy!"_s);
    const QString undeclared = begin + callBegin + u"launch"_s + sep + u"{}"_s + callEnd + end;
    none("undeclared", undeclared, true, undeclared);
    const QString truncated = begin + callBegin + u"get_weather"_s + sep + uR"~({"location": "Pa)~"_s;
    none("truncated", truncated, true, truncated);
}

void TestFormatsSpecialTokens::deepseek()
{
    checkRow(DeepSeekParser());
}

void TestFormatsSpecialTokens::kimi_data()
{
    addColumns();
    const QString format = u"kimi_k2"_s;
    call("section with id",
        uR"~(<|tool_calls_section_begin|><|tool_call_begin|>functions.get_weather:0<|tool_call_argument_begin|>{"location": "Beijing"}<|tool_call_end|><|tool_calls_section_end|>)~"_s,
        uR"~([{"name": "get_weather", "arguments": {"location": "Beijing"}, "id": "functions.get_weather:0"}])~"_s,
        QString(), format);
    call("two calls, prose before and after", uR"~(Checking both. <|tool_calls_section_begin|>
<|tool_call_begin|>functions.get_weather:0<|tool_call_argument_begin|>{"location": "Oslo"}<|tool_call_end|>
<|tool_call_begin|>functions.get_time:1<|tool_call_argument_begin|>{"timezone": "CET"}<|tool_call_end|>
<|tool_calls_section_end|> Back soon.)~"_s,
        uR"~([{"name": "get_weather", "arguments": {"location": "Oslo"}, "id": "functions.get_weather:0"},
              {"name": "get_time", "arguments": {"timezone": "CET"}, "id": "functions.get_time:1"}])~"_s,
        u"Checking both. Back soon."_s, format);
    call("no section and no end tokens",
        uR"~(<|tool_call_begin|>functions.special_function:0<|tool_call_argument_begin|>{"arg1": 1}<|tool_call_begin|>functions.python:1<|tool_call_argument_begin|>{"code": "print('hey')"})~"_s,
        uR"~([{"name": "special_function", "arguments": {"arg1": 1}, "id": "functions.special_function:0"},
              {"name": "python", "arguments": {"code": "print('hey')"}, "id": "functions.python:1"}])~"_s,
        QString(), format);
    call("id without the functions prefix, space before the arguments",
        uR"~(<|tool_call_begin|>get_time:3 <|tool_call_argument_begin|> {} <|tool_call_end|>)~"_s,
        uR"~([{"name": "get_time", "arguments": {}, "id": "get_time:3"}])~"_s, QString(), format);
    call("numeric keys",
        uR"~(<|tool_calls_section_begin|><|tool_call_begin|>functions.search:0<|tool_call_argument_begin|>{"query": "q", "12": 34, "5": [67, 8]}<|tool_call_end|><|tool_calls_section_end|>)~"_s,
        uR"~([{"name": "search", "arguments": {"query": "q", "12": 34, "5": [67, 8]}, "id": "functions.search:0"}])~"_s,
        QString(), format);
    call("singular section token",
        uR"~(<|tool_call_section_begin|><|tool_call_begin|>functions.get_time:0<|tool_call_argument_begin|>{}<|tool_call_end|><|tool_call_section_end|>)~"_s,
        uR"~([{"name": "get_time", "arguments": {}, "id": "functions.get_time:0"}])~"_s, QString(), format);
    call("call ends an unclosed think",
        uR"~(<think>I need the time<|tool_call_begin|>functions.get_time:0<|tool_call_argument_begin|>{"timezone": "UTC"}<|tool_call_end|>)~"_s,
        uR"~([{"name": "get_time", "arguments": {"timezone": "UTC"}, "id": "functions.get_time:0"}])~"_s,
        QString(), format, u"I need the time"_s);
    call("emoji and unicode",
        uR"~(<|tool_call_begin|>functions.天気:0<|tool_call_argument_begin|>{"msg": "Hi 👋 ∑∏"}<|tool_call_end|>)~"_s,
        uR"~([{"name": "天気", "arguments": {"msg": "Hi 👋 ∑∏"}, "id": "functions.天気:0"}])~"_s, QString(),
        format);
    const QString undeclared
        = uR"~(<|tool_call_begin|>functions.launch:0<|tool_call_argument_begin|>{}<|tool_call_end|>)~"_s;
    none("undeclared", undeclared, true, undeclared);
    const QString truncated
        = uR"~(<|tool_call_begin|>functions.get_time:0<|tool_call_argument_begin|>{"timezone": )~"_s;
    none("truncated", truncated, true, truncated.trimmed());
    none("section token mentioned", u"Kimi opens with <|tool_calls_section_begin|> first."_s, false,
        u"Kimi opens with <|tool_calls_section_begin|> first."_s);
}

void TestFormatsSpecialTokens::kimi()
{
    checkRow(KimiK2Parser());
}

void TestFormatsSpecialTokens::harmony_data()
{
    addColumns();
    const QString format = u"harmony_gpt_oss"_s;
    const QString weather = uR"~([{"name": "get_weather", "arguments": {"location": "Paris"}}])~"_s;

    call("spec example",
        uR"~(<|channel|>analysis<|message|>Need the weather.<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"location": "Paris"}<|call|>)~"_s,
        weather, QString(), format, u"Need the weather."_s);
    call("recipient in the role header",
        uR"~(<|channel|>analysis<|message|>Thinking<|end|><|start|>assistant to=functions.get_weather<|channel|>commentary<|constrain|>json<|message|>{"location": "Paris"}<|call|>)~"_s,
        weather, QString(), format, u"Thinking"_s);
    call("role header at the start",
        uR"~( to=functions.get_weather<|channel|>commentary json<|message|>{"location": "Paris"})~"_s,
        weather, QString(), format);
    call("analysis channel carries the call",
        uR"~(<|channel|>analysis to=functions.get_weather<|message|>{"location": "Paris"})~"_s, weather,
        QString(), format);
    call("name and json glued",
        uR"~(<|channel|>commentary to=functions.get_weatherjson<|message|>{"location": "Paris"}<|call|>)~"_s,
        weather, QString(), format);
    call("preamble before the call",
        uR"~(<|channel|>commentary<|message|>Let me check the weather.<|end|><|start|>assistant to=functions.get_weather<|channel|>commentary<|message|>{"location": "Paris"}<|end|>)~"_s,
        weather, u"Let me check the weather."_s, format);
    call("final after the call",
        uR"~(<|channel|>analysis<|message|>Plan<|end|><|start|>assistant to=functions.get_weather<|channel|>commentary<|constrain|>json<|message|>{"location": "Paris"}<|call|><|start|>assistant<|channel|>final<|message|>Done)~"_s,
        weather, u"Done"_s, format, u"Plan"_s);
    call("sequential calls",
        uR"~(<|start|>assistant to=functions.get_weather<|channel|>commentary<|constrain|>json<|message|>{"location": "Paris"}<|call|><|start|>assistant to=functions.get_time<|channel|>commentary<|constrain|>json<|message|>{"timezone": "UTC"}<|call|>)~"_s,
        uR"~([{"name": "get_weather", "arguments": {"location": "Paris"}}, {"name": "get_time", "arguments": {"timezone": "UTC"}}])~"_s,
        QString(), format);
    call("LLM-jp dialect",
        u"<|channel|> analysis<|message|> I'm\nthinking<|end|><|start|> assistant to=functions.special_function<|channel|> commentary <|constrain|>  json<|message|> {\"arg1\": 1}<|end|><|start|> assistant to=functions.special_function<|channel|> commentary <|constrain|>  json<|message|> {\"arg1\": 2}"_s,
        uR"~([{"name": "special_function", "arguments": {"arg1": 1}}, {"name": "special_function", "arguments": {"arg1": 2}}])~"_s,
        QString(), format, u"I'm\nthinking"_s);
    call("stray header before the analysis",
        uR"~(<|channel|>commentary to=assistant<|channel|>analysis<|message|>Hmm<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather<|message|>{"location": "Paris"}<|call|>)~"_s,
        weather, QString(), format, u"Hmm"_s);
    call("built-in recipient beside a real call",
        uR"~(<|channel|>commentary to=container.exec<|message|>{"cmd": ["ls"]}<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather<|message|>{"location": "Paris"}<|call|>)~"_s,
        weather, QString(), format);
    call("declared python takes raw code",
        uR"~(<|channel|>analysis<|message|>Run it<|end|><|start|>assistant<|channel|>commentary to=python <|constrain|>code<|message|>print("hello")<|call|>)~"_s,
        uR"~([{"name": "python", "arguments": {"code": "print(\"hello\")"}}])~"_s, QString(), format,
        u"Run it"_s);
    call("code in arguments",
        uR"~(<|channel|>commentary to=functions.search <|constrain|>json<|message|>{"query": "if (a < b) { x(\"<|end|>\"); }"}<|call|>)~"_s,
        uR"~([{"name": "search", "arguments": {"query": "if (a < b) { x(\"<|end|>\"); }"}}])~"_s, QString(),
        format);
    call("stripped tokens", uR"~(commentary to=functions.get_weather json{"location": "Paris"})~"_s, weather,
        QString(), format);
    call("stripped tokens after analysis",
        uR"~(analysisNeed the weather.assistantcommentary to=functions.get_weather json{"location": "Paris"})~"_s,
        weather, QString(), format, u"Need the weather."_s);
    call("unicode",
        uR"~(<|channel|>commentary to=functions.天気 <|constrain|>json<|message|>{"都市": "東京"}<|call|>)~"_s,
        uR"~([{"name": "天気", "arguments": {"都市": "東京"}}])~"_s, QString(), format);
    const QString builtin
        = uR"~(<|channel|>analysis<|message|>I will run python<|end|><|start|>assistant<|channel|>commentary to=python <|constrain|>code<|message|>print("hello"))~"_s;
    // No call, but the harmony framing is still not content (the Rescuer applies a clean match's
    // markup and reasoning when no parser finds a call).
    QTest::addRow("undeclared python is a built-in")
        << builtin << u"[]"_s << QString() << u"I will run python"_s << QString() << false << false;
    const QString exec = uR"~(<|channel|>commentary to=container.exec<|message|>{"cmd": ["ls"]}<|call|>)~"_s;
    none("container.exec alone", exec, false, QString());
    const QString undeclared
        = uR"~(<|channel|>commentary to=functions.launch <|constrain|>json<|message|>{"x": 1})~"_s;
    none("undeclared", undeclared, true, undeclared);
    const QString truncated
        = uR"~(<|channel|>commentary to=functions.get_weather<|message|>{"location": "Pa)~"_s;
    none("truncated", truncated, true, truncated);
    const QString glimmer
        = uR"~( to=get_weather<|message|><atem:function_calls><atem:invoke name="get_weather"></atem:invoke></atem:function_calls>)~"_s;
    none("atem body is another family's", glimmer, false, glimmer.trimmed());
}

void TestFormatsSpecialTokens::harmony()
{
    checkRow(HarmonyParser());
}

void TestFormatsSpecialTokens::functionary_data()
{
    addColumns();
    const QString format = u"functionary_v32"_s;
    call("marker", u">>>get_weather\n{\"location\": \"Paris\"}"_s,
        uR"~([{"name": "get_weather", "arguments": {"location": "Paris"}}])~"_s, QString(), format);
    call("user channel first, marker in the prompt",
        u"all\nHello, world!\nWhat's up?\n>>>special_function\n{\"arg1\": 1}\n"_s,
        uR"~([{"name": "special_function", "arguments": {"arg1": 1}}])~"_s, u"Hello, world!\nWhat's up?"_s,
        format);
    call("marked user channel", u">>>all\nLet me check.\n>>>get_time\n{}"_s,
        uR"~([{"name": "get_time", "arguments": {}}])~"_s, u"Let me check."_s, format);
    call("marker glued to prose", u"all\nnono\nWhat's up?>>>special_function\n{\"arg1\": 1}"_s,
        uR"~([{"name": "special_function", "arguments": {"arg1": 1}}])~"_s, u"nono\nWhat's up?"_s, format);
    call("start form then marker",
        u"get_weather\n{\"location\": \"Paris\"}\n>>>get_time\n{\"timezone\": \"UTC\"}"_s,
        uR"~([{"name": "get_weather", "arguments": {"location": "Paris"}}, {"name": "get_time", "arguments": {"timezone": "UTC"}}])~"_s,
        QString(), format);
    call("raw python", u">>>python\nimport os\nprint(os.listdir()[0])\n"_s,
        uR"~([{"name": "python", "arguments": {"code": "import os\nprint(os.listdir()[0])"}}])~"_s, QString(),
        format);
    call("python as json", u">>>python\n{\"code\": \"print(1)\"}"_s,
        uR"~([{"name": "python", "arguments": {"code": "print(1)"}}])~"_s, QString(), format);
    call("raw python then a call", u">>>python\nx = {1: 2}\n>>>get_time\n{}"_s,
        uR"~([{"name": "python", "arguments": {"code": "x = {1: 2}"}}, {"name": "get_time", "arguments": {}}])~"_s,
        QString(), format);
    none("undeclared", u">>>launch\n{\"x\": 1}"_s, true, u">>>launch\n{\"x\": 1}"_s);
    none("truncated", u">>>get_weather\n{\"location\": "_s, true, u">>>get_weather\n{\"location\":"_s);
    none("python REPL prose", u"Example:\n>>> print(1)\n1"_s, false, u"Example:\n>>> print(1)\n1"_s);
    QTest::addRow("python not declared") << u">>>python\nprint(1)"_s << u"[]"_s << u">>>python\nprint(1)"_s
                                         << QString() << QString() << false << false;
}

void TestFormatsSpecialTokens::functionary()
{
    checkRow(FunctionaryV32Parser());
}

void TestFormatsSpecialTokens::functionaryStart_data()
{
    addColumns();
    const QString format = u"functionary_v32"_s;
    call("name then json", u"special_function\n{\"arg1\": 1} \n                    "_s,
        uR"~([{"name": "special_function", "arguments": {"arg1": 1}}])~"_s, QString(), format);
    call("leading blank line", u"\nget_time\n{}"_s, uR"~([{"name": "get_time", "arguments": {}}])~"_s,
        QString(), format);
    call("raw python", u"python\n# This is a program:\nprint('hey')"_s,
        uR"~([{"name": "python", "arguments": {"code": "# This is a program:\nprint('hey')"}}])~"_s,
        QString(), format);
    none("a sentence that starts with a tool name",
        u"get_weather is what I would use\n{\"location\": \"Paris\"}"_s, false,
        u"get_weather is what I would use\n{\"location\": \"Paris\"}"_s);
    none("an undeclared first line", u"Hello\n{\"location\": \"Paris\"}"_s, false,
        u"Hello\n{\"location\": \"Paris\"}"_s);
    none("markers are the anchored parser's", u">>>get_time\n{}"_s, false, u">>>get_time\n{}"_s);
}

void TestFormatsSpecialTokens::functionaryStart()
{
    checkRow(FunctionaryV32Parser(true));
}

void TestFormatsSpecialTokens::spans_data()
{
    QTest::addColumn<int>("parser");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("spans"); // each call's own text

    QTest::addRow("mistral array entries")
        << 0
        << uR"~(x [TOOL_CALLS] [{"name": "get_time", "arguments": {}}, {"name": "say_hello", "arguments": {}}] y)~"_s
        << QStringList { uR"~({"name": "get_time", "arguments": {}})~"_s,
               uR"~({"name": "say_hello", "arguments": {}})~"_s };
    QTest::addRow("mistral token and name") << 0 << uR"~(x [TOOL_CALLS]get_time[ARGS]{} y)~"_s
                                            << QStringList { uR"~([TOOL_CALLS]get_time[ARGS]{})~"_s };
    QTest::addRow("deepseek call tokens") << 1
                                          << ds(u"tool calls begin") + ds(u"tool call begin") + u"get_time"_s
            + ds(u"tool sep") + u"{}"_s + ds(u"tool call end") + ds(u"tool calls end")
                                          << QStringList { ds(u"tool call begin") + u"get_time"_s
                                                 + ds(u"tool sep") + u"{}"_s + ds(u"tool call end") };
    QTest::addRow("kimi call tokens")
        << 2
        << uR"~(a <|tool_calls_section_begin|><|tool_call_begin|>functions.get_time:0<|tool_call_argument_begin|>{}<|tool_call_end|><|tool_calls_section_end|>)~"_s
        << QStringList {
               uR"~(<|tool_call_begin|>functions.get_time:0<|tool_call_argument_begin|>{}<|tool_call_end|>)~"_s
           };
    QTest::addRow("harmony message")
        << 3
        << uR"~(<|channel|>analysis<|message|>x<|end|><|start|>assistant<|channel|>commentary to=functions.get_time<|message|>{}<|call|>)~"_s
        << QStringList {
               uR"~(<|start|>assistant<|channel|>commentary to=functions.get_time<|message|>{}<|call|>)~"_s
           };
    QTest::addRow("functionary recipient")
        << 4 << u"all\nhi\n>>>get_time\n{}\n"_s << QStringList { u">>>get_time\n{}"_s };
    QTest::addRow("functionary raw code")
        << 4 << u"all\nRunning it.>>>python\nimport os\n\n"_s << QStringList { u">>>python\nimport os"_s };
    QTest::addRow("rehearsal") << 5 << uR"~(ok get_time[CALL_ID]x1[ARGS]{} done)~"_s
                               << QStringList { uR"~(get_time[CALL_ID]x1[ARGS]{})~"_s };
}

void TestFormatsSpecialTokens::spans()
{
    QFETCH(int, parser);
    QFETCH(QString, text);
    QFETCH(QStringList, spans);
    const MistralParser mistral;
    const DeepSeekParser deepSeek;
    const KimiK2Parser kimi;
    const HarmonyParser harmony;
    const FunctionaryV32Parser functionary;
    const ArgsRehearsalParser rehearsal;
    const FormatParser* parsers[] = { &mistral, &deepSeek, &kimi, &harmony, &functionary, &rehearsal };
    const FormatMatch match = parsers[parser]->parse(text, catalog());
    QStringList got;
    for (const ParsedCall& call : match.calls)
        got.append(text.mid(call.span.start, call.span.length()));
    QCOMPARE(got, spans);
    for (const TextSpan& markup : match.markup)
        QVERIFY(markup.start >= 0 && markup.end <= text.size() && markup.start <= markup.end);
}

void TestFormatsSpecialTokens::leavesOtherFamiliesAlone_data()
{
    QTest::addColumn<QString>("text");
    QTest::addRow("step3 steptml")
        << u"<｜tool_calls_begin｜>\n<｜tool_call_begin｜>function<｜tool_sep｜><steptml:invoke name=\"get_time\">\n<steptml:parameter name=\"timezone\">UTC</steptml:parameter>\n</steptml:invoke><｜tool_call_end｜>\n<｜tool_calls_end｜>"_s;
    QTest::addRow("deepseek dsml")
        << u"<｜DSML｜function_calls>\n<｜DSML｜invoke name=\"get_time\">\n<｜DSML｜parameter name=\"timezone\" string=\"true\">UTC</｜DSML｜parameter>\n</｜DSML｜invoke>\n</｜DSML｜function_calls>"_s;
    QTest::addRow("kimi k3")
        << u"<|open|>tools<|sep|><|open|>call tool=\"get_time\" index=\"1\"<|sep|><|close|>call<|sep|><|close|>tools<|sep|>"_s;
    QTest::addRow("muse glimmer")
        << u" to=get_time<|message|><atem:function_calls><atem:invoke name=\"get_time\"></atem:invoke></atem:function_calls>"_s;
    QTest::addRow("hermes") << u"<tool_call>{\"name\": \"get_time\", \"arguments\": {}}</tool_call>"_s;
    QTest::addRow("qwen xml")
        << u"<tool_call>\n<function=get_time>\n<parameter=timezone>\nUTC\n</parameter>\n</function>\n</tool_call>"_s;
    QTest::addRow("bare json") << u"{\"name\": \"get_time\", \"arguments\": {}}"_s;
    QTest::addRow("pythonic") << u"[get_time(timezone='UTC')]"_s;
}

void TestFormatsSpecialTokens::leavesOtherFamiliesAlone()
{
    QFETCH(QString, text);
    const MistralParser mistral;
    const DeepSeekParser deepSeek;
    const KimiK2Parser kimi;
    const HarmonyParser harmony;
    const FunctionaryV32Parser functionary;
    const FunctionaryV32Parser functionaryStart(true);
    const ArgsRehearsalParser rehearsal;
    for (const FormatParser* parser : std::initializer_list<const FormatParser*> {
             &mistral, &deepSeek, &kimi, &harmony, &functionary, &functionaryStart, &rehearsal }) {
        const FormatMatch match = parser->parse(text, catalog());
        QVERIFY2(match.calls.isEmpty(), qPrintable(parser->name()));
        QVERIFY2(match.failed.isEmpty(), qPrintable(parser->name()));
    }
}

// Every parser sees every response: on a long text full of brackets, braces and half-markers
// each must stay far from quadratic.
void TestFormatsSpecialTokens::proseIsCheap()
{
    QString text;
    while (text.size() < 20000) {
        text += u"{\"a\": [1, {\"b\": \"} ] [ARGS] >>> to=functions. <|message|>\"}], "_s;
        text += u"[TOOL_CALLS] x [ARGS] <｜tool▁sep｜> <|tool_call_begin|> tool <\uff5c tool "_s;
    }
    const MistralParser mistral;
    const DeepSeekParser deepSeek;
    const KimiK2Parser kimi;
    const HarmonyParser harmony;
    const FunctionaryV32Parser functionary;
    const FunctionaryV32Parser functionaryStart(true);
    const ArgsRehearsalParser rehearsal;
    const ToolCatalog tools = catalog();
    for (const FormatParser* parser : std::initializer_list<const FormatParser*> {
             &mistral, &deepSeek, &kimi, &harmony, &functionary, &functionaryStart, &rehearsal }) {
        QElapsedTimer timer;
        timer.start();
        const FormatMatch match = parser->parse(text, tools);
        QVERIFY2(match.calls.isEmpty(), qPrintable(parser->name()));
        QVERIFY2(timer.elapsed() < 500,
            qPrintable(parser->name() + u" took "_s + QString::number(timer.elapsed()) + u" ms"_s));
    }
}

QTEST_APPLESS_MAIN(TestFormatsSpecialTokens)
#include "tst_formats_specialtokens.moc"
