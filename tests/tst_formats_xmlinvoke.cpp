// The invoke-style XML family: <invoke name=..> blocks (MiniMax-M2, Claude-style
// <function_calls>), MiniMax-M3's namespaced elements, DeepSeek DSML, Step3 steptml, Muse
// Glimmer's atem channels, MiniCPM5's <function name=..> and Kimi K3's XTML. Each parser is run
// alone through the Rescuer, so the content and reasoning rules are checked with it.
#include "guard/formats/xmlinvoke.h"
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
    static const ToolCatalog tools = ToolCatalog::fromTools(QJsonDocument::fromJson(R"([
        {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}, "required": ["city"]}}},
        {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object",
            "properties": {"city": {"type": "string"}}, "required": ["city"]}}},
        {"type": "function", "function": {"name": "special_function", "parameters": {"type": "object",
            "properties": {"arg1": {"type": "integer"}}, "required": ["arg1"]}}},
        {"type": "function", "function": {"name": "special_function_with_opt", "parameters": {"type": "object",
            "properties": {"arg1": {"type": "integer"}, "arg2": {"type": "integer"}}, "required": ["arg1"]}}},
        {"type": "function", "function": {"name": "python", "parameters": {"type": "object",
            "properties": {"code": {"type": "string"}}, "required": ["code"]}}},
        {"type": "function", "function": {"name": "html", "parameters": {"type": "object",
            "properties": {"markup": {"type": "string"}}, "required": ["markup"]}}},
        {"type": "function", "function": {"name": "magic_int", "parameters": {"type": "object",
            "properties": {"ref": {"type": "integer"}, "name": {"type": "string"}}, "required": ["ref"]}}},
        {"type": "function", "function": {"name": "amount", "parameters": {"type": "object",
            "properties": {"orig": {"type": "number"}}, "required": ["orig"]}}},
        {"type": "function", "function": {"name": "toggle", "parameters": {"type": "object",
            "properties": {"enabled": {"type": "boolean"}}, "required": ["enabled"]}}},
        {"type": "function", "function": {"name": "set_config", "parameters": {"type": "object",
            "properties": {"config": {"type": "object"}}, "required": ["config"]}}},
        {"type": "function", "function": {"name": "todo_list", "parameters": {"type": "object",
            "properties": {"todos": {"type": "array"}}, "required": ["todos"]}}},
        {"type": "function", "function": {"name": "set_nullable", "parameters": {"type": "object",
            "properties": {"name": {"type": ["string", "null"]}, "count": {"type": ["integer", "null"]}}}}},
        {"type": "function", "function": {"name": "empty_args", "parameters": {"type": "object", "properties": {}}}},
        {"type": "function", "function": {"name": "imaginary_number", "parameters": {"type": "object",
            "properties": {"number": {"type": "object", "properties": {"real": {"type": "number"},
                "imaginary": {"type": "number"}}}}}}},
        {"type": "function", "function": {"name": "nested_args", "parameters": {"type": "object",
            "properties": {"tags": {"type": "array", "items": {"type": "string"}},
                "entries": {"type": "array", "items": {"$ref": "#/$defs/entry"}}},
            "$defs": {"entry": {"type": "object", "properties": {"id": {"type": "integer"}, "label": {"type": "string"}}}}}}},
        {"type": "function", "function": {"name": "union_args", "parameters": {"type": "object",
            "properties": {
                "filter": {"anyOf": [{"type": "array", "items": {"type": "string"}},
                    {"type": "object", "properties": {"field": {"type": "string"}, "op": {"type": "string"}}}]},
                "label": {"oneOf": [{"type": "string"}, {"type": "object", "properties": {"text": {"type": "string"}}}]},
                "limit": {"oneOf": [{"type": "integer"}, {"type": "object", "properties": {"max": {"type": "integer"}}}]}}}}},
        {"type": "function", "function": {"name": "天气查询", "parameters": {"type": "object",
            "properties": {"城市": {"type": "string"}}}}},
        {"type": "function", "function": {"name": "weather&alerts", "parameters": {"type": "object",
            "properties": {"city": {"type": "string"}}}}},
        {"type": "function", "function": {"name": "say_hello", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "say_hello_world", "parameters": {"type": "object"}}}
    ])")
                                                                .array());
    return tools;
}

QJsonArray callsJson(const char* json)
{
    return QJsonDocument::fromJson(QByteArray(json)).array();
}

QString describe(const QList<ParsedCall>& calls)
{
    QJsonArray array;
    for (const ParsedCall& call : calls)
        array.append(QJsonObject { { u"name"_s, call.name }, { u"arguments"_s, call.arguments } });
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

// The shared columns of every parser table.
void addColumns()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QJsonArray>("calls");
    QTest::addColumn<QString>("content");
    QTest::addColumn<QString>("reasoning");
    QTest::addColumn<QString>("format");
    QTest::addColumn<int>("failed");
}

// Runs one parser alone through the Rescuer and checks calls, content, reasoning, format and the
// number of near misses it reported.
void checkRow(const FormatParser& parser)
{
    QFETCH(QString, text);
    QFETCH(QJsonArray, calls);
    QFETCH(QString, content);
    QFETCH(QString, reasoning);
    QFETCH(QString, format);
    QFETCH(int, failed);

    const ToolCatalog tools = catalog();
    const FormatMatch match = parser.parse(text, tools);
    QCOMPARE(match.failed.size(), qsizetype(failed));
    QCOMPARE(match.issues.size(), match.failed.size());

    const RescueResult result = Rescuer({ &parser }).rescue(text, tools);
    if (!StreamingCheck::callsAreHeldBack(text, tools))
        return;
    const QString got = describe(result.calls);
    const QString want = QString::fromUtf8(QJsonDocument(calls).toJson(QJsonDocument::Compact));
    QVERIFY2(result.calls.size() == calls.size(), qPrintable(u"calls: got "_s + got + u" want "_s + want));
    for (qsizetype i = 0; i < calls.size(); ++i) {
        const QJsonObject call = calls.at(i).toObject();
        QCOMPARE(result.calls.at(i).name, call.value("name"_L1).toString());
        QVERIFY2(jsonEquivalent(result.calls.at(i).arguments, call.value("arguments"_L1)),
            qPrintable(u"arguments: got "_s + got + u" want "_s + want));
        // The call's span is its own text, inside the input.
        const TextSpan span = result.calls.at(i).span;
        QVERIFY(span.start >= 0 && span.end <= text.size() && span.length() > 0);
        QVERIFY(result.calls.at(i).id.isEmpty());
    }
    if (!calls.isEmpty())
        QCOMPARE(result.format, format);
    else
        QVERIFY(result.format.isEmpty());
    QCOMPARE(result.content.simplified(), content.simplified());
    QCOMPARE(result.reasoning.simplified(), reasoning.simplified());
}

const QString kM2 = u"minimax_m2_xml"_s;
const QString kM3 = u"minimax_m3_ns_xml"_s;
const QString kPlain = u"function_calls_invoke_xml"_s;
const QString kDsml = u"deepseek_dsml"_s;
const QString kStep = u"step3_steptml"_s;
const QString kAtem = u"muse_glimmer_atem"_s;
const QString kCpm = u"minicpm5_xml"_s;
const QString kK3 = u"kimi_k3_xtml"_s;

// MiniMax-M3's namespace token, spliced into the M3 rows.
QString m3(QString text)
{
    return text.replace(u"~"_s, u"]<]minimax[>["_s);
}

// Fullwidth bars for DSML and Step3 rows written with '!' for readability.
QString bars(QString text)
{
    return text.replace(u'!', QChar(0xff5c));
}

} // namespace

class TestFormatsXmlInvoke : public QObject
{
    Q_OBJECT

private slots:
    void invoke_data();
    void invoke();
    void miniMaxM3_data();
    void miniMaxM3();
    void dsml_data();
    void dsml();
    void steptml_data();
    void steptml();
    void atem_data();
    void atem();
    void miniCpm5_data();
    void miniCpm5();
    void kimiXtml_data();
    void kimiXtml();
    void rawValuesKeepTheirSpaces();
    void spansCoverTheCallsOnly();
    void proseIsLeftAlone();
    void staysLinearOnNoisyText();
};

