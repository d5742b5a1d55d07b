// The temper executable as people and scripts use it: temper parse, --help, bad flags, and a
// headless run with the demo model writing summary lines and a trace file.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;

namespace {

const QString kTemper = QStringLiteral(TEMPER_EXECUTABLE);

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run run(const QStringList& arguments, const QByteArray& input = {})
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(u"TEMPER_API_KEY"_s);
    process.setProcessEnvironment(environment);
    process.start(kTemper, arguments);
    process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(20000))
        process.kill();
    return { process.exitCode(), process.readAllStandardOutput(), process.readAllStandardError() };
}

QByteArray toolsJson()
{
    return R"([{"type":"function","function":{"name":"get_weather","parameters":{"type":"object",
        "properties":{"city":{"type":"string"},"days":{"type":"integer","maximum":7}},"required":["city","days"]}}}])";
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private slots:
    void parsePlainText();
    void parseJsonLines();
    void helpVersionAndBadFlags();
    void readmeTableListsEveryOption();
    void headlessRunWithDemoTraffic();
};

void TestCli::parsePlainText()
{
    QTemporaryDir dir;
    QFile tools(dir.filePath(u"tools.json"_s));
    QVERIFY(tools.open(QIODevice::WriteOnly));
    tools.write(toolsJson());
    tools.close();

    const Run result = run({ u"parse"_s, u"--tools"_s, tools.fileName() },
                           "Sure.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": \"3\"}}\n</tool_call>");
    QCOMPARE(result.exitCode, 0);
    const QJsonObject report = QJsonDocument::fromJson(result.out).object();
    QCOMPARE(report.value("format"_L1).toString(), u"hermes_json"_s);
    QCOMPARE(report.value("content"_L1).toString(), u"Sure."_s);
    const QJsonObject call = report.value("tool_calls"_L1).toArray().first().toObject();
    QCOMPARE(call.value("name"_L1).toString(), u"get_weather"_s);
    QCOMPARE(call.value("arguments"_L1).toObject().value("days"_L1).toInt(), 3); // repaired from "3"
    QCOMPARE(call.value("repairs"_L1).toArray().first().toObject().value("kind"_L1).toString(), u"numeric-string"_s);
    QVERIFY(report.value("issues"_L1).toArray().isEmpty());

    // A whole number written as 3.0 is typed as the integer the schema asks for, and says so.
    const Run floatRun = run({ u"parse"_s, u"--tools"_s, tools.fileName() },
                             "[get_weather(city=\"Paris\", days=3.0)]");
    QCOMPARE(floatRun.exitCode, 0);
    const QJsonObject floatCall = QJsonDocument::fromJson(floatRun.out).object().value("tool_calls"_L1).toArray().first().toObject();
    QCOMPARE(floatCall.value("repairs"_L1).toArray().first().toObject().value("kind"_L1).toString(), u"integral-float"_s);
    QCOMPARE(floatCall.value("repairs"_L1).toArray().first().toObject().value("pointer"_L1).toString(), u"/days"_s);

    const Run missing = run({ u"parse"_s, u"--tools"_s, dir.filePath(u"absent.json"_s) }, "x");
    QCOMPARE(missing.exitCode, 2);
    QVERIFY(missing.err.contains("cannot read"));
}

void TestCli::parseJsonLines()
{
    QByteArray input;
    const QJsonArray tools = QJsonDocument::fromJson(toolsJson()).array();
    for (const QString& content : { u"[TOOL_CALLS]get_weather[ARGS]{\"city\": \"Oslo\", \"days\": 9}"_s, u"Just prose."_s,
                                    u"<tool_call>{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Par"_s }) {
        input += QJsonDocument(QJsonObject { { u"tools"_s, tools }, { u"content"_s, content } }).toJson(QJsonDocument::Compact) + '\n';
    }
    input += "not json\n";
    const Run result = run({ u"parse"_s, u"--jsonl"_s }, input);
    QCOMPARE(result.exitCode, 1); // one line was not an input object
    const QList<QByteArray> lines = result.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 4);
    const QJsonObject mistral = QJsonDocument::fromJson(lines.at(0)).object();
    QCOMPARE(mistral.value("format"_L1).toString(), u"mistral_args_tag"_s);
    QVERIFY(!mistral.value("tool_calls"_L1).toArray().first().toObject().value("valid"_L1).toBool());
    QVERIFY(mistral.value("issues"_L1).toArray().first().toString().contains(u"at most 7"_s));
    const QJsonObject prose = QJsonDocument::fromJson(lines.at(1)).object();
    QVERIFY(prose.value("tool_calls"_L1).toArray().isEmpty());
    QCOMPARE(prose.value("content"_L1).toString(), u"Just prose."_s);
    QVERIFY(prose.value("format"_L1).isNull());
    const QJsonObject truncated = QJsonDocument::fromJson(lines.at(2)).object();
    QVERIFY(truncated.value("tool_calls"_L1).toArray().isEmpty());
    QVERIFY(!truncated.value("issues"_L1).toArray().isEmpty());
    QVERIFY(QJsonDocument::fromJson(lines.at(3)).object().contains("error"_L1));
}

