// The HTTP/1.1 request parser: what it accepts, what it rejects and with which status, and
// that feeding the same bytes in any split gives the same result.
#include "http/requestparser.h"

#include <QtTest>

using namespace Http;

namespace {

struct Outcome
{
    RequestParser::Status status;
    int errorStatus = 0;
    QList<Request> requests;
};

// Feeds `input` in pieces cut at `cuts` (offsets) and collects every complete request.
Outcome feed(const QByteArray& input, const QList<qsizetype>& cuts, const Limits& limits = {})
{
    RequestParser parser(limits);
    Outcome outcome { RequestParser::Status::Incomplete, 0, {} };
    qsizetype start = 0;
    QList<qsizetype> ends = cuts;
    ends.append(input.size());
    for (qsizetype end : ends) {
        parser.append(QByteArrayView(input).sliced(start, end - start));
        start = end;
        while (true) {
            outcome.status = parser.parse();
            if (outcome.status == RequestParser::Status::Complete) {
                outcome.requests.append(parser.takeRequest());
                continue;
            }
            break;
        }
        if (outcome.status == RequestParser::Status::Error) {
            outcome.errorStatus = parser.errorStatus();
            return outcome;
        }
    }
    return outcome;
}

// What a connection that streams bodies sees: the head as soon as it is parsed, then the body
// in pieces; for every request in `input`.
struct StreamedOutcome
{
    RequestParser::Status status = RequestParser::Status::Incomplete;
    int errorStatus = 0;
    QList<QByteArray> targets;  // in the order the heads came
    QList<QByteArray> bodies;   // the pieces of each body joined
    QList<bool> streamed;       // the head came before the end of the body, which was streamed
    QList<bool> collectedEmpty; // the completed request carried no body of its own
};

StreamedOutcome feedStreaming(const QByteArray& input, const QList<qsizetype>& cuts, const Limits& limits = {})
{
    RequestParser parser(limits);
    StreamedOutcome outcome;
    qsizetype start = 0;
    QList<qsizetype> ends = cuts;
    ends.append(input.size());
    bool streaming = false;
    for (qsizetype end : ends) {
        parser.append(QByteArrayView(input).sliced(start, end - start));
        start = end;
        while (true) {
            outcome.status = parser.parse();
            if (outcome.status == RequestParser::Status::Error) {
                outcome.errorStatus = parser.errorStatus();
                if (streaming) // what was decoded before the error is still handed out
                    outcome.bodies.last().append(parser.takeBodyBytes());
                return outcome;
            }
            if (outcome.status == RequestParser::Status::Incomplete && parser.bodyInProgress() && !streaming) {
                parser.streamBody();
                streaming = true;
                outcome.targets.append(parser.partialRequest().target);
                outcome.bodies.append(QByteArray());
            }
            if (streaming)
                outcome.bodies.last().append(parser.takeBodyBytes());
            if (outcome.status != RequestParser::Status::Complete)
                break;
            const Request request = parser.takeRequest();
            if (!streaming) { // the whole request was already in: it comes complete with its body
                outcome.targets.append(request.target);
                outcome.bodies.append(request.body);
            }
            outcome.streamed.append(streaming);
            outcome.collectedEmpty.append(request.body.isEmpty());
            streaming = false;
        }
    }
    return outcome;
}

const QByteArray kGet = "GET /v1/models?x=1 HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n";
const QByteArray kPost = "POST /v1/chat/completions HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
                         "Content-Length: 13\r\n\r\n{\"a\":\"b c\"}\r\n";
const QByteArray kChunked = "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer-One: x\r\n\r\n";

} // namespace