void TestFormatsXmlInvoke::invoke_data()
{
    addColumns();
    QTest::addRow("m2 pretty, prose before")
        << u"Hello, world!\nWhat's up?\n\n<minimax:tool_call>\n<invoke name=\"special_function\">\n<parameter name=\"arg1\">1</parameter>\n</invoke>\n</minimax:tool_call>\n"_s
        << callsJson(R"J([{"name":"special_function","arguments":{"arg1":1}}])J")
        << u"Hello, world!\nWhat's up?"_s << QString() << kM2 << 0;
    QTest::addRow("m2 compact")
        << u"<minimax:tool_call><invoke name=\"special_function\"><parameter name=\"arg1\">1</parameter></invoke></minimax:tool_call>"_s
        << callsJson(R"J([{"name":"special_function","arguments":{"arg1":1}}])J") << QString() << QString()
        << kM2 << 0;
    QTest::addRow("m2 forced-open thinking")
        << u"I'm\nthinking\n</think>\n\n<minimax:tool_call>\n<invoke name=\"get_time\">\n<parameter name=\"city\">Tokyo</parameter>\n</invoke>\n</minimax:tool_call>"_s
        << callsJson(R"J([{"name":"get_time","arguments":{"city":"Tokyo"}}])J") << QString()
        << u"I'm\nthinking"_s << kM2 << 0;
    QTest::addRow("m2 empty invoke")
        << u"Let's call a tool:\n</think>\n\n<minimax:tool_call>\n<invoke name=\"empty_args\">\n</invoke>\n</minimax:tool_call>"_s
        << callsJson(R"J([{"name":"empty_args","arguments":{}}])J") << QString() << u"Let's call a tool:"_s
        << kM2 << 0;
    QTest::addRow("m2 several invokes in one block")
        << u"<minimax:tool_call>\n<invoke name=\"get_time\">\n<parameter name=\"city\">Paris</parameter>\n</invoke>\n<invoke name=\"get_weather\">\n<parameter name=\"city\">Paris</parameter>\n<parameter name=\"days\">3</parameter>\n</invoke>\n</minimax:tool_call>"_s
        << callsJson(
               R"J([{"name":"get_time","arguments":{"city":"Paris"}},{"name":"get_weather","arguments":{"city":"Paris","days":3}}])J")
        << QString() << QString() << kM2 << 0;
    QTest::addRow("m2 block closing tag missing at the end")
        << u"<minimax:tool_call>\n<invoke name=\"get_time\">\n<parameter name=\"city\">Oslo</parameter>\n</invoke>\n"_s
        << callsJson(R"J([{"name":"get_time","arguments":{"city":"Oslo"}}])J") << QString() << QString()
        << kM2 << 0;
    QTest::addRow("function_calls block")
        << u"<function_calls>\n<invoke name=\"get_time\">\n<parameter name=\"city\">Tokyo</parameter>\n</invoke>\n</function_calls>"_s
        << callsJson(R"J([{"name":"get_time","arguments":{"city":"Tokyo"}}])J") << QString() << QString()
        << kPlain << 0;
    QTest::addRow("prose before, between and after two blocks")
        << u"First the time.\n<function_calls>\n<invoke name=\"get_time\">\n<parameter name=\"city\">Rome</parameter>\n</invoke>\n</function_calls>\nThen the weather.\n<function_calls>\n<invoke name=\"get_weather\">\n<parameter name=\"city\">Rome</parameter>\n</invoke>\n</function_calls>\nDone."_s
        << callsJson(
               R"J([{"name":"get_time","arguments":{"city":"Rome"}},{"name":"get_weather","arguments":{"city":"Rome"}}])J")
        << u"First the time. Then the weather. Done."_s << QString() << kPlain << 0;
    QTest::addRow("bare invoke, wrapper lost")
        << u"Checking.\n<invoke name=\"get_time\">\n<parameter name=\"city\">Lima</parameter>\n</invoke>"_s
        << callsJson(R"J([{"name":"get_time","arguments":{"city":"Lima"}}])J") << u"Checking."_s << QString()
        << kPlain << 0;
    QTest::addRow("tool_call wrapper")
        << u"<tool_call>\n<invoke name=\"Write\">\n<parameter name=\"x\">1</parameter>\n</invoke>\n</tool_call>\n<tool_call>\n<invoke name=\"get_time\">\n<parameter name=\"city\">Kyiv</parameter>\n</invoke>\n</tool_call>"_s
        << callsJson(R"J([{"name":"get_time","arguments":{"city":"Kyiv"}}])J")
        << u"<invoke name=\"Write\">\n<parameter name=\"x\">1</parameter>\n</invoke>"_s << QString() << kPlain
        << 1;
    QTest::addRow("single-quoted, unquoted and spaced attributes")
        << u"<function_calls><invoke name='get_time'><parameter name=city>Quito</parameter></invoke><invoke  name = \"get_weather\" >\n<parameter\tname=\"city\" >Quito</parameter ></invoke ></function_calls>"_s
        << callsJson(
               R"J([{"name":"get_time","arguments":{"city":"Quito"}},{"name":"get_weather","arguments":{"city":"Quito"}}])J")
        << QString() << QString() << kPlain << 0;
    QTest::addRow("typed by the schema")
        << u"<function_calls>\n<invoke name=\"magic_int\"><parameter name=\"name\">42</parameter><parameter name=\"ref\">-14</parameter></invoke>\n<invoke name=\"amount\"><parameter name=\"orig\">3.14</parameter></invoke>\n<invoke name=\"toggle\"><parameter name=\"enabled\">true</parameter></invoke>\n<invoke name=\"set_config\"><parameter name=\"config\">{\"theme\": \"dark\", \"level\": 2}</parameter></invoke>\n<invoke name=\"todo_list\"><parameter name=\"todos\">[\"buy milk\", \"walk dog\"]</parameter></invoke>\n<invoke name=\"set_nullable\"><parameter name=\"name\">null</parameter><parameter name=\"count\">7</parameter></invoke>\n</function_calls>"_s
        << callsJson(
               R"J([{"name":"magic_int","arguments":{"name":"42","ref":-14}},{"name":"amount","arguments":{"orig":3.14}},
                         {"name":"toggle","arguments":{"enabled":true}},{"name":"set_config","arguments":{"config":{"theme":"dark","level":2}}},
                         {"name":"todo_list","arguments":{"todos":["buy milk","walk dog"]}},{"name":"set_nullable","arguments":{"name":null,"count":7}}])J")
        << QString() << QString() << kPlain << 0;
    QTest::addRow("markup and quotes inside a value")
        << u"<function_calls><invoke name=\"html\"><parameter name=\"markup\">\n<div class=\"a\">x < y && \"q\" {}</div>\n</parameter></invoke></function_calls>"_s
        << callsJson(
               R"J([{"name":"html","arguments":{"markup":"<div class=\"a\">x < y && \"q\" {}</div>"}}])J")
        << QString() << QString() << kPlain << 0;
    QTest::addRow("cdata value")
        << u"<function_calls><invoke name=\"html\"><parameter name=\"markup\"><![CDATA[<p></parameter></p>]]></parameter></invoke></function_calls>"_s
        << callsJson(R"J([{"name":"html","arguments":{"markup":"<p></parameter></p>"}}])J") << QString()
        << QString() << kPlain << 0;
    QTest::addRow("missing </parameter> before </invoke>")
        << u"<function_calls><invoke name=\"get_weather\"><parameter name=\"city\">Bern</parameter><parameter name=\"days\">2</invoke></function_calls>"_s
        << callsJson(R"J([{"name":"get_weather","arguments":{"city":"Bern","days":2}}])J") << QString()
        << QString() << kPlain << 0;
    QTest::addRow("json body")
        << u"<function_calls><invoke name=\"get_weather\">{\"city\": \"Paris {x}\", \"days\": 1}</invoke></function_calls>"_s
        << callsJson(R"J([{"name":"get_weather","arguments":{"city":"Paris {x}","days":1}}])J") << QString()
        << QString() << kPlain << 0;
    QTest::addRow("string attributes of a stripped DSML")
        << u"<function_calls><invoke name=\"magic_int\"><parameter name=\"ref\" string=\"false\">5</parameter><parameter name=\"name\" string=\"true\">7</parameter></invoke></function_calls>"_s
        << callsJson(R"J([{"name":"magic_int","arguments":{"ref":5,"name":"7"}}])J") << QString() << QString()
        << kPlain << 0;
    QTest::addRow("unicode names and values")
        << u"<function_calls><invoke name=\"天气查询\"><parameter name=\"城市\">北京 🌧</parameter></invoke></function_calls>"_s
        << callsJson(R"J([{"name":"天气查询","arguments":{"城市":"北京 🌧"}}])J") << QString()
        << QString() << kPlain << 0;
    QTest::addRow("prefix names are not confused")
        << u"<invoke name=\"say_hello_world\"></invoke><invoke name=\"say_hello\"/>"_s
        << callsJson(R"J([{"name":"say_hello_world","arguments":{}},{"name":"say_hello","arguments":{}}])J")
        << QString() << QString() << kPlain << 0;
    QTest::addRow("undeclared tool")
        << u"Sure.\n<function_calls>\n<invoke name=\"launch_rockets\">\n<parameter name=\"count\">3</parameter>\n</invoke>\n</function_calls>"_s
        << QJsonArray()
        << u"Sure.\n<function_calls>\n<invoke name=\"launch_rockets\">\n<parameter name=\"count\">3</parameter>\n</invoke>\n</function_calls>"_s
        << QString() << QString() << 1;
    QTest::addRow("declared and undeclared in one block")
        << u"<function_calls>\n<invoke name=\"launch_rockets\"></invoke>\n<invoke name=\"get_time\"><parameter name=\"city\">Baku</parameter></invoke>\n</function_calls>"_s
        << callsJson(R"J([{"name":"get_time","arguments":{"city":"Baku"}}])J")
        << u"<invoke name=\"launch_rockets\"></invoke>"_s << QString() << kPlain << 1;
    QTest::addRow("truncated inside a value")
        << u"<function_calls>\n<invoke name=\"get_time\">\n<parameter name=\"city\">Tok"_s << QJsonArray()
        << u"<function_calls>\n<invoke name=\"get_time\">\n<parameter name=\"city\">Tok"_s << QString()
        << QString() << 1;
    QTest::addRow("truncated before </invoke>")
        << u"<function_calls>\n<invoke name=\"get_time\">\n<parameter name=\"city\">Tokyo</parameter>\n"_s
        << QJsonArray()
        << u"<function_calls>\n<invoke name=\"get_time\">\n<parameter name=\"city\">Tokyo</parameter>"_s
        << QString() << QString() << 1;
    QTest::addRow("second call cut off")
        << u"<function_calls>\n<invoke name=\"get_time\"><parameter name=\"city\">Doha</parameter></invoke>\n<invoke name=\"get_weather\"><parameter name=\"city\">Do"_s
        << callsJson(R"J([{"name":"get_time","arguments":{"city":"Doha"}}])J")
        << u"<invoke name=\"get_weather\"><parameter name=\"city\">Do"_s << QString() << kPlain << 1;
    QTest::addRow("invalid json body")
        << u"<invoke name=\"get_weather\">{\"city\": }</invoke>"_s << QJsonArray()
        << u"<invoke name=\"get_weather\">{\"city\": }</invoke>"_s << QString() << QString() << 1;
    QTest::addRow("olmo3 body is not ours")
        << u"<function_calls>get_time(city=\"Paris\")</function_calls>"_s << QJsonArray()
        << u"<function_calls>get_time(city=\"Paris\")</function_calls>"_s << QString() << QString() << 0;
    QTest::addRow("prose mentioning invoke")
        << u"You can invoke get_time with <invoke> tags, e.g. <invoker>."_s << QJsonArray()
        << u"You can invoke get_time with <invoke> tags, e.g. <invoker>."_s << QString() << QString() << 0;
}

