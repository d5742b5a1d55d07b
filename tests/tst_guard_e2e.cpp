// The guard end to end: the proxy with the demo model behind it, every outcome, streamed and not.
#include "demo/demobackend.h"
#include "demo/demotraffic.h"
#include "proxy/jsonedit.h"
#include "proxy/proxyservice.h"
#include "sse/sse.h"
#include "testsupport.h"
#include "trace/tracestore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

#include <functional>
#include <memory>

using namespace Qt::StringLiterals;

namespace {

QByteArray toolRequest(const QString& scenario, bool stream, const std::function<void(QJsonObject&)>& tweak = {})
{
    QJsonObject body = Demo::Traffic::exampleRequest(scenario, stream);
    body.insert(u"tools"_s, Demo::Traffic::exampleTools());
    if (tweak)
        tweak(body);
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

// A streamed answer read back the way SDKs accumulate it.
struct Accumulated
{
    QString content;
    QString reasoning;
    QJsonArray calls; // [{id, name, arguments}]
    QString finishReason;
    QJsonObject usage;
    QList<QByteArray> comments;
    bool done = false;
    int roles = 0;
};

Accumulated accumulate(const QByteArray& body)
{
    Accumulated result;
    QList<QJsonObject> calls;
    for (const QByteArray& line : body.split('\n')) {
        if (line.startsWith(":"))
            result.comments.append(line);
    }
    Sse::Decoder decoder;
    for (const Sse::Event& event : decoder.feed(body)) {
        if (event.data == "[DONE]") {
            result.done = true;
            continue;
        }
        const QJsonObject chunk = QJsonDocument::fromJson(event.data).object();
        if (chunk.value("usage"_L1).isObject())
            result.usage = chunk.value("usage"_L1).toObject();
        const QJsonObject choice = chunk.value("choices"_L1).toArray().first().toObject();
        const QJsonObject delta = choice.value("delta"_L1).toObject();
        result.roles += delta.contains("role"_L1) ? 1 : 0;
        result.content += delta.value("content"_L1).toString();
        result.reasoning += delta.value("reasoning_content"_L1).toString();
        for (const QJsonValue& value : delta.value("tool_calls"_L1).toArray()) {
            const QJsonObject part = value.toObject();
            const int index = part.value("index"_L1).toInt();
            while (calls.size() <= index)
                calls.append(QJsonObject { { u"id"_s, u""_s }, { u"name"_s, u""_s }, { u"arguments"_s, u""_s } });
            QJsonObject& call = calls[index];
            if (part.contains("id"_L1))
                call.insert(u"id"_s, part.value("id"_L1));
            const QJsonObject function = part.value("function"_L1).toObject();
            call.insert(u"name"_s, QString(call.value("name"_L1).toString() + function.value("name"_L1).toString()));
            call.insert(u"arguments"_s, QString(call.value("arguments"_L1).toString() + function.value("arguments"_L1).toString()));
        }
        if (choice.value("finish_reason"_L1).isString())
            result.finishReason = choice.value("finish_reason"_L1).toString();
    }
    for (const QJsonObject& call : calls)
        result.calls.append(call);
    return result;
}

QJsonObject messageOf(const RawResponse& response)
{
    return QJsonDocument::fromJson(response.body).object().value("choices"_L1).toArray().first().toObject().value("message"_L1).toObject();
}

QJsonObject argumentsOf(const QJsonValue& arguments)
{
    return QJsonDocument::fromJson(arguments.toString().toUtf8()).object();
}

const QJsonObject kWeatherArguments { { u"city"_s, u"Paris"_s }, { u"days"_s, 3 } };

} // namespace

class TestGuardEndToEnd : public QObject
{
    Q_OBJECT

private slots:
    void cleanup();
    void outcomes_data();
    void outcomes();
    void retryUsesTheCanonicalChannel();
    void retriedUsageIsSummed();
    void givesUpWithTheLastAttempt();
    void givesUpWithAnErrorWhenAsked();
    void requiredToolChoiceRetriesText();
    void proseCostsOneCall();
    void streamedProseArrivesAsProduced();
    void streamedRescueSendsProseFirst();
    void dataFenceIsReleasedWhenItCloses();
    void retryKeepsTheStreamAlive();
    void switchesTurnTheGuardOff();
    void wholeAnswerFromAStreamingBackend();
    void streamFromAJsonBackend_data();
    void streamFromAJsonBackend();
    void failedRetryGivesUpWithThePreviousAttempt_data();
    void failedRetryGivesUpWithThePreviousAttempt();
    void errorInsideAStreamBecomesAnError();
    void keepAliveBeforeTheFirstByte();
    void retryNeverRepeatsReasoning();
    void clientDisconnectAbortsTheUpstream();
    void lengthFinishReasonIsKept();
    void severalStreamedCallsKeepTheirIndices();

private:
    void start(const std::function<void(Config::Settings&)>& tweak = {}, int tokenDelayMs = 3);
    RawResponse roundTrip(const QByteArray& request);
    const Trace::Exchange* lastExchange() const;
    QList<Demo::ReceivedRequest> chatRequestsSeen() const;

