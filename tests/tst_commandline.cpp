// Reading Temper's command line into settings.
#include "config/commandline.h"

#include <QtTest>

using namespace Qt::StringLiterals;
using namespace Config;

namespace {

CommandLine parse(const QStringList& args, const QProcessEnvironment& env = QProcessEnvironment())
{
    return parseCommandLine(QStringList { u"temper"_s } + args, env);
}

} // namespace

class TestCommandLine : public QObject
{
    Q_OBJECT

private slots:
    void defaults();
    void readsOptions();
    void apiKeyFromEnvironment();
    void rejects_data();
    void rejects();
    void parseSubcommand();
    void helpAndVersion();
    void decidesCoreApplicationFromArgv();
};

void TestCommandLine::defaults()
{
    const CommandLine cli = parse({});
    QCOMPARE(cli.action, CommandLine::Action::Run);
    QCOMPARE(cli.settings.host, u"127.0.0.1"_s); // loopback unless told otherwise
    QCOMPARE(cli.settings.port, quint16(8090));
    QCOMPARE(cli.settings.backend.url, QUrl(u"http://127.0.0.1:8080"_s));
    QCOMPARE(cli.settings.backend.kind, Backend::Kind::Auto);
    QCOMPARE(cli.settings.guard.maxRetries, 3);
    QVERIFY(cli.settings.guard.enabled && cli.settings.guard.rescue && cli.settings.guard.repair);
    QVERIFY(cli.gui);
    QVERIFY(!cli.settings.demo);
    QVERIFY(cli.settings.demoTraffic);
}

void TestCommandLine::readsOptions()
{
    const CommandLine cli = parse({ u"--host"_s, u"0.0.0.0"_s, u"--port"_s, u"0"_s, u"--no-gui"_s,
                                    u"--backend-url"_s, u"https://openrouter.ai/api/v1"_s, u"--backend-kind"_s, u"openai"_s,
                                    u"--api-key"_s, u"sk-flag"_s, u"--model"_s, u"mimo-v2.5"_s, u"--context-length"_s, u"131072"_s,
                                    u"--backend-timeout"_s, u"12"_s, u"--max-retries"_s, u"5"_s, u"--on-exhausted"_s, u"error"_s,
                                    u"--no-rescue"_s, u"--no-repair"_s, u"--no-guard"_s, u"--demo"_s, u"--demo-traffic=off"_s,
                                    u"--trace-file"_s, u"t.jsonl"_s, u"--max-body-bytes"_s, u"4096"_s });
    QCOMPARE(cli.action, CommandLine::Action::Run);
    const Settings& s = cli.settings;
    QCOMPARE(s.host, u"0.0.0.0"_s);
    QCOMPARE(s.port, quint16(0));
    QVERIFY(!cli.gui);
    QCOMPARE(s.backend.url, QUrl(u"https://openrouter.ai/api/v1"_s));
    QCOMPARE(s.backend.kind, Backend::Kind::OpenAi);
    QCOMPARE(s.backend.apiKey, u"sk-flag"_s);
    QCOMPARE(s.backend.model, u"mimo-v2.5"_s); // dots kept
    QCOMPARE(s.backend.contextLength, 131072);
    QCOMPARE(s.backend.timeoutMs, 12000);
    QCOMPARE(s.guard.maxRetries, 5);
    QCOMPARE(s.guard.onExhausted, OnExhausted::Error);
    QVERIFY(!s.guard.rescue && !s.guard.repair && !s.guard.enabled);
    QVERIFY(s.demo);
    QVERIFY(!s.demoTraffic);
    QCOMPARE(s.traceFile, u"t.jsonl"_s);
    QCOMPARE(s.maxBodyBytes, 4096);
    QVERIFY(cli.explicitOptions.contains(u"model"_s));
}

void TestCommandLine::apiKeyFromEnvironment()
{
    QProcessEnvironment env;
    env.insert(u"TEMPER_API_KEY"_s, u"sk-env"_s);
    QCOMPARE(parse({}, env).settings.backend.apiKey, u"sk-env"_s);
    QCOMPARE(parse({ u"--api-key"_s, u"sk-flag"_s }, env).settings.backend.apiKey, u"sk-flag"_s);
}

void TestCommandLine::rejects_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mentions");
    QTest::addRow("bad port") << QStringList { u"--port"_s, u"70000"_s } << u"--port"_s;
    QTest::addRow("port not a number") << QStringList { u"--port"_s, u"http"_s } << u"--port"_s;
    QTest::addRow("bad kind") << QStringList { u"--backend-kind"_s, u"tgi"_s } << u"--backend-kind"_s;
    QTest::addRow("ftp url") << QStringList { u"--backend-url"_s, u"ftp://h/"_s } << u"--backend-url"_s;
    QTest::addRow("negative retries") << QStringList { u"--max-retries"_s, u"-1"_s } << u"--max-retries"_s;
    QTest::addRow("bad exhaustion") << QStringList { u"--on-exhausted"_s, u"retry"_s } << u"--on-exhausted"_s;
    QTest::addRow("bad demo traffic") << QStringList { u"--demo-traffic=maybe"_s } << u"--demo-traffic"_s;
    QTest::addRow("unknown option") << QStringList { u"--frobnicate"_s } << u"frobnicate"_s;
    QTest::addRow("stray argument") << QStringList { u"extra"_s } << u"extra"_s;
    QTest::addRow("parse options outside parse") << QStringList { u"--jsonl"_s } << u"temper parse"_s;
    QTest::addRow("zero context") << QStringList { u"--context-length"_s, u"0"_s } << u"--context-length"_s;
}

void TestCommandLine::rejects()
{
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    const CommandLine cli = parse(args);
    QCOMPARE(cli.action, CommandLine::Action::Error);
    QVERIFY2(cli.message.contains(mentions), qPrintable(cli.message));
}

void TestCommandLine::parseSubcommand()
{
    const CommandLine cli = parse({ u"parse"_s, u"--tools"_s, u"tools.json"_s, u"out.txt"_s });
    QCOMPARE(cli.action, CommandLine::Action::Parse);
    QCOMPARE(cli.parseToolsFile, u"tools.json"_s);
    QCOMPARE(cli.parseInput, u"out.txt"_s);
    QVERIFY(!cli.parseJsonLines);
    QCOMPARE(parse({ u"parse"_s, u"--jsonl"_s }).action, CommandLine::Action::Parse);
    QCOMPARE(parse({ u"parse"_s }).action, CommandLine::Action::Error); // needs --tools or --jsonl
}

void TestCommandLine::helpAndVersion()
{
    const CommandLine help = parse({ u"--help"_s });
    QCOMPARE(help.action, CommandLine::Action::Help);
    for (const char* option : { "--backend-url", "--api-key", "--no-gui", "--demo", "--max-retries", "temper parse" })
        QVERIFY2(help.message.contains(QLatin1StringView(option)), option);
    QCOMPARE(parse({ u"--version"_s }).action, CommandLine::Action::Version);
}

void TestCommandLine::decidesCoreApplicationFromArgv()
{
    char program[] = "temper";
    char noGui[] = "--no-gui";
    char parseWord[] = "parse";
    char demo[] = "--demo";
    char* headless[] = { program, demo, noGui };
    char* parseCommand[] = { program, parseWord };
    char* windowed[] = { program, demo };
    QVERIFY(wantsCoreApplication(3, headless));
    QVERIFY(wantsCoreApplication(2, parseCommand));
    QVERIFY(!wantsCoreApplication(2, windowed));
}

QTEST_APPLESS_MAIN(TestCommandLine)
#include "tst_commandline.moc"