void TestFormatsXmlInvoke::invoke()
{
    checkRow(InvokeParser());
}

void TestFormatsXmlInvoke::miniMaxM3_data()
{
    addColumns();
    QTest::addRow("single string argument") << m3(
        u"<mm:think>Let me check the time</mm:think>~<tool_call>\n~<invoke name=\"get_time\">~<city>Tokyo~</city>~</invoke>\n~</tool_call>"_s)
                                            << callsJson(
                                                   R"J([{"name":"get_time","arguments":{"city":"Tokyo"}}])J")
                                            << QString() << u"Let me check the time"_s << kM3 << 0;
    QTest::addRow("bare think close, integer") << m3(
        u"</mm:think>~<tool_call>\n~<invoke name=\"special_function\">~<arg1>1~</arg1>~</invoke>\n~</tool_call>"_s)
                                               << callsJson(
                                                      R"J([{"name":"special_function","arguments":{"arg1":1}}])J")
                                               << QString() << QString() << kM3 << 0;
    QTest::addRow("no parameters") << m3(
        u"<mm:think>Let's call a tool:</mm:think>~<tool_call>\n~<invoke name=\"empty_args\">~</invoke>\n~</tool_call>"_s)
                                   << callsJson(R"J([{"name":"empty_args","arguments":{}}])J") << QString()
                                   << u"Let's call a tool:"_s << kM3 << 0;
    QTest::addRow("parallel calls, content before")
        << m3(u"<mm:think>Calling both</mm:think>Let me look.~<tool_call>\n~<invoke name=\"get_time\">~<city>Paris~</city>~</invoke>\n~<invoke name=\"get_weather\">~<city>Paris~</city>~<days>2~</days>~</invoke>\n~</tool_call>"_s)
        << callsJson(
               R"J([{"name":"get_time","arguments":{"city":"Paris"}},{"name":"get_weather","arguments":{"city":"Paris","days":2}}])J")
        << u"Let me look."_s << u"Calling both"_s << kM3 << 0;
    QTest::addRow("negative, decimal, boolean, mixed")
        << m3(u"~<tool_call>~<invoke name=\"magic_int\">~<ref>-14~</ref>~<name>foo bar~</name>~</invoke>~<invoke name=\"amount\">~<orig>3.14~</orig>~</invoke>~<invoke name=\"toggle\">~<enabled>true~</enabled>~</invoke>~</tool_call>"_s)
        << callsJson(
               R"J([{"name":"magic_int","arguments":{"ref":-14,"name":"foo bar"}},{"name":"amount","arguments":{"orig":3.14}},{"name":"toggle","arguments":{"enabled":true}}])J")
        << QString() << QString() << kM3 << 0;
    QTest::addRow("nested object")
        << m3(u"~<tool_call>\n~<invoke name=\"imaginary_number\">~<number>~<real>1.5~</real>~<imaginary>-2.5~</imaginary>~</number>~</invoke>\n~</tool_call>"_s)
        << callsJson(
               R"J([{"name":"imaginary_number","arguments":{"number":{"real":1.5,"imaginary":-2.5}}}])J")
        << QString() << QString() << kM3 << 0;
    QTest::addRow("arrays of scalars and of objects")
        << m3(u"~<tool_call>\n~<invoke name=\"nested_args\">~<tags>~<item>alpha~</item>~<item>beta~</item>~</tags>~<entries>~<item>~<id>1~</id>~<label>one~</label>~</item>~<item>~<id>2~</id>~<label>二~</label>~</item>~</entries>~</invoke>\n~</tool_call>"_s)
        << callsJson(
               R"J([{"name":"nested_args","arguments":{"tags":["alpha","beta"],"entries":[{"id":1,"label":"one"},{"id":2,"label":"二"}]}}])J")
        << QString() << QString() << kM3 << 0;
    QTest::addRow("one-item and empty arrays by the schema")
        << m3(u"~<tool_call>~<invoke name=\"nested_args\">~<tags>~<item>only~</item>~</tags>~<entries>~</entries>~</invoke>~</tool_call>"_s)
        << callsJson(R"J([{"name":"nested_args","arguments":{"tags":["only"],"entries":[]}}])J") << QString()
        << QString() << kM3 << 0;
    QTest::addRow("union: array branch")
        << m3(u"~<tool_call>~<invoke name=\"union_args\">~<filter>~<item>alpha~</item>~<item>beta~</item>~</filter>~</invoke>~</tool_call>"_s)
        << callsJson(R"J([{"name":"union_args","arguments":{"filter":["alpha","beta"]}}])J") << QString()
        << QString() << kM3 << 0;
    QTest::addRow("union: object branch")
        << m3(u"~<tool_call>~<invoke name=\"union_args\">~<filter>~<field>x~</field>~<op>eq~</op>~</filter>~<limit>~<max>10~</max>~</limit>~</invoke>~</tool_call>"_s)
        << callsJson(
               R"J([{"name":"union_args","arguments":{"filter":{"field":"x","op":"eq"},"limit":{"max":10}}}])J")
        << QString() << QString() << kM3 << 0;
    QTest::addRow("union: scalar branch")
        << m3(u"~<tool_call>~<invoke name=\"union_args\">~<limit>5~</limit>~<label>hi~</label>~</invoke>~</tool_call>"_s)
        << callsJson(R"J([{"name":"union_args","arguments":{"limit":5,"label":"hi"}}])J") << QString()
        << QString() << kM3 << 0;
    QTest::addRow("union with a string keeps the text")
        << m3(u"~<tool_call>~<invoke name=\"union_args\">~<label>~<text>hi~</text>~</label>~</invoke>~</tool_call>"_s)
        << callsJson(
               R"J([{"name":"union_args","arguments":{"label":"]<]minimax[>[<text>hi]<]minimax[>[</text>"}}])J")
        << QString() << QString() << kM3 << 0;
    QTest::addRow("markers lost")
        << u"<tool_call>\n<invoke name=\"get_weather\"><city>Lagos</city><days>4</days></invoke>\n</tool_call>"_s
        << callsJson(R"J([{"name":"get_weather","arguments":{"city":"Lagos","days":4}}])J") << QString()
        << QString() << kM3 << 0;
    QTest::addRow("marker without its leading bracket")
        << u"<]minimax[>[<tool_call><]minimax[>[<invoke name=\"get_time\"><]minimax[>[<city>Cairo<]minimax[>[</city><]minimax[>[</invoke><]minimax[>[</tool_call>"_s
        << callsJson(R"J([{"name":"get_time","arguments":{"city":"Cairo"}}])J") << QString() << QString()
        << kM3 << 0;
    QTest::addRow("prose before, text after") << m3(
        u"I will read it.~<tool_call>\n~<invoke name=\"get_time\">~<city>Accra~</city>~</invoke>\n~</tool_call>\nThat is all."_s)
                                              << callsJson(
                                                     R"J([{"name":"get_time","arguments":{"city":"Accra"}}])J")
                                              << u"I will read it. That is all."_s << QString() << kM3 << 0;
    QTest::addRow("undeclared tool")
        << m3(u"~<tool_call>~<invoke name=\"read_status\">~</invoke>~</tool_call>"_s) << QJsonArray()
        << m3(u"~<tool_call>~<invoke name=\"read_status\">~</invoke>~</tool_call>"_s) << QString()
        << QString() << 1;
    QTest::addRow("broken scope") << m3(u"~<tool_call>~<invoke name=\"get_weather\">broken"_s) << QJsonArray()
                                  << m3(u"~<tool_call>~<invoke name=\"get_weather\">broken"_s) << QString()
                                  << QString() << 1;
    QTest::addRow("element never closed")
        << m3(u"~<tool_call>~<invoke name=\"get_weather\">~<city>Paris"_s) << QJsonArray()
        << m3(u"~<tool_call>~<invoke name=\"get_weather\">~<city>Paris"_s) << QString() << QString() << 1;
}

