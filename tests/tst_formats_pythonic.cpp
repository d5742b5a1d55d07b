// The pythonic family: Python-style call lists (bare, LFM2, Llama 4, Olmo 3), Gemma call syntax
// and Llama 3.1's <|python_tag|>. Each table runs one parser alone, directly and through the
// Rescuer, so the calls, the failures and the content left for the user are all checked.
#include "guard/formats/pythonic.h"
#include "guard/formats/registry.h"
#include "guard/rescuer.h"
#include "jsoncompare.h"
#include "streamingcheck.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QtTest>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace Guard;

namespace {

ToolCatalog catalog(const char* json)
{
    return ToolCatalog::fromTools(QJsonDocument::fromJson(json).array());
}

// Tools every table may call; "python" takes raw code after <|python_tag|>.
ToolCatalog tools()
{
    return catalog(R"([
        {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
            "properties": {"city": {"type": "string"}, "metric": {"type": "string"}}}}},
        {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object",
            "properties": {"timezone": {"type": "string"}}}}},
        {"type": "function", "function": {"name": "search", "parameters": {"type": "object",
            "properties": {"query": {"type": "string"}}}}},
        {"type": "function", "function": {"name": "ping", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "set_config", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "register_user", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "python", "parameters": {"type": "object",
            "properties": {"code": {"type": "string"}}}}},
        {"type": "function", "function": {"name": "brave_search", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "Calendar.create_event", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "web-search", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "获取天气", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "say_hello", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "say_hello_world", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "g", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "bad", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "calc", "parameters": {"type": "object"}}}
    ])");
}

QList<const FormatParser*> familyParsers()
{
    static const Lfm2PythonicParser lfm2;
    static const GemmaCallParser gemma;
    static const BareGemmaCallParser bareGemma;
    static const Olmo3FunctionCallsParser olmo3;
    static const PythonTagParser pythonTag;
    static const PythonStartParser pythonStart;
    static const PythonicListParser list;
    return { &lfm2, &gemma, &bareGemma, &olmo3, &pythonTag, &pythonStart, &list };
}

QString describe(const QList<ParsedCall>& calls)
{
    QJsonArray array;
    for (const ParsedCall& call : calls)
        array.append(QJsonObject { { u"name"_s, call.name }, { u"arguments"_s, call.arguments } });
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

bool sameCalls(const QList<ParsedCall>& calls, const QString& expectedJson)
{
    const QJsonArray expected = QJsonDocument::fromJson(expectedJson.toUtf8()).array();
    if (expected.size() != calls.size())
        return false;
    for (qsizetype i = 0; i < calls.size(); ++i) {
        const QJsonObject want = expected.at(i).toObject();
        if (calls.at(i).name != want.value("name"_L1).toString()
            || !jsonEquivalent(calls.at(i).arguments, want.value("arguments"_L1)))
            return false;
    }
    return true;
}

void addColumns()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("calls"); // what the Rescuer returns: [{name, arguments}]
    QTest::addColumn<QString>("content"); // the Rescuer's content
    QTest::addColumn<QString>("format"); // the Rescuer's format; empty when no call
    QTest::addColumn<int>("failures"); // FormatMatch::failed of the parser alone
}

// Runs one row against `parser`: the parser's own match (spans, failures, issues) and the
// Rescuer's result with only that parser.
void checkRow(const FormatParser& parser, const ToolCatalog& catalog = tools())
{
    QFETCH(QString, text);
    QFETCH(QString, calls);
    QFETCH(QString, content);
    QFETCH(QString, format);
    QFETCH(int, failures);

    const FormatMatch match = parser.parse(text, catalog);
    QCOMPARE(match.failed.size(), failures);
    QCOMPARE(match.issues.size(), match.failed.size()); // one plain-words line per failure
    for (const QString& issue : match.issues)
        QVERIFY(!issue.trimmed().isEmpty());
    for (const ParsedCall& call : match.calls) {
        QVERIFY(call.span.start >= 0 && call.span.end <= text.size() && call.span.length() > 0);
        QVERIFY(call.id.isEmpty());
        // Every call lies inside an envelope of markup, so none of it can leak into content.
        const bool covered = std::any_of(match.markup.cbegin(), match.markup.cend(),
            [&call](const TextSpan& m) { return m.start <= call.span.start && call.span.end <= m.end; });
        QVERIFY2(covered,
            qPrintable(u"call span not inside markup: "_s + text.mid(call.span.start, call.span.length())));
    }
    for (const TextSpan& span : match.failed)
        QVERIFY(span.start >= 0 && span.end <= text.size() && span.start <= span.end);

    const RescueResult result = Rescuer({ &parser }).rescue(text, catalog);
    if (!StreamingCheck::callsAreHeldBack(text, catalog))
        return;
    QVERIFY2(
        sameCalls(result.calls, calls), qPrintable(u"got "_s + describe(result.calls) + u" want "_s + calls));
    QCOMPARE(result.content, content);
    QCOMPARE(result.format, format);
}

} // namespace

class TestFormatsPythonic : public QObject
{
    Q_OBJECT

private slots:
    void lfm2_data();
    void lfm2();
    void gemma_data();
    void gemma();
    void bareGemma_data();
    void bareGemma();
    void olmo3_data();
    void olmo3();
    void pythonTag_data();
    void pythonTag();
    void pythonTagWithoutCodeTool();
    void pythonStart_data();
    void pythonStart();
    void pythonicList_data();
    void pythonicList();
    void spans();
    void proseReturnsQuickly();
    void linearOnBracketSoup();
    void registered();
    void otherFamiliesBodiesLeftAlone();
};