    std::unique_ptr<Demo::Backend> m_demo;
    std::unique_ptr<Proxy::ProxyService> m_proxy;
    std::unique_ptr<RawClient> m_client;
};

void TestGuardEndToEnd::start(const std::function<void(Config::Settings&)>& tweak, int tokenDelayMs)
{
    Demo::Options options;
    options.firstByteDelayMs = 5;
    options.tokenDelayMs = tokenDelayMs;
    m_demo = std::make_unique<Demo::Backend>(options);
    QVERIFY(m_demo->start());
    Config::Settings settings;
    settings.port = 0;
    settings.backend.url = m_demo->url();
    if (tweak)
        tweak(settings);
    m_proxy = std::make_unique<Proxy::ProxyService>(settings);
    QVERIFY(m_proxy->start());
}

void TestGuardEndToEnd::cleanup()
{
    m_client.reset();
    m_proxy.reset();
    m_demo.reset();
}

RawResponse TestGuardEndToEnd::roundTrip(const QByteArray& request)
{
    m_client = std::make_unique<RawClient>(m_proxy->port());
    m_client->send(request);
    const bool answered = QTest::qWaitFor([this] { return RawResponse::parse(m_client->data()).complete || m_client->closed(); }, 15000);
    if (!answered)
        qWarning("no complete response within 15 s");
    return RawResponse::parse(m_client->data());
}

const Trace::Exchange* TestGuardEndToEnd::lastExchange() const
{
    const QList<quint64> ids = m_proxy->store()->ids();
    return ids.isEmpty() ? nullptr : m_proxy->store()->find(ids.last());
}

QList<Demo::ReceivedRequest> TestGuardEndToEnd::chatRequestsSeen() const
{
    QList<Demo::ReceivedRequest> chats;
    for (const Demo::ReceivedRequest& request : m_demo->received()) {
        if (request.target.endsWith("/chat/completions"))
            chats.append(request);
    }
    return chats;
}

void TestGuardEndToEnd::outcomes_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<QString>("outcome");
    QTest::addColumn<int>("attempts");
    QTest::addColumn<QString>("content"); // the prose the client gets besides the call

    QTest::addRow("native") << u"native"_s << u"passed"_s << 1 << QString();
    QTest::addRow("hermes in text") << u"hermes"_s << u"rescued"_s << 1 << u"Let me look that up."_s;
    QTest::addRow("mistral in text") << u"mistral"_s << u"rescued"_s << 1 << QString();
    QTest::addRow("fenced json") << u"fenced"_s << u"rescued"_s << 1 << u"I will call the tool:"_s;
    QTest::addRow("qwen xml") << u"qwen-xml"_s << u"rescued"_s << 1 << QString();
    QTest::addRow("integer as 3.0") << u"float"_s << u"repaired"_s << 1 << QString();
    QTest::addRow("unknown tool") << u"unknown-tool"_s << u"retried"_s << 2 << QString();
    QTest::addRow("bad arguments") << u"bad-args"_s << u"retried"_s << 2 << QString();
    QTest::addRow("llama.cpp parser error 500") << u"llama500"_s << u"rescued"_s << 1 << QString();
}

void TestGuardEndToEnd::outcomes()
{
    QFETCH(QString, scenario);
    QFETCH(QString, outcome);
    QFETCH(int, attempts);
    QFETCH(QString, content);
    start();
    for (bool stream : { false, true }) {
        const RawResponse response = roundTrip(chatRequest(toolRequest(scenario, stream)));
        QCOMPARE(response.status, 200);
        QJsonArray calls;
        QString gotContent;
        QString finish;
        if (stream) {
            const Accumulated streamed = accumulate(response.body);
            QVERIFY(streamed.done);
            QCOMPARE(streamed.roles, 1);
            calls = streamed.calls;
            gotContent = streamed.content;
            finish = streamed.finishReason;
            QCOMPARE(Http::headerValue(response.trailers, "X-Temper-Outcome"), outcome.toLatin1());
            QVERIFY(streamed.comments.contains(": temper outcome=" + outcome.toLatin1()));
        } else {
            QCOMPARE(response.header("X-Temper-Outcome"), outcome.toLatin1());
            const QJsonObject message = messageOf(response);
            calls = message.value("tool_calls"_L1).toArray();
            gotContent = message.value("content"_L1).toString();
            finish = QJsonDocument::fromJson(response.body).object().value("choices"_L1).toArray().first().toObject().value("finish_reason"_L1).toString();
        }
        QCOMPARE(calls.size(), 1);
        const QJsonObject call = calls.first().toObject();
        const QJsonObject function = call.contains("function"_L1) ? call.value("function"_L1).toObject() : call;
        QCOMPARE(function.value("name"_L1).toString(), u"get_weather"_s);
        QCOMPARE(argumentsOf(function.value("arguments"_L1)), kWeatherArguments);
        QVERIFY(!function.value("arguments"_L1).toString().contains(u"3.0"_s)); // an integer, as declared
        QVERIFY(!call.value("id"_L1).toString().isEmpty());
        QCOMPARE(finish, u"tool_calls"_s);
        QCOMPARE(gotContent.trimmed(), content);

        QTRY_VERIFY(lastExchange() && lastExchange()->finished);
        const Trace::Exchange* exchange = lastExchange();
        QCOMPARE(Trace::outcomeName(exchange->outcome), outcome);
        QCOMPARE(exchange->attempts.size(), attempts);
        QCOMPARE(exchange->attempts.last().guard.value("decision"_L1).toObject().value("verdict"_L1).toString(), u"accept"_s);
        QStringList kinds;
        for (const Trace::GuardEvent& event : exchange->events)
            kinds.append(event.kind);
        if (outcome == u"rescued"_s) {
            QVERIFY(kinds.contains(u"rescue"_s));
            QVERIFY(!exchange->attempts.first().guard.value("rescue"_L1).toObject().value("format"_L1).toString().isEmpty());
        }
        if (outcome == u"repaired"_s)
            QVERIFY(kinds.contains(u"repair"_s));
        if (outcome == u"retried"_s)
            QVERIFY(kinds.contains(u"validation"_s) && kinds.contains(u"correction"_s) && kinds.contains(u"retry"_s));
    }
}