void TestFormatsXmlInvoke::miniMaxM3()
{
    checkRow(InvokeParser());
}

void TestFormatsXmlInvoke::dsml_data()
{
    addColumns();
    QTest::addRow("v3.2 block, reasoning forced open")
        << bars(
               u"Let me check the time</think>\n\n<!DSML!function_calls>\n<!DSML!invoke name=\"get_time\">\n<!DSML!parameter name=\"city\" string=\"true\">Tokyo</!DSML!parameter>\n</!DSML!invoke>\n</!DSML!function_calls>"_s)
        << callsJson(R"J([{"name":"get_time","arguments":{"city":"Tokyo"}}])J") << QString()
        << u"Let me check the time"_s << kDsml << 0;
    QTest::addRow("v4 block, content before") << bars(
        u"Thinking about it</think>Let me call the function.\n\n<!DSML!tool_calls>\n<!DSML!invoke name=\"special_function\">\n<!DSML!parameter name=\"arg1\" string=\"false\">1</!DSML!parameter>\n</!DSML!invoke>\n</!DSML!tool_calls>"_s)
                                              << callsJson(
                                                     R"J([{"name":"special_function","arguments":{"arg1":1}}])J")
                                              << u"Let me call the function."_s << u"Thinking about it"_s
                                              << kDsml << 0;
    QTest::addRow("parallel calls")
        << bars(
               u"<!DSML!tool_calls>\n<!DSML!invoke name=\"get_time\">\n<!DSML!parameter name=\"city\" string=\"true\">Paris</!DSML!parameter>\n</!DSML!invoke>\n<!DSML!invoke name=\"get_weather\">\n<!DSML!parameter name=\"city\" string=\"true\">Paris</!DSML!parameter>\n<!DSML!parameter name=\"days\" string=\"false\">3</!DSML!parameter>\n</!DSML!invoke>\n</!DSML!tool_calls>"_s)
        << callsJson(
               R"J([{"name":"get_time","arguments":{"city":"Paris"}},{"name":"get_weather","arguments":{"city":"Paris","days":3}}])J")
        << QString() << QString() << kDsml << 0;
    QTest::addRow("json values: negative, decimal, boolean, array, object")
        << bars(
               u"<!DSML!function_calls>\n<!DSML!invoke name=\"magic_int\">\n<!DSML!parameter name=\"ref\" string=\"false\">-14</!DSML!parameter>\n</!DSML!invoke>\n<!DSML!invoke name=\"amount\">\n<!DSML!parameter name=\"orig\" string=\"false\">3.14</!DSML!parameter>\n</!DSML!invoke>\n<!DSML!invoke name=\"toggle\">\n<!DSML!parameter name=\"enabled\" string=\"false\">true</!DSML!parameter>\n</!DSML!invoke>\n<!DSML!invoke name=\"todo_list\">\n<!DSML!parameter name=\"todos\" string=\"false\">[\"buy milk\",\"walk dog\"]</!DSML!parameter>\n</!DSML!invoke>\n<!DSML!invoke name=\"set_config\">\n<!DSML!parameter name=\"config\" string=\"false\">{\"theme\":\"dark\",\"level\":2}</!DSML!parameter>\n</!DSML!invoke>\n</!DSML!function_calls>"_s)
        << callsJson(
               R"J([{"name":"magic_int","arguments":{"ref":-14}},{"name":"amount","arguments":{"orig":3.14}},{"name":"toggle","arguments":{"enabled":true}},
                         {"name":"todo_list","arguments":{"todos":["buy milk","walk dog"]}},{"name":"set_config","arguments":{"config":{"theme":"dark","level":2}}}])J")
        << QString() << QString() << kDsml << 0;
    QTest::addRow("string=true keeps numeric-looking text")
        << bars(
               u"<!DSML!tool_calls><!DSML!invoke name=\"magic_int\"><!DSML!parameter name=\"ref\" string=\"false\">42</!DSML!parameter><!DSML!parameter name=\"name\" string=\"true\">0042</!DSML!parameter></!DSML!invoke></!DSML!tool_calls>"_s)
        << callsJson(R"J([{"name":"magic_int","arguments":{"ref":42,"name":"0042"}}])J") << QString()
        << QString() << kDsml << 0;
    QTest::addRow("attributes in either order, no string attribute")
        << bars(
               u"<!DSML!tool_calls><!DSML!invoke name=\"get_weather\"><!DSML!parameter string=\"true\" name=\"city\">Paris</!DSML!parameter><!DSML!parameter name=\"days\">5</!DSML!parameter></!DSML!invoke></!DSML!tool_calls>"_s)
        << callsJson(R"J([{"name":"get_weather","arguments":{"city":"Paris","days":5}}])J") << QString()
        << QString() << kDsml << 0;
    QTest::addRow("ascii bars")
        << u"<|DSML|function_calls>\n<|DSML|invoke name=\"get_time\">\n<|DSML|parameter name=\"city\" string=\"true\">Oslo</|DSML|parameter>\n</|DSML|invoke>\n</|DSML|function_calls>"_s
        << callsJson(R"J([{"name":"get_time","arguments":{"city":"Oslo"}}])J") << QString() << QString()
        << kDsml << 0;
    QTest::addRow("end of sentence token after the block")
        << bars(
               u"<!DSML!tool_calls>\n<!DSML!invoke name=\"get_time\">\n<!DSML!parameter name=\"city\" string=\"true\">Oslo</!DSML!parameter>\n</!DSML!invoke>\n</!DSML!tool_calls><!end\u2581of\u2581sentence!>"_s)
        << callsJson(R"J([{"name":"get_time","arguments":{"city":"Oslo"}}])J") << QString() << QString()
        << kDsml << 0;
    QTest::addRow("string=false that is not json")
        << bars(
               u"<!DSML!tool_calls>\n<!DSML!invoke name=\"get_weather\">\n<!DSML!parameter name=\"days\" string=\"false\">two</!DSML!parameter>\n</!DSML!invoke>\n</!DSML!tool_calls>"_s)
        << QJsonArray()
        << bars(
               u"<!DSML!tool_calls>\n<!DSML!invoke name=\"get_weather\">\n<!DSML!parameter name=\"days\" string=\"false\">two</!DSML!parameter>\n</!DSML!invoke>\n</!DSML!tool_calls>"_s)
        << QString() << QString() << 1;
    QTest::addRow("undeclared tool")
        << bars(
               u"<!DSML!tool_calls><!DSML!invoke name=\"rm_rf\"><!DSML!parameter name=\"path\" string=\"true\">/</!DSML!parameter></!DSML!invoke></!DSML!tool_calls>"_s)
        << QJsonArray()
        << bars(
               u"<!DSML!tool_calls><!DSML!invoke name=\"rm_rf\"><!DSML!parameter name=\"path\" string=\"true\">/</!DSML!parameter></!DSML!invoke></!DSML!tool_calls>"_s)
        << QString() << QString() << 1;
    QTest::addRow("truncated")
        << bars(
               u"<!DSML!tool_calls>\n<!DSML!invoke name=\"get_time\">\n<!DSML!parameter name=\"city\" string=\"true\">Tok"_s)
        << QJsonArray()
        << bars(
               u"<!DSML!tool_calls>\n<!DSML!invoke name=\"get_time\">\n<!DSML!parameter name=\"city\" string=\"true\">Tok"_s)
        << QString() << QString() << 1;
    QTest::addRow("prose that names the markup")
        << u"DeepSeek's DSML uses <｜DSML｜invoke> elements."_s << QJsonArray()
        << u"DeepSeek's DSML uses <｜DSML｜invoke> elements."_s << QString() << QString() << 0;
}

