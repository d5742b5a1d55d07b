// Temper end to end on 127.0.0.1: a raw HTTP client, the proxy, and the demo backend, all on
// this test's event loop.
#include "demo/demobackend.h"
#include "demo/demotraffic.h"
#include "proxy/proxyservice.h"
#include "scriptedbackend.h"
#include "sse/sse.h"
#include "testsupport.h"
#include "trace/tracejson.h"
#include "trace/tracestore.h"
#include "trace/tracewriters.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <functional>
#include <memory>

using namespace Qt::StringLiterals;

namespace {

QByteArray chatBody(const QString& scenario, bool stream, const QString& model = u"temper-demo-1.0"_s, bool tools = false)
{
    QJsonObject body = Demo::Traffic::exampleRequest(scenario, stream);
    body.insert(u"model"_s, model);
    if (!tools)
        body.remove(u"tools"_s);
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

QJsonObject errorOf(const RawResponse& response)
{
    return QJsonDocument::fromJson(response.body).object().value("error"_L1).toObject();
}

const QString kUrlKey = u"sk-temper-url-9d8c7b6a5f4e3d2c1b0a/+="_s;

QList<QByteArray> eventData(const QByteArray& body)
{
    Sse::Decoder decoder;
    QList<QByteArray> data;
    for (const Sse::Event& event : decoder.feed(body))
        data.append(event.data);
    return data;
}

} // namespace

class TestProxyEndToEnd : public QObject
{
    Q_OBJECT

private slots:
    void cleanup();
    void nonStreamingChat();
    void streamingEventsArriveAsProduced();
    void keepAliveAndPipelining();
    void clientDisconnectAbortsUpstream();
    void backendDownIs502();
    void backendTimeoutIs504();
    void backendCutMidStreamEndsWithErrorEvent();
    void contextLengthDiscovery_data();
    void contextLengthDiscovery();
    void modelNamePassesExactly();
    void apiKeyGoesUpstreamButNotIntoTraces();
    void apiKeyInUrlsStaysOutOfTraces_data();
    void apiKeyInUrlsStaysOutOfTraces();
    void clientCredentialsInUrlsAreMasked();
    void clientAuthorizationPassesWithoutOwnKey();
    void thirtyTwoConcurrentStreams();
    void passThroughRoutes();
    void otherPathsStreamIncrementally_data();
    void otherPathsStreamIncrementally();
    void temperEndpoints();
    void corsPreflight();
    void badInputGetsClear4xx_data();
    void badInputGetsClear4xx();
    void slowRequestTimesOut();
    void tricklingClientIsClosedWithinTheRequestTimeout();
    void idleKeepAliveConnectionIsClosed();
    void expectContinueAndChunkedBody();
    void demoTrafficRunsThroughTheFrontDoor();

private:
    void start(const std::function<void(Config::Settings&)>& tweak = {}, const Demo::Options& demo = fastDemo());
    static Demo::Options fastDemo();
    RawResponse roundTrip(const QByteArray& request, RawClient** keep = nullptr);
    const Trace::Exchange* lastExchange() const;
    QByteArray traceFileLine(const QString& path) const;

    std::unique_ptr<Demo::Backend> m_demo;
    std::unique_ptr<Proxy::ProxyService> m_proxy;
    std::unique_ptr<RawClient> m_client;
};

Demo::Options TestProxyEndToEnd::fastDemo()
{
    Demo::Options options;
    options.firstByteDelayMs = 10;
    options.tokenDelayMs = 5;
    return options;
}

void TestProxyEndToEnd::start(const std::function<void(Config::Settings&)>& tweak, const Demo::Options& demo)
{
    m_demo = std::make_unique<Demo::Backend>(demo);
    QVERIFY(m_demo->start());
    Config::Settings settings;
    settings.port = 0;
    settings.backend.url = m_demo->url();
    if (tweak)
        tweak(settings);
    m_proxy = std::make_unique<Proxy::ProxyService>(settings);
    QString error;
    QVERIFY2(m_proxy->start(&error), qPrintable(error));
}

void TestProxyEndToEnd::cleanup()
{
    m_client.reset();
    m_proxy.reset();
    m_demo.reset();
}

RawResponse TestProxyEndToEnd::roundTrip(const QByteArray& request, RawClient** keep)
{
    m_client = std::make_unique<RawClient>(m_proxy->port());
    m_client->send(request);
    const bool answered = QTest::qWaitFor([this] { return RawResponse::parse(m_client->data()).complete || m_client->closed(); }, 10000);
    if (!answered)
        qWarning("no complete response within 10 s; %d bytes so far", int(m_client->data().size()));
    const RawResponse response = RawResponse::parse(m_client->data());
    if (keep)
        *keep = m_client.get();
    return response;
}

const Trace::Exchange* TestProxyEndToEnd::lastExchange() const
{
    const QList<quint64> ids = m_proxy->store()->ids();
    return ids.isEmpty() ? nullptr : m_proxy->store()->find(ids.last());
}

QByteArray TestProxyEndToEnd::traceFileLine(const QString& path) const
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll().trimmed() : QByteArray();
}