void TestGuardEndToEnd::retryUsesTheCanonicalChannel()
{
    start();
    const QByteArray clientBody = toolRequest(u"unknown-tool"_s, false);
    roundTrip(chatRequest(clientBody));
    const QList<Demo::ReceivedRequest> chats = chatRequestsSeen();
    QCOMPARE(chats.size(), 2);
    QCOMPARE(chats.at(0).body, clientBody); // the first attempt is the client's request, byte for byte
    // The retry is the client's request with two turns appended, everything else untouched.
    const QJsonObject retried = QJsonDocument::fromJson(chats.at(1).body).object();
    const QJsonObject original = QJsonDocument::fromJson(clientBody).object();
    QCOMPARE(retried.value("tools"_L1), original.value("tools"_L1));
    const QJsonArray messages = retried.value("messages"_L1).toArray();
    QCOMPARE(messages.size(), original.value("messages"_L1).toArray().size() + 2);
    const QJsonObject assistant = messages.at(messages.size() - 2).toObject();
    QCOMPARE(assistant.value("role"_L1).toString(), u"assistant"_s);
    const QJsonObject failedCall = assistant.value("tool_calls"_L1).toArray().first().toObject();
    QCOMPARE(failedCall.value("function"_L1).toObject().value("name"_L1).toString(), u"get_weather_v2"_s);
    const QJsonObject correction = messages.last().toObject();
    QCOMPARE(correction.value("role"_L1).toString(), u"tool"_s);
    QCOMPARE(correction.value("tool_call_id"_L1).toString(), failedCall.value("id"_L1).toString());
    const QString words = correction.value("content"_L1).toString();
    QVERIFY2(words.contains(u"get_weather_v2"_s) && words.contains(u"get_weather"_s) && words.contains(u"search_docs"_s), qPrintable(words));
    QVERIFY(chats.at(1).body.startsWith(clientBody.left(clientBody.indexOf("\"messages\""))));
}

void TestGuardEndToEnd::retriedUsageIsSummed()
{
    start();
    const RawResponse response = roundTrip(chatRequest(toolRequest(u"bad-args"_s, false)));
    const QJsonObject usage = QJsonDocument::fromJson(response.body).object().value("usage"_L1).toObject();
    QTRY_VERIFY(lastExchange() && lastExchange()->finished);
    const Trace::Exchange* exchange = lastExchange();
    QCOMPARE(exchange->attempts.size(), 2);
    const qint64 first = exchange->attempts.at(0).usage.completionTokens;
    const qint64 second = exchange->attempts.at(1).usage.completionTokens;
    QVERIFY(first > 0 && second > 0);
    QCOMPARE(usage.value("completion_tokens"_L1).toInteger(), first + second);
    QCOMPARE(usage.value("prompt_tokens"_L1).toInteger(), exchange->attempts.at(0).usage.promptTokens + exchange->attempts.at(1).usage.promptTokens);
}

