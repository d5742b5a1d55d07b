// The Rescuer's format-independent rules (reasoning, rehearsals, near misses, content), the tool
// catalog, and the shared reader of JSON call shapes. A small fake format keeps these tests
// independent of the real parsers: <call name="NAME">BODY</call> becomes NAME({"body": BODY}).
#include "guard/formats/jsoncall.h"
#include "guard/formats/registry.h"
#include "guard/literalparser.h"
#include "guard/reasoning.h"
#include "guard/rescuer.h"
#include "jsoncompare.h"

#include <QFile>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace Guard;

namespace {

class FakeCallParser : public FormatParser
{
public:
    QString name() const override { return u"fake"_s; }
    ParserRank rank() const override { return ParserRank::Anchored; }
    FormatMatch parse(QStringView text, const ToolCatalog& tools) const override
    {
        static const QRegularExpression call(u"<call name=\"([^\"]*)\">(.*?)</call>"_s,
                                             QRegularExpression::DotMatchesEverythingOption);
        FormatMatch match;
        match.format = u"fake_format"_s;
        auto it = call.globalMatch(text.toString());
        while (it.hasNext()) {
            const QRegularExpressionMatch m = it.next();
            const TextSpan span { m.capturedStart(), m.capturedEnd() };
            if (!tools.find(m.captured(1))) {
                match.failed.append(span);
                match.issues.append(u"'"_s + m.captured(1) + u"' is not a declared tool"_s);
                continue;
            }
            match.calls.append({ m.captured(1), QJsonObject { { u"body"_s, m.captured(2) } }, QString(), span });
        }
        return match;
    }
};

ToolCatalog weatherTools()
{
    return ToolCatalog::fromTools(QJsonDocument::fromJson(R"([
        {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}, "required": ["city", "days"]}}},
        {"type": "function", "function": {"name": "search_docs", "parameters": {"type": "object",
            "properties": {"query": {"type": "string"}}, "required": ["query"]}}}
    ])").array());
}

ToolCatalog twoTools()
{
    return ToolCatalog::fromTools(QJsonDocument::fromJson(R"([
        {"type": "function", "function": {"name": "say_hello", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "say_hello_world", "parameters": {
            "type": "object",
            "properties": {"who": {"$ref": "#/$defs/person"}},
            "$defs": {"person": {"type": "string", "minLength": 1}}}}}
    ])").array());
}

} // namespace

class TestRescuer : public QObject
{
    Q_OBJECT

private slots:
    void rules_data();
    void rules();
    void nearMissOnlyOutsideReasoning();
    void eachIssueSaidOnce();
    void nearMissAfterToolName_data();
    void nearMissAfterToolName();
    void framingWithoutCallsIsRemoved();
    void mightHoldCall();
    void anchorsCoverEveryFinding_data();
    void anchorsCoverEveryFinding();
    void markdownAsksFewParsers_data();
    void markdownAsksFewParsers();
    void catalogLookups();
    void jsonCallShapes_data();
    void jsonCallShapes();
};

