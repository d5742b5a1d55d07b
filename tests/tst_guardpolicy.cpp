// The guard's pure decisions: tool_choice, the retry policy and its corrective turns, and the
// streaming guard's holding and releasing of text.
#include "guard/attempt.h"
#include "guard/retrypolicy.h"
#include "guard/streamguard.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace Guard;

Q_DECLARE_METATYPE(Guard::Decision::Verdict)

namespace {

ToolCatalog weatherTools()
{
    return ToolCatalog::fromTools(QJsonDocument::fromJson(R"([
        {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1, "maximum": 7}},
            "required": ["city", "days"], "additionalProperties": false}}},
        {"type": "function", "function": {"name": "search_docs", "parameters": {"type": "object",
            "properties": {"query": {"type": "string"}}, "required": ["query"]}}}
    ])").array());
}

AttemptAnalysis nativeAttempt(const QString& name, const QString& arguments, const QString& content = {})
{
    return analyzeAttempt(content, {}, { { 0, u"call_1"_s, name, arguments } }, u"tool_calls"_s, weatherTools(), {});
}

AttemptAnalysis textAttempt(const QString& content)
{
    return analyzeAttempt(content, {}, {}, u"stop"_s, weatherTools(), {});
}

QJsonObject chunk(const QJsonObject& delta, const QJsonValue& finish = {})
{
    return { { u"choices"_s, QJsonArray { QJsonObject { { u"index"_s, 0 }, { u"delta"_s, delta }, { u"finish_reason"_s, finish } } } } };
}

// Streams `text` through a guard in pieces of `piece` characters; returns what was forwarded.
QString forwarded(StreamGuard& guard, const QString& text, int piece)
{
    QString out;
    for (qsizetype i = 0; i < text.size(); i += piece) {
        for (const QJsonObject& delta : guard.feed(chunk({ { u"content"_s, text.mid(i, piece) } })))
            out += delta.value("content"_L1).toString();
    }
    return out;
}

} // namespace

class TestGuardPolicy : public QObject
{
    Q_OBJECT

private slots:
    void toolChoice_data();
    void toolChoice();
    void decides_data();
    void decides();
    void correctiveTurnsForCalls();
    void correctiveTurnsForText();
    void acceptedArgumentsKeepBackendBytes();
    void rescuedWholeFloatsAreRecorded_data();
    void rescuedWholeFloatsAreRecorded();
    void streamReleasesProse_data();
    void streamReleasesProse();
    void streamSplitsLeadingReasoning_data();
    void streamSplitsLeadingReasoning();
    void streamAccumulatesNativeCalls();
    void retryForwardsNothing();
    void generationInParserErrors_data();
    void generationInParserErrors();
};

void TestGuardPolicy::toolChoice_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<int>("mode");
    QTest::addColumn<QString>("name");
    QTest::addRow("absent") << u"null"_s << int(ToolChoice::Mode::Auto) << QString();
    QTest::addRow("auto") << uR"("auto")"_s << int(ToolChoice::Mode::Auto) << QString();
    QTest::addRow("none") << uR"("none")"_s << int(ToolChoice::Mode::None) << QString();
    QTest::addRow("required") << uR"("required")"_s << int(ToolChoice::Mode::Required) << QString();
    QTest::addRow("named") << uR"({"type": "function", "function": {"name": "get_weather"}})"_s << int(ToolChoice::Mode::Named) << u"get_weather"_s;
    QTest::addRow("anthropic any") << uR"({"type": "any"})"_s << int(ToolChoice::Mode::Required) << QString();
    QTest::addRow("anthropic tool") << uR"({"type": "tool", "name": "search_docs"})"_s << int(ToolChoice::Mode::Named) << u"search_docs"_s;
    QTest::addRow("named without name") << uR"({"type": "function"})"_s << int(ToolChoice::Mode::Required) << QString();
}

void TestGuardPolicy::toolChoice()
{
    QFETCH(QString, json);
    QFETCH(int, mode);
    QFETCH(QString, name);
    const QJsonValue value = QJsonDocument::fromJson(u"[%1]"_s.arg(json).toUtf8()).array().first();
    const ToolChoice choice = ToolChoice::fromRequest(value);
    QCOMPARE(int(choice.mode), mode);
    QCOMPARE(choice.name, name);
}

