// Request bodies streamed through Temper on 127.0.0.1: a raw client, the proxy, and a raw TCP
// backend that shows exactly which bytes reached it and when. Every forwarded route other than
// chat completions passes its body on as it arrives, slows a fast client down when the backend
// reads slowly, and stops the upstream request when the body breaks off.
#include "proxy/proxyservice.h"
#include "scriptedbackend.h"
#include "testsupport.h"
#include "trace/tracestore.h"

#include <QTcpServer>
#include <QtTest>

#include <memory>
#include <utility>

using namespace Qt::StringLiterals;

namespace {

// A backend that only records: every byte of the request under test as it reached the
// backend, whether that connection was closed, and an answer sent when the test says so.
// Discovery's GET requests (Temper asks for /props and /v1/models at start) get a 404 and a
// closed connection; the first connection that starts with anything else is the one watched.
// Reading it can be held back, to play a backend that takes a body slowly.
class RawBackend : public QObject
{
public:
    RawBackend()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                socket->setReadBufferSize(64 * 1024);
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { read(socket); });
                connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
                    if (socket == m_watched)
                        m_closed = true;
                });
            }
        });
    }

    bool start() { return m_server.listen(QHostAddress::LocalHost); }
    QUrl url() const { return QUrl(u"http://127.0.0.1:%1"_s.arg(m_server.serverPort())); }

    const QByteArray& received() const { return m_received; }
    QByteArray head() const
    {
        const qsizetype end = m_received.indexOf("\r\n\r\n");
        return end < 0 ? QByteArray() : m_received.left(end + 4);
    }
    qint64 bodyBytes() const
    {
        const qsizetype end = m_received.indexOf("\r\n\r\n");
        return end < 0 ? 0 : m_received.size() - end - 4;
    }
    QByteArray body() const { return m_received.mid(head().size()); }
    bool closed() const { return m_closed; }

    void setReading(bool reading)
    {
        m_reading = reading;
        if (reading && m_watched)
            read(m_watched);
    }
    void answer(const QByteArray& body)
    {
        m_watched->write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + QByteArray::number(body.size())
                         + "\r\n\r\n" + body);
    }

private:
    void read(QTcpSocket* socket)
    {
        if (socket == m_watched) {
            if (m_reading)
                m_received += socket->readAll();
            return;
        }
        QByteArray& seen = m_unwatched[socket];
        seen += socket->readAll();
        if (seen.size() < 4)
            return;
        if (!seen.startsWith("GET ") && !m_watched) {
            m_watched = socket;
            m_received = std::exchange(seen, QByteArray());
            m_unwatched.remove(socket);
            return;
        }
        if (seen.contains("\r\n\r\n") && seen.startsWith("GET ")) {
            socket->write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            socket->disconnectFromHost();
        }
    }

    QTcpServer m_server;
    QPointer<QTcpSocket> m_watched;
    QHash<QTcpSocket*, QByteArray> m_unwatched;
    QByteArray m_received;
    bool m_reading = true;
    bool m_closed = false;
};

QByteArray uploadHead(qint64 length, const QByteArray& path = "/upload")
{
    return "PUT " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nContent-Length: "
        + QByteArray::number(length) + "\r\n\r\n";
}

QByteArray chunk(const QByteArray& data)
{
    return QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n";
}

// A body that is not one byte repeated, so that a lost or reordered piece shows.
QByteArray patternedBody(qsizetype size)
{
    QByteArray body(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        body[i] = char('a' + (i * 7 + i / 4096) % 26);
    return body;
}

} // namespace

class TestUploadEndToEnd : public QObject
{
    Q_OBJECT

private slots:
    void cleanup();
    void bodyReachesTheBackendBeforeItEnds();
    void chunkedBodyIsForwardedWhole();
    void backendReadingSlowlySlowsTheClient();
    void clientLeavingMidBodyAbortsUpstream();
    void bodyTooSlowIs408AndAbortsUpstream();
    void brokenChunkFramingIs400AndAbortsUpstream();
    void streamedBodyThenPipelinedRequest();
    void chatBodiesAreStillReadWhole();

private:
    void start(const QUrl& backend, const std::function<void(Config::Settings&)>& tweak = {});
    const Trace::Exchange* lastExchange() const;

    std::unique_ptr<Proxy::ProxyService> m_proxy;
};

void TestUploadEndToEnd::start(const QUrl& backend, const std::function<void(Config::Settings&)>& tweak)
{
    Config::Settings settings;
    settings.port = 0;
    settings.backend.url = backend;
    settings.backend.kind = Backend::Kind::LlamaServer; // discovery then only GETs /props and /v1/models
    if (tweak)
        tweak(settings);
    m_proxy = std::make_unique<Proxy::ProxyService>(settings);
    QString error;
    QVERIFY2(m_proxy->start(&error), qPrintable(error));
}

void TestUploadEndToEnd::cleanup()
{
    m_proxy.reset();
}