void TestRescuer::rules_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("bodies"); // the calls' bodies, in order
    QTest::addColumn<QString>("content");
    QTest::addColumn<QString>("reasoning");

    QTest::addRow("prose untouched") << u"Just an answer, with {braces} and <tags>."_s << QStringList()
                                     << u"Just an answer, with {braces} and <tags>."_s << QString();
    QTest::addRow("prose around a call") << u"Before.\n<call name=\"say_hello\">x</call>\nAfter."_s
                                         << QStringList { u"x"_s } << u"Before.\nAfter."_s << QString();
    QTest::addRow("prose glued to a call gets a space") << u"Checking.<call name=\"say_hello\">x</call>Done."_s
                                                        << QStringList { u"x"_s } << u"Checking. Done."_s << QString();
    QTest::addRow("spaces collapse at joins") << u"Here: <call name=\"say_hello\">x</call> done"_s
                                              << QStringList { u"x"_s } << u"Here: done"_s << QString();
    QTest::addRow("rehearsal in closed think dropped")
        << u"<think>maybe <call name=\"say_hello\">r</call></think>Real <call name=\"say_hello\">y</call>"_s
        << QStringList { u"y"_s } << u"Real"_s << u"maybe <call name=\"say_hello\">r</call>"_s;
    QTest::addRow("only a rehearsal") << u"[THINK]<call name=\"say_hello\">r</call>[/THINK]Fine."_s << QStringList()
                                      << u"Fine."_s << u"<call name=\"say_hello\">r</call>"_s;
    QTest::addRow("forced-open think") << u"plan it</think>\n<call name=\"say_hello\">y</call>"_s
                                       << QStringList { u"y"_s } << QString() << u"plan it"_s;
    QTest::addRow("unclosed think ended by a call")
        << u"<think>I need to call<call name=\"say_hello\">a</call><call name=\"say_hello\">b</call>"_s
        << QStringList { u"a"_s, u"b"_s } << QString() << u"I need to call"_s;
    QTest::addRow("unclosed think without call") << u"Answer<think>still going"_s << QStringList()
                                                 << u"Answer"_s << u"still going"_s;
    QTest::addRow("closing tag inside a call is data")
        << u"<call name=\"say_hello\">keep </think> this</call>"_s << QStringList { u"keep </think> this"_s }
        << QString() << QString();
    QTest::addRow("later stray closing tag is text") << u"<think>a</think>b</think>c"_s << QStringList()
                                                     << u"b</think>c"_s << u"a"_s;
    QTest::addRow("end-of-turn token trimmed") << u"<call name=\"say_hello\">x</call><|im_end|>"_s
                                               << QStringList { u"x"_s } << QString() << QString();
    QTest::addRow("several reasoning blocks") << u"<think>one</think>mid<think>two</think><call name=\"say_hello\">x</call>"_s
                                              << QStringList { u"x"_s } << u"mid"_s << u"one\n\ntwo"_s;
    QTest::addRow("seed and gemma wrappers") << u"<seed:think>s</seed:think><|channel>thought\ng<channel|>ok"_s
                                             << QStringList() << u"ok"_s << u"s\n\ng"_s;
}

void TestRescuer::rules()
{
    QFETCH(QString, text);
    QFETCH(QStringList, bodies);
    QFETCH(QString, content);
    QFETCH(QString, reasoning);

    const FakeCallParser parser;
    const RescueResult result = Rescuer({ &parser }).rescue(text, twoTools());
    QStringList gotBodies;
    for (const ParsedCall& call : result.calls) {
        gotBodies.append(call.arguments.toObject().value("body"_L1).toString());
        QVERIFY(text.mid(call.span.start, call.span.length()).startsWith(u"<call"_s));
    }
    QCOMPARE(gotBodies, bodies);
    QCOMPARE(result.content, content);
    QCOMPARE(result.reasoning, reasoning);
    QCOMPARE(result.format, bodies.isEmpty() ? QString() : u"fake_format"_s);
    QCOMPARE(result.parser, bodies.isEmpty() ? QString() : u"fake"_s);
}

void TestRescuer::nearMissOnlyOutsideReasoning()
{
    const FakeCallParser parser;
    const Rescuer rescuer({ &parser });
    const RescueResult outside = rescuer.rescue(u"ok <call name=\"nope\">x</call>"_s, twoTools());
    QVERIFY(outside.calls.isEmpty());
    QVERIFY(outside.nearMiss);
    QVERIFY(outside.issues.join(u' ').contains(u"nope"_s));

    const RescueResult inside = rescuer.rescue(u"<think><call name=\"nope\">x</call></think>ok"_s, twoTools());
    QVERIFY(!inside.nearMiss);
    QCOMPARE(inside.content, u"ok"_s);
}

// A declared tool's name in prose followed by JSON arguments that do not parse is a near miss
// (the guard asks again); prose that merely mentions a tool, quotes data or explains the
// arguments is not.
void TestRescuer::nearMissAfterToolName_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("nearMiss");

    QTest::addRow("broken value after the name") << uR"(Calling get_weather with {"city": "Paris", "days": })"_s << true;
    QTest::addRow("broken arguments in parentheses") << uR"(get_weather({"city": "Paris", "days": }))"_s << true;
    QTest::addRow("cut off at the end") << u"I'll look that up.\nget_weather {\"city\": \"Paris\", \"days\": 3"_s << true;
    QTest::addRow("unclosed string in a fence after the name")
        << u"Let me call search_docs:\n```json\n{\"query\": \"umbrella}\n```"_s << true;
    QTest::addRow("bare words as a value") << uR"(search_docs: {"query": sizes of umbrellas})"_s << true;

    QTest::addRow("a mention") << u"I used get_weather for this."_s << false;
    QTest::addRow("data that parses") << uR"(get_weather returned {"city": "Paris", "days": 3}.)"_s << false;
    QTest::addRow("placeholders") << uR"(The get_weather tool takes {"city": "...", "days": ...}.)"_s << false;
    QTest::addRow("type names") << uR"(get_weather expects {"city": string, "days": integer})"_s << false;
    QTest::addRow("another word") << uR"(get_weather_v2 got {"city": "Paris", "days": })"_s << false;
    QTest::addRow("a paragraph away") << u"get_weather is handy.\n\nUnrelated: {\"city\": \"Paris\", \"days\": }"_s << false;
    QTest::addRow("keys the tool does not have") << uR"(get_weather said {"temp": 18, "wind": })"_s << false;
    QTest::addRow("inside closed reasoning")
        << uR"(<think>Calling get_weather with {"city": "Paris", "days": }</think>The forecast is sunny.)"_s << false;
    QTest::addRow("brace before the name") << uR"(Use {"city": }; get_weather is a tool.)"_s << false;
    QTest::addRow("not written as JSON") << u"For get_weather use the syntax {city: Paris}"_s << false;
}