void TestFormatsPythonic::lfm2_data()
{
    addColumns();
    const QString lfm2 = u"lfm2_pythonic"_s;
    QTest::addRow("one call") << u"<|tool_call_start|>[get_weather(city=\"Paris\")]<|tool_call_end|>"_s
                              << uR"([{"name":"get_weather","arguments":{"city":"Paris"}}])"_s << QString()
                              << lfm2 << 0;
    QTest::addRow("prose before and after")
        << u"Checking.\n<|tool_call_start|>[get_weather(city=\"Paris\")]<|tool_call_end|>\nDone."_s
        << uR"([{"name":"get_weather","arguments":{"city":"Paris"}}])"_s << u"Checking.\nDone."_s << lfm2
        << 0;
    QTest::addRow("several calls, dotted name, single quotes")
        << u"<|tool_call_start|>[get_weather(city='Paris'),Calendar.create_event(title=\"Stand-up\", minutes=15)]<|tool_call_end|>"_s
        << uR"([{"name":"get_weather","arguments":{"city":"Paris"}},{"name":"Calendar.create_event","arguments":{"title":"Stand-up","minutes":15}}])"_s
        << QString() << lfm2 << 0;
    QTest::addRow("no brackets") << u"<|tool_call_start|>get_weather(city=\"Paris\")<|tool_call_end|>"_s
                                 << uR"([{"name":"get_weather","arguments":{"city":"Paris"}}])"_s << QString()
                                 << lfm2 << 0;
    QTest::addRow("repeated envelopes, prose between")
        << u"<|tool_call_start|>[get_weather(city=\"Paris\")]<|tool_call_end|> Checking again. <|tool_call_start|>[get_time(timezone='CET')]<|tool_call_end|>"_s
        << uR"([{"name":"get_weather","arguments":{"city":"Paris"}},{"name":"get_time","arguments":{"timezone":"CET"}}])"_s
        << u"Checking again."_s << lfm2 << 0;
    QTest::addRow("end token missing at the end")
        << u"Pinging.\n<|tool_call_start|>[ping()]"_s << uR"([{"name":"ping","arguments":{}}])"_s
        << u"Pinging."_s << lfm2 << 0;
    QTest::addRow("python and json literals")
        << u"<|tool_call_start|>[set_config(config={'enabled': True, \"count\": 3, 'ratio': -0.5, 'tags': ['a', \"b\"], 'extra': None, 'on': true, 'off': null, 'no': False})]<|tool_call_end|>"_s
        << uR"([{"name":"set_config","arguments":{"config":{"enabled":true,"count":3,"ratio":-0.5,"tags":["a","b"],"extra":null,"on":true,"off":null,"no":false}}}])"_s
        << QString() << lfm2 << 0;
    QTest::addRow("escapes in strings")
        << uR"(<|tool_call_start|>[search(query='Martha\'s Vineyard "cool"', extra="line1\nline2 \"q\"")]<|tool_call_end|>)"_s
        << uR"([{"name":"search","arguments":{"query":"Martha's Vineyard \"cool\"","extra":"line1\nline2 \"q\""}}])"_s
        << QString() << lfm2 << 0;
    QTest::addRow("whitespace and newlines")
        << u"<|tool_call_start|>\n[\n  get_weather( city = \"Paris\" ,  metric = \"C\" , ),\n  ping()\n]\n<|tool_call_end|>"_s
        << uR"([{"name":"get_weather","arguments":{"city":"Paris","metric":"C"}},{"name":"ping","arguments":{}}])"_s
        << QString() << lfm2 << 0;
    QTest::addRow("triple-quoted code")
        << uR"j(<|tool_call_start|>[python(code='''import os