void TestProxyEndToEnd::nonStreamingChat()
{
    start();
    const RawResponse response = roundTrip(chatRequest(chatBody(u"text"_s, false)));
    QVERIFY(response.complete);
    QCOMPARE(response.status, 200);
    QVERIFY(!response.header("Content-Length").isEmpty()); // a whole answer, as from the backend
    QCOMPARE(response.header("X-Temper-Outcome"), QByteArray("passthrough"));
    const QJsonObject body = QJsonDocument::fromJson(response.body).object();
    QCOMPARE(body.value("object"_L1).toString(), u"chat.completion"_s);
    QVERIFY(body.value("choices"_L1).toArray().first().toObject().value("message"_L1).toObject().value("content"_L1).toString().startsWith("Hello!"_L1));

    QTRY_VERIFY(lastExchange() && lastExchange()->finished);
    const Trace::Exchange* exchange = lastExchange();
    QCOMPARE(exchange->route, u"chat"_s);
    QCOMPARE(exchange->attempts.size(), 1);
    QCOMPARE(exchange->attempts.first().response.status, 200);
    QCOMPARE(exchange->clientResponse.body, response.body);
    QVERIFY(exchange->usage.completionTokens > 0);
    QCOMPARE(exchange->outcome, Trace::Outcome::Passthrough);
}