void TestRescuer::nearMissAfterToolName()
{
    QFETCH(QString, text);
    QFETCH(bool, nearMiss);
    const RescueResult result = Rescuer().rescue(text, weatherTools());
    QVERIFY(result.calls.isEmpty());
    QCOMPARE(result.nearMiss, nearMiss);
    if (nearMiss)
        QVERIFY2(result.issues.join(u' ').contains(u"after '"_s), qPrintable(result.issues.join(u" | "_s)));
}

void TestRescuer::framingWithoutCallsIsRemoved()
{
    // A format that frames its answer in its own tokens reports them even without a call.
    class FramingParser : public FormatParser
    {
    public:
        QString name() const override { return u"framing"_s; }
        ParserRank rank() const override { return ParserRank::Anchored; }
        FormatMatch parse(QStringView text, const ToolCatalog&) const override
        {
            FormatMatch match;
            const qsizetype open = text.indexOf(u"<|final|>");
            if (open >= 0) {
                match.markup.append({ open, open + 9 });
                match.reasoning.append({ 0, open });
            }
            return match;
        }
    };
    const FramingParser framing;
    const FakeCallParser calls;
    const RescueResult result = Rescuer({ &framing, &calls }).rescue(u"thinking it over<|final|>The answer."_s, twoTools());
    QVERIFY(result.calls.isEmpty());
    QCOMPARE(result.content, u"The answer."_s);
    QCOMPARE(result.reasoning, u"thinking it over"_s);
    QVERIFY(result.format.isEmpty());
}

void TestRescuer::mightHoldCall()
{
    const ToolCatalog tools = twoTools();
    QVERIFY(!Rescuer::mightHoldCall(u"Plain prose: nothing here (really)."_s, tools));
    QVERIFY(Rescuer::mightHoldCall(u"has { a brace"_s, tools));
    QVERIFY(Rescuer::mightHoldCall(u"<\uff5ctool"_s, tools));
    QVERIFY(Rescuer::mightHoldCall(u"  say_hello\nsomething"_s, tools));
    QVERIFY(Rescuer::mightHoldCall(u"all\nHi>>>python\nimport os"_s, tools));
}