void TestGuardEndToEnd::givesUpWithTheLastAttempt()
{
    start([](Config::Settings& s) { s.guard.maxRetries = 2; });
    const RawResponse response = roundTrip(chatRequest(toolRequest(u"stubborn"_s, false)));
    QCOMPARE(response.status, 200);
    QCOMPARE(response.header("X-Temper-Outcome"), QByteArray("gave-up"));
    // The last attempt as the backend returned it: the unknown tool, untouched.
    QCOMPARE(messageOf(response).value("tool_calls"_L1).toArray().first().toObject().value("function"_L1).toObject().value("name"_L1).toString(), u"get_weather_v2"_s);
    QCOMPARE(chatRequestsSeen().size(), 3);
    QTRY_VERIFY(lastExchange() && lastExchange()->finished);
    const Trace::Exchange* exchange = lastExchange();
    QCOMPARE(exchange->outcome, Trace::Outcome::GaveUp);
    // Usage is the sum over the three attempts; the rest is the last attempt's own bytes.
    const QJsonObject usage = QJsonDocument::fromJson(response.body).object().value("usage"_L1).toObject();
    qint64 prompt = 0;
    qint64 completion = 0;
    for (const Trace::Attempt& attempt : exchange->attempts) {
        QVERIFY(attempt.usage.promptTokens > 0 && attempt.usage.completionTokens > 0);
        prompt += attempt.usage.promptTokens;
        completion += attempt.usage.completionTokens;
    }
    QCOMPARE(usage.value("prompt_tokens"_L1).toInteger(), prompt);
    QCOMPARE(usage.value("completion_tokens"_L1).toInteger(), completion);
    QCOMPARE(usage.value("total_tokens"_L1).toInteger(), prompt + completion);
    const QByteArray lastBody = exchange->attempts.last().response.body;
    const auto sentChoices = JsonEdit::findTopLevelMember(response.body, "choices");
    const auto backendChoices = JsonEdit::findTopLevelMember(lastBody, "choices");
    QVERIFY(sentChoices && backendChoices);
    QCOMPARE(response.body.mid(sentChoices->keyStart, sentChoices->valueEnd - sentChoices->keyStart),
             lastBody.mid(backendChoices->keyStart, backendChoices->valueEnd - backendChoices->keyStart));
    QCOMPARE(response.body.left(sentChoices->keyStart), lastBody.left(backendChoices->keyStart));

    const RawResponse streamed = roundTrip(chatRequest(toolRequest(u"stubborn"_s, true)));
    const Accumulated result = accumulate(streamed.body);
    QVERIFY(result.done);
    QCOMPARE(result.calls.first().toObject().value("name"_L1).toString(), u"get_weather_v2"_s);
    QCOMPARE(Http::headerValue(streamed.trailers, "X-Temper-Outcome"), QByteArray("gave-up"));
    QTRY_VERIFY(lastExchange() && lastExchange()->finished);
    QCOMPARE(result.usage.value("completion_tokens"_L1).toInteger(), lastExchange()->usage.completionTokens);
    QCOMPARE(result.usage.value("prompt_tokens"_L1).toInteger(), lastExchange()->usage.promptTokens);
}

void TestGuardEndToEnd::givesUpWithAnErrorWhenAsked()
{
    start([](Config::Settings& s) {
        s.guard.maxRetries = 1;
        s.guard.onExhausted = Config::OnExhausted::Error;
    });
    const RawResponse response = roundTrip(chatRequest(toolRequest(u"stubborn"_s, false)));
    QCOMPARE(response.status, 502);
    const QJsonObject error = QJsonDocument::fromJson(response.body).object().value("error"_L1).toObject();
    QCOMPARE(error.value("code"_L1).toString(), u"retries_exhausted"_s);
    QVERIFY(error.value("message"_L1).toString().contains(u"2 attempts"_s));

    const RawResponse streamed = roundTrip(chatRequest(toolRequest(u"stubborn"_s, true)));
    QCOMPARE(streamed.status, 200);
    QVERIFY(streamed.body.contains("retries_exhausted"));
    QVERIFY(streamed.body.endsWith("data: [DONE]\n\n"));

    // A retry the backend failed counts as an attempt sent.
    const RawResponse failed = roundTrip(chatRequest(toolRequest(u"fails-on-retry"_s, false)));
    QCOMPARE(failed.status, 502);
    const QString message = QJsonDocument::fromJson(failed.body).object().value("error"_L1).toObject().value("message"_L1).toString();
    QVERIFY2(message.startsWith(u"Temper gave up after 2 attempts"_s), qPrintable(message));
}

void TestGuardEndToEnd::requiredToolChoiceRetriesText()
{
    start();
    const RawResponse response = roundTrip(chatRequest(toolRequest(u"text"_s, false, [](QJsonObject& body) {
        body.insert(u"tool_choice"_s, u"required"_s);
    })));
    QCOMPARE(response.header("X-Temper-Outcome"), QByteArray("retried"));
    QCOMPARE(messageOf(response).value("tool_calls"_L1).toArray().size(), 1);
    const QList<Demo::ReceivedRequest> chats = chatRequestsSeen();
    QCOMPARE(chats.size(), 2);
    const QJsonArray messages = QJsonDocument::fromJson(chats.last().body).object().value("messages"_L1).toArray();
    QCOMPARE(messages.last().toObject().value("role"_L1).toString(), u"user"_s); // a text failure gets a user message
}

void TestGuardEndToEnd::proseCostsOneCall()
{
    start();
    for (bool stream : { false, true }) {
        const RawResponse response = roundTrip(chatRequest(toolRequest(u"text"_s, stream)));
        QCOMPARE(response.status, 200);
        QTRY_VERIFY(lastExchange() && lastExchange()->finished);
        QCOMPARE(lastExchange()->attempts.size(), 1);
        QCOMPARE(lastExchange()->outcome, Trace::Outcome::Passed);
        const QString content = stream ? accumulate(response.body).content : messageOf(response).value("content"_L1).toString();
        QVERIFY(content.startsWith(u"Hello! I am Temper's demo model"_s));
    }
    QCOMPARE(chatRequestsSeen().size(), 2);
}

void TestGuardEndToEnd::streamedProseArrivesAsProduced()
{
    start({}, 40);

    const RawResponse response = roundTrip(chatRequest(toolRequest(u"text"_s, true)));
    QVERIFY(accumulate(response.body).done);
    QList<qint64> times;
    for (const RawClient::Arrival& arrival : m_client->arrivals()) {
        if (arrival.bytes.contains("\"content\""))
            times.append(arrival.atMs);
    }
    // Tools are declared, yet the text came word by word as the model wrote it.
    QVERIFY2(times.size() >= 15, qPrintable(QString::number(times.size())));
    QVERIFY(times.last() - times.first() >= 14 * 20);
}

