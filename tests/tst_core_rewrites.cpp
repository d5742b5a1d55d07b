// What the "Client vs upstream" tab says Temper changed, and the reassembly of recorded streams
// it (and the Response tab) relies on: pure functions over recorded messages.
#include "guard/streamguard.h"
#include "trace/rewrites.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace Qt::StringLiterals;

namespace {

Trace::HttpRecord request(const QByteArray& body, const Trace::HeaderList& headers = {}, const QByteArray& url = {})
{
    Trace::HttpRecord record;
    record.method = "POST";
    record.url = url;
    record.body = body;
    record.headers = headers;
    return record;
}

Trace::HttpRecord response(int status, const QByteArray& body)
{
    Trace::HttpRecord record;
    record.status = status;
    record.body = body;
    return record;
}

QByteArray completion(const QString& content, const QJsonArray& calls = {}, const QString& finish = u"stop"_s, const QJsonObject& usage = {})
{
    QJsonObject message { { u"role"_s, u"assistant"_s }, { u"content"_s, content } };
    if (!calls.isEmpty())
        message.insert(u"tool_calls"_s, calls);
    QJsonObject body { { u"choices"_s, QJsonArray { QJsonObject { { u"index"_s, 0 }, { u"message"_s, message }, { u"finish_reason"_s, finish } } } } };
    if (!usage.isEmpty())
        body.insert(u"usage"_s, usage);
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

QJsonObject call(const QString& name, const QString& arguments)
{
    return { { u"id"_s, u"call_1"_s }, { u"type"_s, u"function"_s },
             { u"function"_s, QJsonObject { { u"name"_s, name }, { u"arguments"_s, arguments } } } };
}

} // namespace

class TestRewrites : public QObject
{
    Q_OBJECT

private slots:
    void requestRewrites_data();
    void requestRewrites();
    void responseRewrites_data();
    void responseRewrites();
    void streamsAreComparedReassembled();
    void completionFromEvents_data();
    void completionFromEvents();
};

void TestRewrites::requestRewrites_data()
{
    QTest::addColumn<QByteArray>("client");
    QTest::addColumn<QByteArray>("upstream");
    QTest::addColumn<QStringList>("expected");
    const QByteArray base = R"({"model":"qwen3","messages":[{"role":"user","content":"hi"}],"stream":true})";
    QTest::addRow("untouched") << base << base << QStringList();
    QTest::addRow("model replaced") << base << QByteArray(R"({"model":"mimo-v2.5","messages":[{"role":"user","content":"hi"}],"stream":true})")
                                    << QStringList { u"model: \"qwen3\" → \"mimo-v2.5\""_s };
    QTest::addRow("model filled") << QByteArray(R"({"messages":[]})") << QByteArray(R"({"messages":[],"model":"m"})")
                                  << QStringList { u"model added: \"m\""_s };
    QTest::addRow("corrective turns")
        << base
        << QByteArray(R"({"model":"qwen3","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":""},{"role":"tool","content":"fix"}],"stream":true})")
        << QStringList { u"2 messages appended after the client's 1 (assistant, tool)"_s };
    QTest::addRow("messages rewritten") << base << QByteArray(R"({"model":"qwen3","messages":[{"role":"user","content":"bye"}],"stream":true})")
                                        << QStringList { u"messages changed (1 → 1)"_s };
    QTest::addRow("member removed") << base << QByteArray(R"({"model":"qwen3","messages":[{"role":"user","content":"hi"}]})")
                                    << QStringList { u"stream removed"_s };
    QTest::addRow("same JSON other bytes") << QByteArray(R"({"a": 1})") << QByteArray(R"({"a":1})")
                                           << QStringList { u"same JSON, different bytes (spacing or number spelling)"_s };
    QTest::addRow("not JSON") << QByteArray("abc") << QByteArray("abcd") << QStringList { u"body changed (3 bytes → 4 bytes)"_s };
}

void TestRewrites::requestRewrites()
{
    QFETCH(QByteArray, client);
    QFETCH(QByteArray, upstream);
    QFETCH(QStringList, expected);
    QCOMPARE(Trace::requestRewrites(request(client), request(upstream)), expected);
    // With the upstream URL known, the first line says where the request went.
    const QStringList withUrl = Trace::requestRewrites(request(client), request(upstream, {}, "http://127.0.0.1:8080/v1/chat/completions"));
    QCOMPARE(withUrl.first(), u"sent to http://127.0.0.1:8080/v1/chat/completions"_s);
}

void TestRewrites::responseRewrites_data()
{
    QTest::addColumn<QByteArray>("upstream");
    QTest::addColumn<int>("upstreamStatus");
    QTest::addColumn<QByteArray>("client");
    QTest::addColumn<QStringList>("expected");
    const QByteArray text = completion(u"Hello"_s);
    QTest::addRow("passed on") << text << 200 << text << QStringList();
    const QString markup = u"<tool_call>{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}</tool_call>"_s;
    QTest::addRow("rescued") << completion(markup) << 200
                             << completion(QString(), QJsonArray { call(u"get_weather"_s, uR"({"city":"Paris"})"_s) }, u"tool_calls"_s)
                             << QStringList { u"1 tool calls recovered from the text: get_weather({\"city\":\"Paris\"})"_s,
                                              u"text \"%1…\" removed"_s.arg(markup.left(60)), u"finish_reason stop → tool_calls"_s };
    QTest::addRow("repaired") << completion(QString(), QJsonArray { call(u"f"_s, uR"({"n":10.0})"_s) }, u"tool_calls"_s) << 200
                              << completion(QString(), QJsonArray { call(u"f"_s, uR"({"n":10})"_s) }, u"tool_calls"_s)
                              << QStringList { u"tool calls changed: f({\"n\":10.0}) → f({\"n\":10})"_s };
    QTest::addRow("parser 500 rescued") << QByteArray(R"({"error":{"message":"Failed to parse"}})") << 500
                                        << completion(QString(), QJsonArray { call(u"f"_s, u"{}"_s) }, u"tool_calls"_s)
                                        << QStringList { u"status 500 → 200"_s, u"the client got a completion with 1 tool calls in place of the backend's answer: f({})"_s };
    QTest::addRow("usage summed") << completion(u"ok"_s, {}, u"stop"_s, { { u"prompt_tokens"_s, 94 }, { u"completion_tokens"_s, 11 } }) << 200
                                  << completion(u"ok"_s, {}, u"stop"_s, { { u"prompt_tokens"_s, 129 }, { u"completion_tokens"_s, 23 } })
                                  << QStringList { u"usage 94 in, 11 out → 129 in, 23 out (summed over attempts)"_s };
}

void TestRewrites::responseRewrites()
{
    QFETCH(QByteArray, upstream);
    QFETCH(int, upstreamStatus);
    QFETCH(QByteArray, client);
    QFETCH(QStringList, expected);
    QCOMPARE(Trace::responseRewrites(response(upstreamStatus, upstream), response(200, client)), expected);
}

void TestRewrites::streamsAreComparedReassembled()
{
    // The backend streamed text with a call in it; the client's stream carried the call natively.
    Trace::HttpRecord upstream = response(200, {});
    for (const QByteArray& data : { QByteArray(R"({"choices":[{"delta":{"content":"[TOOL_CALLS]get_weather"}}]})"),
                                    QByteArray(R"({"choices":[{"delta":{"content":"[ARGS]{}"},"finish_reason":"stop"}]})"),
                                    QByteArray("[DONE]") })
        upstream.events.append({ 0, data });
    Trace::HttpRecord client = response(200, {});
    for (const QByteArray& data : { QByteArray(R"({"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"get_weather","arguments":"{}"}}]}}]})"),
                                    QByteArray(R"({"choices":[{"delta":{},"finish_reason":"tool_calls"}]})"), QByteArray("[DONE]") })
        client.events.append({ 0, data });
    const QStringList changes = Trace::responseRewrites(upstream, client);
    QCOMPARE(changes.value(0), u"1 tool calls recovered from the text: get_weather({})"_s);
    QCOMPARE(changes.value(1), u"text \"[TOOL_CALLS]get_weather[ARGS]{}\" removed"_s);
    QCOMPARE(changes.value(2), u"finish_reason stop → tool_calls"_s);
}

