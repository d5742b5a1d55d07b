// The format lab's core: one answer run through the proxy's own guard steps, and the tools JSON
// read with errors people can act on.
#include "demo/demotraffic.h"
#include "guard/guardpreview.h"
#include "guard/guardtrace.h"

#include <QJsonDocument>
#include <QtTest>

using namespace Qt::StringLiterals;
using Guard::Preview;

namespace {

QString toolsJson()
{
    return QString::fromUtf8(QJsonDocument(Demo::Traffic::exampleTools()).toJson());
}

Guard::ToolChoice choiceFrom(const QString& text)
{
    if (text.startsWith(u"named:"_s))
        return Guard::ToolChoice::fromRequest(QJsonObject {
            { u"type"_s, u"function"_s }, { u"function"_s, QJsonObject { { u"name"_s, text.mid(6) } } } });
    return Guard::ToolChoice::fromRequest(text.isEmpty() ? QJsonValue() : QJsonValue(text));
}

QStringList rolesOf(const QList<QJsonObject>& turns)
{
    QStringList roles;
    for (const QJsonObject& turn : turns)
        roles.append(turn.value("role"_L1).toString());
    return roles;
}

QStringList callNames(const Guard::AttemptAnalysis& analysis)
{
    QStringList names;
    for (const Guard::CheckedCall& call : analysis.calls)
        names.append(call.name + (call.validation.valid ? u" valid"_s : u" invalid"_s));
    return names;
}

const QString kHermes
    = u"Let me check the forecast.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": 3}}\n</tool_call>"_s;
const QString kOutOfRange
    = u"<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": 10}}\n</tool_call>"_s;
const QString kQwenXml
    = u"<tool_call>\n<function=get_weather>\n<parameter=city>\nLyon\n</parameter>\n<parameter=days>\n2\n</parameter>\n</function>\n</tool_call>"_s;
const QString kUnknownTool
    = u"<tool_call>\n{\"name\": \"get_forecast\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>"_s;
const QString kProse = u"Paris will be mild this week, around 18 °C with showers on Thursday."_s;
const QString kThink
    = u"<think>\nI could call <tool_call>{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": 3}}</tool_call> but the user only asked for a rule of thumb.\n</think>\nParis is mild in spring."_s;
// A backend's answer with native tool_calls: one call whose arguments text is `arguments`.
QString nativeMessage(const QString& name, const QString& arguments)
{
    const QJsonObject call { { u"id"_s, u"call_1"_s }, { u"type"_s, u"function"_s },
        { u"function"_s, QJsonObject { { u"name"_s, name }, { u"arguments"_s, arguments } } } };
    return QString::fromUtf8(
        QJsonDocument(QJsonObject { { u"role"_s, u"assistant"_s }, { u"content"_s, QJsonValue() },
                          { u"tool_calls"_s, QJsonArray { call } } })
            .toJson());
}

QString completionBody(const QString& name, const QString& arguments)
{
    const QJsonObject message = QJsonDocument::fromJson(nativeMessage(name, arguments).toUtf8()).object();
    const QJsonObject choice { { u"index"_s, 0 }, { u"finish_reason"_s, u"tool_calls"_s },
        { u"message"_s, message } };
    return QString::fromUtf8(QJsonDocument(QJsonObject { { u"choices"_s, QJsonArray { choice } } }).toJson());
}

const QString kFloatResponse = completionBody(u"get_weather"_s, u"{\"city\": \"Paris\", \"days\": 3.0}"_s);
const QString kUnknownNativeMessage
    = nativeMessage(u"get_weather_v2"_s, u"{\"city\": \"Paris\", \"days\": 3}"_s);

} // namespace

class TestCoreGuardPreview : public QObject
{
    Q_OBJECT

private slots:
    void preview_data();
    void preview();
    void correctionIsThePolicys();
    void tools_data();
    void tools();
    void badToolsStopBeforeAnalysis();
};