void TestGuardPolicy::decides_data()
{
    QTest::addColumn<AttemptAnalysis>("attempt");
    QTest::addColumn<QString>("choice");
    QTest::addColumn<int>("attemptsMade");
    QTest::addColumn<Decision::Verdict>("verdict");

    const auto accept = Decision::Verdict::Accept, retry = Decision::Verdict::Retry, giveUp = Decision::Verdict::GiveUp;
    QTest::addRow("valid call") << nativeAttempt(u"get_weather"_s, uR"({"city":"Paris","days":3})"_s) << u"auto"_s << 1 << accept;
    QTest::addRow("repairable call") << nativeAttempt(u"get_weather"_s, uR"({"city":"Paris","days":3.0})"_s) << u"auto"_s << 1 << accept;
    QTest::addRow("unknown tool") << nativeAttempt(u"get_wether"_s, uR"({"city":"Paris","days":3})"_s) << u"auto"_s << 1 << retry;
    QTest::addRow("bad arguments") << nativeAttempt(u"get_weather"_s, uR"({"city":"Paris","days":"a few"})"_s) << u"auto"_s << 2 << retry;
    QTest::addRow("bad arguments, last attempt") << nativeAttempt(u"get_weather"_s, uR"({"city":"Paris"})"_s) << u"auto"_s << 4 << giveUp;
    QTest::addRow("prose is legitimate") << textAttempt(u"Paris is sunny today."_s) << u"auto"_s << 1 << accept;
    QTest::addRow("prose when a call is required") << textAttempt(u"Paris is sunny today."_s) << u"required"_s << 1 << retry;
    QTest::addRow("prose when a tool is named") << textAttempt(u"Sunny."_s) << u"named"_s << 3 << retry;
    QTest::addRow("wrong tool for a named choice") << nativeAttempt(u"get_weather"_s, uR"({"city":"Paris","days":3})"_s) << u"named"_s << 1 << retry;
    QTest::addRow("right tool for a named choice") << nativeAttempt(u"search_docs"_s, uR"({"query":"x"})"_s) << u"named"_s << 1 << accept;
    QTest::addRow("rescued call") << textAttempt(uR"(<tool_call>{"name": "get_weather", "arguments": {"city": "Paris", "days": 2}}</tool_call>)"_s)
                                  << u"auto"_s << 1 << accept;
    QTest::addRow("near miss") << textAttempt(uR"(<tool_call>{"name": "get_weather", "arguments": {"city": "Par)"_s) << u"auto"_s << 1 << retry;
    QTest::addRow("broken arguments after a tool name") << textAttempt(uR"(Calling get_weather with {"city": "Paris", "days": })"_s)
                                                        << u"auto"_s << 1 << retry;
    QTest::addRow("a tool name in prose") << textAttempt(uR"(I asked get_weather: {"city": "Paris", "days": 2} came back sunny.)"_s)
                                          << u"auto"_s << 1 << accept;
    QTest::addRow("near miss, no retries") << textAttempt(uR"(<tool_call>{"name": "get_weather", "arguments": {"city": "Par)"_s) << u"auto"_s << 4 << giveUp;
}

void TestGuardPolicy::decides()
{
    QFETCH(AttemptAnalysis, attempt);
    QFETCH(QString, choice);
    QFETCH(int, attemptsMade);
    QFETCH(Decision::Verdict, verdict);
    ToolChoice toolChoice;
    if (choice == u"required"_s)
        toolChoice.mode = ToolChoice::Mode::Required;
    if (choice == u"named"_s)
        toolChoice = { ToolChoice::Mode::Named, u"search_docs"_s };
    const Decision decision = RetryPolicy::decide(toolChoice, 3, attemptsMade, attempt);
    QCOMPARE(decision.verdict, verdict);
    QVERIFY(!decision.reason.isEmpty());
}