void TestGuardEndToEnd::streamedRescueSendsProseFirst()
{
    start({}, 30);

    const RawResponse response = roundTrip(chatRequest(toolRequest(u"hermes"_s, true)));
    const Accumulated result = accumulate(response.body);
    QCOMPARE(result.content.trimmed(), u"Let me look that up."_s);
    QVERIFY(!result.content.contains(u"tool_call"_s)); // the markup never reached the client
    // The prose arrived while the model was still writing its call, well before the end.
    qint64 proseAt = -1;
    qint64 callAt = -1;
    for (const RawClient::Arrival& arrival : m_client->arrivals()) {
        if (proseAt < 0 && arrival.bytes.contains("\"content\":\"L"))
            proseAt = arrival.atMs;
        if (callAt < 0 && arrival.bytes.contains("tool_calls"))
            callAt = arrival.atMs;
    }
    QVERIFY(proseAt >= 0 && callAt >= 0);
    QVERIFY2(callAt - proseAt >= 90, qPrintable(u"prose at %1 ms, call at %2 ms"_s.arg(proseAt).arg(callAt)));
}

void TestGuardEndToEnd::dataFenceIsReleasedWhenItCloses()
{
    // A fenced JSON block is held while it may be a call; it is data, so it reaches the client
    // the moment its fence closes, while the model is still writing the sentence after it.
    start({}, 30);
    const RawResponse response = roundTrip(chatRequest(toolRequest(u"data-fence"_s, true)));
    const Accumulated result = accumulate(response.body);
    QVERIFY(result.done);
    QVERIFY(result.calls.isEmpty());
    QVERIFY(result.content.contains(u"```json\n{\"units\": \"metric\", \"days\": 3}\n```"_s));
    qint64 fenceAt = -1;
    qint64 lastAt = -1;
    for (const RawClient::Arrival& arrival : m_client->arrivals()) {
        if (fenceAt < 0 && arrival.bytes.contains("```\\n")) // the closing fence, JSON-escaped
            fenceAt = arrival.atMs;
        if (arrival.bytes.contains("reload"))
            lastAt = arrival.atMs;
    }
    QVERIFY(fenceAt >= 0 && lastAt >= 0);
    // About twenty words follow the fence at 30 ms each.
    QVERIFY2(lastAt - fenceAt >= 300, qPrintable(u"fence at %1 ms, last words at %2 ms"_s.arg(fenceAt).arg(lastAt)));
    QTRY_VERIFY(lastExchange() && lastExchange()->finished);
    QCOMPARE(lastExchange()->outcome, Trace::Outcome::Passed);
}

void TestGuardEndToEnd::retryKeepsTheStreamAlive()
{
    start();
    const RawResponse response = roundTrip(chatRequest(toolRequest(u"unknown-tool"_s, true)));
    const Accumulated result = accumulate(response.body);
    QVERIFY(result.done);
    QCOMPARE(result.calls.size(), 1);
    QCOMPARE(result.calls.first().toObject().value("name"_L1).toString(), u"get_weather"_s);
    bool retryComment = false;
    for (const QByteArray& comment : result.comments)
        retryComment = retryComment || comment.contains("retrying (attempt 2 of 4)");
    QVERIFY(retryComment);
}

void TestGuardEndToEnd::switchesTurnTheGuardOff()
{
    start([](Config::Settings& s) { s.guard.enabled = false; });
    RawResponse response = roundTrip(chatRequest(toolRequest(u"hermes"_s, false)));
    QCOMPARE(response.header("X-Temper-Outcome"), QByteArray("passthrough"));
    QVERIFY(messageOf(response).value("content"_L1).toString().contains(u"<tool_call>"_s));
    cleanup();

    start([](Config::Settings& s) { s.guard.rescue = false; });
    response = roundTrip(chatRequest(toolRequest(u"hermes"_s, false)));
    QCOMPARE(response.header("X-Temper-Outcome"), QByteArray("passed")); // text, accepted as text
    QVERIFY(messageOf(response).value("tool_calls"_L1).toArray().isEmpty());
    cleanup();

    start([](Config::Settings& s) { s.guard.repair = false; });
    response = roundTrip(chatRequest(toolRequest(u"float"_s, false)));
    QVERIFY(response.header("X-Temper-Outcome") != "repaired");
    cleanup();

    start();
    // tool_choice "none" and several choices (n > 1) are not guarded.
    response = roundTrip(chatRequest(toolRequest(u"hermes"_s, false, [](QJsonObject& b) { b.insert(u"tool_choice"_s, u"none"_s); })));
    QCOMPARE(response.header("X-Temper-Outcome"), QByteArray("passthrough"));
    response = roundTrip(chatRequest(toolRequest(u"hermes"_s, false, [](QJsonObject& b) { b.insert(u"n"_s, 2); })));
    QCOMPARE(response.header("X-Temper-Outcome"), QByteArray("passthrough"));
}