print("it's", 'a\tb')''', note=r"""C:\dir""")]<|tool_call_end|>)j"_s
        << uR"j([{"name":"python","arguments":{"code":"import os\nprint(\"it's\", 'a\tb')","note":"C:\\dir"}}])j"_s
        << QString() << lfm2 << 0;
    QTest::addRow("unicode name and value")
        << u"<|tool_call_start|>[获取天气(城市=\"北京\", note='🌍')]<|tool_call_end|>"_s
        << uR"([{"name":"获取天气","arguments":{"城市":"北京","note":"🌍"}}])"_s << QString() << lfm2 << 0;
    QTest::addRow("brackets and parens inside strings")
        << u"<|tool_call_start|>[search(query=\"f(x) = [1, 2] ) ] <|tool_call_end|>\")]<|tool_call_end|>"_s
        << uR"([{"name":"search","arguments":{"query":"f(x) = [1, 2] ) ] <|tool_call_end|>"}}])"_s
        << QString() << lfm2 << 0;
    QTest::addRow("undeclared tool") << u"<|tool_call_start|>[delete_all(force=True)]<|tool_call_end|>"_s
                                     << u"[]"_s
                                     << u"<|tool_call_start|>[delete_all(force=True)]<|tool_call_end|>"_s
                                     << QString() << 1;
    QTest::addRow("truncated arguments") << u"<|tool_call_start|>[get_weather(city=\"Par"_s << u"[]"_s
                                         << u"<|tool_call_start|>[get_weather(city=\"Par"_s << QString() << 1;
    QTest::addRow("missing closing parenthesis")
        << u"<|tool_call_start|>[get_weather(city=\"Paris\"]<|tool_call_end|>"_s << u"[]"_s
        << u"<|tool_call_start|>[get_weather(city=\"Paris\"]<|tool_call_end|>"_s << QString() << 1;
    QTest::addRow("positional argument")
        << u"<|tool_call_start|>[get_weather(\"Paris\")]<|tool_call_end|>"_s << u"[]"_s
        << u"<|tool_call_start|>[get_weather(\"Paris\")]<|tool_call_end|>"_s << QString() << 1;
    QTest::addRow("broken sibling keeps the good one")
        << u"<|tool_call_start|>[bad(x=b'z'), get_weather(city='Paris')]<|tool_call_end|>"_s
        << uR"([{"name":"get_weather","arguments":{"city":"Paris"}}])"_s << QString() << lfm2 << 1;
    QTest::addRow("non-finite number rejected")
        << u"<|tool_call_start|>[calc(x=1e999), ping()]<|tool_call_end|>"_s
        << uR"([{"name":"ping","arguments":{}}])"_s << QString() << lfm2 << 1;
    QTest::addRow("json body is lfm2_json, not ours")
        << u"<|tool_call_start|>[{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}]<|tool_call_end|>"_s
        << u"[]"_s
        << u"<|tool_call_start|>[{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}]<|tool_call_end|>"_s
        << QString() << 0;
    QTest::addRow("token followed by prose")
        << u"The <|tool_call_start|> token opens a call."_s << u"[]"_s
        << u"The <|tool_call_start|> token opens a call."_s << QString() << 1;
    QTest::addRow("rehearsal in closed think")
        << u"<think>maybe <|tool_call_start|>[ping()]<|tool_call_end|></think>Fine."_s << u"[]"_s
        << u"Fine."_s << QString() << 0;
    QTest::addRow("call after think")
        << u"<think>I should ping.</think>\n<|tool_call_start|>[ping()]<|tool_call_end|>"_s
        << uR"([{"name":"ping","arguments":{}}])"_s << QString() << lfm2 << 0;
    QTest::addRow("prose only") << u"Use <html> or compare 1 < 2 [see (a)]."_s << u"[]"_s
                                << u"Use <html> or compare 1 < 2 [see (a)]."_s << QString() << 0;
}

void TestFormatsPythonic::lfm2()
{
    checkRow(Lfm2PythonicParser());
}

void TestFormatsPythonic::gemma_data()
{
    addColumns();
    const QString gemma4 = u"gemma4_call"_s;
    const QString functionGemma = u"functiongemma_call"_s;
    QTest::addRow("one call") << u"<|tool_call>call:get_time{timezone:<|\"|>London<|\"|>}<tool_call|>"_s
                              << uR"([{"name":"get_time","arguments":{"timezone":"London"}}])"_s << QString()
                              << gemma4 << 0;
    QTest::addRow("value types")
        << u"<|tool_call>call:set_config{n:42,x:-1.5e3,ok:true,none:null,cfg:{k:<|\"|>v<|\"|>,deep:{a:[]}},xs:[1,<|\"|>two<|\"|>],empty:{}}<tool_call|>"_s
        << uR"([{"name":"set_config","arguments":{"n":42,"x":-1500,"ok":true,"none":null,"cfg":{"k":"v","deep":{"a":[]}},"xs":[1,"two"],"empty":{}}}])"_s
        << QString() << gemma4 << 0;
    QTest::addRow("quotes and backslashes kept")
        << uR"(<|tool_call>call:search{query:<|"|>say "hi", C:\users\bob \"x\" {}[]:,<|"|>}<tool_call|>)"_s
        << uR"([{"name":"search","arguments":{"query":"say \"hi\", C:\\users\\bob \\\"x\\\" {}[]:,"}}])"_s
        << QString() << gemma4 << 0;
    QTest::addRow("json strings too")
        << uR"(<|tool_call>call:search{query:"raw \"q\""}<tool_call|>)"_s
        << uR"([{"name":"search","arguments":{"query":"raw \"q\""}}])"_s << QString() << gemma4 << 0;
    QTest::addRow("multi-line value")
        << u"<|tool_call>call:python{code:<|\"|>import os\nprint(1)\n<|\"|>}<tool_call|>"_s
        << uR"j([{"name":"python","arguments":{"code":"import os\nprint(1)\n"}}])j"_s << QString() << gemma4
        << 0;
    QTest::addRow("empty arguments") << u"<|tool_call>call:ping{}<tool_call|>"_s
                                     << uR"([{"name":"ping","arguments":{}}])"_s << QString() << gemma4 << 0;
    QTest::addRow("two calls, content between")
        << u"<|tool_call>call:get_time{timezone:<|\"|>UTC<|\"|>}<tool_call|> and then <|tool_call>call:ping{}<tool_call|>"_s
        << uR"([{"name":"get_time","arguments":{"timezone":"UTC"}},{"name":"ping","arguments":{}}])"_s
        << u"and then"_s << gemma4 << 0;
    QTest::addRow("prose before") << u"Hello, world!\nWhat's up?<|tool_call>call:ping{}<tool_call|>"_s
                                  << uR"([{"name":"ping","arguments":{}}])"_s
                                  << u"Hello, world!\nWhat's up?"_s << gemma4 << 0;
    QTest::addRow("closed by turn end")
        << u"<|tool_call>call:ping{}<turn|>"_s << uR"([{"name":"ping","arguments":{}}])"_s << QString()
        << gemma4 << 0;
    QTest::addRow("tool response token and extra closers")
        << u"<|tool_call>call:ping{}<tool_call|><tool_call|><|tool_response>\nDone."_s
        << uR"([{"name":"ping","arguments":{}}])"_s << u"Done."_s << gemma4 << 0;
    QTest::addRow("closer missing at the end")
        << u"<|tool_call>call:search{query:<|\"|>say \"hello\"<|\"|>}"_s
        << uR"([{"name":"search","arguments":{"query":"say \"hello\""}}])"_s << QString() << gemma4 << 0;
    QTest::addRow("stray colon") << u"<|tool_call>:call:ping{}<tool_call|>"_s
                                 << uR"([{"name":"ping","arguments":{}}])"_s << QString() << gemma4 << 0;
    QTest::addRow("keyword dropped") << u"<|tool_call>get_time{timezone:<|\"|>UTC<|\"|>}<tool_call|>"_s
                                     << uR"([{"name":"get_time","arguments":{"timezone":"UTC"}}])"_s
                                     << QString() << gemma4 << 0;
    QTest::addRow("hyphenated and dotted names")
        << u"<|tool_call>call:web-search{query:<|\"|>gemma<|\"|>}<tool_call|><|tool_call>call:Calendar.create_event{title:<|\"|>x<|\"|>}<tool_call|>"_s
        << uR"([{"name":"web-search","arguments":{"query":"gemma"}},{"name":"Calendar.create_event","arguments":{"title":"x"}}])"_s
        << QString() << gemma4 << 0;
    QTest::addRow("delimited keys and unicode")
        << u"<|tool_call>call:获取天气{城市:<|\"|>北京<|\"|>,map:{<|\"|>3<|\"|>:<|\"|>new text<|\"|>}}<tool_call|>"_s
        << uR"([{"name":"获取天气","arguments":{"城市":"北京","map":{"3":"new text"}}}])"_s << QString()
        << gemma4 << 0;
    QTest::addRow("after the thought channel")
        << u"<|channel>thought\nI need the time.<channel|><|tool_call>call:get_time{timezone:<|\"|>UTC<|\"|>}<tool_call|>"_s
        << uR"([{"name":"get_time","arguments":{"timezone":"UTC"}}])"_s << QString() << gemma4 << 0;
    QTest::addRow("functiongemma")
        << u"<start_function_call>call:get_weather{city:<escape>Paris<escape>}<end_function_call><start_function_call>call:get_time{timezone:<escape>UTC<escape>}<end_function_call>"_s
        << uR"([{"name":"get_weather","arguments":{"city":"Paris"}},{"name":"get_time","arguments":{"timezone":"UTC"}}])"_s
        << QString() << functionGemma << 0;
    QTest::addRow("functiongemma array, response token, content after")
        << u"こんにちは <start_function_call>call:set_config{items:[<escape>a<escape>,<escape>b<escape>]}<end_function_call><start_function_response>"_s
        << uR"([{"name":"set_config","arguments":{"items":["a","b"]}}])"_s << u"こんにちは"_s << functionGemma
        << 0;
    QTest::addRow("truncated string")
        << u"<|tool_call>call:get_weather{city:<|\"|>London"_s << u"[]"_s
        << u"<|tool_call>call:get_weather{city:<|\"|>London"_s << QString() << 1;
    QTest::addRow("missing closing brace")
        << u"<|tool_call>call:get_weather{city:<|\"|>London<|\"|><tool_call|>"_s << u"[]"_s
        << u"<|tool_call>call:get_weather{city:<|\"|>London<|\"|><tool_call|>"_s << QString() << 1;
    QTest::addRow("undeclared tool") << u"<|tool_call>call:rm_rf{path:<|\"|>/<|\"|>}<tool_call|>"_s << u"[]"_s
                                     << u"<|tool_call>call:rm_rf{path:<|\"|>/<|\"|>}<tool_call|>"_s
                                     << QString() << 1;
    // The rejected envelope stays visible, as it would if it were the only one.
    QTest::addRow("bad call, good call")
        << u"<|tool_call>call:rm_rf{}<tool_call|>\n<|tool_call>call:ping{}<tool_call|>"_s
        << uR"([{"name":"ping","arguments":{}}])"_s << u"<|tool_call>call:rm_rf{}<tool_call|>"_s << gemma4
        << 1;
    QTest::addRow("json call in gemma's envelope")
        << u"<|tool_call>{\"name\": \"get_time\", \"arguments\": {\"timezone\": \"UTC\"}}<tool_call|>"_s
        << uR"([{"name":"get_time","arguments":{"timezone":"UTC"}}])"_s << QString() << gemma4 << 0;
    QTest::addRow("good and broken call in one envelope")
        << u"Go <|tool_call>call:ping{}, call:get_time{timezone:<|\"|>UTC}<tool_call|> done"_s
        << uR"([{"name":"ping","arguments":{}}])"_s << u"Go done"_s << gemma4 << 1;
    QTest::addRow("opener with no call") << u"<|tool_call>nothing here<tool_call|>"_s << u"[]"_s
                                         << u"<|tool_call>nothing here<tool_call|>"_s << QString() << 1;
    QTest::addRow("rehearsal in closed thought")
        << u"<|channel>thought\n<|tool_call>call:ping{}<tool_call|><channel|>No call needed."_s << u"[]"_s
        << u"No call needed."_s << QString() << 0;
}

void TestFormatsPythonic::gemma()
{
    checkRow(GemmaCallParser());
}

void TestFormatsPythonic::bareGemma_data()
{
    addColumns();
    const QString gemma4 = u"gemma4_call"_s;
    QTest::addRow("right after the thought channel")
        << u"<|channel>thought\nRead the file.<channel|>call:get_weather{city:<|\"|>Paris<|\"|>}"_s
        << uR"([{"name":"get_weather","arguments":{"city":"Paris"}}])"_s << QString() << gemma4 << 0;
    QTest::addRow("on its own line after prose")
        << u"some prose\ncall:ping{}"_s << uR"([{"name":"ping","arguments":{}}])"_s << u"some prose"_s
        << gemma4 << 0;
    QTest::addRow("escape delimiters") << u"call:get_weather{city:<escape>Paris<escape>} Done."_s
                                       << uR"([{"name":"get_weather","arguments":{"city":"Paris"}}])"_s
                                       << u"Done."_s << u"functiongemma_call"_s << 0;
    QTest::addRow("undeclared name ignored")
        << u"call:launch{code:1}"_s << u"[]"_s << u"call:launch{code:1}"_s << QString() << 0;
    QTest::addRow("inside a word") << u"recall:ping{}"_s << u"[]"_s << u"recall:ping{}"_s << QString() << 0;
    QTest::addRow("declared but truncated") << u"call:get_weather{city:<|\"|>Par"_s << u"[]"_s
                                            << u"call:get_weather{city:<|\"|>Par"_s << QString() << 1;
    QTest::addRow("prose mention") << u"Gemma writes call:NAME{...} for tools."_s << u"[]"_s
                                   << u"Gemma writes call:NAME{...} for tools."_s << QString() << 0;
}

void TestFormatsPythonic::bareGemma()
{
    checkRow(BareGemmaCallParser());
}

void TestFormatsPythonic::olmo3_data()
{
    addColumns();
    const QString olmo = u"olmo3_function_calls"_s;
    QTest::addRow("one call") << u"<function_calls>get_weather(city=\"San Francisco\")</function_calls>"_s
                              << uR"([{"name":"get_weather","arguments":{"city":"San Francisco"}}])"_s
                              << QString() << olmo << 0;
    QTest::addRow("prose first")
        << u"Let me check the weather. <function_calls>get_weather(city=\"NYC\")</function_calls>"_s
        << uR"([{"name":"get_weather","arguments":{"city":"NYC"}}])"_s << u"Let me check the weather."_s
        << olmo << 0;
    QTest::addRow("one call per line")
        << u"<function_calls>\nget_weather(city='San Francisco')\nget_time(timezone=\"PST\")\nping()\n</function_calls>"_s
        << uR"([{"name":"get_weather","arguments":{"city":"San Francisco"}},{"name":"get_time","arguments":{"timezone":"PST"}},{"name":"ping","arguments":{}}])"_s
        << QString() << olmo << 0;
    QTest::addRow("json literals")
        << u"<function_calls>register_user(name='John Doe', age=37, address={'city': 'SF'}, role=null, passed_test=true, aliases=['J'])</function_calls>"_s
        << uR"([{"name":"register_user","arguments":{"name":"John Doe","age":37,"address":{"city":"SF"},"role":null,"passed_test":true,"aliases":["J"]}}])"_s
        << QString() << olmo << 0;
    QTest::addRow("escaped quotes") << uR"(<function_calls>search(query="say \"hello\"")</function_calls>)"_s
                                    << uR"([{"name":"search","arguments":{"query":"say \"hello\""}}])"_s
                                    << QString() << olmo << 0;
    QTest::addRow("bracketed list")
        << u"<function_calls>[get_weather(city='A'), get_weather(city='B')]</function_calls>"_s
        << uR"([{"name":"get_weather","arguments":{"city":"A"}},{"name":"get_weather","arguments":{"city":"B"}}])"_s
        << QString() << olmo << 0;
    QTest::addRow("end tag missing at the end")
        << u"<function_calls>ping()"_s << uR"([{"name":"ping","arguments":{}}])"_s << QString() << olmo << 0;
    QTest::addRow("bad sibling") << u"<function_calls>bad(x=b'z')\nget_weather(city='SF')</function_calls>"_s
                                 << uR"([{"name":"get_weather","arguments":{"city":"SF"}}])"_s << QString()
                                 << olmo << 1;
    QTest::addRow("mismatched brackets")
        << u"<function_calls>get_weather(city=1])</function_calls>"_s << u"[]"_s
        << u"<function_calls>get_weather(city=1])</function_calls>"_s << QString() << 1;
    QTest::addRow("undeclared tool") << u"<function_calls>book_flight(to=\"NYC\")</function_calls>"_s
                                     << u"[]"_s
                                     << u"<function_calls>book_flight(to=\"NYC\")</function_calls>"_s
                                     << QString() << 1;
    QTest::addRow("invoke body belongs to xmlinvoke")
        << u"<function_calls>\n<invoke name=\"get_weather\">\n<parameter name=\"city\">Tokyo</parameter>\n</invoke>\n</function_calls>"_s
        << u"[]"_s
        << u"<function_calls>\n<invoke name=\"get_weather\">\n<parameter name=\"city\">Tokyo</parameter>\n</invoke>\n</function_calls>"_s
        << QString() << 0;
    QTest::addRow("tag mentioned in prose") << u"Wrap calls in <function_calls> tags."_s << u"[]"_s
                                            << u"Wrap calls in <function_calls> tags."_s << QString() << 0;
}

void TestFormatsPythonic::olmo3()
{
    checkRow(Olmo3FunctionCallsParser());
}

void TestFormatsPythonic::pythonTag_data()
{
    addColumns();
    const QString tag = u"llama3_python_tag"_s;
    QTest::addRow("built-in tool") << u"<|python_tag|>brave_search.call(query=\"weather in SF\")<|eom_id|>"_s
                                   << uR"([{"name":"brave_search","arguments":{"query":"weather in SF"}}])"_s
                                   << QString() << tag << 0;
    QTest::addRow("python tool") << u"<|python_tag|>python.call(code=\"print('hey')\")"_s
                                 << uR"j([{"name":"python","arguments":{"code":"print('hey')"}}])j"_s
                                 << QString() << tag << 0;
    QTest::addRow("plain call") << u"<|python_tag|>get_weather(city='Paris')"_s
                                << uR"([{"name":"get_weather","arguments":{"city":"Paris"}}])"_s << QString()
                                << tag << 0;
    QTest::addRow("prose before, prose after end token")
        << u"Let me search.\n<|python_tag|>brave_search.call(query=\"x\")<|eom_id|>\nOK"_s
        << uR"([{"name":"brave_search","arguments":{"query":"x"}}])"_s << u"Let me search.\nOK"_s << tag << 0;
    QTest::addRow("json body is llama3_json")
        << u"<|python_tag|>{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}<|eom_id|>"_s
        << uR"([{"name":"get_weather","arguments":{"city":"Paris"}}])"_s << QString() << u"llama3_json"_s
        << 0;
    QTest::addRow("json calls separated by semicolons")
        << u"<|python_tag|>{\"name\": \"get_weather\", \"parameters\": {\"city\": \"A\"}}; {\"name\": \"ping\", \"parameters\": {}}"_s
        << uR"([{"name":"get_weather","arguments":{"city":"A"}},{"name":"ping","arguments":{}}])"_s
        << QString() << u"llama3_json"_s << 0;
    QTest::addRow("raw code for the python tool")
        << u"<|python_tag|>import sys\n\nprint(\"Python version: \", sys.version)<|eom_id|>"_s
        << uR"j([{"name":"python","arguments":{"code":"import sys\n\nprint(\"Python version: \", sys.version)"}}])j"_s
        << QString() << tag << 0;
    QTest::addRow("call of an undeclared function is code")
        << u"<|python_tag|>print(sum([1, 2]))"_s
        << uR"j([{"name":"python","arguments":{"code":"print(sum([1, 2]))"}}])j"_s << QString() << tag << 0;
    QTest::addRow("undeclared built-in tool")
        << u"<|python_tag|>wolfram_alpha.call(query=\"2+2\")"_s << u"[]"_s
        << u"<|python_tag|>wolfram_alpha.call(query=\"2+2\")"_s << QString() << 1;
    QTest::addRow("truncated built-in call")
        << u"<|python_tag|>brave_search.call(query=\"x"_s << u"[]"_s
        << u"<|python_tag|>brave_search.call(query=\"x"_s << QString() << 1;
    QTest::addRow("json naming an undeclared tool")
        << u"<|python_tag|>{\"name\": \"rm\", \"parameters\": {}}"_s << u"[]"_s
        << u"<|python_tag|>{\"name\": \"rm\", \"parameters\": {}}"_s << QString() << 1;
    QTest::addRow("two built-in calls, one per line")
        << u"<|python_tag|>brave_search.call(query=\"a\")\nbrave_search.call(query=\"b\")<|eom_id|>"_s
        << uR"([{"name":"brave_search","arguments":{"query":"a"}},{"name":"brave_search","arguments":{"query":"b"}}])"_s
        << QString() << tag << 0;
    QTest::addRow("call list after the tag")
        << u"<|python_tag|>[get_weather(city='A'), ping()]"_s
        << uR"([{"name":"get_weather","arguments":{"city":"A"}},{"name":"ping","arguments":{}}])"_s
        << QString() << u"pythonic_list"_s << 0;
    QTest::addRow("tag alone") << u"<|python_tag|>"_s << u"[]"_s << u"<|python_tag|>"_s << QString() << 1;
}

void TestFormatsPythonic::pythonTag()
{
    checkRow(PythonTagParser());
}

void TestFormatsPythonic::pythonTagWithoutCodeTool()
{
    const ToolCatalog noCode = catalog(R"([{"name": "brave_search", "parameters": {"type": "object"}}])");
    const PythonTagParser parser;
    const QString text = u"<|python_tag|>import os\nos.listdir()<|eom_id|>"_s;
    const FormatMatch code = parser.parse(text, noCode);
    QVERIFY(code.calls.isEmpty());
    QCOMPARE(code.failed.size(), 1);
    QCOMPARE(code.failed.first(), (TextSpan { 0, text.indexOf(u"<|eom_id|>"_s) }));

    // A code tool that declares one property other than "code" gets the code under that name.
    const ToolCatalog interpreter = catalog(R"([{"name": "code_interpreter", "parameters": {"type": "object",
        "properties": {"source": {"type": "string"}}}}])");
    const FormatMatch source = parser.parse(u"<|python_tag|>print(1)\n", interpreter);
    QCOMPARE(source.calls.size(), 1);
    QCOMPARE(source.calls.first().name, u"code_interpreter"_s);
    QCOMPARE(source.calls.first().arguments.toObject().value("source"_L1).toString(), u"print(1)"_s);
}

void TestFormatsPythonic::pythonStart_data()
{
    addColumns();
    const QString list = u"pythonic_list"_s;
    QTest::addRow("one call") << u"<|python_start|>[get_weather(city='LA', metric='C')]<|python_end|>"_s
                              << uR"([{"name":"get_weather","arguments":{"city":"LA","metric":"C"}}])"_s
                              << QString() << list << 0;
    QTest::addRow("two calls, end token missing")
        << u"<|python_start|>[get_weather(city='LA', metric='C'), register_user(name='Doe', age=9)]"_s
        << uR"([{"name":"get_weather","arguments":{"city":"LA","metric":"C"}},{"name":"register_user","arguments":{"name":"Doe","age":9}}])"_s
        << QString() << list << 0;
    QTest::addRow("llama 4 end of message")
        << u"<|python_start|>[ping()]<|python_end|><|eom|>"_s << uR"([{"name":"ping","arguments":{}}])"_s
        << QString() << list << 0;
    QTest::addRow("prose around") << u"Sure.\n<|python_start|>[ping()]<|python_end|>\nDone."_s
                                  << uR"([{"name":"ping","arguments":{}}])"_s << u"Sure.\nDone."_s << list
                                  << 0;
    QTest::addRow("json body is llama3_json")
        << u"<|python_start|>{\"name\": \"get_weather\", \"parameters\": {\"city\": \"LA\"}}<|python_end|>"_s
        << uR"([{"name":"get_weather","arguments":{"city":"LA"}}])"_s << QString() << u"llama3_json"_s << 0;
    QTest::addRow("bad sibling") << u"<|python_start|>[bad(x=b'z'), get_weather(city='LA')]<|python_end|>"_s
                                 << uR"([{"name":"get_weather","arguments":{"city":"LA"}}])"_s << QString()
                                 << list << 1;
    QTest::addRow("mismatched brackets")
        << u"<|python_start|>[get_weather(city=1])]<|python_end|>"_s << u"[]"_s
        << u"<|python_start|>[get_weather(city=1])]<|python_end|>"_s << QString() << 1;
}

void TestFormatsPythonic::pythonStart()
{
    checkRow(PythonStartParser());
}

void TestFormatsPythonic::pythonicList_data()
{
    addColumns();
    const QString list = u"pythonic_list"_s;
    QTest::addRow("parameterless") << u"[get_weather()]"_s << uR"([{"name":"get_weather","arguments":{}}])"_s
                                   << QString() << list << 0;
    QTest::addRow("more types")
        << u"[get_weather(city='San Francisco', metric='celsius'), register_user(name='John Doe', age=37, address={'city': 'San Francisco', 'state': 'CA'}, role=None, passed_test=True, aliases=['John', 'Johnny'])]"_s
        << uR"([{"name":"get_weather","arguments":{"city":"San Francisco","metric":"celsius"}},{"name":"register_user","arguments":{"name":"John Doe","age":37,"address":{"city":"San Francisco","state":"CA"},"role":null,"passed_test":true,"aliases":["John","Johnny"]}}])"_s
        << QString() << list << 0;
    QTest::addRow("escaped strings")
        << uR"([get_weather(city='Martha\'s Vineyard', metric='\"cool units\"')])"_s
        << uR"([{"name":"get_weather","arguments":{"city":"Martha's Vineyard","metric":"\"cool units\""}}])"_s
        << QString() << list << 0;
    QTest::addRow("empty dict and list")
        << u"[set_config(config={}, steps=[], pair=(1, 'a'))]"_s
        << uR"([{"name":"set_config","arguments":{"config":{},"steps":[],"pair":[1,"a"]}}])"_s << QString()
        << list << 0;
    QTest::addRow("two groups, prose between")
        << u"[get_weather(city='Berlin')] and [search(query='restaurants')]"_s
        << uR"([{"name":"get_weather","arguments":{"city":"Berlin"}},{"name":"search","arguments":{"query":"restaurants"}}])"_s
        << u"and"_s << list << 0;
    QTest::addRow("prose after") << u"[get_weather(city='Tokyo')] Here's the forecast:"_s
                                 << uR"([{"name":"get_weather","arguments":{"city":"Tokyo"}}])"_s
                                 << u"Here's the forecast:"_s << list << 0;
    QTest::addRow("fenced list") << u"Sure:\n```python\n[get_weather(city='Paris')]\n```\nDone."_s
                                 << uR"([{"name":"get_weather","arguments":{"city":"Paris"}}])"_s
                                 << u"Sure:\nDone."_s << list << 0;
    QTest::addRow("fence holding more than the list stays")
        << u"```\nx = 1\n[get_weather(city='Paris')]\n```"_s
        << uR"([{"name":"get_weather","arguments":{"city":"Paris"}}])"_s << u"```\nx = 1\n```"_s << list << 0;
    QTest::addRow("prose before on its own line")
        << u"I'll look that up.\n[search(query=\"llama\")]"_s
        << uR"([{"name":"search","arguments":{"query":"llama"}}])"_s << u"I'll look that up."_s << list << 0;
    QTest::addRow("multi-line list")
        << u"[\n  get_weather(city=\"A\"),\n  get_time(timezone=\"B\"),\n]"_s
        << uR"([{"name":"get_weather","arguments":{"city":"A"}},{"name":"get_time","arguments":{"timezone":"B"}}])"_s
        << QString() << list << 0;
    QTest::addRow("longest name wins")
        << u"[say_hello_world(), say_hello()]"_s
        << uR"([{"name":"say_hello_world","arguments":{}},{"name":"say_hello","arguments":{}}])"_s
        << QString() << list << 0;
    QTest::addRow("one positional dict")
        << u"[get_weather({\"city\": \"Paris\"})]"_s
        << uR"([{"name":"get_weather","arguments":{"city":"Paris"}}])"_s << QString() << list << 0;
    QTest::addRow("unclosed list at the very end")
        << u"[get_weather(city='Oslo')"_s << uR"([{"name":"get_weather","arguments":{"city":"Oslo"}}])"_s
        << QString() << list << 0;
    QTest::addRow("orphan lfm2 end token") << u"[get_weather(city='Oslo')]<|tool_call_end|>"_s
                                           << uR"([{"name":"get_weather","arguments":{"city":"Oslo"}}])"_s
                                           << QString() << u"lfm2_pythonic"_s << 0;
    QTest::addRow("good call survives an unparsable sibling")
        << u"[get_weather(city='San Francisco', metric='celsius'), f(a='x 'y', b='z')]"_s
        << uR"([{"name":"get_weather","arguments":{"city":"San Francisco","metric":"celsius"}}])"_s
        << QString() << list << 1;
    QTest::addRow("bytes sibling") << u"[bad(x=b'z'), get_weather(city='SF')]"_s
                                   << uR"([{"name":"get_weather","arguments":{"city":"SF"}}])"_s << QString()
                                   << list << 1;
    QTest::addRow("non-finite sibling")
        << u"[calc(x=1e999), get_weather(city='SF')]"_s
        << uR"([{"name":"get_weather","arguments":{"city":"SF"}}])"_s << QString() << list << 1;
    QTest::addRow("element that is not a call")
        << u"[get_weather(city='SF'), 42]"_s << uR"([{"name":"get_weather","arguments":{"city":"SF"}}])"_s
        << QString() << list << 1;
    QTest::addRow("undeclared sibling")
        << u"[nope(a=1), ping()]"_s << uR"([{"name":"ping","arguments":{}}])"_s << QString() << list << 1;
    QTest::addRow("unrecoverable block") << u"[f(a='x 'y' 'z), g(b='p 'q' 'r)]"_s << u"[]"_s
                                         << u"[f(a='x 'y' 'z), g(b='p 'q' 'r)]"_s << QString() << 1;
    QTest::addRow("mismatched brackets")
        << u"[get_weather(city=1])]"_s << u"[]"_s << u"[get_weather(city=1])]"_s << QString() << 1;
    QTest::addRow("mismatched brackets, unknown name")
        << u"[foo(x=1])]"_s << u"[]"_s << u"[foo(x=1])]"_s << QString() << 0;
    QTest::addRow("1e999 alone") << u"[calc(x=1e999)]"_s << u"[]"_s << u"[calc(x=1e999)]"_s << QString() << 1;
    QTest::addRow("whole message names an undeclared tool")
        << u"[unknown_tool(location=\"Paris\")]"_s << u"[]"_s << u"[unknown_tool(location=\"Paris\")]"_s
        << QString() << 1;
    QTest::addRow("undeclared call in prose") << u"Try [unknown_tool(a=1)] sometime."_s << u"[]"_s
                                              << u"Try [unknown_tool(a=1)] sometime."_s << QString() << 0;
    QTest::addRow("markdown link") << u"See [get_weather(city)](https://example.com/docs) for details."_s
                                   << u"[]"_s
                                   << u"See [get_weather(city)](https://example.com/docs) for details."_s
                                   << QString() << 0;
    QTest::addRow("markdown link with a call-like label")
        << u"[search(query='x')](https://example.com)"_s << u"[]"_s
        << u"[search(query='x')](https://example.com)"_s << QString() << 0;
    QTest::addRow("bracketed prose") << u"[special delivery]"_s << u"[]"_s << u"[special delivery]"_s
                                     << QString() << 0;
    QTest::addRow("list of non-calls") << u"Values: [1, 2, 3] and ['a', (b)]"_s << u"[]"_s
                                       << u"Values: [1, 2, 3] and ['a', (b)]"_s << QString() << 0;
    QTest::addRow("comprehension in code")
        << u"Use `result = [search(x) for x in items]` here."_s << u"[]"_s
        << u"Use `result = [search(x) for x in items]` here."_s << QString() << 0;
    QTest::addRow("call followed by more prose inside the brackets")
        << u"[get_weather(city='x') is how you call it]"_s << u"[]"_s
        << u"[get_weather(city='x') is how you call it]"_s << QString() << 0;
    QTest::addRow("rehearsal in closed think")
        << u"<think>[ping()]</think>[search(query='x')]"_s
        << uR"([{"name":"search","arguments":{"query":"x"}}])"_s << QString() << list << 0;
}

void TestFormatsPythonic::pythonicList()
{
    checkRow(PythonicListParser());
}

void TestFormatsPythonic::spans()
{
    const ToolCatalog catalog = tools();
    {
        const QString text
            = u"Go: <|tool_call_start|>[ping(), get_time(timezone='UTC')]<|tool_call_end|> ok"_s;
        const FormatMatch match = Lfm2PythonicParser().parse(text, catalog);
        QCOMPARE(match.calls.size(), 2);
        QCOMPARE(text.mid(match.calls.at(0).span.start, match.calls.at(0).span.length()), u"ping()"_s);
        QCOMPARE(text.mid(match.calls.at(1).span.start, match.calls.at(1).span.length()),
            u"get_time(timezone='UTC')"_s);
        QCOMPARE(match.markup, (QList<TextSpan> { { 4, text.indexOf(u" ok"_s) } }));
    }
    {
        const QString text = u"A <|tool_call>call:ping{}<tool_call|><|tool_response> B"_s;
        const FormatMatch match = GemmaCallParser().parse(text, catalog);
        QCOMPARE(match.calls.size(), 1);
        QCOMPARE(
            text.mid(match.calls.first().span.start, match.calls.first().span.length()), u"call:ping{}"_s);
        QCOMPARE(match.markup, (QList<TextSpan> { { 2, text.indexOf(u" B"_s) } }));
    }
    {
        const QString text = u"[get_weather(city='x'), f(a='x 'y', b='z')] tail"_s;
        const FormatMatch match = PythonicListParser().parse(text, catalog);
        QCOMPARE(match.calls.size(), 1);
        QCOMPARE(match.markup, (QList<TextSpan> { { 0, text.indexOf(u" tail"_s) } }));
        QCOMPARE(match.failed.size(), 1);
        QCOMPARE(
            text.mid(match.failed.first().start, match.failed.first().length()), u"f(a='x 'y', b='z')"_s);
        QVERIFY(match.issues.first().contains(u"'f'"_s));
    }
    {
        const QString text = u"x <|python_tag|>brave_search.call(query=\"q\")<|eom_id|> y"_s;
        const FormatMatch match = PythonTagParser().parse(text, catalog);
        QCOMPARE(match.calls.size(), 1);
        QCOMPARE(text.mid(match.calls.first().span.start, match.calls.first().span.length()),
            u"brave_search.call(query=\"q\")"_s);
        QCOMPARE(match.markup, (QList<TextSpan> { { 2, text.indexOf(u" y"_s) } }));
    }
}

void TestFormatsPythonic::proseReturnsQuickly()
{
    const ToolCatalog catalog = tools();
    const QString prose = u"Plain prose about the weather (sunny) with a [note] and call: nothing."_s;
    for (const FormatParser* parser : familyParsers()) {
        const FormatMatch match = parser->parse(prose, catalog);
        QVERIFY2(match.calls.isEmpty() && match.failed.isEmpty() && match.markup.isEmpty(),
            qPrintable(parser->name()));
    }
}

void TestFormatsPythonic::linearOnBracketSoup()
{
    // 40 KB of near misses of every kind: a parser that re-reads the rest of the text for each
    // candidate takes seconds here, a linear one milliseconds.
    const ToolCatalog catalog = tools();
    const auto repeated = [](const QString& unit) {
        QString text;
        while (text.size() < 40000)
            text += unit;
        return text;
    };
    const QStringList inputs {
        repeated(
            u"[ping(x=[1, {'a': (2, [3])}], y=\"]\") [search(q='(' [get_weather(c=[f(a=[g(b=call:ping{ "_s),
        repeated(u"[search(query='x) [get_weather(city=\"y] "_s),
        repeated(u"[ping(), bad(x=1e999),\n"_s),
        repeated(u"[bad(x=1e999), f(a='x 'y'), \n"_s) + u"]"_s,
        repeated(u"<|python_tag|>ping(x=<|tool_call_start|>[ping(<function_calls>ping(<|python_start|>"_s),
        repeated(u"<|tool_call>call:ping{a:<start_function_call>call:"_s),
        repeated(u"call:ping{x:[call:ping{"_s),
        u"[ping(x=1]"_s + QString(40000, u'\n') + u"]"_s,
    };
    QElapsedTimer timer;
    timer.start();
    for (const FormatParser* parser : familyParsers()) {
        for (const QString& input : inputs)
            parser->parse(input, catalog);
    }
    QVERIFY2(timer.elapsed() < 1500, qPrintable(QString::number(timer.elapsed()) + u" ms"_s));
}

void TestFormatsPythonic::registered()
{
    QStringList names;
    for (const FormatParser* parser : formatParsers())
        names.append(parser->name());
    for (const QString& name : { u"gemma"_s, u"lfm2-pythonic"_s, u"llama4-python-start"_s,
             u"llama3-python-tag"_s, u"olmo3"_s, u"pythonic-list"_s, u"gemma-bare"_s })
        QVERIFY2(names.contains(name), qPrintable(name));
    // Envelope-free parsers run after every anchored one.
    QVERIFY(names.indexOf(u"pythonic-list"_s) > names.indexOf(u"olmo3"_s));
    QVERIFY(names.indexOf(u"gemma-bare"_s) > names.indexOf(u"gemma"_s));
}

void TestFormatsPythonic::otherFamiliesBodiesLeftAlone()
{
    const ToolCatalog catalog = tools();
    // Bodies that belong to other families: no call, and no near miss either.
    const QString lfm2Json
        = u"<|tool_call_start|>[{\"name\": \"ping\", \"arguments\": {}}]<|tool_call_end|>"_s;
    const FormatMatch lfm2 = Lfm2PythonicParser().parse(lfm2Json, catalog);
    QVERIFY(lfm2.calls.isEmpty() && lfm2.failed.isEmpty());
    const QString invoke = u"<function_calls><invoke name=\"ping\"></invoke></function_calls>"_s;
    const FormatMatch olmo = Olmo3FunctionCallsParser().parse(invoke, catalog);
    QVERIFY(olmo.calls.isEmpty() && olmo.failed.isEmpty());
    // JSON calls are not call lists, and Mistral's markers are not bracketed calls.
    for (const QString& text : { u"[{\"name\": \"ping\", \"arguments\": {}}]"_s,
             u"[TOOL_CALLS]ping[ARGS]{}"_s, u"functools[{\"name\": \"ping\", \"arguments\": {}}]"_s }) {
        const FormatMatch match = PythonicListParser().parse(text, catalog);
        QVERIFY2(match.calls.isEmpty() && match.failed.isEmpty(), qPrintable(text));
    }
}

QTEST_APPLESS_MAIN(TestFormatsPythonic)
#include "tst_formats_pythonic.moc"