// The Rescuer asks a parser only when one of its anchors occurs: every parser that finds
// anything (a call, a failure, markup, reasoning) in a text must have been asked. Checked on the
// public corpus, with prose around each case and in other letter cases (for the anchors that
// ignore case).
void TestRescuer::anchorsCoverEveryFinding_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QJsonArray>("tools");
    QFile file(QFINDTESTDATA("data/toolcall-public.jsonl"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    while (!file.atEnd()) {
        const QJsonObject testCase = QJsonDocument::fromJson(file.readLine()).object();
        if (testCase.isEmpty())
            continue;
        const QString id = testCase.value("id"_L1).toString();
        const QString content = testCase.value("content"_L1).toString();
        const QJsonArray tools = testCase.value("tools"_L1).toArray();
        QTest::addRow("%s", qPrintable(id)) << content << tools;
        QTest::addRow("%s in prose", qPrintable(id)) << u"Sure, here it is.\n"_s + content + u"\nDone."_s << tools;
        QTest::addRow("%s lower case", qPrintable(id)) << content.toLower() << tools;
        QTest::addRow("%s upper case", qPrintable(id)) << content.toUpper() << tools;
    }
}

void TestRescuer::anchorsCoverEveryFinding()
{
    QFETCH(QString, text);
    QFETCH(QJsonArray, tools);
    const ToolCatalog catalog = ToolCatalog::fromTools(tools);
    const QList<const FormatParser*> asked = Rescuer().parsersFor(text);
    for (const FormatParser* parser : formatParsers()) {
        const FormatMatch match = parser->parse(text, catalog);
        const bool found = !match.calls.isEmpty() || !match.failed.isEmpty() || !match.markup.isEmpty() || !match.reasoning.isEmpty();
        QVERIFY2(!found || asked.contains(parser), qPrintable(parser->name() + u" finds something but was not asked"_s));
    }
    // The reasoning tags are looked for in the same pass.
    if (!findReasoningRegions(text).isEmpty()) {
        QVERIFY(std::any_of(reasoningTags().cbegin(), reasoningTags().cend(),
                            [&text](const Anchor& tag) { return text.contains(tag.text); }));
    }
}

void TestRescuer::markdownAsksFewParsers_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("asked"); // the parsers asked, by name, in rank order

    // functionary_v32_start has no anchor: it is always asked, and looks at the first line only.
    QTest::addRow("plain prose") << u"The forecast is mild."_s << QStringList { u"functionary_v32_start"_s };
    QTest::addRow("links and inline code") << u"See [the guide](https://example.com) and run `make`."_s
                                           << QStringList { u"functionary_v32_start"_s, u"pythonic-list"_s };
    QTest::addRow("html table") << u"| Day | <b>sunny</b><br>18 °C | <span title=\"w\">W</span> |"_s
                                << QStringList { u"functionary_v32_start"_s };
    QTest::addRow("data fence") << u"```json\n{\"city\": \"Paris\"}\n```"_s
                                << QStringList { u"json_fence"_s, u"bare_json"_s, u"functionary_v32_start"_s };
    QTest::addRow("angle brackets") << u"If a < b and `Vec<String>` -> x >= 3"_s << QStringList { u"functionary_v32_start"_s };
    QTest::addRow("a hermes call") << u"<tool_call>{}</tool_call>"_s
                                   << QStringList { u"name_first"_s, u"hermes"_s, u"bare_json"_s, u"functionary_v32_start"_s };
    QTest::addRow("case-insensitive wrapper") << u"<TOOLS>{}</TOOLS>"_s
                                              << QStringList { u"hermes_alt"_s, u"bare_json"_s, u"functionary_v32_start"_s };
}

void TestRescuer::markdownAsksFewParsers()
{
    QFETCH(QString, text);
    QFETCH(QStringList, asked);
    QStringList names;
    for (const FormatParser* parser : Rescuer().parsersFor(text))
        names.append(parser->name());
    QCOMPARE(names, asked);
}

void TestRescuer::catalogLookups()
{
    const ToolCatalog tools = twoTools();
    QCOMPARE(tools.size(), 2);
    QCOMPARE(tools.names(), (QStringList { u"say_hello"_s, u"say_hello_world"_s }));
    QVERIFY(tools.find(u"say_hello"));
    QVERIFY(!tools.find(u"Say_Hello"));
    QCOMPARE(tools.resolve(u"functions.say_hello")->name, u"say_hello"_s);
    QCOMPARE(tools.longestNameAt(u"x say_hello_world(", 2)->name, u"say_hello_world"_s);
    QCOMPARE(tools.longestNameAt(u"say_hello(", 0)->name, u"say_hello"_s);
    QVERIFY(!tools.longestNameAt(u"say_hell", 0));
    const QJsonObject who = ToolCatalog::propertySchema(*tools.find(u"say_hello_world"), u"who");
    QCOMPARE(who.value("type"_L1).toString(), u"string"_s);
    QCOMPARE(who.value("minLength"_L1).toInt(), 1);

    // Other declaration shapes, duplicates and nameless entries.
    const ToolCatalog mixed = ToolCatalog::fromTools(QJsonDocument::fromJson(R"([
        {"name": "bare", "parameters": {"type": "object"}},
        {"name": "anthropic", "input_schema": {"type": "object", "required": ["q"]}},
        {"type": "function", "function": {"description": "no name"}},
        {"name": "bare", "parameters": {"type": "string"}}
    ])").array());
    QCOMPARE(mixed.names(), (QStringList { u"bare"_s, u"anthropic"_s }));
    QCOMPARE(mixed.find(u"bare")->parameters.value("type"_L1).toString(), u"object"_s);
    QCOMPARE(mixed.find(u"anthropic")->parameters.value("required"_L1).toArray().size(), 1);
}