void TestCoreGuardPreview::preview_data()
{
    QTest::addColumn<QString>("output");
    QTest::addColumn<QString>("choice");
    QTest::addColumn<int>("attempt");
    QTest::addColumn<bool>("completion");
    QTest::addColumn<QString>("format");
    QTest::addColumn<QString>("parser");
    QTest::addColumn<QStringList>("calls");
    QTest::addColumn<int>("repairs");
    QTest::addColumn<QString>("verdict");
    QTest::addColumn<QStringList>("correction");

    const QStringList none;
    QTest::addRow("hermes") << kHermes << QString() << 1 << false << u"hermes_json"_s << u"hermes"_s
                            << QStringList { u"get_weather valid"_s } << 0 << u"accept"_s << none;
    QTest::addRow("qwen3-coder xml") << kQwenXml << QString() << 1 << false << u"qwen3_coder_xml"_s
                                     << u"function_tag"_s << QStringList { u"get_weather valid"_s } << 0
                                     << u"accept"_s << none;
    QTest::addRow("out of range, retried") << kOutOfRange << QString() << 1 << false << u"hermes_json"_s
                                           << u"hermes"_s << QStringList { u"get_weather invalid"_s } << 0
                                           << u"retry"_s << QStringList { u"assistant"_s, u"tool"_s };
    QTest::addRow("out of range on the last attempt")
        << kOutOfRange << QString() << 4 << false << u"hermes_json"_s << u"hermes"_s
        << QStringList { u"get_weather invalid"_s } << 0 << u"give-up"_s << none;
    QTest::addRow("unknown tool in text is a near miss")
        << kUnknownTool << QString() << 1 << false << QString() << QString() << QStringList() << 0
        << u"retry"_s << QStringList { u"assistant"_s, u"user"_s };
    QTest::addRow("plain prose") << kProse << u"auto"_s << 1 << false << QString() << QString()
                                 << QStringList() << 0 << u"accept"_s << none;
    QTest::addRow("prose when a call is required")
        << kProse << u"required"_s << 1 << false << QString() << QString() << QStringList() << 0 << u"retry"_s
        << QStringList { u"assistant"_s, u"user"_s };
    QTest::addRow("call inside closed think is a rehearsal")
        << kThink << QString() << 1 << false << QString() << QString() << QStringList() << 0 << u"accept"_s
        << none;
    QTest::addRow("named tool_choice, other tool called")
        << kHermes << u"named:search_docs"_s << 1 << false << u"hermes_json"_s << u"hermes"_s
        << QStringList { u"get_weather valid"_s } << 0 << u"retry"_s
        << QStringList { u"assistant"_s, u"tool"_s };
    QTest::addRow("response with an integer as 3.0 is repaired")
        << kFloatResponse << QString() << 1 << true << QString() << QString()
        << QStringList { u"get_weather valid"_s } << 1 << u"accept"_s << none;
    QTest::addRow("assistant message naming an unknown tool")
        << kUnknownNativeMessage << QString() << 1 << true << QString() << QString()
        << QStringList { u"get_weather_v2 invalid"_s } << 0 << u"retry"_s
        << QStringList { u"assistant"_s, u"tool"_s };
}

void TestCoreGuardPreview::preview()
{
    QFETCH(QString, output);
    QFETCH(QString, choice);
    QFETCH(int, attempt);
    QFETCH(bool, completion);
    QFETCH(QString, format);
    QFETCH(QString, parser);
    QFETCH(QStringList, calls);
    QFETCH(int, repairs);
    QFETCH(QString, verdict);
    QFETCH(QStringList, correction);

    Guard::PreviewRequest request;
    request.output = output;
    request.toolsJson = toolsJson();
    request.choice = choiceFrom(choice);
    request.maxRetries = 3;
    request.attempt = attempt;
    const Preview preview = Guard::previewGuard(request);

    QVERIFY(preview.toolsError.isEmpty());
    QCOMPARE(preview.tools.names(), QStringList({ u"get_weather"_s, u"search_docs"_s }));
    QVERIFY(preview.guarded);
    QCOMPARE(preview.input == Preview::Input::Completion, completion);
    QCOMPARE(preview.analysis.rescueFormat, format);
    QCOMPARE(preview.analysis.rescueParser, parser);
    QCOMPARE(callNames(preview.analysis), calls);
    int repaired = 0;
    for (const Guard::CheckedCall& call : preview.analysis.calls)
        repaired += int(call.validation.repairs.size());
    QCOMPARE(repaired, repairs);
    QCOMPARE(Guard::verdictName(preview.decision.verdict), verdict);
    QCOMPARE(rolesOf(preview.correction), correction);
    // What the trace would record for this attempt.
    QCOMPARE(preview.guardJson.value("decision"_L1).toObject().value("verdict"_L1).toString(), verdict);
    QCOMPARE(preview.guardJson.value("calls"_L1).toArray().size(), calls.size());
}