void TestCli::helpVersionAndBadFlags()
{
    const Run help = run({ u"--help"_s });
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.contains("--backend-url") && help.out.contains("temper parse"));
    const Run version = run({ u"--version"_s });
    QCOMPARE(version.exitCode, 0);
    QVERIFY(version.out.startsWith("temper "));
    const Run bad = run({ u"--no-gui"_s, u"--port"_s, u"99999"_s });
    QCOMPARE(bad.exitCode, 2);
    QVERIFY(bad.err.contains("--port"));
}

void TestCli::readmeTableListsEveryOption()
{
    const Run help = run({ u"--help"_s });
    QCOMPARE(help.exitCode, 0);
    static const QRegularExpression option(u"(?<![\\w-])(--?[a-z][a-z-]*)"_s);
    QSet<QString> helpOptions;
    for (const QString& line : QString::fromUtf8(help.out).split(u'\n')) {
        // Only the option column: descriptions may mention flags in passing.
        const QString column = line.trimmed().startsWith(u'-') ? line.trimmed().section(u"  "_s, 0, 0) : line.section(u"  "_s, 1, 1);
        QRegularExpressionMatchIterator it = option.globalMatch(column);
        while (it.hasNext())
            helpOptions.insert(it.next().captured(1));
    }
    QVERIFY2(helpOptions.size() >= 20, qPrintable(QStringList(helpOptions.cbegin(), helpOptions.cend()).join(u' ')));

    QFile readme(QFINDTESTDATA("../README.md"));
    QVERIFY(readme.open(QIODevice::ReadOnly));
    QSet<QString> tableOptions;
    for (const QString& line : QString::fromUtf8(readme.readAll()).split(u'\n')) {
        if (!line.startsWith(u"| `"_s))
            continue;
        QRegularExpressionMatchIterator it = option.globalMatch(line.section(u'|', 1, 1));
        while (it.hasNext())
            tableOptions.insert(it.next().captured(1));
    }
    QStringList missing;
    for (const QString& name : std::as_const(helpOptions)) {
        if (!tableOptions.contains(name))
            missing.append(name);
    }
    missing.sort();
    QVERIFY2(missing.isEmpty(), qPrintable(u"README options table lacks "_s + missing.join(u", "_s)));
}

void TestCli::headlessRunWithDemoTraffic()
{
    const QByteArray kKey = "sk-cli-test-0123456789abcdef";
    QTemporaryDir dir;
    const QString traceFile = dir.filePath(u"trace.jsonl"_s);
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(u"DISPLAY"_s);
    environment.remove(u"WAYLAND_DISPLAY"_s);
    environment.remove(u"QT_QPA_PLATFORM"_s);
    environment.insert(u"TEMPER_API_KEY"_s, QString::fromLatin1(kKey));
    process.setProcessEnvironment(environment);
    process.start(kTemper, { u"--no-gui"_s, u"--demo"_s, u"--port"_s, u"0"_s, u"--trace-file"_s, traceFile });
    QVERIFY(process.waitForStarted());
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += process.readAllStandardOutput()).contains('\n'), 10000);
    static const QRegularExpression listening(u"listening on http://127.0.0.1:(\\d+)"_s);
    const QRegularExpressionMatch port = listening.match(QString::fromUtf8(out.left(out.indexOf('\n'))));
    QVERIFY2(port.hasMatch(), out.constData());

    // A client that sends the key in the URL, as some hosted APIs take it.
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, quint16(port.captured(1).toUInt()));
    QVERIFY(client.waitForConnected(5000));
    client.write("GET /v1/models?key=" + kKey + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    QTRY_VERIFY_WITH_TIMEOUT(client.state() == QAbstractSocket::UnconnectedState, 10000);

    // Eleven scripted requests and ours, one summary line each, after the listening line.
    QTRY_VERIFY_WITH_TIMEOUT((out += process.readAllStandardOutput()).count('\n') >= 13, 20000);
    process.terminate(); // SIGTERM: a clean stop
    QVERIFY(process.waitForFinished(5000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);

    const QList<QByteArray> lines = out.trimmed().split('\n');
    QVERIFY(lines.first().startsWith("Temper ") && lines.first().contains("listening on http://127.0.0.1:"));
    const QByteArray summaries = out.mid(out.indexOf('\n'));
    for (const char* outcome : { "passed", "rescued", "repaired", "retried", "gave-up", "passthrough" })
        QVERIFY2(summaries.contains(outcome), outcome);

    QFile file(traceFile);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray trace = file.readAll();
    QCOMPARE(trace.count('\n'), 12);
    QVERIFY(trace.contains("/v1/models?key="));
    QVERIFY(!trace.contains(kKey));
    QVERIFY(summaries.contains("GET /v1/models?key="));
    QVERIFY2(!out.contains(kKey), out.constData());
    for (const QByteArray& line : trace.trimmed().split('\n'))
        QVERIFY(QJsonDocument::fromJson(line).isObject());
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