void TestGuardEndToEnd::wholeAnswerFromAStreamingBackend()
{
    // Some servers stream whatever the client asks; a client that asked for JSON still gets JSON.
    start();
    m_demo->options().alwaysStream = true;
    for (const QString& scenario : { u"native"_s, u"hermes"_s, u"unknown-tool"_s, u"text"_s }) {
        const RawResponse response = roundTrip(chatRequest(toolRequest(scenario, false)));
        QCOMPARE(response.status, 200);
        QCOMPARE(response.header("Content-Type"), QByteArray("application/json"));
        QVERIFY(!response.header("Content-Length").isEmpty());
        const QJsonObject message = messageOf(response);
        if (scenario == u"text"_s) {
            QVERIFY(message.value("content"_L1).toString().startsWith(u"Hello!"_s));
            continue;
        }
        const QJsonObject function = message.value("tool_calls"_L1).toArray().first().toObject().value("function"_L1).toObject();
        QCOMPARE(function.value("name"_L1).toString(), u"get_weather"_s);
        QCOMPARE(argumentsOf(function.value("arguments"_L1)), kWeatherArguments);
    }
}

void TestGuardEndToEnd::streamFromAJsonBackend_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<QString>("outcome");
    QTest::addColumn<QString>("content");
    QTest::addColumn<QString>("reasoning");
    QTest::addColumn<QString>("call"); // the name of the one call the client gets, if any
    QTest::addColumn<QString>("finish");

    QTest::addRow("prose") << u"text"_s << u"passed"_s
                           << u"Hello! I am Temper's demo model. I answer in plain text when no tool is needed, "
                              u"and I make the mistakes real models make when tools are declared."_s
                           << QString() << QString() << u"stop"_s;
    QTest::addRow("reasoning and prose") << u"reasoning"_s << u"passed"_s
                                         << u"Here is a short answer, with my reasoning sent separately."_s
                                         << u"The user wants a short answer; no tool is needed."_s << QString() << u"stop"_s;
    QTest::addRow("native call") << u"native"_s << u"passed"_s << QString() << QString() << u"get_weather"_s << u"tool_calls"_s;
    QTest::addRow("call in text") << u"hermes"_s << u"rescued"_s << u"Let me look that up."_s << QString() << u"get_weather"_s
                                  << u"tool_calls"_s;
    QTest::addRow("unknown tool, retried") << u"unknown-tool"_s << u"retried"_s << QString() << QString() << u"get_weather"_s
                                           << u"tool_calls"_s;
    QTest::addRow("stubborn, gave up") << u"stubborn"_s << u"gave-up"_s << QString() << QString() << u"get_weather_v2"_s
                                       << u"tool_calls"_s;
}

void TestGuardEndToEnd::streamFromAJsonBackend()
{
    // Some servers ignore "stream": true and answer one JSON completion; a streaming client
    // still gets that answer, guarded, as a well-formed stream.
    QFETCH(QString, scenario);
    QFETCH(QString, outcome);
    QFETCH(QString, content);
    QFETCH(QString, reasoning);
    QFETCH(QString, call);
    QFETCH(QString, finish);
    start();
    m_demo->options().neverStream = true;
    const RawResponse response = roundTrip(chatRequest(toolRequest(scenario, true)));
    QCOMPARE(response.status, 200);
    QVERIFY(response.header("Content-Type").startsWith("text/event-stream"));
    const Accumulated result = accumulate(response.body);
    QVERIFY(result.done);
    QCOMPARE(result.roles, 1);
    QCOMPARE(result.content.trimmed(), content);
    QCOMPARE(result.reasoning, reasoning);
    QCOMPARE(result.finishReason, finish);
    QCOMPARE(Http::headerValue(response.trailers, "X-Temper-Outcome"), outcome.toLatin1());
    if (call.isEmpty()) {
        QVERIFY(result.calls.isEmpty());
    } else {
        QCOMPARE(result.calls.size(), 1);
        QCOMPARE(result.calls.first().toObject().value("name"_L1).toString(), call);
        QCOMPARE(argumentsOf(result.calls.first().toObject().value("arguments"_L1)), kWeatherArguments);
        QVERIFY(!result.calls.first().toObject().value("id"_L1).toString().isEmpty());
    }
    QTRY_VERIFY(lastExchange() && lastExchange()->finished);
    QCOMPARE(Trace::outcomeName(lastExchange()->outcome), outcome);
    QCOMPARE(result.usage.value("completion_tokens"_L1).toInteger(), lastExchange()->usage.completionTokens);
}

void TestGuardEndToEnd::failedRetryGivesUpWithThePreviousAttempt_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<bool>("stream");
    QTest::addRow("HTTP 500 on the retry") << u"fails-on-retry"_s << false;
    QTest::addRow("HTTP 500 on the retry, streamed") << u"fails-on-retry"_s << true;
    QTest::addRow("connection dropped on the retry") << u"drops-on-retry"_s << false;
    QTest::addRow("connection dropped on the retry, streamed") << u"drops-on-retry"_s << true;
}