const Trace::Exchange* TestUploadEndToEnd::lastExchange() const
{
    // The newest exchange that is not discovery's own: those are not traced.
    const QList<quint64> ids = m_proxy->store()->ids();
    return ids.isEmpty() ? nullptr : m_proxy->store()->find(ids.last());
}

void TestUploadEndToEnd::bodyReachesTheBackendBeforeItEnds()
{
    RawBackend backend;
    QVERIFY(backend.start());
    start(backend.url());
    const QByteArray body = patternedBody(2'000'000);
    const qsizetype half = body.size() / 2;

    RawClient client(m_proxy->port());
    client.send(uploadHead(body.size()) + body.left(half));
    // The first half is at the backend while the client still holds the second.
    QTRY_VERIFY_WITH_TIMEOUT(backend.bodyBytes() >= half, 10000);
    QCOMPARE(backend.bodyBytes(), half);
    const QByteArray head = backend.head();
    QVERIFY2(head.startsWith("PUT /upload HTTP/1.1\r\n"), head.constData());
    QVERIFY(head.contains("Content-Length: 2000000\r\n") || head.contains("content-length: 2000000\r\n"));
    QVERIFY(!head.contains("chunked"));
    QVERIFY(!RawResponse::parse(client.data()).complete);

    client.send(body.mid(half));
    QTRY_COMPARE_WITH_TIMEOUT(backend.bodyBytes(), qint64(body.size()), 10000);
    QVERIFY(backend.body() == body);
    backend.answer("stored");
    QTRY_VERIFY(RawResponse::parse(client.data()).complete);
    const RawResponse response = RawResponse::parse(client.data());
    QCOMPARE(response.status, 200);
    QCOMPARE(response.body, QByteArray("stored"));

    QTRY_VERIFY(lastExchange() && lastExchange()->finished);
    const Trace::Exchange* exchange = lastExchange();
    QCOMPARE(exchange->outcome, Trace::Outcome::Passthrough);
    QVERIFY(exchange->clientRequest.body == body); // the trace keeps what was forwarded
    QVERIFY(exchange->attempts.first().request.body == body);
}

void TestUploadEndToEnd::chunkedBodyIsForwardedWhole()
{
    // Qt cannot send a chunked upload, so a chunked client body goes on with its decoded length
    // once it is complete.
    RawBackend backend;
    QVERIFY(backend.start());
    start(backend.url());
    RawClient client(m_proxy->port());
    client.send("POST /slots/0?action=save HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk("{\"filename\":")
                + chunk("\"slot.bin\"}"));
    QTest::qWait(50);
    client.send("0\r\n\r\n");
    QTRY_VERIFY2_WITH_TIMEOUT(backend.bodyBytes() == 23, backend.received().constData(), 10000);
    QCOMPARE(backend.body(), QByteArray("{\"filename\":\"slot.bin\"}"));
    QVERIFY2(backend.head().startsWith("POST /slots/0?action=save HTTP/1.1\r\n"), backend.head().constData());
    QVERIFY(backend.head().toLower().contains("content-length: 23\r\n"));
    backend.answer("{}");
    QTRY_COMPARE(RawResponse::parse(client.data()).status, 200);
}

void TestUploadEndToEnd::backendReadingSlowlySlowsTheClient()
{
    // Far more than the kernel's socket buffers can hold on the way (a few tens of MB): if
    // Temper read the whole body while the backend takes none, the client would have sent it all.
    constexpr qint64 kBody = 160LL * 1024 * 1024;
    RawBackend backend;
    QVERIFY(backend.start());
    backend.setReading(false);
    start(backend.url(), [](Config::Settings& s) { s.maxBodyBytes = 256LL * 1024 * 1024; });

    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, m_proxy->port());
    QVERIFY(client.waitForConnected(5000));
    const QByteArray body = patternedBody(kBody);
    client.write(uploadHead(kBody));
    client.write(body);

    // Wait until the client can send no more (bounded: at most 20 s).
    qint64 left = client.bytesToWrite();
    for (int still = 0, rounds = 0; still < 5 && rounds < 200; ++rounds) {
        QTest::qWait(100);
        const qint64 now = client.bytesToWrite();
        still = now == left ? still + 1 : 0;
        left = now;
    }
    qInfo("backend not reading: %lld of %lld bytes still waiting at the client", left, kBody);
    QVERIFY2(left > kBody / 2, qPrintable(u"only %1 of %2 bytes were still waiting at the client"_s.arg(left).arg(kBody)));

    // The backend reads again: everything arrives, in order, and the client finishes sending.
    backend.setReading(true);
    QTRY_COMPARE_WITH_TIMEOUT(backend.bodyBytes(), kBody, 60000);
    QVERIFY(backend.body() == body);
    QCOMPARE(client.bytesToWrite(), 0);
    backend.answer("ok");
    QTRY_VERIFY(client.bytesAvailable() > 0 || client.waitForReadyRead(100));
    QVERIFY(client.readAll().startsWith("HTTP/1.1 200 OK\r\n"));
}