void TestCoreGuardPreview::correctionIsThePolicys()
{
    // The preview's corrective turns are RetryPolicy's for the same analysis, and the analysis is
    // analyzeAttempt's for the same text (ids of rescued calls are fresh each time, so the
    // messages are compared without them).
    Guard::PreviewRequest request;
    request.output = kOutOfRange;
    request.toolsJson = toolsJson();
    const Preview preview = Guard::previewGuard(request);
    QCOMPARE(preview.correction,
        Guard::RetryPolicy::correctiveTurns(request.choice, preview.tools, preview.analysis));

    const Guard::ToolCatalog catalog = Guard::ToolCatalog::fromTools(Demo::Traffic::exampleTools());
    const Guard::AttemptAnalysis analysis
        = Guard::analyzeAttempt(kOutOfRange, {}, {}, u"stop"_s, catalog, {});
    const QList<QJsonObject> direct = Guard::RetryPolicy::correctiveTurns(request.choice, catalog, analysis);
    QCOMPARE(preview.correction.size(), direct.size());
    for (int i = 0; i < direct.size(); ++i) {
        QCOMPARE(preview.correction.at(i).value("role"_L1), direct.at(i).value("role"_L1));
        if (direct.at(i).value("role"_L1).toString() != u"assistant"_s)
            QCOMPARE(preview.correction.at(i).value("content"_L1), direct.at(i).value("content"_L1));
    }
    const Guard::Decision decision = Guard::RetryPolicy::decide(request.choice, 3, 1, analysis);
    QCOMPARE(preview.decision.reason, decision.reason);
}

void TestCoreGuardPreview::tools_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("names");
    QTest::addColumn<bool>("guarded");
    QTest::addColumn<QString>("error"); // a part of the error, empty when none

    QTest::addRow("array") << toolsJson() << QStringList { u"get_weather"_s, u"search_docs"_s } << true
                           << QString();
    QTest::addRow("request body")
        << uR"({"model": "m", "tools": [{"type": "function", "function": {"name": "ping"}}]})"_s
        << QStringList { u"ping"_s } << true << QString();
    QTest::addRow("one tool object")
        << uR"({"type": "function", "function": {"name": "ping", "parameters": {}}})"_s
        << QStringList { u"ping"_s } << true << QString();
    QTest::addRow("blank") << u"  \n"_s << QStringList() << false << QString();
    QTest::addRow("nameless entries")
        << uR"([{"type": "function", "function": {}}])"_s << QStringList() << false << QString();
    QTest::addRow("syntax error with position")
        << u"[\n  {\"name\": \"ping\",}\n]"_s << QStringList() << false << u"at line 2, column"_s;
    QTest::addRow("not an array") << u"42"_s << QStringList() << false << u"does not parse"_s;
    QTest::addRow("object that is no tool")
        << uR"({"model": "m"})"_s << QStringList() << false << u"must be an array"_s;
}

void TestCoreGuardPreview::tools()
{
    QFETCH(QString, text);
    QFETCH(QStringList, names);
    QFETCH(bool, guarded);
    QFETCH(QString, error);

    Guard::PreviewRequest request;
    request.output = kHermes;
    request.toolsJson = text;
    const Preview preview = Guard::previewGuard(request);
    if (!error.isEmpty()) {
        QVERIFY2(preview.toolsError.contains(error), qPrintable(preview.toolsError));
        return;
    }
    QVERIFY2(preview.toolsError.isEmpty(), qPrintable(preview.toolsError));
    QCOMPARE(preview.tools.names(), names);
    QCOMPARE(preview.guarded, guarded);
    QCOMPARE(preview.unguardedReason.isEmpty(), guarded);
}

void TestCoreGuardPreview::badToolsStopBeforeAnalysis()
{
    Guard::PreviewRequest request;
    request.output = kHermes;
    request.toolsJson = u"[{\"type\": \"function\""_s;
    const Preview preview = Guard::previewGuard(request);
    QVERIFY(!preview.toolsError.isEmpty());
    QVERIFY(!preview.guarded);
    QVERIFY(preview.analysis.calls.isEmpty());
    QVERIFY(preview.guardJson.isEmpty());

    request.toolsJson = toolsJson();
    request.choice = choiceFrom(u"none"_s);
    const Preview unguarded = Guard::previewGuard(request);
    QVERIFY(!unguarded.guarded);
    QVERIFY(unguarded.unguardedReason.contains(u"none"_s));
    QCOMPARE(unguarded.analysis.calls.size(), 1); // still analysed, to show what the text holds
    QVERIFY(unguarded.correction.isEmpty());
}

QTEST_APPLESS_MAIN(TestCoreGuardPreview)
#include "tst_core_guardpreview.moc"