class TestRequestParser : public QObject
{
    Q_OBJECT

private slots:
    void parsesValidRequests_data();
    void parsesValidRequests();
    void everySplitGivesTheSameRequests_data();
    void everySplitGivesTheSameRequests();
    void rejects_data();
    void rejects();
    void rejectsEarlyFromTheHeadAlone();
    void oversizeHeadIsDetectedWithoutTheEnd();
    void expectContinue();
    void keepAliveRules();
    void failedParserStaysFailed();
    void refusedRequestKeepsWhatArrived_data();
    void refusedRequestKeepsWhatArrived();
    void unparsedHeadWhileArriving();
    void streamedBodyMatchesCollectedBody_data();
    void streamedBodyMatchesCollectedBody();
    void streamedBodyKeepsTheLimits();
    void streamedBodyDoesNotPileUp();
};

void TestRequestParser::parsesValidRequests_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QByteArray>("body");

    QTest::addRow("get with query") << kGet << QByteArray("GET") << QByteArray("/v1/models") << QByteArray("x=1") << QByteArray();
    QTest::addRow("post with length") << kPost << QByteArray("POST") << QByteArray("/v1/chat/completions") << QByteArray()
                                      << QByteArray("{\"a\":\"b c\"}\r\n");
    QTest::addRow("chunked with extension and trailer") << kChunked << QByteArray("POST") << QByteArray("/x") << QByteArray()
                                                        << QByteArray("hello, world");
    QTest::addRow("leading empty line tolerated") << "\r\n" + kGet << QByteArray("GET") << QByteArray("/v1/models")
                                                  << QByteArray("x=1") << QByteArray();
    QTest::addRow("http/1.0 without host") << QByteArray("GET / HTTP/1.0\r\n\r\n") << QByteArray("GET") << QByteArray("/")
                                           << QByteArray() << QByteArray();
    QTest::addRow("options asterisk") << QByteArray("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n") << QByteArray("OPTIONS")
                                      << QByteArray("*") << QByteArray() << QByteArray();
    QTest::addRow("zero length body") << QByteArray("POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n")
                                      << QByteArray("POST") << QByteArray("/a") << QByteArray() << QByteArray();
    QTest::addRow("same content-length twice") << QByteArray("POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok")
                                               << QByteArray("POST") << QByteArray("/a") << QByteArray() << QByteArray("ok");
    QTest::addRow("tab in header value") << QByteArray("GET /t HTTP/1.1\r\nHost: h\r\nX-A: a\tb\r\n\r\n")
                                         << QByteArray("GET") << QByteArray("/t") << QByteArray() << QByteArray();
    QTest::addRow("chunk size in upper case hex") << QByteArray("POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n")
                                                  << QByteArray("POST") << QByteArray("/c") << QByteArray() << QByteArray("0123456789");
}

void TestRequestParser::parsesValidRequests()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, query);
    QFETCH(QByteArray, body);
    const Outcome outcome = feed(input, {});
    QCOMPARE(outcome.requests.size(), 1);
    const Request& request = outcome.requests.first();
    QCOMPARE(request.method, method);
    QCOMPARE(request.path, path);
    QCOMPARE(request.query, query);
    QCOMPARE(request.body, body);
}

void TestRequestParser::everySplitGivesTheSameRequests_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("requests");
    QTest::addRow("get") << kGet << 1;
    QTest::addRow("post") << kPost << 1;
    QTest::addRow("chunked") << kChunked << 1;
    QTest::addRow("pipelined three") << kGet + kChunked + kGet << 3;
    // Found by the fuzzer: a CR at the end of one read, its LF in the next.
    QTest::addRow("stray empty line after a request") << kGet + "\r\n" << 1;
    QTest::addRow("empty line between requests") << kGet + "\r\n" + kGet << 2;
    // Also found by the fuzzer: an over-long chunk line, refused in pieces and whole alike.
    QTest::addRow("chunk extension too long") << QByteArray("POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0;"
                                                            + QByteArray(1100, 'e') + "\r\n\r\n") << 0;
}

