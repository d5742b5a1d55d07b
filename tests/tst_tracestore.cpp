// The trace store's event contract and limits, redaction, and the trace file format.
#include "trace/redaction.h"
#include "trace/tracejson.h"
#include "trace/tracestore.h"
#include "trace/tracewriters.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace Trace;

class TestTraceStore : public QObject
{
    Q_OBJECT

private slots:
    void everyStartedExchangeFinishesOnce();
    void evictsOldestFinishedOnly();
    void clearKeepsRunning();
    void redactsCredentials_data();
    void redactsCredentials();
    void traceFileHasNoSecret();
    void redactsUrls_data();
    void redactsUrls();
    void storeRedactsWhatItRecords();
    void summaryLine();
};

void TestTraceStore::everyStartedExchangeFinishesOnce()
{
    TraceStore store;
    QSignalSpy started(&store, &TraceStore::exchangeStarted);
    QSignalSpy updated(&store, &TraceStore::exchangeUpdated);
    QSignalSpy finished(&store, &TraceStore::exchangeFinished);
    const quint64 id = store.begin(Exchange());
    QCOMPARE(started.size(), 1);
    QCOMPARE(store.runningCount(), 1);
    store.update(id, [](Exchange& e) { e.model = u"m"_s; });
    store.finish(id, [](Exchange& e) { e.outcome = Outcome::Passed; });
    store.finish(id);                                         // a second finish is ignored
    store.update(id, [](Exchange& e) { e.model = u"x"_s; }); // and so are later updates
    QCOMPARE(updated.size(), 1);
    QCOMPARE(finished.size(), 1);
    QCOMPARE(store.runningCount(), 0);
    QCOMPARE(store.find(id)->model, u"m"_s);
    QVERIFY(store.find(id)->finished);
    QVERIFY(store.find(id)->totalUs >= 0);
}

void TestTraceStore::evictsOldestFinishedOnly()
{
    TraceStore store;
    store.setLimits(3, qint64(1) << 30);
    QSignalSpy removed(&store, &TraceStore::exchangeRemoved);
    const quint64 running = store.begin(Exchange());
    QList<quint64> ids;
    for (int i = 0; i < 5; ++i) {
        ids.append(store.begin(Exchange()));
        store.finish(ids.last());
    }
    QCOMPARE(removed.size(), 2);
    QVERIFY(store.find(running));                 // running exchanges are never evicted
    QVERIFY(!store.find(ids.at(0)) && !store.find(ids.at(1)));
    QCOMPARE(store.ids(), (QList<quint64> { running, ids.at(2), ids.at(3), ids.at(4) }));

    // The byte budget applies too.
    TraceStore small;
    small.setLimits(100, 5000);
    for (int i = 0; i < 5; ++i) {
        Exchange e;
        e.clientRequest.body = QByteArray(2000, 'x');
        small.finish(small.begin(e));
    }
    QVERIFY(small.size() <= 2);
}

void TestTraceStore::clearKeepsRunning()
{
    TraceStore store;
    const quint64 running = store.begin(Exchange());
    store.finish(store.begin(Exchange()));
    store.clear();
    QCOMPARE(store.ids(), QList<quint64> { running });
}

void TestTraceStore::redactsCredentials_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QByteArray>("expected");
    QTest::addRow("bearer") << QByteArray("Authorization") << QByteArray("Bearer sk-proj-abcdefghijklmnop1234")
                            << QByteArray("Bearer sk-…1234");
    QTest::addRow("raw key header") << QByteArray("x-api-key") << QByteArray("sk-ant-0123456789abcdef") << QByteArray("sk-…cdef");
    QTest::addRow("short secret") << QByteArray("Authorization") << QByteArray("Bearer abc") << QByteArray("Bearer ••••");
    QTest::addRow("cookie") << QByteArray("Cookie") << QByteArray("session=0123456789abcdef") << QByteArray("…cdef");
    QTest::addRow("ordinary header") << QByteArray("Content-Type") << QByteArray("application/json") << QByteArray("application/json");
}

void TestTraceStore::redactsCredentials()
{
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, value);
    QFETCH(QByteArray, expected);
    SecretRedactor redactor;
    QCOMPARE(redactor.headerValue(name, value), expected);
}