void TestGuardEndToEnd::failedRetryGivesUpWithThePreviousAttempt()
{
    QFETCH(QString, scenario);
    QFETCH(bool, stream);
    start();
    const RawResponse response = roundTrip(chatRequest(toolRequest(scenario, stream)));
    QCOMPARE(response.status, 200);
    QJsonArray calls;
    QString finish;
    if (stream) {
        const Accumulated result = accumulate(response.body);
        QVERIFY(result.done);
        QCOMPARE(result.roles, 1);
        calls = result.calls;
        finish = result.finishReason;
        QCOMPARE(Http::headerValue(response.trailers, "X-Temper-Outcome"), QByteArray("gave-up"));
    } else {
        QCOMPARE(response.header("X-Temper-Outcome"), QByteArray("gave-up"));
        for (const QJsonValue& entry : messageOf(response).value("tool_calls"_L1).toArray()) {
            const QJsonObject function = entry.toObject().value("function"_L1).toObject();
            calls.append(QJsonObject { { u"id"_s, entry.toObject().value("id"_L1) }, { u"name"_s, function.value("name"_L1) },
                                       { u"arguments"_s, function.value("arguments"_L1) } });
        }
        finish = QJsonDocument::fromJson(response.body).object().value("choices"_L1).toArray().first().toObject()
                     .value("finish_reason"_L1).toString();
    }
    // The first attempt's answer, as the backend gave it: the unknown tool it called.
    QCOMPARE(calls.size(), 1);
    QCOMPARE(calls.first().toObject().value("name"_L1).toString(), u"get_weather_v2"_s);
    QCOMPARE(calls.first().toObject().value("id"_L1).toString(), u"call_demo_1"_s);
    QCOMPARE(argumentsOf(calls.first().toObject().value("arguments"_L1)), kWeatherArguments);
    QCOMPARE(finish, u"tool_calls"_s);
    // Qt's HTTP layer resends a request once by itself when a reused connection closes before
    // any answer byte, so the backend may see a dropped retry twice.
    if (scenario == u"drops-on-retry"_s)
        QVERIFY(chatRequestsSeen().size() >= 2);
    else
        QCOMPARE(chatRequestsSeen().size(), 2);
    QTRY_VERIFY(lastExchange() && lastExchange()->finished);
    QCOMPARE(lastExchange()->outcome, Trace::Outcome::GaveUp);
    QCOMPARE(lastExchange()->attempts.size(), 2);
    QVERIFY(!lastExchange()->attempts.last().error.isEmpty());
}

void TestGuardEndToEnd::errorInsideAStreamBecomesAnError()
{
    // The backend streams though the client asked for a whole answer, then fails mid-stream.
    start();
    m_demo->options().alwaysStream = true;
    const RawResponse response = roundTrip(chatRequest(toolRequest(u"stream-error"_s, false)));
    QCOMPARE(response.status, 502);
    QCOMPARE(response.header("Content-Type"), QByteArray("application/json"));
    QCOMPARE(response.header("X-Temper-Outcome"), QByteArray("error"));
    const QJsonObject error = QJsonDocument::fromJson(response.body).object().value("error"_L1).toObject();
    QCOMPARE(error.value("message"_L1).toString(), u"the model server lost its GPU in the middle of the answer"_s);
    QCOMPARE(error.value("type"_L1).toString(), u"server_error"_s);
    QTRY_VERIFY(lastExchange() && lastExchange()->finished);
    QCOMPARE(lastExchange()->outcome, Trace::Outcome::Error);
    QCOMPARE(lastExchange()->clientResponse.status, 502);
    QCOMPARE(lastExchange()->clientResponse.body, response.body);

    // A streaming client gets the error as the stream's last event.
    const RawResponse streamed = roundTrip(chatRequest(toolRequest(u"stream-error"_s, true)));
    QCOMPARE(streamed.status, 200);
    QCOMPARE(accumulate(streamed.body).content, u"This answer starts well but"_s);
    QVERIFY(streamed.body.contains("lost its GPU"));
    QCOMPARE(Http::headerValue(streamed.trailers, "X-Temper-Outcome"), QByteArray("error"));
}

void TestGuardEndToEnd::keepAliveBeforeTheFirstByte()
{
    // The model thinks 1.2 s before its first byte; the client hears from Temper meanwhile.
    start([](Config::Settings& s) { s.guard.keepAliveMs = 200; });
    const RawResponse response = roundTrip(chatRequest(toolRequest(u"slow"_s, true)));
    QCOMPARE(response.status, 200);
    const Accumulated result = accumulate(response.body);
    QVERIFY(result.done);
    QCOMPARE(result.calls.size(), 1);
    QVERIFY2(result.comments.count(": keep-alive") >= 3, qPrintable(QString::number(result.comments.count(": keep-alive"))));
    QVERIFY(response.body.indexOf(": keep-alive") < response.body.indexOf("data:"));
    const QList<RawClient::Arrival>& arrivals = m_client->arrivals();
    QVERIFY(!arrivals.isEmpty());
    QVERIFY(arrivals.first().bytes.startsWith("HTTP/1.1 200"));
    QVERIFY(arrivals.first().bytes.contains("text/event-stream"));
    QVERIFY2(arrivals.first().atMs < 800, qPrintable(QString::number(arrivals.first().atMs)));
    qint64 firstDataAt = -1;
    for (const RawClient::Arrival& arrival : arrivals) {
        if (firstDataAt < 0 && arrival.bytes.contains("data:"))
            firstDataAt = arrival.atMs;
    }
    QVERIFY2(firstDataAt >= 1200, qPrintable(QString::number(firstDataAt)));
}