void TestFormatsXmlInvoke::dsml()
{
    checkRow(DsmlParser());
}

void TestFormatsXmlInvoke::steptml_data()
{
    addColumns();
    QTest::addRow("two calls, '<' in a value")
        << bars(
               u"Let me run it.<!tool_calls_begin!>\n<!tool_call_begin!>function<!tool_sep!><steptml:invoke name=\"python\"><steptml:parameter name=\"code\">if a < b: print(a)</steptml:parameter></steptml:invoke><!tool_call_end!>\n<!tool_call_begin!>function<!tool_sep!><steptml:invoke name=\"get_weather\"><steptml:parameter name=\"city\">Paris</steptml:parameter></steptml:invoke><!tool_call_end!>\n<!tool_calls_end!>"_s)
        << callsJson(
               R"J([{"name":"python","arguments":{"code":"if a < b: print(a)"}},{"name":"get_weather","arguments":{"city":"Paris"}}])J")
        << u"Let me run it."_s << QString() << kStep << 0;
    QTest::addRow("pretty, typed, prose after")
        << bars(
               u"<!tool_calls_begin!>\n<!tool_call_begin!>function<!tool_sep!><steptml:invoke name=\"get_weather\">\n<steptml:parameter name=\"city\">Lima</steptml:parameter>\n<steptml:parameter name=\"days\">3</steptml:parameter>\n</steptml:invoke><!tool_call_end!>\n<!tool_calls_end!>\nI will report back."_s)
        << callsJson(R"J([{"name":"get_weather","arguments":{"city":"Lima","days":3}}])J")
        << u"I will report back."_s << QString() << kStep << 0;
    QTest::addRow("ascii look-alike tokens")
        << u"<|tool_calls_begin|><|tool_call_begin|>function<|tool_sep|><steptml:invoke name=\"get_time\"><steptml:parameter name=\"city\">Riga</steptml:parameter></steptml:invoke><|tool_call_end|><|tool_calls_end|>"_s
        << callsJson(R"J([{"name":"get_time","arguments":{"city":"Riga"}}])J") << QString() << QString()
        << kStep << 0;
    QTest::addRow("envelope lost")
        << u"<steptml:invoke name=\"get_time\"><steptml:parameter name=\"city\">Riga</steptml:parameter></steptml:invoke>"_s
        << callsJson(R"J([{"name":"get_time","arguments":{"city":"Riga"}}])J") << QString() << QString()
        << kStep << 0;
    QTest::addRow("undeclared tool")
        << bars(
               u"<!tool_calls_begin!><!tool_call_begin!>function<!tool_sep!><steptml:invoke name=\"nope\"></steptml:invoke><!tool_call_end!><!tool_calls_end!>"_s)
        << QJsonArray()
        << bars(
               u"<!tool_calls_begin!><!tool_call_begin!>function<!tool_sep!><steptml:invoke name=\"nope\"></steptml:invoke><!tool_call_end!><!tool_calls_end!>"_s)
        << QString() << QString() << 1;
    QTest::addRow("truncated")
        << bars(
               u"<!tool_calls_begin!><!tool_call_begin!>function<!tool_sep!><steptml:invoke name=\"get_time\"><steptml:parameter name=\"city\">Riga</steptml:parameter>"_s)
        << QJsonArray()
        << bars(
               u"<!tool_calls_begin!><!tool_call_begin!>function<!tool_sep!><steptml:invoke name=\"get_time\"><steptml:parameter name=\"city\">Riga</steptml:parameter>"_s)
        << QString() << QString() << 1;
}

void TestFormatsXmlInvoke::steptml()
{
    checkRow(SteptmlParser());
}

void TestFormatsXmlInvoke::atem_data()
{
    addColumns();
    const QString call
        = u"<atem:function_calls>\n<atem:invoke name=\"special_function\">\n<atem:parameter name=\"arg1\">1</atem:parameter>\n</atem:invoke>\n</atem:function_calls>"_s;
    QTest::addRow("first message of the turn")
        << u" to=special_function<|message|>"_s + call
        << callsJson(R"J([{"name":"special_function","arguments":{"arg1":1}}])J") << QString() << QString()
        << kAtem << 0;
    QTest::addRow("inform then act")
        << u" to=user<|message|>Hello, world!\nWhat's up?<|eom|><|start|>assistant to=special_function<|message|>"_s
            + call
        << callsJson(R"J([{"name":"special_function","arguments":{"arg1":1}}])J")
        << u"Hello, world!\nWhat's up?"_s << QString() << kAtem << 0;
    QTest::addRow("reasoning, then a call, then end of turn")
        << u" to=self<|message|>I should look it up.<|eom|><|start|>assistant to=get_weather<|message|><atem:function_calls>\n<atem:invoke name=\"get_weather\">\n<atem:parameter name=\"city\">Paris</atem:parameter>\n<atem:parameter name=\"days\">3</atem:parameter>\n</atem:invoke>\n</atem:function_calls><|eot|>"_s
        << callsJson(R"J([{"name":"get_weather","arguments":{"city":"Paris","days":3}}])J") << QString()
        << u"I should look it up."_s << kAtem << 0;
    QTest::addRow("markup quoted in the answer")
        << u" to=user<|message|>You invoke it like this:\n"_s + call + u"<|eot|>"_s << QJsonArray()
        << u"You invoke it like this:\n"_s + call << QString() << QString() << 0;
    QTest::addRow("markup in reasoning is not a call") << u" to=self<|message|>I could use "_s + call
            + u" here<|eom|><|start|>assistant to=user<|message|>Hello!<|eot|>"_s
                                                       << QJsonArray() << u"Hello!"_s
                                                       << QString(u"I could use "_s + call + u" here"_s) << QString() << 0;
    QTest::addRow("reasoning message missing its end token")
        << u" to=self<|message|>Need the weather. to=get_weather<|message|><atem:function_calls><atem:invoke name=\"get_weather\"><atem:parameter name=\"city\">Rome</atem:parameter></atem:invoke></atem:function_calls>"_s
        << callsJson(R"J([{"name":"get_weather","arguments":{"city":"Rome"}}])J") << QString()
        << u"Need the weather."_s << kAtem << 0;
    QTest::addRow("no channel framing")
        << u"Checking.\n"_s + call << callsJson(R"J([{"name":"special_function","arguments":{"arg1":1}}])J")
        << u"Checking."_s << QString() << kAtem << 0;
    QTest::addRow("doubled name and json values")
        << u" to=set_config.set_config<|message|><atem:function_calls><atem:invoke name=\"set_config.set_config\"><atem:parameter name=\"config\">{\"units\":\"metric\"}</atem:parameter></atem:invoke></atem:function_calls>"_s
        << callsJson(R"J([{"name":"set_config","arguments":{"config":{"units":"metric"}}}])J") << QString()
        << QString() << kAtem << 0;
    QTest::addRow("invoke without a name takes the recipient")
        << u" to=get_time<|message|><atem:function_calls><atem:invoke><atem:parameter name=\"city\">Pune</atem:parameter></atem:invoke></atem:function_calls>"_s
        << callsJson(R"J([{"name":"get_time","arguments":{"city":"Pune"}}])J") << QString() << QString()
        << kAtem << 0;
    QTest::addRow("malformed tool channel")
        << u" to=get_weather<|message|><atem:function_calls><atem:invoke name=\"get_weather\">broken<|eot|>"_s
        << QJsonArray()
        << u" to=get_weather<|message|><atem:function_calls><atem:invoke name=\"get_weather\">broken"_s
        << QString() << QString() << 1;
    QTest::addRow("undeclared tool")
        << u" to=weather.get<|message|><atem:function_calls><atem:invoke name=\"weather.get\"></atem:invoke></atem:function_calls>"_s
        << QJsonArray()
        << u" to=weather.get<|message|><atem:function_calls><atem:invoke name=\"weather.get\"></atem:invoke></atem:function_calls>"_s
        << QString() << QString() << 1;
}