void TestRequestParser::everySplitGivesTheSameRequests()
{
    QFETCH(QByteArray, input);
    QFETCH(int, requests);
    const QByteArray& normalised = input;
    const Outcome whole = feed(normalised, {});
    QCOMPARE(whole.requests.size(), requests);

    // Byte by byte.
    QList<qsizetype> everyByte;
    for (qsizetype i = 1; i < normalised.size(); ++i)
        everyByte.append(i);
    const Outcome bytewise = feed(normalised, everyByte);
    QCOMPARE(bytewise.requests.size(), requests);
    QCOMPARE(bytewise.status, whole.status);

    // Two pieces, cut at every position.
    for (qsizetype cut = 1; cut < normalised.size(); ++cut) {
        const Outcome split = feed(normalised, { cut });
        QCOMPARE(split.requests.size(), requests);
        QCOMPARE(split.status, whole.status);
        for (int i = 0; i < requests; ++i) {
            QCOMPARE(split.requests.at(i).body, whole.requests.at(i).body);
            QCOMPARE(split.requests.at(i).target, whole.requests.at(i).target);
            QCOMPARE(split.requests.at(i).headers.size(), whole.requests.at(i).headers.size());
        }
    }
}

void TestRequestParser::streamedBodyMatchesCollectedBody_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addRow("length") << kPost;
    QTest::addRow("chunked") << kChunked;
    QTest::addRow("length, then pipelined get") << kPost + kGet;
    QTest::addRow("chunked, then length, then get") << kChunked + kPost + kGet;
    QTest::addRow("no body") << kGet;
}

// Streaming changes only who holds the body: the same bytes come out, in any split, and the
// requests that follow are parsed as before.
void TestRequestParser::streamedBodyMatchesCollectedBody()
{
    QFETCH(QByteArray, input);
    const Outcome collected = feed(input, {});
    QVERIFY(!collected.requests.isEmpty());

    QList<QList<qsizetype>> splits { QList<qsizetype>() };
    QList<qsizetype> everyByte;
    for (qsizetype i = 1; i < input.size(); ++i) {
        everyByte.append(i);
        splits.append(QList<qsizetype> { i });
    }
    splits.append(everyByte);
    for (const QList<qsizetype>& cuts : std::as_const(splits)) {
        const StreamedOutcome streamed = feedStreaming(input, cuts);
        QCOMPARE(streamed.status, collected.status);
        QCOMPARE(streamed.targets.size(), collected.requests.size());
        QCOMPARE(streamed.collectedEmpty.size(), collected.requests.size());
        for (int i = 0; i < collected.requests.size(); ++i) {
            QCOMPARE(streamed.targets.at(i), collected.requests.at(i).target);
            QCOMPARE(streamed.bodies.at(i), collected.requests.at(i).body);
            if (streamed.streamed.at(i))
                QVERIFY(streamed.collectedEmpty.at(i));
            // Fed a byte at a time, every body is streamed.
            if (cuts.size() > 1)
                QCOMPARE(streamed.streamed.at(i), !collected.requests.at(i).body.isEmpty());
        }
    }
}

void TestRequestParser::streamedBodyKeepsTheLimits()
{
    Limits limits;
    limits.maxBodyBytes = 8;
    // A chunked body is only known to be too large once its chunks say so, mid-stream.
    const QByteArray chunked = "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n";
    const qsizetype headEnd = chunked.indexOf("\r\n\r\n") + 4;
    StreamedOutcome outcome = feedStreaming(chunked, { headEnd }, limits);
    QCOMPARE(outcome.status, RequestParser::Status::Error);
    QCOMPARE(outcome.errorStatus, 413);
    QCOMPARE(outcome.bodies, QList<QByteArray> { "hello" });
    // Broken framing in the middle of a streamed body.
    outcome = feedStreaming("POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", { headEnd });
    QCOMPARE(outcome.status, RequestParser::Status::Error);
    QCOMPARE(outcome.errorStatus, 400);
    QCOMPARE(outcome.bodies, QList<QByteArray> { "abc" });
}