void TestTraceStore::traceFileHasNoSecret()
{
    const QByteArray key = "sk-temper-test-0123456789abcdefXYZ";
    SecretRedactor redactor;
    redactor.addSecret(key);
    TraceStore store;
    QTemporaryDir dir;
    TraceFileWriter writer(&store);
    const QString path = dir.filePath(u"trace.jsonl"_s);
    QVERIFY(writer.open(path));

    Exchange exchange;
    exchange.method = "POST";
    exchange.path = "/v1/chat/completions";
    exchange.clientRequest.headers = { { "Authorization", redactor.headerValue("Authorization", "Bearer " + key) } };
    exchange.clientRequest.body = redactor.scrub("{\"note\":\"the key is " + key + "\"}");
    const quint64 id = store.begin(exchange);
    store.finish(id);

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray written = file.readAll();
    QVERIFY(written.endsWith('\n'));
    QVERIFY(!written.contains(key));
    QVERIFY(!written.contains(key.mid(8, 16)));
    const QJsonObject line = QJsonDocument::fromJson(written.trimmed()).object();
    QCOMPARE(line.value("path"_L1).toString(), u"/v1/chat/completions"_s);
    QVERIFY(line.value("client_request"_L1).toObject().value("headers"_L1).toObject().value("Authorization"_L1).toString().startsWith("Bearer "_L1));
}

void TestTraceStore::redactsUrls_data()
{
    QTest::addColumn<QByteArray>("url");
    QTest::addColumn<QByteArray>("expected");
    const QByteArray key = "sk-known-0123456789abcdef/+=";
    const QByteArray encoded = QUrl::toPercentEncoding(QString::fromLatin1(key));
    QTest::addRow("known key in a query") << QByteArray("/v1/models?x=1&k=" + key) << QByteArray("/v1/models?x=1&k=sk-…f/+=");
    QTest::addRow("known key percent-encoded") << QByteArray("/v1/models?k=" + encoded) << QByteArray("/v1/models?k=sk-…f/+=");
    QTest::addRow("known key in a path") << QByteArray("https://h/keys/" + key + "/usage") << QByteArray("https://h/keys/sk-…f/+=/usage");
    QTest::addRow("credential parameter, any value") << QByteArray("/v1beta/models?key=AIzaSyA0123456789xyz&alt=sse")
                                                     << QByteArray("/v1beta/models?key=…9xyz&alt=sse");
    QTest::addRow("parameter names are case-insensitive") << QByteArray("/x?API-KEY=0123456789abcdef") << QByteArray("/x?API-KEY=…cdef");
    QTest::addRow("short credential") << QByteArray("/x?token=abc") << QByteArray("/x?token=••••");
    QTest::addRow("fragment kept") << QByteArray("/x?access_token=0123456789abcdef#top") << QByteArray("/x?access_token=…cdef#top");
    QTest::addRow("ordinary parameters untouched") << QByteArray("/slots?fail_on_no_slot=1&monkey=banana1234567")
                                                   << QByteArray("/slots?fail_on_no_slot=1&monkey=banana1234567");
    QTest::addRow("empty value") << QByteArray("/x?key=&y=2") << QByteArray("/x?key=&y=2");
    QTest::addRow("already masked") << QByteArray("/x?key=…cdef") << QByteArray("/x?key=…cdef");
    QTest::addRow("no query") << QByteArray("/v1/chat/completions") << QByteArray("/v1/chat/completions");
    QTest::addRow("password in the authority") << QByteArray("https://me:hunter2-0123456789@proxy.example:8443/v1?x=@")
                                               << QByteArray("https://me:…6789@proxy.example:8443/v1?x=@");
    QTest::addRow("user without password") << QByteArray("http://me@h/v1") << QByteArray("http://me@h/v1");
    QTest::addRow("at sign after the authority") << QByteArray("http://h:8080/users/a:b@c") << QByteArray("http://h:8080/users/a:b@c");
}

void TestTraceStore::redactsUrls()
{
    QFETCH(QByteArray, url);
    QFETCH(QByteArray, expected);
    SecretRedactor redactor;
    redactor.addSecret("sk-known-0123456789abcdef/+=");
    QCOMPARE(redactor.url(url), expected);
    QCOMPARE(redactor.url(expected), expected); // idempotent
}