void TestFormatsXmlInvoke::atem()
{
    checkRow(AtemParser());
}

void TestFormatsXmlInvoke::miniCpm5_data()
{
    addColumns();
    QTest::addRow("one call")
        << u"<function name=\"python\"><param name=\"code\">print('Hello, World!')</param></function>"_s
        << callsJson(R"J([{"name":"python","arguments":{"code":"print('Hello, World!')"}}])J") << QString()
        << QString() << kCpm << 0;
    QTest::addRow("empty arguments") << u"<function name=\"empty_args\"></function>"_s
                                     << callsJson(R"J([{"name":"empty_args","arguments":{}}])J") << QString()
                                     << QString() << kCpm << 0;
    QTest::addRow("cdata protects the closing tag")
        << u"<function name=\"html\"><param name=\"markup\"><![CDATA[<a href=\"/x\">hi</a> </param>]]></param></function>"_s
        << callsJson(R"J([{"name":"html","arguments":{"markup":"<a href=\"/x\">hi</a> </param>"}}])J")
        << QString() << QString() << kCpm << 0;
    QTest::addRow("after forced-open thinking")
        << u"I'm thinking</think><function name=\"python\"><param name=\"code\">print('hey')</param></function>"_s
        << callsJson(R"J([{"name":"python","arguments":{"code":"print('hey')"}}])J") << QString()
        << u"I'm thinking"_s << kCpm << 0;
    QTest::addRow("two calls, prose around")
        << u"Running both.\n<function name=\"python\"><param name=\"code\">print('x')</param></function>\n<function name=\"python\"><param name=\"code\">print('y')</param></function>\nDone."_s
        << callsJson(
               R"J([{"name":"python","arguments":{"code":"print('x')"}},{"name":"python","arguments":{"code":"print('y')"}}])J")
        << u"Running both. Done."_s << QString() << kCpm << 0;
    QTest::addRow("arguments wrapper, typed values")
        << u"<function name=\"get_weather\">\n<arguments>\n<param name=\"city\">Seoul</param>\n<param name=\"days\">2</param>\n</arguments>\n</function>"_s
        << callsJson(R"J([{"name":"get_weather","arguments":{"city":"Seoul","days":2}}])J") << QString()
        << QString() << kCpm << 0;
    QTest::addRow("attribute glued to the element")
        << u"<functionname=\"get_time\"><paramname=\"city\">Hanoi</param></function>"_s
        << callsJson(R"J([{"name":"get_time","arguments":{"city":"Hanoi"}}])J") << QString() << QString()
        << kCpm << 0;
    QTest::addRow("python dict literal for an object")
        << u"<function name=\"set_config\"><param name=\"config\">{'theme': 'dark', 'strict': True}</param></function>"_s
        << callsJson(R"J([{"name":"set_config","arguments":{"config":{"theme":"dark","strict":true}}}])J")
        << QString() << QString() << kCpm << 0;
    QTest::addRow("json body is a hermes look-alike")
        << u"<function name=\"get_time\">{\"city\": \"Paris\"}</function>"_s << QJsonArray()
        << u"<function name=\"get_time\">{\"city\": \"Paris\"}</function>"_s << QString() << QString() << 0;
    QTest::addRow("qwen function tag is not ours")
        << u"<function=get_time>\n<parameter=city>\nParis\n</parameter>\n</function>"_s << QJsonArray()
        << u"<function=get_time>\n<parameter=city>\nParis\n</parameter>\n</function>"_s << QString()
        << QString() << 0;
    QTest::addRow("undeclared tool")
        << u"<function name=\"format_disk\"><param name=\"drive\">C</param></function>"_s << QJsonArray()
        << u"<function name=\"format_disk\"><param name=\"drive\">C</param></function>"_s << QString()
        << QString() << 1;
    QTest::addRow("truncated") << u"<function name=\"python\"><param name=\"code\">print("_s << QJsonArray()
                               << u"<function name=\"python\"><param name=\"code\">print("_s << QString()
                               << QString() << 1;
    QTest::addRow("prose about functions")
        << u"A <function> in C is declared with a name=\"main\" attribute-like label."_s << QJsonArray()
        << u"A <function> in C is declared with a name=\"main\" attribute-like label."_s << QString()
        << QString() << 0;
}

void TestFormatsXmlInvoke::miniCpm5()
{
    checkRow(MiniCpm5Parser());
}