void TestRequestParser::streamedBodyDoesNotPileUp()
{
    RequestParser parser;
    parser.append("PUT /blob HTTP/1.1\r\nHost: h\r\nContent-Length: 3000000\r\n\r\n");
    QCOMPARE(parser.parse(), RequestParser::Status::Incomplete);
    QVERIFY(parser.bodyInProgress());
    parser.streamBody();
    const QByteArray piece(100'000, 'x');
    qint64 taken = 0;
    for (int i = 0; i < 30; ++i) {
        parser.append(piece);
        const RequestParser::Status status = parser.parse();
        taken += parser.takeBodyBytes().size();
        QCOMPARE(parser.bufferedBytes(), 0);
        QCOMPARE(status, i == 29 ? RequestParser::Status::Complete : RequestParser::Status::Incomplete);
    }
    QCOMPARE(taken, 3'000'000);
    QVERIFY(parser.takeRequest().body.isEmpty());
}

void TestRequestParser::rejects_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("status");

    // Smuggling and ambiguous framing.
    QTest::addRow("content-length with transfer-encoding")
        << QByteArray("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") << 400;
    QTest::addRow("transfer-encoding with content-length")
        << QByteArray("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n") << 400;
    QTest::addRow("differing content-lengths") << QByteArray("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcd") << 400;
    QTest::addRow("content-length list") << QByteArray("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4, 4\r\n\r\nabcd") << 400;
    QTest::addRow("negative content-length") << QByteArray("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n") << 400;
    QTest::addRow("non-numeric content-length") << QByteArray("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n") << 400;
    QTest::addRow("content-length overflow") << QByteArray("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n") << 413;
    QTest::addRow("gzip transfer coding") << QByteArray("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n") << 501;
    QTest::addRow("chunked not last") << QByteArray("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n") << 501;
    QTest::addRow("transfer-encoding in 1.0") << QByteArray("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") << 400;
    QTest::addRow("space before colon") << QByteArray("GET / HTTP/1.1\r\nHost: h\r\nContent-Length : 0\r\n\r\n") << 400;
    QTest::addRow("obs-fold") << QByteArray("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\r\n b\r\n\r\n") << 400;
    QTest::addRow("bare LF") << QByteArray("GET / HTTP/1.1\nHost: h\n\n") << 400;
    QTest::addRow("no host in 1.1") << QByteArray("GET / HTTP/1.1\r\nAccept: x\r\n\r\n") << 400;
    QTest::addRow("two hosts") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") << 400;
    QTest::addRow("control character in value") << QByteArray("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x01" "b\r\n\r\n") << 400;
    // Request line.
    QTest::addRow("unknown method") << QByteArray("BREW / HTTP/1.1\r\nHost: h\r\n\r\n") << 501;
    QTest::addRow("connect") << QByteArray("CONNECT h:443 HTTP/1.1\r\nHost: h\r\n\r\n") << 501;
    QTest::addRow("lowercase method") << QByteArray("get / HTTP/1.1\r\nHost: h\r\n\r\n") << 501;
    QTest::addRow("method with space") << QByteArray("G ET / HTTP/1.1\r\nHost: h\r\n\r\n") << 400;
    QTest::addRow("http/2 preface") << QByteArray("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") << 505;
    QTest::addRow("http/1.2") << QByteArray("GET / HTTP/1.2\r\nHost: h\r\n\r\n") << 505;
    QTest::addRow("tls client hello") << QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) << 400;
    QTest::addRow("binary in request line") << QByteArray("GET /\x01 HTTP/1.1\r\nHost: h\r\n\r\n") << 400;
    QTest::addRow("absolute-form target") << QByteArray("GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n") << 400;
    QTest::addRow("asterisk for get") << QByteArray("GET * HTTP/1.1\r\nHost: h\r\n\r\n") << 400;
    QTest::addRow("missing version") << QByteArray("GET /\r\nHost: h\r\n\r\n") << 400;
    // Chunked bodies.
    QTest::addRow("bad chunk size") << QByteArray("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n") << 400;
    QTest::addRow("chunk without CRLF") << QByteArray("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXX0\r\n\r\n") << 400;
    QTest::addRow("huge chunk size") << QByteArray("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n") << 413;
    QTest::addRow("expectation other than continue") << QByteArray("POST / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\nx") << 417;
}