void TestRescuer::jsonCallShapes_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("expected"); // [{name, arguments}] compact; [] when not a call

    QTest::addRow("name arguments") << uR"({"name": "say_hello", "arguments": {"a": 1}})"_s << uR"([{"name":"say_hello","arguments":{"a":1}}])"_s;
    QTest::addRow("arguments first") << uR"({"arguments": {"name": "x"}, "name": "say_hello"})"_s << uR"([{"name":"say_hello","arguments":{"name":"x"}}])"_s;
    QTest::addRow("parameters") << uR"({"name": "say_hello", "parameters": {}})"_s << uR"([{"name":"say_hello","arguments":{}}])"_s;
    QTest::addRow("tool args") << uR"({"tool": "say_hello", "args": {"q": "B"}})"_s << uR"([{"name":"say_hello","arguments":{"q":"B"}}])"_s;
    QTest::addRow("cohere") << uR"({"tool_call_id": "0", "tool_name": "say_hello", "parameters": {}})"_s << uR"([{"name":"say_hello","arguments":{}}])"_s;
    QTest::addRow("openai nesting") << uR"({"type": "function", "function": {"name": "say_hello", "arguments": "{\"a\": 2}"}})"_s << uR"([{"name":"say_hello","arguments":{"a":2}}])"_s;
    QTest::addRow("stringified arguments") << uR"({"name": "say_hello", "arguments": "{\"a\": 1}"})"_s << uR"([{"name":"say_hello","arguments":{"a":1}}])"_s;
    QTest::addRow("non-json string arguments kept") << uR"({"name": "say_hello", "arguments": "oops"})"_s << uR"([{"name":"say_hello","arguments":"oops"}])"_s;
    QTest::addRow("null arguments") << uR"({"name": "say_hello", "arguments": null})"_s << uR"([{"name":"say_hello","arguments":{}}])"_s;
    QTest::addRow("name as key") << uR"({"say_hello": {"a": 1}})"_s << uR"([{"name":"say_hello","arguments":{"a":1}}])"_s;
    QTest::addRow("name as key stringified") << uR"({"say_hello": "{\"a\": 1}"})"_s << uR"([{"name":"say_hello","arguments":{"a":1}}])"_s;
    QTest::addRow("tool_calls wrapper") << uR"({"tool_calls": [{"name": "say_hello", "arguments": {}}, {"name": "say_hello_world", "arguments": {}}]})"_s
                                        << uR"([{"name":"say_hello","arguments":{}},{"name":"say_hello_world","arguments":{}}])"_s;
    QTest::addRow("array") << uR"([{"name": "say_hello", "arguments": {}}, {"name": "nope", "arguments": {}}])"_s << uR"([{"name":"say_hello","arguments":{}}])"_s;
    QTest::addRow("data with a name") << uR"({"name": "Alice", "age": 30})"_s << u"[]"_s;
    QTest::addRow("data named like a tool") << uR"({"name": "say_hello", "url": "x"})"_s << u"[]"_s;
    QTest::addRow("undeclared") << uR"({"name": "nope", "arguments": {}})"_s << u"[]"_s;
    QTest::addRow("echoed declaration") << uR"({"type": "function", "function": {"name": "say_hello", "description": "Greets",
        "parameters": {"type": "object", "properties": {"who": {"type": "string"}}}}})"_s << u"[]"_s;
    QTest::addRow("no name") << uR"({"parameters": {}})"_s << u"[]"_s;
}

void TestRescuer::jsonCallShapes()
{
    QFETCH(QString, json);
    QFETCH(QString, expected);
    const LiteralParse parsed = parseWholeLiteral(json, LiteralDialect::Json);
    QVERIFY(parsed.ok);
    QJsonArray got;
    for (const ParsedCall& call : callsFromJson(parsed.value, twoTools()))
        got.append(QJsonObject { { u"name"_s, call.name }, { u"arguments"_s, call.arguments } });
    const QJsonValue want = parseWholeLiteral(expected, LiteralDialect::Json).value;
    QVERIFY2(jsonEquivalent(got, want), QJsonDocument(got).toJson(QJsonDocument::Compact).constData());
}

void TestRescuer::eachIssueSaidOnce()
{
    // Several parsers see the same rehearsal; the corrective message and the trace say it once.
    const RescueResult result = Rescuer().rescue(
        u"<think>I could call <tool_call>{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}</tool_call> but no.</think>It will rain."_s,
        weatherTools());
    QVERIFY(result.calls.isEmpty());
    QCOMPARE(result.issues, QStringList { u"ignored a call to 'get_weather' inside closed reasoning (a rehearsal)"_s });
}

QTEST_APPLESS_MAIN(TestRescuer)
#include "tst_rescuer.moc"