void TestFormatsXmlInvoke::kimiXtml_data()
{
    addColumns();
    const QString special
        = u"<|open|>tools<|sep|><|open|>call tool=\"special_function\" index=\"1\"<|sep|><|open|>argument key=\"arg1\" type=\"number\"<|sep|>1<|close|>argument<|sep|><|close|>call<|sep|><|close|>tools<|sep|>"_s;
    QTest::addRow("one call, empty response")
        << u"<|open|>response<|sep|><|close|>response<|sep|>"_s + special + u"<|close|>message<|sep|>"_s
        << callsJson(R"J([{"name":"special_function","arguments":{"arg1":1}}])J") << QString() << QString()
        << kK3 << 0;
    QTest::addRow("forced-open reasoning and content")
        << u"I should call it<|close|>think<|sep|><|open|>response<|sep|>On it.<|close|>response<|sep|>"_s
            + special + u"<|close|>message<|sep|>"_s
        << callsJson(R"J([{"name":"special_function","arguments":{"arg1":1}}])J") << u"On it."_s
        << u"I should call it"_s << kK3 << 0;
    QTest::addRow("explicit think section")
        << u"<|open|>think<|sep|>reason<|close|>think<|sep|><|open|>response<|sep|>answer<|close|>response<|sep|><|open|>tools<|sep|><|open|>call tool=\"天气查询\" index=\"1\"<|sep|><|open|>argument key=\"城市\" type=\"string\"<|sep|>北京<|close|>argument<|sep|><|close|>call<|sep|><|close|>tools<|sep|>"_s
        << callsJson(R"J([{"name":"天气查询","arguments":{"城市":"北京"}}])J") << u"answer"_s << u"reason"_s
        << kK3 << 0;
    QTest::addRow("parallel calls, several typed arguments")
        << u"<|open|>response<|sep|><|close|>response<|sep|><|open|>tools<|sep|><|open|>call tool=\"special_function\" index=\"1\"<|sep|><|open|>argument key=\"arg1\" type=\"number\"<|sep|>1<|close|>argument<|sep|><|close|>call<|sep|><|open|>call tool=\"special_function_with_opt\" index=\"2\"<|sep|><|open|>argument key=\"arg1\" type=\"number\"<|sep|>1<|close|>argument<|sep|><|open|>argument key=\"arg2\" type=\"number\"<|sep|>2<|close|>argument<|sep|><|close|>call<|sep|><|close|>tools<|sep|><|close|>message<|sep|>"_s
        << callsJson(
               R"J([{"name":"special_function","arguments":{"arg1":1}},{"name":"special_function_with_opt","arguments":{"arg1":1,"arg2":2}}])J")
        << QString() << QString() << kK3 << 0;
    QTest::addRow("string argument stays literal")
        << u"<|open|>tools<|sep|><|open|>call tool=\"python\" index=\"1\"<|sep|><|open|>argument key=\"code\" type=\"string\"<|sep|>print({\"a\": 1})<|close|>argument<|sep|><|close|>call<|sep|><|close|>tools<|sep|>"_s
        << callsJson(R"J([{"name":"python","arguments":{"code":"print({\"a\": 1})"}}])J") << QString()
        << QString() << kK3 << 0;
    QTest::addRow("object and boolean arguments")
        << u"<|open|>tools<|sep|><|open|>call tool=\"set_config\" index=\"1\"<|sep|><|open|>argument key=\"config\" type=\"object\"<|sep|>{\"a\":1}<|close|>argument<|sep|><|close|>call<|sep|><|open|>call tool=\"toggle\" index=\"2\"<|sep|><|open|>argument key=\"enabled\" type=\"boolean\"<|sep|>false<|close|>argument<|sep|><|close|>call<|sep|><|close|>tools<|sep|>"_s
        << callsJson(
               R"J([{"name":"set_config","arguments":{"config":{"a":1}}},{"name":"toggle","arguments":{"enabled":false}}])J")
        << QString() << QString() << kK3 << 0;
    QTest::addRow("json argument element")
        << u"<|open|>response<|sep|><|close|>response<|sep|><|open|>tools<|sep|><|open|>call tool=\"get_weather\" index=\"1\"<|sep|><|open|>json type=\"object\"<|sep|>{\"city\":\"杭州\",\"days\":2}<|close|>json<|sep|><|close|>call<|sep|><|close|>tools<|sep|><|close|>message<|sep|>"_s
        << callsJson(R"J([{"name":"get_weather","arguments":{"city":"杭州","days":2}}])J") << QString()
        << QString() << kK3 << 0;
    QTest::addRow("escaped tool name")
        << u"<|open|>tools<|sep|><|open|>call tool=\"weather&amp;alerts\" index=\"1\"<|sep|><|open|>argument key=\"city\" type=\"string\"<|sep|>Oslo<|close|>argument<|sep|><|close|>call<|sep|><|close|>tools<|sep|>"_s
        << callsJson(R"J([{"name":"weather&alerts","arguments":{"city":"Oslo"}}])J") << QString() << QString()
        << kK3 << 0;
    QTest::addRow("spaced special tokens")
        << u"<|open|> tools <|sep|><|open|> call tool=\"get_time\" index=\"1\" <|sep|><|open|> argument key=\"city\" type=\"string\" <|sep|>Pune<|close|> argument <|sep|><|close|> call <|sep|><|close|> tools <|sep|>"_s
        << callsJson(R"J([{"name":"get_time","arguments":{"city":"Pune"}}])J") << QString() << QString()
        << kK3 << 0;
    QTest::addRow("leaked into content with prose after")
        << u"Checking the weather.<|close|>think<|sep|><|open|>response<|sep|>Sure, one moment.<|open|>tools<|sep|><|open|>call tool=\"get_time\" index=\"1\"<|sep|><|open|>argument key=\"city\" type=\"string\"<|sep|>Riga<|close|>argument<|sep|><|close|>call<|sep|><|close|>tools<|sep|>Done."_s
        << callsJson(R"J([{"name":"get_time","arguments":{"city":"Riga"}}])J") << u"Sure, one moment. Done."_s
        << u"Checking the weather."_s << kK3 << 0;
    QTest::addRow("section end missing at the end of the text")
        << u"<|open|>tools<|sep|><|open|>call tool=\"get_time\" index=\"1\"<|sep|><|open|>argument key=\"city\" type=\"string\"<|sep|>Riga<|close|>argument<|sep|><|close|>call<|sep|>"_s
        << callsJson(R"J([{"name":"get_time","arguments":{"city":"Riga"}}])J") << QString() << QString()
        << kK3 << 0;
    QTest::addRow("call rehearsed in a closed think section")
        << u"<|open|>think<|sep|>maybe <|open|>tools<|sep|><|open|>call tool=\"get_time\" index=\"1\"<|sep|><|open|>argument key=\"city\" type=\"string\"<|sep|>Old<|close|>argument<|sep|><|close|>call<|sep|><|close|>tools<|sep|> no<|close|>think<|sep|><|open|>tools<|sep|><|open|>call tool=\"get_time\" index=\"1\"<|sep|><|open|>argument key=\"city\" type=\"string\"<|sep|>New<|close|>argument<|sep|><|close|>call<|sep|><|close|>tools<|sep|>"_s
        << callsJson(R"J([{"name":"get_time","arguments":{"city":"New"}}])J") << QString()
        << u"maybe <|open|>tools<|sep|><|open|>call tool=\"get_time\" index=\"1\"<|sep|><|open|>argument key=\"city\" type=\"string\"<|sep|>Old<|close|>argument<|sep|><|close|>call<|sep|><|close|>tools<|sep|> no"_s
        << kK3 << 0;
    QTest::addRow("call ends a think section that never closed")
        << u"<|open|>think<|sep|>I need the time"_s + special
        << callsJson(R"J([{"name":"special_function","arguments":{"arg1":1}}])J") << QString()
        << u"I need the time"_s << kK3 << 0;
    QTest::addRow("call without its tools section")
        << u"<|open|>call tool=\"get_time\" index=\"1\"<|sep|><|open|>argument key=\"city\" type=\"string\"<|sep|>Lima<|close|>argument<|sep|><|close|>call<|sep|>"_s
        << callsJson(R"J([{"name":"get_time","arguments":{"city":"Lima"}}])J") << QString() << QString()
        << kK3 << 0;
    QTest::addRow("number that is not a number")
        << u"<|open|>response<|sep|>On it.<|close|>response<|sep|><|open|>tools<|sep|><|open|>call tool=\"get_weather\" index=\"1\"<|sep|><|open|>argument key=\"days\" type=\"number\"<|sep|>oops<|close|>argument<|sep|><|close|>call<|sep|><|close|>tools<|sep|>"_s
        << QJsonArray()
        << u"<|open|>response<|sep|>On it.<|close|>response<|sep|><|open|>tools<|sep|><|open|>call tool=\"get_weather\" index=\"1\"<|sep|><|open|>argument key=\"days\" type=\"number\"<|sep|>oops<|close|>argument<|sep|><|close|>call<|sep|><|close|>tools<|sep|>"_s
        << QString() << QString() << 1;
    QTest::addRow("call without a tool name")
        << u"<|open|>tools<|sep|><|open|>call index=\"1\"<|sep|><|close|>call<|sep|><|close|>tools<|sep|>"_s
        << QJsonArray()
        << u"<|open|>tools<|sep|><|open|>call index=\"1\"<|sep|><|close|>call<|sep|><|close|>tools<|sep|>"_s
        << QString() << QString() << 1;
    QTest::addRow("broken json element")
        << u"<|open|>tools<|sep|><|open|>call tool=\"get_weather\" index=\"1\"<|sep|><|open|>json type=\"object\"<|sep|>{broken<|close|>json<|sep|><|close|>call<|sep|><|close|>tools<|sep|>"_s
        << QJsonArray()
        << u"<|open|>tools<|sep|><|open|>call tool=\"get_weather\" index=\"1\"<|sep|><|open|>json type=\"object\"<|sep|>{broken<|close|>json<|sep|><|close|>call<|sep|><|close|>tools<|sep|>"_s
        << QString() << QString() << 1;
    QTest::addRow("undeclared tool")
        << u"<|open|>tools<|sep|><|open|>call tool=\"bash\" index=\"1\"<|sep|><|open|>argument key=\"cmd\" type=\"string\"<|sep|>ls<|close|>argument<|sep|><|close|>call<|sep|><|close|>tools<|sep|>"_s
        << QJsonArray()
        << u"<|open|>tools<|sep|><|open|>call tool=\"bash\" index=\"1\"<|sep|><|open|>argument key=\"cmd\" type=\"string\"<|sep|>ls<|close|>argument<|sep|><|close|>call<|sep|><|close|>tools<|sep|>"_s
        << QString() << QString() << 1;
    QTest::addRow("truncated inside an argument")
        << u"<|open|>tools<|sep|><|open|>call tool=\"get_time\" index=\"1\"<|sep|><|open|>argument key=\"city\" type=\"string\"<|sep|>Ri"_s
        << QJsonArray()
        << u"<|open|>tools<|sep|><|open|>call tool=\"get_time\" index=\"1\"<|sep|><|open|>argument key=\"city\" type=\"string\"<|sep|>Ri"_s
        << QString() << QString() << 1;
}