void TestTraceStore::storeRedactsWhatItRecords()
{
    // A driver that records the key everywhere, raw: the store masks it on the way in.
    const QByteArray key = "sk-store-0123456789abcdefXYZ";
    SecretRedactor redactor;
    redactor.addSecret(key);
    TraceStore store;
    store.setRedactor(redactor);
    QTemporaryDir dir;
    TraceFileWriter writer(&store);
    QVERIFY(writer.open(dir.filePath(u"trace.jsonl"_s)));

    Exchange exchange;
    exchange.method = "GET";
    exchange.path = "/v1/models?key=" + key;
    exchange.clientRequest.url = exchange.path;
    exchange.clientRequest.headers = { { "Authorization", "Bearer " + key }, { "X-Note", "key " + key } };
    exchange.clientRequest.body = "{\"k\":\"" + key + "\"}";
    const quint64 id = store.begin(exchange);
    const Exchange* recorded = store.find(id);
    QCOMPARE(recorded->path, QByteArray("/v1/models?key=sk-…fXYZ"));
    QCOMPARE(recorded->clientRequest.headers.at(0).second, QByteArray("Bearer sk-…fXYZ"));
    QCOMPARE(recorded->clientRequest.headers.at(1).second, QByteArray("key sk-…fXYZ"));
    QVERIFY(!recorded->clientRequest.body.contains(key));

    store.update(id, [&](Exchange& e) {
        Attempt attempt;
        attempt.request.url = "https://api.example.org/v1/models?key=" + key;
        attempt.request.headers = { { "Authorization", "Bearer " + key } };
        attempt.error = u"Error transferring https://api.example.org/v1/models?key=%1"_s.arg(QString::fromLatin1(key));
        e.attempts.append(attempt);
        Attempt retry; // only a header to mask
        retry.request.url = "https://api.example.org/v1/models";
        retry.request.headers = { { "X-Api-Key", key } };
        e.attempts.append(retry);
        e.events.append({ 1, 1, u"attempt-sent"_s, u"forwarded to "_s + QString::fromLatin1(attempt.request.url), {} });
    });
    QVERIFY(!recorded->attempts.first().request.url.contains(key));
    QCOMPARE(recorded->attempts.first().request.headers.first().second, QByteArray("Bearer sk-…fXYZ"));
    QCOMPARE(recorded->attempts.last().request.headers.first().second, QByteArray("sk-…fXYZ"));
    QVERIFY(!recorded->attempts.first().error.contains(QString::fromLatin1(key)));
    QVERIFY(!recorded->events.first().summary.contains(QString::fromLatin1(key)));
    QVERIFY(recorded->events.first().summary.endsWith(u"?key=sk-…fXYZ"_s));

    store.finish(id, [&](Exchange& e) {
        e.clientResponse.status = 404;
        e.clientResponse.body = "no such path: /v1/models?key=" + key;
        e.clientResponse.events.append({ 2, "data: " + key });
        e.attempts.last().guard = QJsonObject { { u"note"_s, QString::fromLatin1(key) } };
        e.attempts.last().response.events.append({ 2, "data: " + key });
        e.events.append({ 3, 0, u"error"_s, u"failed"_s, QJsonObject { { u"url"_s, QString::fromLatin1(key) } } });
        e.error = QString::fromLatin1(key);
    });
    const QByteArray json = QJsonDocument(exchangeToJson(*recorded)).toJson();
    QVERIFY2(!json.contains(key), json.constData());
    QVERIFY(!exchangeSummaryLine(*recorded).contains(QString::fromLatin1(key)));
    QFile file(dir.filePath(u"trace.jsonl"_s));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(!file.readAll().contains(key));
}

void TestTraceStore::summaryLine()
{
    Exchange exchange;
    exchange.id = 12;
    exchange.startedAt = QDateTime(QDate(2026, 11, 22), QTime(14, 3, 7));
    exchange.method = "POST";
    exchange.path = "/v1/chat/completions";
    exchange.model = u"qwen3"_s;
    exchange.streamed = true;
    exchange.clientResponse.status = 200;
    exchange.outcome = Outcome::Rescued;
    exchange.attempts.resize(2);
    exchange.firstTokenUs = 180'000;
    exchange.totalUs = 1'900'000;
    exchange.usage.completionTokens = 70;
    QCOMPARE(exchangeSummaryLine(exchange),
             u"14:03:07 #12 POST /v1/chat/completions qwen3 stream 200 rescued 2 attempts ttft 180 ms total 1.90 s 40.7 tok/s"_s);
}

QTEST_GUILESS_MAIN(TestTraceStore)
#include "tst_tracestore.moc"