void TestGuardPolicy::correctiveTurnsForCalls()
{
    AttemptAnalysis attempt = analyzeAttempt(u"Checking."_s, {}, {
        { 0, u"call_a"_s, u"get_weather"_s, uR"({"city":"Paris","days":"a few"})"_s },
        { 1, u"call_b"_s, u"search_docs"_s, uR"({"query":"umbrellas"})"_s },
    }, u"tool_calls"_s, weatherTools(), {});
    const QList<QJsonObject> turns = RetryPolicy::correctiveTurns({}, weatherTools(), attempt);
    QCOMPARE(turns.size(), 3);
    // The failed turn stays in the history as the model sent it.
    QCOMPARE(turns.at(0).value("role"_L1).toString(), u"assistant"_s);
    QCOMPARE(turns.at(0).value("content"_L1).toString(), u"Checking."_s);
    const QJsonArray calls = turns.at(0).value("tool_calls"_L1).toArray();
    QCOMPARE(calls.size(), 2);
    QCOMPARE(calls.at(0).toObject().value("function"_L1).toObject().value("arguments"_L1).toString(), uR"({"city":"Paris","days":"a few"})"_s);
    // One tool message per call, on the canonical channel.
    QCOMPARE(turns.at(1).value("role"_L1).toString(), u"tool"_s);
    QCOMPARE(turns.at(1).value("tool_call_id"_L1).toString(), u"call_a"_s);
    const QString correction = turns.at(1).value("content"_L1).toString();
    QVERIFY2(correction.contains(u"get_weather"_s) && correction.contains(u"days"_s), qPrintable(correction));
    QCOMPARE(turns.at(2).value("tool_call_id"_L1).toString(), u"call_b"_s);
    QVERIFY(turns.at(2).value("content"_L1).toString().contains(u"not run"_s));
}

void TestGuardPolicy::correctiveTurnsForText()
{
    const AttemptAnalysis attempt = textAttempt(u"The weather is nice."_s);
    const QList<QJsonObject> turns = RetryPolicy::correctiveTurns({ ToolChoice::Mode::Required, {} }, weatherTools(), attempt);
    QCOMPARE(turns.size(), 2);
    QCOMPARE(turns.at(0).value("role"_L1).toString(), u"assistant"_s);
    QCOMPARE(turns.at(0).value("content"_L1).toString(), u"The weather is nice."_s);
    QCOMPARE(turns.at(1).value("role"_L1).toString(), u"user"_s);
    QVERIFY(turns.at(1).value("content"_L1).toString().contains(u"get_weather"_s));
}

void TestGuardPolicy::acceptedArgumentsKeepBackendBytes()
{
    // Valid and untouched: the backend's own bytes, spacing and all.
    const AttemptAnalysis valid = nativeAttempt(u"get_weather"_s, uR"({ "city" : "Paris", "days": 3 })"_s);
    QCOMPARE(valid.calls.first().acceptedArgumentsText(), uR"({ "city" : "Paris", "days": 3 })"_s);
    // Repaired: the repaired object.
    const AttemptAnalysis repaired = nativeAttempt(u"get_weather"_s, uR"({"city":"Paris","days":3.0})"_s);
    QVERIFY(repaired.anyRepaired());
    QCOMPARE(repaired.calls.first().acceptedArgumentsText(), uR"({"city":"Paris","days":3})"_s);
}

void TestGuardPolicy::rescuedWholeFloatsAreRecorded_data()
{
    QTest::addColumn<QString>("content");
    QTest::addColumn<int>("repairs"); // IntegralFloat repairs recorded on the one rescued call
    QTest::addRow("hermes") << uR"(<tool_call>{"name": "get_weather", "arguments": {"city": "Paris", "days": 3.0}}</tool_call>)"_s << 1;
    QTest::addRow("openai nesting") << uR"({"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris", "days": 3.00}}})"_s << 1;
    QTest::addRow("mistral list") << uR"([TOOL_CALLS][{"name": "get_weather", "arguments": {"days": 2.0, "city": "Oslo"}}])"_s << 1;
    QTest::addRow("pythonic") << uR"([get_weather(city="Paris", days=3.0)])"_s << 1;
    QTest::addRow("written as an integer") << uR"(<tool_call>{"name": "get_weather", "arguments": {"city": "Paris", "days": 3}}</tool_call>)"_s << 0;
    // 3.0 elsewhere in the text is not the call's: only the call's own text counts.
    QTest::addRow("a float in the prose") << uR"(Version 3.0 says: <tool_call>{"name": "get_weather", "arguments": {"city": "Paris", "days": 3}}</tool_call>)"_s << 0;
}