void TestUploadEndToEnd::clientLeavingMidBodyAbortsUpstream()
{
    RawBackend backend;
    QVERIFY(backend.start());
    start(backend.url());
    RawClient client(m_proxy->port());
    client.send(uploadHead(100'000) + QByteArray(40'000, 'x'));
    QTRY_COMPARE_WITH_TIMEOUT(backend.bodyBytes(), 40'000, 10000);
    client.close();
    QTRY_VERIFY(backend.closed()); // the backend does not wait for a body that will never end
    QTRY_VERIFY(lastExchange() && lastExchange()->finished);
    QCOMPARE(lastExchange()->outcome, Trace::Outcome::Error);
    QVERIFY(lastExchange()->error.contains("disconnected"_L1));
    QCOMPARE(lastExchange()->clientRequest.body.size(), 40'000); // what did arrive is kept
}

void TestUploadEndToEnd::bodyTooSlowIs408AndAbortsUpstream()
{
    RawBackend backend;
    QVERIFY(backend.start());
    start(backend.url(), [](Config::Settings& s) { s.requestTimeoutMs = 400; });
    RawClient client(m_proxy->port());
    client.send(uploadHead(1000) + QByteArray(10, 'x'));
    QTRY_VERIFY_WITH_TIMEOUT(RawResponse::parse(client.data()).complete, 5000);
    QCOMPARE(RawResponse::parse(client.data()).status, 408);
    QTRY_VERIFY(client.closed());
    QTRY_VERIFY(backend.closed());
    QTRY_VERIFY(lastExchange() && lastExchange()->finished);
    QCOMPARE(lastExchange()->outcome, Trace::Outcome::Error);
    QCOMPARE(lastExchange()->clientResponse.status, 408);
    QVERIFY(lastExchange()->error.contains("did not arrive in time"_L1));
}

void TestUploadEndToEnd::brokenChunkFramingIs400AndAbortsUpstream()
{
    RawBackend backend;
    QVERIFY(backend.start());
    start(backend.url());
    RawClient client(m_proxy->port());
    client.send("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk("abc"));
    QTRY_VERIFY_WITH_TIMEOUT(lastExchange() != nullptr, 5000);
    client.send("zz\r\n");
    QTRY_VERIFY_WITH_TIMEOUT(RawResponse::parse(client.data()).complete, 5000);
    const RawResponse response = RawResponse::parse(client.data());
    QCOMPARE(response.status, 400);
    QVERIFY(response.body.contains("chunk"));
    QTRY_VERIFY(lastExchange()->finished);
    QCOMPARE(lastExchange()->outcome, Trace::Outcome::Error);
    QCOMPARE(lastExchange()->clientResponse.status, 400);
    QCOMPARE(lastExchange()->clientRequest.body, QByteArray("abc"));
    // Qt collects a chunked body before sending it, so nothing of the broken one was sent.
    QVERIFY(backend.received().isEmpty());
}

void TestUploadEndToEnd::streamedBodyThenPipelinedRequest()
{
    ScriptedBackend backend({ { "/upload", ScriptedReply::json("{\"stored\":true}") },
                              { "/health", ScriptedReply::json("{\"status\":\"ok\"}") } });
    QVERIFY(backend.start());
    start(backend.url());
    const QByteArray body = patternedBody(300'000);
    RawClient client(m_proxy->port());
    client.send(uploadHead(body.size()) + body + "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QTRY_VERIFY_WITH_TIMEOUT(RawResponse::parse(client.data()).complete
                                 && RawResponse::parse(client.data(), RawResponse::parse(client.data()).size).complete,
                             10000);
    const RawResponse first = RawResponse::parse(client.data());
    const RawResponse second = RawResponse::parse(client.data(), first.size);
    QCOMPARE(first.body, QByteArray("{\"stored\":true}"));
    QCOMPARE(second.body, QByteArray("{\"status\":\"ok\"}"));
    QVERIFY(!client.closed());
    const auto upload = std::find_if(backend.received().begin(), backend.received().end(),
                                     [](const Http::Request& r) { return r.path == "/upload"; });
    QVERIFY(upload != backend.received().end());
    QVERIFY(upload->body == body);
}

void TestUploadEndToEnd::chatBodiesAreStillReadWhole()
{
    // The guard needs the JSON of a chat request, so its body is collected before anything is
    // sent: the backend sees nothing of a half-sent chat request.
    RawBackend backend;
    QVERIFY(backend.start());
    start(backend.url());
    const QByteArray body = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";
    RawClient client(m_proxy->port());
    client.send(chatRequest(body).chopped(10));
    QTest::qWait(200);
    QCOMPARE(backend.received().size(), 0);
    client.send(body.right(10));
    QTRY_COMPARE_WITH_TIMEOUT(backend.bodyBytes(), qint64(body.size()), 5000);
    QVERIFY(backend.body() == body);
}

QTEST_GUILESS_MAIN(TestUploadEndToEnd)
#include "tst_upload_e2e.moc"