void TestGuardEndToEnd::retryNeverRepeatsReasoning()
{
    // Attempt 1 reasons and calls an unknown tool; the retry reasons again, says a sentence and
    // calls the right tool. The rule: a retry's reasoning is dropped once any reasoning reached
    // the client, and its content once any content did. Here no content was sent, so the
    // retry's sentence reaches the client, its reasoning does not.
    start();
    const RawResponse response = roundTrip(chatRequest(toolRequest(u"thinks-twice"_s, true)));
    const Accumulated result = accumulate(response.body);
    QVERIFY(result.done);
    QCOMPARE(result.reasoning, u"The user wants the weather; I call the weather tool."_s);
    QCOMPARE(result.content, u"Calling get_weather now."_s);
    QCOMPARE(result.calls.size(), 1);
    QCOMPARE(result.calls.first().toObject().value("name"_L1).toString(), u"get_weather"_s);
    QCOMPARE(Http::headerValue(response.trailers, "X-Temper-Outcome"), QByteArray("retried"));
    QTRY_VERIFY(lastExchange() && lastExchange()->finished);
    QCOMPARE(lastExchange()->attempts.size(), 2);
}

void TestGuardEndToEnd::clientDisconnectAbortsTheUpstream()
{
    start({}, 40);
    m_client = std::make_unique<RawClient>(m_proxy->port());
    m_client->send(chatRequest(toolRequest(u"text"_s, true)));
    QTRY_VERIFY(m_client->data().contains("\"content\":\"Hello!"));
    QCOMPARE(m_demo->activeStreams(), 1);
    m_client->close();
    QTRY_COMPARE(m_demo->streamsAbandoned(), 1);
    QCOMPARE(m_demo->activeStreams(), 0);
    QTRY_VERIFY(lastExchange() && lastExchange()->finished);
    QCOMPARE(lastExchange()->outcome, Trace::Outcome::Error);
    QVERIFY(lastExchange()->error.contains(u"disconnected"_s));
}

void TestGuardEndToEnd::lengthFinishReasonIsKept()
{
    start();
    for (bool stream : { false, true }) {
        const RawResponse response = roundTrip(chatRequest(toolRequest(u"length"_s, stream)));
        QCOMPARE(response.status, 200);
        QString content;
        QString finish;
        if (stream) {
            const Accumulated result = accumulate(response.body);
            QVERIFY(result.done);
            content = result.content;
            finish = result.finishReason;
            QCOMPARE(Http::headerValue(response.trailers, "X-Temper-Outcome"), QByteArray("passed"));
        } else {
            const QJsonObject choice = QJsonDocument::fromJson(response.body).object().value("choices"_L1).toArray().first().toObject();
            content = choice.value("message"_L1).toObject().value("content"_L1).toString();
            finish = choice.value("finish_reason"_L1).toString();
            QCOMPARE(response.header("X-Temper-Outcome"), QByteArray("passed"));
        }
        QCOMPARE(content, u"This answer is longer than the token limit allows, so it stops in the"_s);
        QCOMPARE(finish, u"length"_s);
        QTRY_VERIFY(lastExchange() && lastExchange()->finished);
        QCOMPARE(lastExchange()->attempts.size(), 1);
    }
}

void TestGuardEndToEnd::severalStreamedCallsKeepTheirIndices()
{
    start();
    const RawResponse response = roundTrip(chatRequest(toolRequest(u"parallel"_s, true)));
    const Accumulated result = accumulate(response.body);
    QVERIFY(result.done);
    QCOMPARE(result.finishReason, u"tool_calls"_s);
    QCOMPARE(result.calls.size(), 2);
    QCOMPARE(result.calls.at(0).toObject().value("id"_L1).toString(), u"call_demo_1"_s);
    QCOMPARE(result.calls.at(0).toObject().value("name"_L1).toString(), u"get_weather"_s);
    QCOMPARE(argumentsOf(result.calls.at(0).toObject().value("arguments"_L1)), kWeatherArguments);
    QCOMPARE(result.calls.at(1).toObject().value("id"_L1).toString(), u"call_demo_2"_s);
    QCOMPARE(result.calls.at(1).toObject().value("name"_L1).toString(), u"search_docs"_s);
    const QJsonObject search = argumentsOf(result.calls.at(1).toObject().value("arguments"_L1));
    QVERIFY(search.contains("query"_L1));
    // Each call's first delta carries its own index, id and name.
    QList<int> indices;
    Sse::Decoder decoder;
    for (const Sse::Event& event : decoder.feed(response.body)) {
        const QJsonObject delta = QJsonDocument::fromJson(event.data).object().value("choices"_L1).toArray().first().toObject()
                                      .value("delta"_L1).toObject();
        for (const QJsonValue& part : delta.value("tool_calls"_L1).toArray()) {
            if (part.toObject().contains("id"_L1))
                indices.append(part.toObject().value("index"_L1).toInt(-1));
        }
    }
    QCOMPARE(indices, (QList<int> { 0, 1 }));
}

QTEST_GUILESS_MAIN(TestGuardEndToEnd)
#include "tst_guard_e2e.moc"