void TestFormatsXmlInvoke::kimiXtml()
{
    checkRow(KimiXtmlParser());
}

void TestFormatsXmlInvoke::rawValuesKeepTheirSpaces()
{
    // Strings are kept as written (the comparison of the other tests trims them).
    const ToolCatalog tools = catalog();
    struct Case
    {
        const FormatParser* parser;
        QString text;
    };
    const InvokeParser invoke;
    const DsmlParser dsml;
    const AtemParser atem;
    const KimiXtmlParser kimi;
    const QList<Case> cases {
        { &invoke,
            u"<function_calls><invoke name=\"get_time\"><parameter name=\"city\"> New York </parameter></invoke></function_calls>"_s },
        { &invoke,
            m3(u"~<tool_call>~<invoke name=\"get_time\">~<city> New York ~</city>~</invoke>~</tool_call>"_s) },
        { &dsml,
            bars(
                u"<!DSML!tool_calls><!DSML!invoke name=\"get_time\"><!DSML!parameter name=\"city\" string=\"true\"> New York </!DSML!parameter></!DSML!invoke></!DSML!tool_calls>"_s) },
        { &atem,
            u" to=get_time<|message|><atem:function_calls>\n<atem:invoke name=\"get_time\">\n<atem:parameter name=\"city\"> New York </atem:parameter>\n</atem:invoke>\n</atem:function_calls>"_s },
        { &kimi,
            u"<|open|>tools<|sep|><|open|>call tool=\"get_time\" index=\"1\"<|sep|><|open|>argument key=\"city\" type=\"string\"<|sep|> New York <|close|>argument<|sep|><|close|>call<|sep|><|close|>tools<|sep|>"_s },
    };
    for (const Case& c : cases) {
        const FormatMatch match = c.parser->parse(c.text, tools);
        QCOMPARE(match.calls.size(), qsizetype(1));
        QCOMPARE(match.calls.first().arguments.toObject().value("city"_L1).toString(), u" New York "_s);
    }
    // One layout newline on each side is not part of a value.
    const FormatMatch pretty = invoke.parse(
        u"<invoke name=\"python\"><parameter name=\"code\">\nprint(1)\n\n</parameter></invoke>"_s, tools);
    QCOMPARE(pretty.calls.size(), qsizetype(1));
    QCOMPARE(pretty.calls.first().arguments.toObject().value("code"_L1).toString(), u"print(1)\n"_s);
}

void TestFormatsXmlInvoke::spansCoverTheCallsOnly()
{
    const ToolCatalog tools = catalog();
    const QString text
        = u"Before.\n<function_calls>\n<invoke name=\"get_time\"><parameter name=\"city\">A</parameter></invoke>\n<invoke name=\"get_time\"><parameter name=\"city\">B</parameter></invoke>\n</function_calls>\nAfter."_s;
    const FormatMatch match = InvokeParser().parse(text, tools);
    QCOMPARE(match.calls.size(), qsizetype(2));
    for (const ParsedCall& call : match.calls) {
        const QString own = text.mid(call.span.start, call.span.length());
        QVERIFY(own.startsWith(u"<invoke name=\"get_time\">"_s));
        QVERIFY(own.endsWith(u"</invoke>"_s));
    }
    // The markup is the block: it starts at <function_calls> and ends after </function_calls>.
    QVERIFY(!match.markup.isEmpty());
    qsizetype first = text.size(), last = 0;
    for (const TextSpan& span : match.markup) {
        first = std::min(first, span.start);
        last = std::max(last, span.end);
    }
    QCOMPARE(first, text.indexOf(u"<function_calls>"_s));
    QCOMPARE(last, text.indexOf(u"</function_calls>"_s) + 17);

    // A MiniMax-M3 call's span takes in the marker before its tag.
    const QString m3text
        = m3(u"x ~<tool_call>~<invoke name=\"get_time\">~<city>C~</city>~</invoke>~</tool_call> y"_s);
    const FormatMatch m3match = InvokeParser().parse(m3text, tools);
    QCOMPARE(m3match.calls.size(), qsizetype(1));
    QCOMPARE(m3text.mid(m3match.calls.first().span.start, m3match.calls.first().span.length()),
        m3(u"~<invoke name=\"get_time\">~<city>C~</city>~</invoke>"_s));

    // Kimi K3: the failed call's span is the call element, and it stays out of the markup.
    const QString k3
        = u"<|open|>tools<|sep|><|open|>call tool=\"nope\" index=\"1\"<|sep|><|close|>call<|sep|><|open|>call tool=\"get_time\" index=\"2\"<|sep|><|open|>argument key=\"city\" type=\"string\"<|sep|>D<|close|>argument<|sep|><|close|>call<|sep|><|close|>tools<|sep|>"_s;
    const FormatMatch k3match = KimiXtmlParser().parse(k3, tools);
    QCOMPARE(k3match.calls.size(), qsizetype(1));
    QCOMPARE(k3match.failed.size(), qsizetype(1));
    QCOMPARE(k3.mid(k3match.failed.first().start, k3match.failed.first().length()),
        u"<|open|>call tool=\"nope\" index=\"1\"<|sep|><|close|>call<|sep|>"_s);
    const KimiXtmlParser kimi;
    const RescueResult rescued = Rescuer({ &kimi }).rescue(k3, tools);
    QCOMPARE(rescued.content, u"<|open|>call tool=\"nope\" index=\"1\"<|sep|><|close|>call<|sep|>"_s);
}

void TestFormatsXmlInvoke::proseIsLeftAlone()
{
    const ToolCatalog tools = catalog();
    const InvokeParser invoke;
    const DsmlParser dsml;
    const SteptmlParser steptml;
    const AtemParser atem;
    const MiniCpm5Parser miniCpm5;
    const KimiXtmlParser kimi;
    const QList<const FormatParser*> parsers { &invoke, &dsml, &steptml, &atem, &miniCpm5, &kimi };
    const QStringList texts {
        u"Call get_weather with the city Paris, then get_time."_s,
        u"Here is some JSON: {\"name\": \"get_time\", \"arguments\": {\"city\": \"x\"}} and <b>bold</b>."_s,
        u"<tool_call>\n{\"name\": \"get_time\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>"_s,
        u"<function=get_time>\n<parameter=city>\nParis\n</parameter>\n</function>"_s,
    };
    for (const QString& text : texts) {
        for (const FormatParser* parser : parsers) {
            const FormatMatch match = parser->parse(text, tools);
            QVERIFY2(match.calls.isEmpty() && match.failed.isEmpty() && match.markup.isEmpty(),
                qPrintable(parser->name() + u": "_s + text));
        }
    }
}

void TestFormatsXmlInvoke::staysLinearOnNoisyText()
{
    // 10 KB and more of brackets, braces, tags and half-written markers of every dialect.
    QString noise;
    const QStringList pieces { u"{[<\"'"_s, u"<invoke name=\"x\">"_s, u"<parameter name=\"k\">"_s,
        u"]<]minimax[>[<a>"_s, u"<|open|>call tool=\"y\"<|sep|>"_s, u"<|close|>"_s,
        u"<function name=\"z\">"_s, u"<｜DSML｜invoke name=\"w\">"_s, u"<![CDATA["_s,
        u" to=x<|message|><atem:invoke name=\"v\">"_s, u"<|open|>think<|sep|>"_s, u"<|open|>tools"_s,
        u"<steptml:invoke name=\"u\">"_s };
    for (int i = 0; noise.size() < 40000; ++i)
        noise += pieces.at(i % pieces.size()) + QString::number(i);
    const ToolCatalog tools = catalog();
    const InvokeParser invoke;
    const DsmlParser dsml;
    const AtemParser atem;
    const MiniCpm5Parser miniCpm5;
    const KimiXtmlParser kimi;
    const SteptmlParser steptml;
    for (const FormatParser* parser :
        QList<const FormatParser*> { &invoke, &dsml, &atem, &miniCpm5, &kimi, &steptml }) {
        QElapsedTimer timer;
        timer.start();
        const FormatMatch match = parser->parse(noise, tools);
        QVERIFY2(match.calls.isEmpty(), qPrintable(parser->name()));
        QVERIFY2(timer.elapsed() < 2000,
            qPrintable(parser->name() + u" took "_s + QString::number(timer.elapsed()) + u" ms"_s));
    }
}

QTEST_APPLESS_MAIN(TestFormatsXmlInvoke)
#include "tst_formats_xmlinvoke.moc"