void TestGuardPolicy::rescuedWholeFloatsAreRecorded()
{
    // A call rescued from text gets the same record of "3.0 became 3" as a native call.
    QFETCH(QString, content);
    QFETCH(int, repairs);
    const AttemptAnalysis analysis = textAttempt(content);
    QVERIFY(analysis.rescued);
    QCOMPARE(analysis.calls.size(), 1);
    const CallValidation& validation = analysis.calls.first().validation;
    QVERIFY(validation.valid);
    QCOMPARE(validation.arguments.value("days"_L1).toVariant().typeId(), QMetaType::LongLong);
    const auto integral = std::count_if(validation.repairs.cbegin(), validation.repairs.cend(),
                                        [](const Repair& repair) { return repair.kind == RepairKind::IntegralFloat; });
    QCOMPARE(int(integral), repairs);
    if (repairs > 0) {
        const auto repair = std::find_if(validation.repairs.cbegin(), validation.repairs.cend(),
                                         [](const Repair& r) { return r.kind == RepairKind::IntegralFloat; });
        QCOMPARE(repair->pointer, u"/days"_s);
    }
}

void TestGuardPolicy::streamReleasesProse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("released"); // forwarded while streaming (the rest is held)
    QTest::addColumn<bool>("capturing");

    QTest::addRow("plain prose") << u"The forecast: sunny, 21 degrees. Enjoy!"_s << u"The forecast: sunny, 21 degrees. Enjoy!"_s << false;
    QTest::addRow("comparison sign") << u"If a < b then [x] and {y} stay prose."_s << u"If a < b then [x] and {y} stay prose."_s << false;
    QTest::addRow("think tag later is not a call") << u"Sure. <think>hmm</think> ok"_s << u"Sure. <think>hmm</think> ok"_s << false;
    // A '>' at the end may be the first of Functionary's ">>>NAME": it waits for the next piece.
    QTest::addRow("trailing angle bracket") << u"a > b >"_s << u"a > b "_s << false;
    QTest::addRow("not functionary") << u"x >>> y"_s << u"x >>> y"_s << false;
    QTest::addRow("harmony recipient of no tool") << u"Send it to=functions.md later."_s << u"Send it to=functions.md later."_s << false;
    QTest::addRow("harmony recipient") << u"x to=functions.get_weather <|constrain|>json"_s << u"x "_s << true;
    QTest::addRow("markdown link") << u"See [the docs](https://example.org) first."_s << u"See [the docs](https://example.org) first."_s << false;
    QTest::addRow("python list, no call") << u"Use [len(x) for x in xs] here."_s << u"Use [len(x) for x in xs] here."_s << false;
    QTest::addRow("name as a word") << u"get_weather is the tool."_s << u"get_weather is the tool."_s << false;
    // Calls written outside envelopes are held from their first character.
    QTest::addRow("parenthesised call") << u"Calling get_weather({\"city\": \"Paris\"})"_s << u"Calling "_s << true;
    QTest::addRow("gemma call") << u"Ok.\ncall:get_weather{city:<escape>Paris<escape>}"_s << u"Ok.\n"_s << true;
    QTest::addRow("functionary call") << u"Ok>>>get_weather\n{\"city\": \"Paris\"}"_s << u"Ok"_s << true;
    // A '{"' that never closes and names no tool is released once it passes 16 KB.
    QTest::addRow("unclosed brace, long") << u"Note {\"x\": "_s + QString(20000, u'a') + u" end"_s
                                          << u"Note {\"x\": "_s + QString(20000, u'a') + u" end"_s << false;
    // An envelope that closes without a call is released with what follows; one with a call is not.
    QTest::addRow("closed data fence") << u"Here:\n```json\n{\"a\": 1}\n```\nAnd then more words."_s
                                       << u"Here:\n```json\n{\"a\": 1}\n```\nAnd then more words."_s << false;
    QTest::addRow("json data naming no tool") << u"The record {\"name\": \"Bob\", \"note\": \"{x}\"} is fine."_s
                                              << u"The record {\"name\": \"Bob\", \"note\": \"{x}\"} is fine."_s << false;
    QTest::addRow("Action: inside a sentence") << u"The next Action: we open the door."_s << u"The next Action: we open the door."_s << false;
    QTest::addRow("closed hermes call held") << u"<tool_call>{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}</tool_call> done"_s
                                             << QString() << true;
    QTest::addRow("fence holding a call held") << u"```json\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n```"_s
                                               << QString() << true;
    QTest::addRow("data fence then a call") << u"```json\n{\"a\": 1}\n```\nNow: <tool_call>{\"name\": \"get_weather\"}"_s
                                            << u"```json\n{\"a\": 1}\n```\nNow: "_s << true;
    QTest::addRow("hermes envelope") << u"Let me check. <tool_call>{\"name\": \"get_weather\"}"_s << u"Let me check. "_s << true;
    QTest::addRow("mistral marker") << u"[TOOL_CALLS][{\"name\":"_s << QString() << true;
    QTest::addRow("json fence") << u"Here:\n```json\n{\"name\": 1}"_s << u"Here:\n"_s << true;
    QTest::addRow("code fence") << u"Run:\n```bash\nls\n```\nDone."_s << u"Run:\n```bash\nls\n```\nDone."_s << false;
    QTest::addRow("closing fence held at the end") << u"Run:\n```bash\nls\n```"_s << u"Run:\n```bash\nls\n"_s << false;
    QTest::addRow("bare json call") << u"{\"name\": \"get_weather\", \"arguments\": {}}"_s << QString() << true;
    QTest::addRow("data json") << u"Example {\"city\": \"Paris\"} done"_s << u"Example {\"city\": \"Paris\"} done"_s << false;
    QTest::addRow("pythonic list") << u"[get_weather(city='Paris')]"_s << QString() << true;
    QTest::addRow("args rehearsal") << u"ok get_weather[ARGS]{\"city\":1}"_s << u"ok "_s << true;
    QTest::addRow("tool name in prose") << u"I will use get_weather for this."_s << u"I will use get_weather for this."_s << false;
    QTest::addRow("deepseek tokens") << u"Sure<\uff5ctool\u2581calls\u2581begin\uff5c>"_s << u"Sure"_s << true;
    QTest::addRow("prefix held at the end") << u"Almost <tool_ca"_s << u"Almost "_s << false;
    QTest::addRow("letter markers only at word starts") << u"Let the functools work"_s << u"Let the functools work"_s << false;
}