void TestRequestParser::rejects()
{
    QFETCH(QByteArray, input);
    QFETCH(int, status);
    const Outcome outcome = feed(input, {});
    QCOMPARE(outcome.status, RequestParser::Status::Error);
    QCOMPARE(outcome.errorStatus, status);
    QVERIFY(outcome.requests.isEmpty());
}

void TestRequestParser::rejectsEarlyFromTheHeadAlone()
{
    // The body limit is checked from Content-Length before any body byte arrives.
    Limits limits;
    limits.maxBodyBytes = 1000;
    RequestParser parser(limits);
    parser.append("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1001\r\n\r\n");
    QCOMPARE(parser.parse(), RequestParser::Status::Error);
    QCOMPARE(parser.errorStatus(), 413);

    // A chunked body is counted as it arrives.
    RequestParser chunked(limits);
    chunked.append("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n");
    QCOMPARE(chunked.parse(), RequestParser::Status::Incomplete);
    chunked.append(QByteArray(QByteArray(1000, 'x') + "\r\n1\r\n"));
    QCOMPARE(chunked.parse(), RequestParser::Status::Error);
    QCOMPARE(chunked.errorStatus(), 413);
}

void TestRequestParser::oversizeHeadIsDetectedWithoutTheEnd()
{
    Limits limits; // 32 KiB of head
    RequestParser parser(limits);
    parser.append("GET / HTTP/1.1\r\nHost: h\r\nX-Big: ");
    QCOMPARE(parser.parse(), RequestParser::Status::Incomplete);
    parser.append(QByteArray(40 * 1024, 'a'));
    QCOMPARE(parser.parse(), RequestParser::Status::Error);
    QCOMPARE(parser.errorStatus(), 431);

    RequestParser counted(Limits { 32 * 1024, 5, 1024 });
    QByteArray many = "GET / HTTP/1.1\r\nHost: h\r\n";
    for (int i = 0; i < 6; ++i)
        many += "X-" + QByteArray::number(i) + ": v\r\n";
    many += "\r\n";
    counted.append(many);
    QCOMPARE(counted.parse(), RequestParser::Status::Error);
    QCOMPARE(counted.errorStatus(), 431);
}