void TestProxyEndToEnd::streamingEventsArriveAsProduced()
{
    Demo::Options demo = fastDemo();
    demo.tokenDelayMs = 40;
    start({}, demo);
    RawClient* client = nullptr;
    const RawResponse response = roundTrip(chatRequest(chatBody(u"text"_s, true)), &client);
    QCOMPARE(response.status, 200);
    QCOMPARE(response.header("Content-Type"), QByteArray("text/event-stream"));
    QCOMPARE(response.header("Transfer-Encoding"), QByteArray("chunked"));
    const QList<QByteArray> data = eventData(response.body);
    QVERIFY(data.size() > 15);
    QCOMPARE(data.last(), QByteArray("[DONE]"));

    // The events came one by one, spaced like the backend produced them, not in one burst.
    QList<qint64> eventTimes;
    for (const RawClient::Arrival& arrival : client->arrivals()) {
        if (arrival.bytes.contains("data: "))
            eventTimes.append(arrival.atMs);
    }
    QVERIFY2(eventTimes.size() >= 15, qPrintable(QString::number(eventTimes.size())));
    QList<qint64> gaps;
    for (int i = 1; i < eventTimes.size(); ++i)
        gaps.append(eventTimes.at(i) - eventTimes.at(i - 1));
    std::sort(gaps.begin(), gaps.end());
    const qint64 medianGap = gaps.at(gaps.size() / 2);
    QVERIFY2(medianGap >= 20, qPrintable(u"median gap %1 ms"_s.arg(medianGap)));
    QVERIFY(eventTimes.last() - eventTimes.first() >= 15 * 20);

    QTRY_VERIFY(lastExchange() && lastExchange()->finished);
    const Trace::Exchange* exchange = lastExchange();
    QVERIFY(exchange->streamed);
    QCOMPARE(exchange->attempts.first().response.events.size(), data.size());
    QVERIFY(exchange->firstTokenUs > 0 && exchange->firstTokenUs < exchange->totalUs);
    const QList<Trace::StreamEvent>& events = exchange->clientResponse.events;
    QVERIFY(events.last().atUs - events.first().atUs >= 15 * 20'000); // arrival times are recorded
}

void TestProxyEndToEnd::keepAliveAndPipelining()
{
    start();
    RawClient client(m_proxy->port());
    client.send(chatRequest(chatBody(u"text"_s, false)));
    QTRY_VERIFY(RawResponse::parse(client.data()).complete);
    const RawResponse first = RawResponse::parse(client.data());
    QCOMPARE(first.status, 200);
    QVERIFY(first.header("Connection").isEmpty());

    // The same connection serves the next request.
    client.send("GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n");
    QTRY_VERIFY(RawResponse::parse(client.data(), first.size).complete);
    QCOMPARE(RawResponse::parse(client.data(), first.size).status, 200);
    QVERIFY(!client.closed());

    // Two pipelined requests are answered in order, never interleaved.
    client.clear();
    client.send(chatRequest(chatBody(u"text"_s, true)) + "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    RawResponse streamed;
    QTRY_VERIFY((streamed = RawResponse::parse(client.data())).complete);
    QCOMPARE(streamed.header("Content-Type"), QByteArray("text/event-stream"));
    QTRY_VERIFY(RawResponse::parse(client.data(), streamed.size).complete);
    const RawResponse health = RawResponse::parse(client.data(), streamed.size);
    QCOMPARE(health.status, 200);
    QCOMPARE(health.body, QByteArray(R"({"status":"ok"})"));
}

void TestProxyEndToEnd::clientDisconnectAbortsUpstream()
{
    Demo::Options demo = fastDemo();
    demo.tokenDelayMs = 50;
    start({}, demo);
    RawClient client(m_proxy->port());
    client.send(chatRequest(chatBody(u"text"_s, true)));
    QTRY_VERIFY(client.data().contains("data: "));
    QCOMPARE(m_demo->activeStreams(), 1);
    client.close();
    QTRY_COMPARE(m_demo->streamsAbandoned(), 1); // Temper hung up on the backend too
    QCOMPARE(m_demo->activeStreams(), 0);
    QTRY_VERIFY(lastExchange() && lastExchange()->finished);
    QCOMPARE(lastExchange()->outcome, Trace::Outcome::Error);
    QVERIFY(lastExchange()->error.contains("disconnected"_L1));
}

void TestProxyEndToEnd::backendDownIs502()
{
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const quint16 closedPort = probe.serverPort();
    probe.close();
    start([closedPort](Config::Settings& s) { s.backend.url = QUrl(u"http://127.0.0.1:%1"_s.arg(closedPort)); });
    for (bool stream : { false, true }) {
        const RawResponse response = roundTrip(chatRequest(chatBody(u"text"_s, stream)));
        QCOMPARE(response.status, 502);
        const QJsonObject error = errorOf(response);
        QVERIFY(error.value("message"_L1).toString().contains(u"127.0.0.1:%1"_s.arg(closedPort)));
        QCOMPARE(error.value("type"_L1).toString(), u"backend_error"_s);
        QCOMPARE(error.value("code"_L1).toString(), u"backend_unreachable"_s);
    }
    const RawResponse passthrough = roundTrip("GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(passthrough.status, 502);
    QTRY_VERIFY(lastExchange() && lastExchange()->finished);
    QCOMPARE(lastExchange()->outcome, Trace::Outcome::Error);
}

void TestProxyEndToEnd::backendTimeoutIs504()
{
    start([](Config::Settings& s) { s.backend.timeoutMs = 300; });
    const RawResponse response = roundTrip(chatRequest(chatBody(u"hang"_s, true)));
    QCOMPARE(response.status, 504);
    QCOMPARE(errorOf(response).value("code"_L1).toString(), u"backend_timeout"_s);
}

void TestProxyEndToEnd::backendCutMidStreamEndsWithErrorEvent()
{
    start();
    const RawResponse response = roundTrip(chatRequest(chatBody(u"cut"_s, true)));
    QCOMPARE(response.status, 200);
    const QList<QByteArray> data = eventData(response.body);
    QVERIFY(data.size() >= 3);
    QCOMPARE(data.last(), QByteArray("[DONE]"));
    const QJsonObject error = QJsonDocument::fromJson(data.at(data.size() - 2)).object().value("error"_L1).toObject();
    QVERIFY(!error.value("message"_L1).toString().isEmpty());
    QCOMPARE(error.value("type"_L1).toString(), u"backend_error"_s);
}

void TestProxyEndToEnd::contextLengthDiscovery_data()
{
    QTest::addColumn<int>("props");
    QTest::addColumn<qint64>("context");
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("kind");
    QTest::addRow("props json") << int(Demo::Options::Props::Json) << qint64(8192) << u"/props"_s << u"llama-server"_s;
    QTest::addRow("props 404") << int(Demo::Options::Props::NotFound) << qint64(32768) << u"n_ctx_train"_s << u"openai"_s;
    QTest::addRow("props html") << int(Demo::Options::Props::Html) << qint64(32768) << u"n_ctx_train"_s << u"openai"_s;
    QTest::addRow("props bad json") << int(Demo::Options::Props::BadJson) << qint64(32768) << u"n_ctx_train"_s << u"openai"_s;
}

void TestProxyEndToEnd::contextLengthDiscovery()
{
    QFETCH(int, props);
    QFETCH(qint64, context);
    QFETCH(QString, source);
    QFETCH(QString, kind);
    Demo::Options demo = fastDemo();
    demo.props = Demo::Options::Props(props);
    start({}, demo);
    const RawResponse response = roundTrip("GET /temper/backend?refresh=1 HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(response.status, 200);
    const QJsonObject info = QJsonDocument::fromJson(response.body).object();
    QCOMPARE(info.value("context_length"_L1).toInteger(), context);
    QVERIFY2(info.value("context_length_source"_L1).toString().contains(source), qPrintable(info.value("context_length_source"_L1).toString()));
    QCOMPARE(info.value("kind"_L1).toString(), kind);
    QCOMPARE(info.value("models"_L1).toArray().first().toString(), u"temper-demo-1.0"_s);
    QVERIFY(info.value("reachable"_L1).toBool());
}

void TestProxyEndToEnd::modelNamePassesExactly()
{
    start();
    // No override: the client's model and every other byte reach the backend as sent.
    const QByteArray body = R"({"model": "mimo-v2.5", "temperature": 1.0, "messages": [{"role": "user", "content": "hi"}]})";
    QCOMPARE(roundTrip(chatRequest(body)).status, 200);
    QCOMPARE(m_demo->received().last().body, body);

    // --model overrides the name and nothing else.
    cleanup();
    start([](Config::Settings& s) { s.backend.model = u"mimo-v2.5"_s; });
    const QByteArray other = R"({"model": "gpt-4o", "temperature": 1.0, "messages": [{"role": "user", "content": "hi"}]})";
    const RawResponse response = roundTrip(chatRequest(other));
    QCOMPARE(response.status, 200);
    QCOMPARE(m_demo->received().last().body, QByteArray(R"({"model": "mimo-v2.5", "temperature": 1.0, "messages": [{"role": "user", "content": "hi"}]})"));
    QCOMPARE(QJsonDocument::fromJson(response.body).object().value("model"_L1).toString(), u"mimo-v2.5"_s);

    // --model fills a request that names none.
    roundTrip(chatRequest(R"({"messages": [{"role": "user", "content": "hi"}]})"));
    QCOMPARE(QJsonDocument::fromJson(m_demo->received().last().body).object().value("model"_L1).toString(), u"mimo-v2.5"_s);
}

void TestProxyEndToEnd::apiKeyGoesUpstreamButNotIntoTraces()
{
    const QString key = u"sk-temper-e2e-4f9c2a7d1b8e6f3a0c5d"_s;
    QTemporaryDir dir;
    const QString traceFile = dir.filePath(u"trace.jsonl"_s);
    Demo::Options demo = fastDemo();
    demo.requiredApiKey = key;
    start([key](Config::Settings& s) { s.backend.apiKey = key; }, demo);
    Trace::TraceFileWriter writer(m_proxy->store());
    QVERIFY(writer.open(traceFile));

    const RawResponse response = roundTrip(chatRequest(chatBody(u"text"_s, true), "Authorization: Bearer client-side-key\r\n"));
    QCOMPARE(response.status, 200);
    QCOMPARE(m_demo->received().last().headers.size() > 0, true);
    QCOMPARE(Http::headerValue(m_demo->received().last().headers, "Authorization"), "Bearer " + key.toUtf8());
    QTRY_VERIFY(lastExchange() && lastExchange()->finished);

    QFile file(traceFile);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray written = file.readAll();
    QVERIFY(written.contains("/v1/chat/completions"));
    QVERIFY(!written.contains(key.toUtf8()));
    QVERIFY(!written.contains("client-side-key"));
    const QByteArray json = QJsonDocument(Trace::exchangeToJson(*lastExchange())).toJson();
    QVERIFY(!json.contains(key.toUtf8()));
    QVERIFY(!QJsonDocument(m_proxy->backendInfo().toJson()).toJson().contains(key.toUtf8()));
}

void TestProxyEndToEnd::apiKeyInUrlsStaysOutOfTraces_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QByteArray>("upstreamTarget");
    const QByteArray key = kUrlKey.toUtf8();
    const QByteArray encoded = QUrl::toPercentEncoding(kUrlKey);
    QTest::addRow("pass-through, query") << QByteArray("GET /v1/models?key=" + key + "&x=1 HTTP/1.1\r\nHost: x\r\n\r\n")
                                         << QByteArray("/v1/models?key=" + key + "&x=1");
    QTest::addRow("pass-through, percent-encoded") << QByteArray("GET /v1/models?key=" + encoded + " HTTP/1.1\r\nHost: x\r\n\r\n")
                                                   << QByteArray("/v1/models?key=" + encoded);
    QTest::addRow("pass-through, in the path") << QByteArray("GET /keys/" + key + "/usage HTTP/1.1\r\nHost: x\r\n\r\n")
                                               << QByteArray("/keys/" + key + "/usage");
    QTest::addRow("guarded chat, query") << chatRequest(chatBody(u"native"_s, false, u"temper-demo-1.0"_s, true), {},
                                                        "/v1/chat/completions?api-key=" + key)
                                         << QByteArray("/v1/chat/completions?api-key=" + key);
    QTest::addRow("guarded chat, streamed") << chatRequest(chatBody(u"native"_s, true, u"temper-demo-1.0"_s, true), {},
                                                           "/v1/chat/completions?key=" + key)
                                            << QByteArray("/v1/chat/completions?key=" + key);
    QTest::addRow("plain chat, query") << chatRequest(chatBody(u"text"_s, false), {}, "/chat/completions?key=" + key)
                                       << QByteArray("/v1/chat/completions?key=" + key);
}

void TestProxyEndToEnd::apiKeyInUrlsStaysOutOfTraces()
{
    QFETCH(QByteArray, request);
    QFETCH(QByteArray, upstreamTarget);
    const QByteArray key = kUrlKey.toUtf8();
    QTemporaryDir dir;
    Demo::Options demo = fastDemo();
    demo.requiredApiKey = kUrlKey;
    start([](Config::Settings& s) { s.backend.apiKey = kUrlKey; }, demo);
    Trace::TraceFileWriter writer(m_proxy->store());
    QVERIFY(writer.open(dir.filePath(u"trace.jsonl"_s)));
    const QString summaryPath = dir.filePath(u"summary.txt"_s);
    FILE* summaryFile = std::fopen(QFile::encodeName(summaryPath).constData(), "w");
    QVERIFY(summaryFile);
    auto printer = std::make_unique<Trace::SummaryPrinter>(m_proxy->store(), summaryFile);

    const RawResponse response = roundTrip(request);
    QVERIFY(response.complete);
    QVERIFY2(response.status == 200 || response.status == 404, qPrintable(QString::number(response.status)));
    QCOMPARE(m_demo->received().last().target, upstreamTarget); // the backend gets the URL as sent
    QTRY_VERIFY(lastExchange() && lastExchange()->finished);
    printer.reset();
    std::fclose(summaryFile);

    const Trace::Exchange* exchange = lastExchange();
    const QByteArray encoded = QUrl::toPercentEncoding(kUrlKey);
    const QByteArray tail = key.right(4);
    QVERIFY2(exchange->path.contains(QByteArray("\xE2\x80\xA6" + tail)), exchange->path.constData()); // masked, still recognisable
    QVERIFY(!exchange->attempts.isEmpty());
    QVERIFY(!exchange->attempts.first().request.url.contains(key));
    for (const QByteArray& recorded : { traceFileLine(dir.filePath(u"trace.jsonl"_s)), traceFileLine(summaryPath),
                                        QJsonDocument(Trace::exchangeToJson(*exchange)).toJson() }) {
        QVERIFY(!recorded.isEmpty());
        QVERIFY2(!recorded.contains(key), recorded.constData());
        QVERIFY2(!recorded.contains(encoded), recorded.constData());
    }
    for (const Trace::GuardEvent& event : exchange->events)
        QVERIFY2(!event.summary.contains(kUrlKey), qPrintable(event.summary));
}

void TestProxyEndToEnd::clientCredentialsInUrlsAreMasked()
{
    // Temper has no key of its own: the client's goes upstream untouched, and is masked in the
    // trace as its Authorization header would be.
    start();
    const QByteArray clientKey = "AIzaSyClientSideKey0123456789";
    const RawResponse response = roundTrip("GET /v1/models?access_token=" + clientKey + " HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(response.status, 200);
    QCOMPARE(m_demo->received().last().target, "/v1/models?access_token=" + clientKey);
    QTRY_VERIFY(lastExchange() && lastExchange()->finished);
    const QByteArray json = QJsonDocument(Trace::exchangeToJson(*lastExchange())).toJson();
    QVERIFY(!json.contains(clientKey));
    QVERIFY(lastExchange()->path.startsWith("/v1/models?access_token="));
}

void TestProxyEndToEnd::clientAuthorizationPassesWithoutOwnKey()
{
    Demo::Options demo = fastDemo();
    demo.requiredApiKey = u"client-key-123456"_s;
    start({}, demo);
    QCOMPARE(roundTrip(chatRequest(chatBody(u"text"_s, false), "Authorization: Bearer client-key-123456\r\n")).status, 200);
    QCOMPARE(roundTrip(chatRequest(chatBody(u"text"_s, false))).status, 401); // the backend's answer, passed on
}

void TestProxyEndToEnd::thirtyTwoConcurrentStreams()
{
    Demo::Options demo = fastDemo();
    demo.tokenDelayMs = 30;
    start({}, demo);
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < 32; ++i) {
        clients.push_back(std::make_unique<RawClient>(m_proxy->port()));
        clients.back()->send(chatRequest(chatBody(u"text"_s, true)));
    }
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(clients.begin(), clients.end(), [](const auto& c) { return RawResponse::parse(c->data()).complete; }), 20000);
    for (const auto& client : clients) {
        const RawResponse response = RawResponse::parse(client->data());
        QCOMPARE(response.status, 200);
        QCOMPARE(eventData(response.body).last(), QByteArray("[DONE]"));
    }
    // All 32 streams ran at the backend at the same time: none queued behind the six
    // connections one QNetworkAccessManager allows per host.
    QCOMPARE(m_demo->peakActiveStreams(), 32);
}

void TestProxyEndToEnd::passThroughRoutes()
{
    start();
    const RawResponse page = roundTrip("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(page.status, 200);
    QVERIFY(page.body.contains("Temper demo model"));
    QCOMPARE(page.header("Access-Control-Allow-Origin"), QByteArray("*"));

    const RawResponse head = roundTrip("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(head.status, 200);

    for (const QByteArray path : { "/v1/models", "/props", "/health", "/slots?fail_on_no_slot=1" }) {
        const RawResponse response = roundTrip("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
        QCOMPARE(response.status, 200);
        QVERIFY(QJsonDocument::fromJson(response.body).isObject());
        QCOMPARE(m_demo->received().last().target, path);
    }
    const RawResponse missing = roundTrip("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(missing.status, 404); // the backend's 404, passed on
    QTRY_VERIFY(lastExchange() && lastExchange()->finished);
    QCOMPARE(lastExchange()->route, u"passthrough"_s);
    QCOMPARE(lastExchange()->clientResponse.status, 404);
}

void TestProxyEndToEnd::otherPathsStreamIncrementally_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addRow("GET, server-sent events") << QByteArray("GET") << QByteArray("/events") << QByteArray("text/event-stream");
    QTest::addRow("POST, Ollama NDJSON") << QByteArray("POST") << QByteArray("/api/chat") << QByteArray("application/x-ndjson");
    QTest::addRow("GET, a plain download") << QByteArray("GET") << QByteArray("/download") << QByteArray("application/octet-stream");
}

void TestProxyEndToEnd::otherPathsStreamIncrementally()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, contentType);
    constexpr int kPieces = 8;
    constexpr int kGapMs = 80;
    ScriptedReply reply;
    reply.contentType = contentType;
    reply.gapMs = kGapMs;
    for (int i = 0; i < kPieces; ++i)
        reply.pieces.append(contentType == "text/event-stream" ? QByteArray("data: {\"n\":" + QByteArray::number(i) + "}\n\n")
                                                               : QByteArray("{\"n\":" + QByteArray::number(i) + "}\n"));
    ScriptedBackend backend({ { path, reply } });
    QVERIFY(backend.start());
    start([&backend](Config::Settings& s) { s.backend.url = backend.url(); });

    const QByteArray body = method == "POST" ? QByteArray(R"({"model":"qwen3:8b","stream":true})") : QByteArray();
    RawClient client(m_proxy->port());
    client.send(method + ' ' + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QTRY_VERIFY_WITH_TIMEOUT(RawResponse::parse(client.data()).complete, 5000);
    const RawResponse response = RawResponse::parse(client.data());
    QCOMPARE(response.status, 200);
    QCOMPARE(response.header("Content-Type"), contentType);
    QCOMPARE(response.body, reply.pieces.join());
    QCOMPARE(backend.received().last().body, body);

    // Each piece reached the client when the backend sent it, not all at the end.
    QList<qint64> pieceTimes;
    for (const RawClient::Arrival& arrival : client.arrivals()) {
        if (arrival.bytes.contains("\"n\":"))
            pieceTimes.append(arrival.atMs);
    }
    QVERIFY2(pieceTimes.size() >= kPieces - 1, qPrintable(QString::number(pieceTimes.size())));
    QList<qint64> gaps;
    for (int i = 1; i < pieceTimes.size(); ++i)
        gaps.append(pieceTimes.at(i) - pieceTimes.at(i - 1));
    std::sort(gaps.begin(), gaps.end());
    QVERIFY2(gaps.at(gaps.size() / 2) >= kGapMs / 2, qPrintable(u"median gap %1 ms"_s.arg(gaps.at(gaps.size() / 2))));
    QVERIFY(pieceTimes.last() - pieceTimes.first() >= (kPieces - 2) * kGapMs / 2);
    QTRY_VERIFY(lastExchange() && lastExchange()->finished);
    QCOMPARE(lastExchange()->route, u"passthrough"_s);
    QCOMPARE(lastExchange()->clientResponse.body, response.body);
}

void TestProxyEndToEnd::temperEndpoints()
{
    start([](Config::Settings& s) { s.backend.apiKey = u"sk-should-not-show-123456"_s; });
    const RawResponse health = roundTrip("GET /temper/health HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(health.status, 200);
    QCOMPARE(QJsonDocument::fromJson(health.body).object().value("status"_L1).toString(), u"ok"_s);
    const RawResponse backend = roundTrip("GET /temper/backend HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(backend.status, 200);
    const QJsonObject info = QJsonDocument::fromJson(backend.body).object();
    QCOMPARE(info.value("url"_L1).toString(), m_demo->url().toString());
    QVERIFY(info.contains("context_length"_L1) && info.contains("kind"_L1) && info.contains("models"_L1));
    QVERIFY(!backend.body.contains("sk-should-not-show"));
    QCOMPARE(roundTrip("GET /temper/nothing HTTP/1.1\r\nHost: x\r\n\r\n").status, 404);
    QCOMPARE(m_proxy->store()->size(), 0); // Temper's own endpoints are not traced
}

void TestProxyEndToEnd::corsPreflight()
{
    start();
    const RawResponse response = roundTrip("OPTIONS /v1/chat/completions HTTP/1.1\r\nHost: x\r\nOrigin: http://localhost:5173\r\n"
                                           "Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type, authorization\r\n\r\n");
    QCOMPARE(response.status, 204);
    QCOMPARE(response.header("Access-Control-Allow-Origin"), QByteArray("*"));
    QVERIFY(response.header("Access-Control-Allow-Methods").contains("POST"));
    QCOMPARE(response.header("Access-Control-Allow-Headers"), QByteArray("content-type, authorization"));
    // Temper answers the preflight itself; the backend never sees it.
    for (const Demo::ReceivedRequest& received : m_demo->received())
        QVERIFY(received.method != "OPTIONS");
}

void TestProxyEndToEnd::badInputGetsClear4xx_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("mentions");
    QTest::addColumn<QByteArray>("method"); // what the trace records of the refused request
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QString>("route");
    QTest::addColumn<QByteArray>("recordedBytes"); // the start of what the trace shows as its body
    QTest::addRow("not json") << chatRequest("{not json") << 400 << u"not valid JSON"_s
                              << QByteArray("POST") << QByteArray("/v1/chat/completions") << u"chat"_s << QByteArray("{not json");
    QTest::addRow("json array") << chatRequest("[1,2]") << 400 << u"JSON object"_s
                                << QByteArray("POST") << QByteArray("/v1/chat/completions") << u"chat"_s << QByteArray("[1,2]");
    QTest::addRow("no messages") << chatRequest(R"({"model":"x"})", {}, "/chat/completions") << 400 << u"messages"_s
                                 << QByteArray("POST") << QByteArray("/chat/completions") << u"chat"_s << QByteArray(R"({"model":"x"})");
    QTest::addRow("body too large") << chatRequest(QByteArray(5000, ' ')) << 413 << u"larger than"_s
                                    << QByteArray("POST") << QByteArray("/v1/chat/completions") << u"chat"_s << QByteArray();
    QTest::addRow("chunked body too large")
        << QByteArray("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\n" + QByteArray(4096, 'z') + "\r\n10\r\n")
        << 413 << u"larger than"_s << QByteArray("POST") << QByteArray("/upload") << u"passthrough"_s << QByteArray();
    QTest::addRow("head too large") << QByteArray("GET /big HTTP/1.1\r\nHost: x\r\nX-Big: " + QByteArray(40000, 'a') + "\r\n\r\n") << 431 << u"head"_s
                                    << QByteArray() << QByteArray() << u"passthrough"_s << QByteArray("GET /big HTTP/1.1\r\nHost: x\r\nX-Big: aaaa");
    QTest::addRow("smuggling") << QByteArray("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
                               << 400 << u"ambiguous"_s << QByteArray("POST") << QByteArray("/v1/chat/completions") << u"chat"_s << QByteArray();
    QTest::addRow("bare LF") << QByteArray("GET /v1/models HTTP/1.1\nHost: x\n\n") << 400 << u"CRLF"_s
                             << QByteArray() << QByteArray() << u"passthrough"_s << QByteArray("GET /v1/models HTTP/1.1\nHost: x\n");
    QTest::addRow("unknown method") << QByteArray("BREW / HTTP/1.1\r\nHost: x\r\n\r\n") << 501 << u"BREW"_s
                                    << QByteArray() << QByteArray() << u"passthrough"_s << QByteArray("BREW / HTTP/1.1\r\n");
    QTest::addRow("tls to plain port") << QByteArray("\x16\x03\x01\x00\xa5\x01\x00\x00", 8) << 400 << u"not an HTTP"_s
                                       << QByteArray() << QByteArray() << u"passthrough"_s << QByteArray("\x16\x03\x01\x00\xa5", 5);
}

void TestProxyEndToEnd::badInputGetsClear4xx()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QString, mentions);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(QString, route);
    QFETCH(QByteArray, recordedBytes);
    start([](Config::Settings& s) { s.maxBodyBytes = 4096; });
    QTemporaryDir dir;
    Trace::TraceFileWriter writer(m_proxy->store());
    QVERIFY(writer.open(dir.filePath(u"trace.jsonl"_s)));
    const RawResponse response = roundTrip(request);
    QCOMPARE(response.status, status);
    const QString message = errorOf(response).value("message"_L1).toString();
    QVERIFY2(message.contains(mentions), qPrintable(message));
    // Browser clients can read the refusal.
    QCOMPARE(response.header("Access-Control-Allow-Origin"), QByteArray("*"));
    QCOMPARE(response.header("X-Temper-Outcome"), QByteArray("error"));

    // The refusal is an exchange like any other, in the store and in the trace file.
    QTRY_COMPARE(m_proxy->store()->size(), 1);
    const Trace::Exchange* exchange = lastExchange();
    QVERIFY(exchange->finished);
    QCOMPARE(exchange->method, method);
    QCOMPARE(exchange->path, path);
    QCOMPARE(exchange->route, route);
    QCOMPARE(exchange->outcome, Trace::Outcome::Error);
    QCOMPARE(exchange->clientResponse.status, status);
    QCOMPARE(exchange->clientResponse.body, response.body);
    QVERIFY(exchange->error.contains(mentions));
    QVERIFY(exchange->attempts.isEmpty()); // the backend never saw it
    QVERIFY2(exchange->clientRequest.body.startsWith(recordedBytes), exchange->clientRequest.body.left(80).constData());
    if (!method.isEmpty())
        QVERIFY(std::any_of(exchange->clientRequest.headers.cbegin(), exchange->clientRequest.headers.cend(),
                            [](const auto& header) { return header.first == "Host"; }));
    if (status == 400 && route == u"chat"_s && method == "POST" && !recordedBytes.isEmpty())
        QCOMPARE(response.header("X-Temper-Exchange"), QByteArray::number(exchange->id));
    const QJsonObject line = QJsonDocument::fromJson(traceFileLine(dir.filePath(u"trace.jsonl"_s))).object();
    QCOMPARE(line.value("outcome"_L1).toString(), u"error"_s);
    QCOMPARE(line.value("client_response"_L1).toObject().value("status"_L1).toInt(), status);

    // The process is still serving.
    QCOMPARE(roundTrip("GET /temper/health HTTP/1.1\r\nHost: x\r\n\r\n").status, 200);
}

void TestProxyEndToEnd::slowRequestTimesOut()
{
    start([](Config::Settings& s) { s.requestTimeoutMs = 300; });
    RawClient client(m_proxy->port());
    client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"partial\":");
    QTRY_VERIFY_WITH_TIMEOUT(client.closed(), 5000);
    const RawResponse response = RawResponse::parse(client.data());
    QCOMPARE(response.status, 408);
    QCOMPARE(response.header("Access-Control-Allow-Origin"), QByteArray("*"));
    QTRY_VERIFY(lastExchange() && lastExchange()->finished);
    QCOMPARE(lastExchange()->path, QByteArray("/v1/chat/completions"));
    QCOMPARE(lastExchange()->clientResponse.status, 408);
    QCOMPARE(lastExchange()->outcome, Trace::Outcome::Error);
}

void TestProxyEndToEnd::tricklingClientIsClosedWithinTheRequestTimeout()
{
    // One byte of the head every 200 ms: each arrives well within the timeout, the whole head
    // never does. The timeout counts from the first byte, so the connection is closed on time.
    constexpr int kTimeoutMs = 700;
    start([](Config::Settings& s) { s.requestTimeoutMs = kTimeoutMs; });
    RawClient client(m_proxy->port());
    QVERIFY(client.waitConnected());
    const QByteArray head = "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow-loris\r\n\r\n";
    qsizetype sent = 0;
    QTimer trickle;
    connect(&trickle, &QTimer::timeout, this, [&] {
        if (!client.closed() && sent < head.size())
            client.send(head.mid(sent++, 1));
    });
    QElapsedTimer clock;
    client.send(head.mid(sent++, 1));
    clock.start();
    trickle.start(200);
    QTRY_VERIFY_WITH_TIMEOUT(client.closed(), 4000);
    const qint64 closedAfter = clock.elapsed();
    trickle.stop();
    QVERIFY2(sent >= 3 && sent < head.size(), qPrintable(QString::number(sent)));
    QVERIFY2(closedAfter >= kTimeoutMs - 50 && closedAfter < kTimeoutMs + 400, qPrintable(QString::number(closedAfter)));
    QCOMPARE(RawResponse::parse(client.data()).status, 408);
    // The trace shows what had arrived.
    QTRY_VERIFY(lastExchange() && lastExchange()->finished);
    QCOMPARE(lastExchange()->clientResponse.status, 408);
    QVERIFY2(lastExchange()->clientRequest.body.startsWith("GET "), lastExchange()->clientRequest.body.constData());
    QVERIFY(lastExchange()->attempts.isEmpty());
}

void TestProxyEndToEnd::idleKeepAliveConnectionIsClosed()
{
    constexpr int kIdleMs = 500;
    start([](Config::Settings& s) { s.idleTimeoutMs = kIdleMs; });
    RawClient client(m_proxy->port());
    client.send("GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n");
    QTRY_VERIFY(RawResponse::parse(client.data()).complete);
    QElapsedTimer clock;
    clock.start();
    QVERIFY(RawResponse::parse(client.data()).header("Connection").isEmpty()); // kept alive
    QTest::qWait(kIdleMs / 2);
    QVERIFY(!client.closed());
    QTRY_VERIFY_WITH_TIMEOUT(client.closed(), 3000);
    QVERIFY2(clock.elapsed() >= kIdleMs - 50 && clock.elapsed() < kIdleMs + 500, qPrintable(QString::number(clock.elapsed())));

    // A connection that never sends a byte is idle too.
    RawClient silent(m_proxy->port());
    QVERIFY(silent.waitConnected());
    clock.restart();
    QTRY_VERIFY_WITH_TIMEOUT(silent.closed(), 3000);
    QVERIFY2(clock.elapsed() >= kIdleMs - 50, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(silent.data(), QByteArray()); // closed without an answer: there was no request
    QCOMPARE(m_proxy->store()->size(), 1); // and no exchange for it
}

void TestProxyEndToEnd::expectContinueAndChunkedBody()
{
    start();
    const QByteArray body = chatBody(u"text"_s, false);
    RawClient client(m_proxy->port());
    client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: "
                + QByteArray::number(body.size()) + "\r\n\r\n");
    QTRY_VERIFY(client.data().startsWith("HTTP/1.1 100 Continue\r\n\r\n"));
    client.clear();
    client.send(body);
    QTRY_VERIFY(RawResponse::parse(client.data()).complete);
    QCOMPARE(RawResponse::parse(client.data()).status, 200);

    QByteArray chunked = "POST /chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (qsizetype i = 0; i < body.size(); i += 50) {
        const QByteArray piece = body.mid(i, 50);
        chunked += QByteArray::number(piece.size(), 16) + "\r\n" + piece + "\r\n";
    }
    chunked += "0\r\n\r\n";
    const RawResponse response = roundTrip(chunked);
    QCOMPARE(response.status, 200);
    QCOMPARE(m_demo->received().last().body, body);
}

void TestProxyEndToEnd::demoTrafficRunsThroughTheFrontDoor()
{
    start();
    Demo::Traffic traffic(m_proxy->listenUrl());
    QSignalSpy done(&traffic, &Demo::Traffic::finished);
    traffic.start(20);
    QVERIFY(done.wait(20000));
    QTRY_COMPARE(m_proxy->store()->runningCount(), 0);
    QCOMPARE(m_proxy->store()->size(), 11);
    int chats = 0;
    for (quint64 id : m_proxy->store()->ids()) {
        const Trace::Exchange* exchange = m_proxy->store()->find(id);
        QVERIFY(exchange->clientResponse.status == 200);
        chats += exchange->route == u"chat"_s;
    }
    QCOMPARE(chats, 10);
}

QTEST_GUILESS_MAIN(TestProxyEndToEnd)
#include "tst_proxy_e2e.moc"