void TestGuardPolicy::streamReleasesProse()
{
    QFETCH(QString, text);
    QFETCH(QString, released);
    QFETCH(bool, capturing);
    for (int piece : { 1, 3, 1000 }) {
        StreamGuard guard(weatherTools(), true, true);
        QCOMPARE(forwarded(guard, text, piece), released);
        QCOMPARE(guard.capturing(), capturing);
        QCOMPARE(guard.text(), text);
        QCOMPARE(guard.heldText(), text.mid(released.size()));
    }
}

void TestGuardPolicy::streamSplitsLeadingReasoning_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("reasoning");
    QTest::addColumn<QString>("content");
    QTest::addRow("think") << u"<think>hmm</think>Sure."_s << u"hmm"_s << u"Sure."_s;
    QTest::addRow("after whitespace, multi-line") << u"  <think>a\nb</think>\n\nAnswer"_s << u"a\nb"_s << u"\n\nAnswer"_s;
    QTest::addRow("thinking") << u"<thinking>x</thinking>ok"_s << u"x"_s << u"ok"_s;
    QTest::addRow("unclosed") << u"<think>still going"_s << u"still going"_s << QString();
    QTest::addRow("a word, not a tag") << u"<thinker> is a word"_s << QString() << u"<thinker> is a word"_s;
    QTest::addRow("not at the start") << u"Sure <think>x</think>."_s << QString() << u"Sure <think>x</think>."_s;
    // A call may end a block that never closes: reasoning streams up to it and the call waits
    // for the rescue at the end. In a block that does close, it was a rehearsal.
    QTest::addRow("call ends unclosed reasoning")
        << u"<think>I need the weather <tool_call>{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}</tool_call>"_s
        << u"I need the weather "_s << QString();
    QTest::addRow("rehearsed call in closed reasoning")
        << u"<think>maybe <tool_call>{\"name\": \"get_weather\"}</tool_call> no</think>Sunny."_s
        << u"maybe <tool_call>{\"name\": \"get_weather\"}</tool_call> no"_s << u"Sunny."_s;
    QTest::addRow("data in reasoning streams on")
        << u"<think>the shape is {\"city\": \"x\"} and then more thought"_s
        << u"the shape is {\"city\": \"x\"} and then more thought"_s << QString();
}