void TestRequestParser::expectContinue()
{
    RequestParser parser;
    parser.append("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    QCOMPARE(parser.parse(), RequestParser::Status::Incomplete);
    QVERIFY(parser.awaitingContinue());
    parser.append("hello");
    QCOMPARE(parser.parse(), RequestParser::Status::Complete);
    QVERIFY(!parser.awaitingContinue());
    QCOMPARE(parser.takeRequest().body, QByteArray("hello"));
}

void TestRequestParser::keepAliveRules()
{
    auto request = [](const QByteArray& input) { return feed(input, {}).requests.value(0); };
    QVERIFY(request("GET / HTTP/1.1\r\nHost: h\r\n\r\n").keepAlive());
    QVERIFY(!request("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n").keepAlive());
    QVERIFY(!request("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, Close\r\n\r\n").keepAlive());
    QVERIFY(!request("GET / HTTP/1.0\r\n\r\n").keepAlive());
    QVERIFY(request("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").keepAlive());
}

void TestRequestParser::failedParserStaysFailed()
{
    RequestParser parser;
    parser.append("BREW / HTTP/1.1\r\nHost: h\r\n\r\n");
    QCOMPARE(parser.parse(), RequestParser::Status::Error);
    parser.append(kGet);
    QCOMPARE(parser.parse(), RequestParser::Status::Error);
    QVERIFY(!parser.errorMessage().isEmpty());
}

void TestRequestParser::refusedRequestKeepsWhatArrived_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<int>("headers");
    QTest::addColumn<QByteArray>("unparsedHead");

    // Refused after the head was read: everything of it is known, no raw bytes are needed.
    QTest::addRow("body too large") << QByteArray("POST /v1/x?a=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 2000\r\n\r\nabc") << 413
                                    << QByteArray("POST") << QByteArray("/v1/x?a=1") << 2 << QByteArray();
    QTest::addRow("smuggling") << QByteArray("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n")
                               << 400 << QByteArray("POST") << QByteArray("/") << 3 << QByteArray();
    QTest::addRow("chunked body too large") << QByteArray("POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n" + QByteArray(1000, 'x') + "\r\n1\r\n")
                                            << 413 << QByteArray("POST") << QByteArray("/c") << 2 << QByteArray();
    // Refused while reading the head: the raw bytes say what the client sent.
    QTest::addRow("unknown method") << QByteArray("BREW /pot HTTP/1.1\r\nHost: h\r\n\r\n") << 501 << QByteArray() << QByteArray() << 0
                                    << QByteArray("BREW /pot HTTP/1.1\r\nHost: h\r\n\r\n");
    QTest::addRow("folded header") << QByteArray("GET /f HTTP/1.1\r\nHost: h\r\nX-A: a\r\n b\r\n\r\n") << 400
                                   << QByteArray("GET") << QByteArray("/f") << 2 << QByteArray("GET /f HTTP/1.1\r\nHost: h\r\nX-A: a\r\n b\r\n\r\n");
    QTest::addRow("bare LF after empty lines") << QByteArray("\r\nGET / HTTP/1.1\nHost: h\n\n") << 400 << QByteArray() << QByteArray() << 0
                                               << QByteArray("GET / HTTP/1.1\nHost: h\n\n");
    const QByteArray huge = "GET / HTTP/1.1\r\nX: " + QByteArray(5000, 'a');
    QTest::addRow("head too large, kept in part") << huge << 431 << QByteArray() << QByteArray() << 0 << huge;
}

void TestRequestParser::refusedRequestKeepsWhatArrived()
{
    QFETCH(QByteArray, input);
    QFETCH(int, status);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, target);
    QFETCH(int, headers);
    QFETCH(QByteArray, unparsedHead);
    Limits limits;
    limits.maxBodyBytes = 1000;
    limits.maxHeaderBytes = 1024;
    RequestParser parser(limits);
    parser.append(input);
    QCOMPARE(parser.parse(), RequestParser::Status::Error);
    QCOMPARE(parser.errorStatus(), status);
    QCOMPARE(parser.partialRequest().method, method);
    QCOMPARE(parser.partialRequest().target, target);
    QCOMPARE(parser.partialRequest().headers.size(), headers);
    QCOMPARE(parser.unparsedHead(), unparsedHead.left(RequestParser::kKeptHeadBytes));
}

void TestRequestParser::unparsedHeadWhileArriving()
{
    // What a connection that times out records: the head so far, not the previous request.
    RequestParser parser;
    parser.append(QByteArray(kGet + "POST /v1/chat/completions HTTP/1.1\r\nHo"));
    QCOMPARE(parser.parse(), RequestParser::Status::Complete);
    QVERIFY(parser.unparsedHead().isEmpty()); // the head is parsed
    parser.takeRequest();
    QCOMPARE(parser.parse(), RequestParser::Status::Incomplete);
    QCOMPARE(parser.unparsedHead(), QByteArray("POST /v1/chat/completions HTTP/1.1\r\nHo"));
    parser.append("st: h\r\nContent-Length: 5\r\n\r\nab");
    QCOMPARE(parser.parse(), RequestParser::Status::Incomplete);
    QVERIFY(parser.unparsedHead().isEmpty()); // the body is arriving; the head is known
    QCOMPARE(parser.partialRequest().path, QByteArray("/v1/chat/completions"));
}

QTEST_APPLESS_MAIN(TestRequestParser)
#include "tst_requestparser.moc"