void TestRewrites::completionFromEvents_data()
{
    QTest::addColumn<QList<QByteArray>>("events");
    QTest::addColumn<QByteArray>("expectedMessage");
    QTest::addColumn<QString>("expectedFinish");
    QTest::addRow("text") << QList<QByteArray> { R"({"id":"x","model":"m","choices":[{"delta":{"role":"assistant","content":"He"}}]})",
                                                 R"({"choices":[{"delta":{"content":"llo"},"finish_reason":"stop"}]})", "[DONE]" }
                          << QByteArray(R"({"role":"assistant","content":"Hello"})") << u"stop"_s;
    QTest::addRow("reasoning and call fragments")
        << QList<QByteArray> { R"({"choices":[{"delta":{"reasoning_content":"think"}}]})",
                               R"({"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c1","function":{"name":"get_weather","arguments":"{\"ci"}}]}}]})",
                               R"({"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ty\":\"Paris\"}"}}]}}]})",
                               R"({"choices":[{"delta":{},"finish_reason":"tool_calls"}]})" }
        << QByteArray(R"({"role":"assistant","content":"","reasoning_content":"think","tool_calls":[{"id":"c1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]})")
        << u"tool_calls"_s;
    QTest::addRow("inline reasoning not said twice")
        << QList<QByteArray> { R"({"choices":[{"delta":{"content":"<think>plan</think>Sunny."},"finish_reason":"stop"}]})" }
        << QByteArray(R"({"role":"assistant","content":"<think>plan</think>Sunny."})") << u"stop"_s;
    QTest::addRow("comments and junk skipped") << QList<QByteArray> { "not json", R"({"choices":[{"delta":{"content":"a"}}]})" }
                                               << QByteArray(R"({"role":"assistant","content":"a"})") << u"stop"_s;
    QTest::addRow("wild call index ignored")
        << QList<QByteArray> { R"({"choices":[{"delta":{"tool_calls":[{"index":2000000000,"function":{"name":"f","arguments":"{}"}}]}}]})" }
        << QByteArray(R"({"role":"assistant","content":""})") << u"stop"_s;
}

void TestRewrites::completionFromEvents()
{
    QFETCH(QList<QByteArray>, events);
    QFETCH(QByteArray, expectedMessage);
    QFETCH(QString, expectedFinish);
    const QJsonObject completion = Guard::completionFromEvents(events);
    const QJsonObject choice = completion.value("choices"_L1).toArray().first().toObject();
    QCOMPARE(choice.value("message"_L1).toObject(), QJsonDocument::fromJson(expectedMessage).object());
    QCOMPARE(choice.value("finish_reason"_L1).toString(), expectedFinish);
    QVERIFY(!completion.contains("error"_L1));
    // An error event inside the stream is kept.
    events.append(R"({"error":{"message":"backend went away"}})");
    QCOMPARE(Guard::completionFromEvents(events).value("error"_L1).toObject().value("message"_L1).toString(), u"backend went away"_s);
}

QTEST_GUILESS_MAIN(TestRewrites)
#include "tst_core_rewrites.moc"