void TestGuardPolicy::streamSplitsLeadingReasoning()
{
    // Inline reasoning at the start of the answer reaches the client as reasoning_content, as
    // the whole-answer path puts it, not as content.
    QFETCH(QString, text);
    QFETCH(QString, reasoning);
    QFETCH(QString, content);
    for (int piece : { 1, 2, 5, 1000 }) {
        StreamGuard guard(weatherTools(), true, true);
        QString gotReasoning, gotContent;
        for (qsizetype i = 0; i < text.size(); i += piece) {
            for (const QJsonObject& delta : guard.feed(chunk({ { u"content"_s, text.mid(i, piece) } }))) {
                gotReasoning += delta.value("reasoning_content"_L1).toString();
                gotContent += delta.value("content"_L1).toString();
            }
        }
        QCOMPARE(gotReasoning, reasoning);
        QCOMPARE(gotContent, content);
        QCOMPARE(guard.inlineReasoning(), reasoning);
        QVERIFY(guard.reasoning().isEmpty()); // not said twice in a completion built from the stream
        QCOMPARE(guard.text(), text);
    }
}

void TestGuardPolicy::streamAccumulatesNativeCalls()
{
    StreamGuard guard(weatherTools(), true, true);
    QVERIFY(guard.feed(chunk({ { u"role"_s, u"assistant"_s }, { u"content"_s, u""_s } })).isEmpty());
    QCOMPARE(guard.feed(chunk({ { u"reasoning_content"_s, u"Thinking"_s } })).size(), 1); // reasoning passes
    const auto call = [](int index, const QJsonObject& fields) {
        QJsonObject part = fields;
        part.insert(u"index"_s, index);
        return chunk({ { u"tool_calls"_s, QJsonArray { part } } });
    };
    QVERIFY(guard.feed(call(0, { { u"id"_s, u"call_x"_s }, { u"type"_s, u"function"_s },
                                  { u"function"_s, QJsonObject { { u"name"_s, u"get_weather"_s }, { u"arguments"_s, u""_s } } } })).isEmpty());
    for (const QString& fragment : { u"{\"city\""_s, u":\"Par"_s, u"is\",\"days\":2}"_s })
        QVERIFY(guard.feed(call(0, { { u"function"_s, QJsonObject { { u"arguments"_s, fragment } } } })).isEmpty());
    guard.feed(chunk({}, u"tool_calls"_s));
    QCOMPARE(guard.nativeCalls().size(), 1);
    QCOMPARE(guard.nativeCalls().first().id, u"call_x"_s);
    QCOMPARE(guard.nativeCalls().first().argumentsText, uR"({"city":"Paris","days":2})"_s);
    QCOMPARE(guard.finishReason(), u"tool_calls"_s);
    QCOMPARE(guard.reasoning(), u"Thinking"_s);
}

void TestGuardPolicy::retryForwardsNothing()
{
    StreamGuard guard(weatherTools(), true, false);
    QVERIFY(guard.feed(chunk({ { u"content"_s, u"Again, in words."_s } })).isEmpty());
    QVERIFY(guard.feed(chunk({ { u"reasoning_content"_s, u"hm"_s } })).isEmpty());
    QCOMPARE(guard.text(), u"Again, in words."_s);
    QVERIFY(!guard.forwardsText());
}

void TestGuardPolicy::generationInParserErrors_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("generation"); // empty: not a parser error with a generation

    QTest::addRow("llama.cpp parse failure") << 500
        << QByteArray(R"({"error":{"code":500,"message":"Failed to parse input at pos 7: <tool_call>
<function=x>
</function>
</tool_call>","type":"server_error"}})")
        << u"<tool_call>\n<function=x>\n</function>\n</tool_call>"_s;
    QTest::addRow("reworded message") << 500 << QByteArray(R"({"error":"parse error at position 0: <function=x></function>"})")
                                      << u"<function=x></function>"_s;
    QTest::addRow("no prefix") << 500 << QByteArray(R"({"error":{"message":"<tool_call>{}"}})") << u"<tool_call>{}"_s;
    QTest::addRow("out of memory") << 500 << QByteArray(R"({"error":{"message":"CUDA out of memory"}})") << QString();
    QTest::addRow("schema dump without markup") << 500 << QByteArray(R"({"error":{"message":""function": bad schema"}})") << QString();
    QTest::addRow("not a 500") << 400 << QByteArray(R"({"error":{"message":"<tool_call>"}})") << QString();
}

void TestGuardPolicy::generationInParserErrors()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QString, generation);
    const std::optional<QString> found = generationInParserError(status, body);
    QCOMPARE(found.has_value(), !generation.isEmpty());
    if (found)
        QCOMPARE(*found, generation);
}

QTEST_APPLESS_MAIN(TestGuardPolicy)
#include "tst_guardpolicy.moc"
