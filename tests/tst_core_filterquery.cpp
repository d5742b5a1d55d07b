// The exchange filter's language, and copying an exchange as a curl command, on real exchanges.
#include "exchangefixtures.h"
#include "trace/curl.h"
#include "trace/filterquery.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;

class TestFilterQuery : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void filters_data();
    void filters();
    void curlCommandIsMaskedAndRuns();

private:
    DemoExchanges* m_demo = nullptr;
    QList<Trace::Exchange> m_exchanges;
};

void TestFilterQuery::initTestCase()
{
    m_demo = new DemoExchanges(u"sk-filter-test-4d5e6f7a8b9c0d1e"_s);
    m_exchanges = { m_demo->run(u"native"_s, false), m_demo->run(u"hermes"_s, true), m_demo->run(u"float"_s, false),
                    m_demo->run(u"unknown-tool"_s, true), m_demo->run(u"text"_s, false), m_demo->run(u"models"_s, false) };
    for (const Trace::Exchange& exchange : m_exchanges)
        QVERIFY(exchange.finished);
}

void TestFilterQuery::cleanupTestCase()
{
    delete m_demo;
}

void TestFilterQuery::filters_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QList<int>>("matching"); // indexes into m_exchanges

    QTest::addRow("empty") << QString() << QList<int> { 0, 1, 2, 3, 4, 5 };
    QTest::addRow("outcome") << u"outcome:rescued"_s << QList<int> { 1 };
    QTest::addRow("outcome without dash") << u"outcome:passed"_s << QList<int> { 0 };
    QTest::addRow("negated outcome") << u"-outcome:passthrough"_s << QList<int> { 0, 1, 2, 3 };
    QTest::addRow("tool declared") << u"tool:search_docs"_s << QList<int> { 0, 1, 2, 3 };
    QTest::addRow("tool called") << u"tool:get_weather_v2"_s << QList<int> { 3 };
    QTest::addRow("parser") << u"parser:hermes"_s << QList<int> { 1 };
    QTest::addRow("format id") << u"parser:hermes_json"_s << QList<int> { 1 };
    QTest::addRow("streamed") << u"streamed:yes"_s << QList<int> { 1, 3 };
    QTest::addRow("not streamed") << u"streamed:no"_s << QList<int> { 0, 2, 4, 5 };
    QTest::addRow("status class") << u"status:2xx"_s << QList<int> { 0, 1, 2, 3, 4, 5 };
    QTest::addRow("method") << u"method:get"_s << QList<int> { 5 };
    QTest::addRow("route") << u"route:passthrough"_s << QList<int> { 5 };
    QTest::addRow("model") << u"model:TEMPER-demo"_s << QList<int> { 0, 1, 2, 3, 4 };
    QTest::addRow("free text in a response body") << u"\"I am Temper's demo model\""_s << QList<int> { 4 };
    QTest::addRow("free text in a request body, any case") << u"[DEMO:FLOAT]"_s << QList<int> { 2 };
    QTest::addRow("terms combine") << u"streamed:yes outcome:retried"_s << QList<int> { 3 };
    QTest::addRow("unknown key is text") << u"nokey:value"_s << QList<int> {};
}

void TestFilterQuery::filters()
{
    QFETCH(QString, query);
    QFETCH(QList<int>, matching);
    const Trace::FilterQuery filter = Trace::FilterQuery::parse(query);
    QList<int> got;
    for (int i = 0; i < m_exchanges.size(); ++i) {
        if (filter.matches(m_exchanges.at(i)))
            got.append(i);
    }
    QCOMPARE(got, matching);
}

void TestFilterQuery::curlCommandIsMaskedAndRuns()
{
    Trace::Exchange exchange = m_demo->run(u"native"_s, false, "Authorization", "Bearer sk-client-side-secret-0123456789");
    const QString command = Trace::curlCommand(exchange, m_demo->proxy()->listenUrl());
    QVERIFY(command.startsWith(u"# The credential below is masked"_s));
    QVERIFY(!command.contains(u"sk-client-side-secret-0123456789"_s));
    QVERIFY(command.contains(u"-X POST"_s));
    QVERIFY(command.contains(u"[demo:native]"_s));
    QCOMPARE(Trace::shellQuote(u"it's"_s), u"'it'\\''s'"_s);

    // The command is valid shell: sh parses it (curl itself is not needed for that).
    QProcess shell;
    shell.start(u"sh"_s, { u"-n"_s, u"-c"_s, command });
    QVERIFY(shell.waitForFinished(5000));
    QCOMPARE(shell.exitCode(), 0);
}

QTEST_GUILESS_MAIN(TestFilterQuery)
#include "tst_core_filterquery.moc"
