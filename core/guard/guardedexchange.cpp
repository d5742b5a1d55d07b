#include "guardedexchange.h"

#include "backend/backendclient.h"
#include "guardtrace.h"
#include "proxy/jsonedit.h"
#include "rescuer.h"
#include "trace/tracestore.h"

#include <QJsonArray>
#include <QDateTime>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Guard {

namespace {

QByteArray compact(const QJsonObject& object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonObject parseObject(QByteArrayView bytes)
{
    const QJsonDocument document = QJsonDocument::fromJson(bytes.toByteArray());
    return document.isObject() ? document.object() : QJsonObject();
}

QString correctionSummary(const QList<QJsonObject>& turns)
{
    QStringList parts;
    for (const QJsonObject& turn : turns) {
        if (turn.value("role"_L1).toString() != u"assistant"_s)
            parts.append(turn.value("content"_L1).toString());
    }
    return parts.join(u"\n\n"_s);
}

} // namespace

GuardedExchange::GuardedExchange(const Proxy::Context& context, Http::ResponseWriter* writer, Request request, QObject* parent)
    : QObject(parent)
    , m_context(context)
    , m_writer(writer)
    , m_request(std::move(request))
{
    // A stream with no byte for a while gets an SSE comment, so that clients and proxies with
    // idle timeouts keep the connection while a model thinks or a retry runs.
    m_keepAlive.setInterval(m_context.guard.keepAliveMs);
    connect(&m_keepAlive, &QTimer::timeout, this, [this] {
        // Nothing from the backend yet: open the client's stream now, so that it never waits on
        // zero bytes (a slow first token, a retry after everything was held).
        if (!m_clientStreamStarted && m_writer && m_writer->isActive())
            startClientStream();
        sendRaw(Sse::encodeComment("keep-alive"));
    });
}

void GuardedExchange::start()
{
    const Http::Request& request = m_writer->request();
    Trace::Exchange exchange;
    exchange.method = request.method;
    exchange.path = request.target;
    exchange.route = u"chat"_s;
    exchange.model = m_request.model;
    exchange.backend = m_context.profile.url.toString(QUrl::RemovePassword);
    exchange.toolNames = m_request.tools.names();
    exchange.streamed = m_request.stream;
    exchange.clientRequest = Proxy::requestRecord(request.method, request.target, request.headers, request.body, m_context);
    m_id = m_context.store->begin(exchange);

    connect(m_writer, &Http::ResponseWriter::clientGone, this, &GuardedExchange::onClientGone);
    connect(m_writer, &Http::ResponseWriter::drained, this, [this] {
        if (m_call)
            m_call->setPaused(false);
    });
    sendAttempt();
}

void GuardedExchange::sendAttempt()
{
    ++m_attempt;
    ++m_attemptsSent;
    m_status = 0;
    m_headers.clear();
    m_eventStream = false;
    m_body.clear();
    m_decoder = Sse::Decoder();
    m_streamError = QJsonObject();
    // Text is never sent twice: a retry's content is forwarded only when no content was sent
    // before it, its reasoning only when no reasoning was (two trains of thought would read as
    // one). A client that asked for a whole answer gets nothing streamed, whatever the backend does.
    m_streamGuard = std::make_unique<StreamGuard>(m_request.tools, m_context.guard.rescue, m_request.stream && !m_textSent);
    m_dropReasoning = m_reasoningSent;

    const Http::Request& request = m_writer->request();
    QByteArray body = m_request.body;
    if (!m_corrections.isEmpty()) {
        QList<QByteArray> turns;
        for (const QJsonObject& turn : std::as_const(m_corrections))
            turns.append(compact(turn));
        body = JsonEdit::appendToTopLevelArray(body, "messages", turns).value_or(body);
    }
    Backend::UpstreamRequest upstream;
    upstream.method = "POST";
    upstream.url = m_context.profile.upstreamUrl(request.path, request.query);
    upstream.headers = Proxy::upstreamHeaders(request.headers, m_context.profile);
    upstream.body = body;
    upstream.inactivityTimeoutMs = m_context.profile.timeoutMs;

    const int index = m_attempt;
    m_context.store->update(m_id, [&](Trace::Exchange& e) {
        Trace::Attempt attempt;
        attempt.index = index;
        attempt.request = Proxy::requestRecord(upstream.method, upstream.url.toEncoded(), upstream.headers, upstream.body, m_context);
        attempt.startedUs = e.elapsedUs();
        e.attempts.append(attempt);
        e.events.append({ attempt.startedUs, index, u"attempt-sent"_s,
                          index == 1 ? u"sent to the backend"_s : u"retry %1 sent with the correction"_s.arg(index - 1), {} });
    });

    m_call = m_context.client->send(upstream);
    connect(m_call, &Backend::UpstreamCall::headersReceived, this, &GuardedExchange::onHeaders);
    connect(m_call, &Backend::UpstreamCall::dataReceived, this, &GuardedExchange::onData);
    connect(m_call, &Backend::UpstreamCall::finished, this, &GuardedExchange::onFinished);
    connect(m_call, &Backend::UpstreamCall::failed, this,
            [this](Backend::Failure failure, const QString& message) { onFailed(int(failure), message); });
    if (m_request.stream)
        m_keepAlive.start();
}

void GuardedExchange::onHeaders(int status, const Http::Headers& headers)
{
    m_status = status;
    m_headers = headers;
    m_eventStream = status == 200 && Http::headerValue(headers, "Content-Type").contains("text/event-stream");
    m_context.store->update(m_id, [&](Trace::Exchange& e) {
        Trace::Attempt& attempt = e.attempts.last();
        attempt.firstByteUs = e.elapsedUs();
        attempt.response.status = status;
        attempt.response.headers = m_context.redactor.headers(headers);
    });
    if (m_eventStream && m_request.stream && !m_clientStreamStarted)
        startClientStream();
}

void GuardedExchange::onData(const QByteArray& chunk)
{
    const qint64 now = m_context.store->find(m_id) ? m_context.store->find(m_id)->elapsedUs() : 0;
    m_context.store->update(m_id, [&](Trace::Exchange& e) { Proxy::appendBody(e.attempts.last().response, chunk, m_context.traceBodyLimit); });
    if (!m_eventStream) {
        m_body.append(chunk);
        return;
    }
    for (const Sse::Event& event : m_decoder.feed(chunk))
        handleStreamEvent(event.data, now);
    if (m_writer && m_writer->pendingBytes() > m_context.pauseUpstreamAtBytes && m_call)
        m_call->setPaused(true);
}

void GuardedExchange::handleStreamEvent(const QByteArray& data, qint64 atUs)
{
    m_context.store->update(m_id, [&](Trace::Exchange& e) {
        Trace::Attempt& attempt = e.attempts.last();
        attempt.response.events.append({ atUs, data });
        if (attempt.firstTokenUs < 0 && data != "[DONE]" && Proxy::chatFactsFromBytes(data).hasToken) {
            attempt.firstTokenUs = atUs;
            if (e.firstTokenUs < 0)
                e.firstTokenUs = atUs;
            e.events.append({ atUs, int(e.attempts.size()), u"first-token"_s, u"first token"_s, {} });
        }
    });
    if (data == "[DONE]")
        return;
    const QJsonObject chunk = parseObject(data);
    if (chunk.contains("error"_L1)) {
        m_streamError = chunk;
        return;
    }
    forwardChunk(chunk);
}

void GuardedExchange::forwardChunk(const QJsonObject& chunk)
{
    if (m_chunkTemplate.isEmpty() && !chunk.isEmpty()) {
        for (QLatin1StringView key : { "id"_L1, "object"_L1, "created"_L1, "model"_L1, "system_fingerprint"_L1 }) {
            if (chunk.contains(key))
                m_chunkTemplate.insert(key, chunk.value(key));
        }
    }
    for (QJsonObject delta : m_streamGuard->feed(chunk)) {
        if (m_dropReasoning) {
            delta.remove("reasoning_content"_L1);
            delta.remove("reasoning"_L1);
        }
        if (delta.isEmpty())
            continue;
        sendChunk(delta);
        if (!delta.value("content"_L1).toString().isEmpty())
            m_textSent = true;
        if (!delta.value("reasoning_content"_L1).toString().isEmpty() || !delta.value("reasoning"_L1).toString().isEmpty())
            m_reasoningSent = true;
    }
}

void GuardedExchange::replayAsStream(const QJsonObject& completion, const AttemptAnalysis& analysis)
{
    // One chunk holding the whole message, so the answer takes the streamed path from here on:
    // text released or held by the same rules, native calls accumulated for validation.
    QJsonObject delta;
    if (!analysis.reasoning.isEmpty())
        delta.insert(u"reasoning_content"_s, analysis.reasoning);
    if (!analysis.content.isEmpty())
        delta.insert(u"content"_s, analysis.content);
    if (!analysis.rescued && analysis.hasCalls()) {
        QJsonArray calls;
        for (int i = 0; i < analysis.calls.size(); ++i) {
            const CheckedCall& call = analysis.calls.at(i);
            calls.append(QJsonObject { { u"index"_s, i }, { u"id"_s, call.id }, { u"type"_s, u"function"_s },
                                       { u"function"_s, QJsonObject { { u"name"_s, call.name }, { u"arguments"_s, call.argumentsText } } } });
        }
        delta.insert(u"tool_calls"_s, calls);
    }
    QJsonObject chunk { { u"object"_s, u"chat.completion.chunk"_s } };
    for (QLatin1StringView key : { "id"_L1, "created"_L1, "model"_L1, "system_fingerprint"_L1 }) {
        if (completion.contains(key))
            chunk.insert(key, completion.value(key));
    }
    const QJsonValue finish = analysis.finishReason.isEmpty() ? QJsonValue() : QJsonValue(analysis.finishReason);
    chunk.insert(u"choices"_s, QJsonArray { QJsonObject { { u"index"_s, 0 }, { u"delta"_s, delta }, { u"finish_reason"_s, finish } } });
    forwardChunk(chunk);
}

void GuardedExchange::onFinished()
{
    if (m_done)
        return;
    m_keepAlive.stop();
    if (m_eventStream) {
        const qint64 now = m_context.store->find(m_id)->elapsedUs();
        for (const Sse::Event& event : m_decoder.finish())
            handleStreamEvent(event.data, now);
    }
    m_context.store->update(m_id, [&](Trace::Exchange& e) { e.attempts.last().finishedUs = e.elapsedUs(); });

    // Usage of this attempt, for the sum the client gets.
    QJsonObject usage;
    AttemptAnalysis analysis;
    const AnalysisOptions options { m_context.guard.rescue, m_context.guard.repair };
    if (m_status == 200 && m_eventStream && m_streamError.isEmpty() && !m_request.stream) {
        // The backend streamed though the client asked for a whole answer: gather the stream
        // into the completion the client expects, then guard it as one.
        m_body = completionFromStream();
        const QJsonObject completion = parseObject(m_body);
        usage = completion.value("usage"_L1).toObject();
        analysis = analyzeCompletion(completion, m_request.tools, options);
    } else if (m_status == 200 && m_eventStream && m_streamError.isEmpty()) {
        usage = m_streamGuard->usage();
        analysis = analyzeAttempt(m_streamGuard->text(), m_streamGuard->reasoning(), m_streamGuard->nativeCalls(),
                                  m_streamGuard->finishReason(), m_request.tools, options);
    } else if (const auto generation = m_context.guard.rescue ? generationInParserError(m_status, m_body) : std::nullopt) {
        // The backend's own tool-call parser failed and echoed what the model wrote: read it
        // here instead, as if the backend had answered with that text.
        analysis = analyzeAttempt(*generation, {}, {}, u"stop"_s, m_request.tools, options);
        if (!analysis.hasCalls() && !analysis.nearMiss) {
            failWithBackendAnswer();
            return;
        }
        m_context.store->update(m_id, [&](Trace::Exchange& e) {
            e.events.append({ e.elapsedUs(), m_attempt, u"rescue"_s,
                              u"the backend's parser rejected the model's output (HTTP 500); reading the generation from its error"_s, {} });
        });
        m_body = syntheticCompletion(*generation);
        m_status = 200;
        if (m_request.stream)
            replayAsStream(parseObject(m_body), analysis);
    } else if (m_status == 200 && !m_eventStream) {
        const QJsonObject completion = parseObject(m_body);
        if (completion.value("choices"_L1).toArray().isEmpty()) {
            failWithBackendAnswer();
            return;
        }
        usage = completion.value("usage"_L1).toObject();
        analysis = analyzeCompletion(completion, m_request.tools, options);
        if (m_request.stream)
            replayAsStream(completion, analysis); // the backend ignored "stream": true
    } else {
        failWithBackendAnswer();
        return;
    }
    const qint64 prompt = usage.value("prompt_tokens"_L1).toInteger(-1);
    const qint64 completion = usage.value("completion_tokens"_L1).toInteger(-1);
    if (prompt >= 0)
        m_promptTokens = std::max<qint64>(m_promptTokens, 0) + prompt;
    if (completion >= 0)
        m_completionTokens = std::max<qint64>(m_completionTokens, 0) + completion;
    m_context.store->update(m_id, [&](Trace::Exchange& e) {
        e.attempts.last().usage = { prompt, completion };
        e.usage = { m_promptTokens, m_completionTokens };
    });
    concludeAttempt(analysis);
}

void GuardedExchange::concludeAttempt(const AttemptAnalysis& analysis)
{
    const Decision decision = RetryPolicy::decide(m_request.choice, m_context.guard.maxRetries, m_attempt, analysis);
    m_anyRescued = m_anyRescued || (analysis.rescued && decision.verdict == Decision::Verdict::Accept);
    m_anyRepaired = m_anyRepaired || (analysis.anyRepaired() && decision.verdict == Decision::Verdict::Accept);
    switch (decision.verdict) {
    case Decision::Verdict::Accept:
        recordDecision(analysis, decision, {});
        accept(analysis);
        return;
    case Decision::Verdict::Retry:
        retry(analysis, decision);
        return;
    case Decision::Verdict::GiveUp:
        recordDecision(analysis, decision, {});
        giveUp(analysis, decision);
        return;
    }
}

void GuardedExchange::recordDecision(const AttemptAnalysis& analysis, const Decision& decision, const QList<QJsonObject>& correction)
{
    const int index = m_attempt;
    m_context.store->update(m_id, [&](Trace::Exchange& e) {
        const qint64 now = e.elapsedUs();
        e.attempts.last().guard = attemptGuardJson(analysis, decision, correction);
        if (analysis.rescued) {
            QStringList names;
            for (const CheckedCall& call : analysis.calls)
                names.append(call.name);
            e.events.append({ now, index, u"rescue"_s,
                              u"%1 recovered %2 from the text: %3"_s.arg(analysis.rescueParser)
                                  .arg(names.size() == 1 ? u"1 call"_s : u"%1 calls"_s.arg(names.size()), names.join(u", "_s)),
                              QJsonObject { { u"format"_s, analysis.rescueFormat }, { u"parser"_s, analysis.rescueParser } } });
        }
        for (const CheckedCall& call : analysis.calls) {
            for (const Repair& repair : call.validation.repairs) {
                e.events.append({ now, index, u"repair"_s, call.name + u": "_s + repair.description,
                                  QJsonObject { { u"pointer"_s, repair.pointer }, { u"before"_s, repair.before }, { u"after"_s, repair.after } } });
            }
            for (const ValidationIssue& issue : call.validation.issues) {
                e.events.append({ now, index, u"validation"_s, call.name + u": "_s + issue.message,
                                  QJsonObject { { u"rule"_s, ruleName(issue.rule) }, { u"path"_s, issue.path } } });
            }
        }
        if (analysis.nearMiss && analysis.calls.isEmpty())
            e.events.append({ now, index, u"validation"_s, u"call-shaped text that could not be read"_s, {} });
        if (!correction.isEmpty())
            e.events.append({ now, index, u"correction"_s, correctionSummary(correction), {} });
    });
}

void GuardedExchange::retry(const AttemptAnalysis& analysis, const Decision& decision)
{
    const QList<QJsonObject> turns = RetryPolicy::correctiveTurns(m_request.choice, m_request.tools, analysis);
    recordDecision(analysis, decision, turns);
    m_corrections.append(turns);
    m_previous = analysis;
    m_havePrevious = true;
    m_lastCompletionBody = m_body;
    m_previousGuard = std::move(m_streamGuard);
    const int next = m_attempt + 1;
    m_context.store->update(m_id, [&](Trace::Exchange& e) {
        e.events.append({ e.elapsedUs(), m_attempt, u"retry"_s, decision.reason + u"; retrying"_s, {} });
    });
    if (m_request.stream && m_clientStreamStarted)
        sendRaw(Sse::encodeComment(u"temper: %1; retrying (attempt %2 of %3)"_s.arg(decision.reason).arg(next)
                                       .arg(m_context.guard.maxRetries + 1).toUtf8()));
    if (m_call)
        m_call->deleteLater();
    sendAttempt();
}

QByteArray GuardedExchange::syntheticCompletion(const QString& content)
{
    const QJsonObject completion {
        { u"id"_s, u"chatcmpl-temper-%1"_s.arg(m_id) },
        { u"object"_s, u"chat.completion"_s },
        { u"created"_s, QDateTime::currentSecsSinceEpoch() },
        { u"model"_s, m_request.model },
        { u"choices"_s, QJsonArray { QJsonObject { { u"index"_s, 0 },
                                                   { u"message"_s, QJsonObject { { u"role"_s, u"assistant"_s }, { u"content"_s, content } } },
                                                   { u"finish_reason"_s, u"stop"_s } } } },
    };
    if (m_chunkTemplate.isEmpty()) {
        for (QLatin1StringView key : { "id"_L1, "created"_L1, "model"_L1 })
            m_chunkTemplate.insert(key, completion.value(key));
        m_chunkTemplate.insert(u"object"_s, u"chat.completion.chunk"_s);
    }
    return compact(completion);
}

QByteArray GuardedExchange::completionFromStream() const
{
    return compact(Guard::completionFromStream(*m_streamGuard, m_chunkTemplate));
}

Trace::Outcome GuardedExchange::acceptedOutcome(const AttemptAnalysis& analysis) const
{
    if (m_attempt > 1)
        return Trace::Outcome::Retried;
    if (analysis.rescued)
        return Trace::Outcome::Rescued;
    if (analysis.anyRepaired())
        return Trace::Outcome::Repaired;
    return Trace::Outcome::Passed;
}

QJsonObject GuardedExchange::summedUsage() const
{
    if (m_promptTokens < 0 && m_completionTokens < 0)
        return {};
    const qint64 prompt = std::max<qint64>(m_promptTokens, 0);
    const qint64 completion = std::max<qint64>(m_completionTokens, 0);
    return { { u"prompt_tokens"_s, prompt }, { u"completion_tokens"_s, completion }, { u"total_tokens"_s, prompt + completion } };
}

QByteArray GuardedExchange::withSummedUsage(const QByteArray& body) const
{
    const QJsonObject usage = summedUsage();
    if (m_attemptsSent <= 1 || usage.isEmpty())
        return body;
    // A failed retry reports no usage: the body's own may be the sum already, details and all.
    const QJsonObject own = parseObject(body).value("usage"_L1).toObject();
    if (own.value("prompt_tokens"_L1) == usage.value("prompt_tokens"_L1)
        && own.value("completion_tokens"_L1) == usage.value("completion_tokens"_L1))
        return body;
    return JsonEdit::setTopLevelMember(body, "usage", compact(usage)).value_or(body);
}

QByteArray GuardedExchange::acceptedCompletion(const AttemptAnalysis& analysis) const
{
    QJsonObject completion = parseObject(m_body);
    QJsonArray choices = completion.value("choices"_L1).toArray();
    QJsonObject choice = choices.first().toObject();
    const bool untouched = !analysis.rescued && !analysis.anyRepaired()
        && (!analysis.hasCalls() || choice.value("finish_reason"_L1).toString() == u"tool_calls"_s);
    if (untouched)
        return withSummedUsage(m_body); // the backend's own bytes
    QJsonObject message = choice.value("message"_L1).toObject();
    if (analysis.hasCalls()) {
        QJsonArray calls;
        for (const CheckedCall& call : analysis.calls)
            calls.append(call.toOpenAi(call.acceptedArgumentsText()));
        message.insert(u"tool_calls"_s, calls);
        choice.insert(u"finish_reason"_s, u"tool_calls"_s);
    }
    if (analysis.rescued) {
        message.insert(u"content"_s, analysis.visibleContent.isEmpty() ? QJsonValue() : QJsonValue(analysis.visibleContent));
        if (!analysis.rescuedReasoning.isEmpty() && analysis.reasoning.isEmpty())
            message.insert(u"reasoning_content"_s, analysis.rescuedReasoning);
    }
    choice.insert(u"message"_s, message);
    choices.replace(0, choice);
    completion.insert(u"choices"_s, choices);
    if (!summedUsage().isEmpty())
        completion.insert(u"usage"_s, summedUsage());
    return compact(completion);
}

QString GuardedExchange::heldTextKey(bool rescued) const
{
    // Text held in a reasoning block that never closed is reasoning, unless the rescue already
    // took the reasoning out of it (what is left then is the answer's own text).
    return m_streamGuard->holdsReasoning() && !rescued ? u"reasoning_content"_s : u"content"_s;
}

void GuardedExchange::accept(const AttemptAnalysis& analysis)
{
    const Trace::Outcome outcome = acceptedOutcome(analysis);
    if (!m_request.stream) {
        respondWhole(200, acceptedCompletion(analysis), outcome);
        return;
    }
    // What this attempt held back and is content after all.
    if (m_streamGuard->forwardsText()) {
        const QString rest = analysis.rescued ? visibleText(m_streamGuard->text(), analysis.removedSpans, m_streamGuard->sentLength())
                                              : m_streamGuard->heldText();
        if (!rest.isEmpty())
            sendChunk({ { heldTextKey(analysis.rescued), rest } });
    }
    for (int i = 0; i < analysis.calls.size(); ++i) {
        const CheckedCall& call = analysis.calls.at(i);
        QJsonObject entry = call.toOpenAi(call.acceptedArgumentsText());
        entry.insert(u"index"_s, i);
        sendChunk({ { u"tool_calls"_s, QJsonArray { entry } } });
    }
    const QString finish = analysis.hasCalls() ? u"tool_calls"_s
        : analysis.finishReason.isEmpty()      ? u"stop"_s
                                               : analysis.finishReason;
    sendChunk({}, finish, !m_request.includeUsage);
    endClientStream(outcome);
}

void GuardedExchange::giveUp(const AttemptAnalysis& analysis, const Decision& decision)
{
    const QString message = u"Temper gave up after %1 attempt%2: %3."_s.arg(m_attemptsSent).arg(m_attemptsSent == 1 ? QString() : u"s"_s, decision.reason);
    if (m_context.guard.onExhausted == Config::OnExhausted::Error) {
        if (m_request.stream && m_clientStreamStarted) {
            endStreamWithError(message, u"tool_call_error"_s, u"retries_exhausted"_s, Trace::Outcome::GaveUp);
        } else {
            Proxy::respondError(m_writer, 502, message, u"tool_call_error"_s, u"retries_exhausted"_s, m_id);
            m_context.store->update(m_id, [&](Trace::Exchange& e) { e.clientResponse.status = 502; });
            finishTrace(Trace::Outcome::GaveUp, message);
        }
        return;
    }
    // The last attempt as the backend returned it, with the usage of all attempts.
    if (!m_request.stream) {
        respondWhole(200, withSummedUsage(m_body), Trace::Outcome::GaveUp);
        return;
    }
    // Its held text, unless a later attempt (that failed) already sent content of its own.
    if (m_streamGuard->forwardsText() && (m_streamGuard->sentLength() > 0 || !m_textSent)) {
        const QString held = m_streamGuard->heldText();
        if (!held.isEmpty())
            sendChunk({ { heldTextKey(false), held } });
    }
    const QList<NativeCall> native = m_streamGuard->nativeCalls();
    for (const NativeCall& call : native) {
        sendChunk({ { u"tool_calls"_s, QJsonArray { QJsonObject {
            { u"index"_s, call.index }, { u"id"_s, call.id.isEmpty() ? newCallId() : call.id }, { u"type"_s, u"function"_s },
            { u"function"_s, QJsonObject { { u"name"_s, call.name }, { u"arguments"_s, call.argumentsText } } } } } } });
    }
    const QString finish = !native.isEmpty() ? u"tool_calls"_s : analysis.finishReason.isEmpty() ? u"stop"_s : analysis.finishReason;
    sendChunk({}, finish, !m_request.includeUsage);
    endClientStream(Trace::Outcome::GaveUp);
}

void GuardedExchange::failWithBackendAnswer()
{
    // The backend failed (an error status, a body without choices, an error inside its stream).
    // A failed retry falls back to giving up with the previous attempt; a failed first attempt
    // is passed on to the client as the backend sent it.
    const QString why = m_status != 200 ? u"the backend answered %1"_s.arg(m_status)
        : !m_streamError.isEmpty()      ? u"the backend sent an error in its stream"_s
                                        : u"the backend's answer has no choices"_s;
    if (m_attempt > 1 && m_havePrevious) {
        m_context.store->update(m_id, [&](Trace::Exchange& e) { e.attempts.last().error = why; });
        restorePreviousAttempt();
        giveUp(m_previous, { Decision::Verdict::GiveUp, why + u" on the retry"_s });
        return;
    }
    // What the backend said: its stream's error event, or the error in its body.
    const QJsonValue said = (m_streamError.isEmpty() ? parseObject(m_body) : m_streamError).value("error"_L1);
    const QString detail = said.isString() ? said.toString() : said.toObject().value("message"_L1).toString();
    const QString message = detail.isEmpty() ? why : m_streamError.isEmpty() ? why + u": "_s + detail : detail;
    const QString type = said.toObject().value("type"_L1).toString(u"backend_error"_s);
    const QString code = said.toObject().value("code"_L1).toVariant().toString();
    if (m_request.stream && m_clientStreamStarted) {
        endStreamWithError(message, type, code, Trace::Outcome::Error);
        return;
    }
    if (m_eventStream) {
        // The backend streamed (the client asked for a whole answer) and failed on the way: an
        // error the client can read, not the remains of a stream.
        respondWhole(502, Http::errorBody(message, type, code.isEmpty() ? u"backend_error"_s : code), Trace::Outcome::Error, message);
        return;
    }
    if (m_writer) {
        Http::Headers headers = Proxy::clientHeaders(m_headers, m_id, u"error"_s);
        m_writer->respond(m_status ? m_status : 502, headers, m_body);
        m_context.store->update(m_id, [&](Trace::Exchange& e) {
            e.firstByteUs = e.elapsedUs();
            e.clientResponse.status = m_status ? m_status : 502;
            e.clientResponse.headers = m_context.redactor.headers(headers);
            Proxy::appendBody(e.clientResponse, m_body, m_context.traceBodyLimit);
        });
    }
    finishTrace(Trace::Outcome::Error, why);
}

void GuardedExchange::onFailed(int failure, const QString& message)
{
    if (m_done)
        return;
    m_keepAlive.stop();
    m_context.store->update(m_id, [&](Trace::Exchange& e) {
        e.attempts.last().error = message;
        e.attempts.last().finishedUs = e.elapsedUs();
    });
    if (m_attempt > 1 && m_havePrevious) {
        restorePreviousAttempt();
        giveUp(m_previous, { Decision::Verdict::GiveUp, u"the backend failed on the retry (%1)"_s.arg(message) });
        return;
    }
    const int status = Proxy::statusForFailure(failure);
    const QString text = u"Temper could not get an answer from the backend at %1: %2"_s.arg(m_context.profile.url.toString(QUrl::RemovePassword), message);
    const QString code = status == 504 ? u"backend_timeout"_s : u"backend_unreachable"_s;
    if (m_request.stream && m_clientStreamStarted) {
        endStreamWithError(text, u"backend_error"_s, code, Trace::Outcome::Error);
        return;
    }
    Proxy::respondError(m_writer, status, text, u"backend_error"_s, code, m_id);
    m_context.store->update(m_id, [&](Trace::Exchange& e) {
        if (e.clientResponse.status == 0)
            e.clientResponse.status = m_clientStreamStarted ? 200 : status;
    });
    finishTrace(Trace::Outcome::Error, text);
}

void GuardedExchange::restorePreviousAttempt()
{
    --m_attempt;
    m_body = m_lastCompletionBody;
    if (m_previousGuard)
        m_streamGuard = std::move(m_previousGuard);
}

void GuardedExchange::onClientGone()
{
    if (m_done)
        return;
    if (m_call)
        m_call->abort();
    finishTrace(Trace::Outcome::Error, u"the client disconnected before the response ended"_s);
}

// ---- writing to the client

void GuardedExchange::startClientStream()
{
    Http::Headers headers { { "Content-Type", "text/event-stream" }, { "Cache-Control", "no-cache" },
                            { "X-Accel-Buffering", "no" }, { "Trailer", "X-Temper-Outcome" } };
    Proxy::addCorsHeaders(headers);
    headers.append({ "X-Temper-Exchange", QByteArray::number(m_id) });
    m_writer->beginStream(200, headers);
    m_clientStreamStarted = true;
    m_context.store->update(m_id, [&](Trace::Exchange& e) {
        e.firstByteUs = e.elapsedUs();
        e.clientResponse.status = 200;
        e.clientResponse.headers = m_context.redactor.headers(headers);
    });
}

void GuardedExchange::sendRaw(const QByteArray& bytes)
{
    if (!m_writer || !m_clientStreamStarted)
        return;
    m_writer->write(bytes);
    if (m_keepAlive.isActive())
        m_keepAlive.start(); // a comment is due only after a silence
}

void GuardedExchange::sendChunk(const QJsonObject& delta, const QJsonValue& finishReason, bool withUsage)
{
    if (!m_clientStreamStarted)
        startClientStream();
    QJsonObject chunk = m_chunkTemplate;
    if (!chunk.contains("object"_L1))
        chunk.insert(u"object"_s, u"chat.completion.chunk"_s);
    QJsonObject fullDelta = delta;
    if (!m_roleSent) {
        fullDelta.insert(u"role"_s, u"assistant"_s);
        m_roleSent = true;
    }
    chunk.insert(u"choices"_s, QJsonArray { QJsonObject { { u"index"_s, 0 }, { u"delta"_s, fullDelta }, { u"finish_reason"_s, finishReason } } });
    if (withUsage && !summedUsage().isEmpty())
        chunk.insert(u"usage"_s, summedUsage());
    const QByteArray data = compact(chunk);
    sendRaw(Sse::encodeData(data));
    m_context.store->update(m_id, [&](Trace::Exchange& e) {
        e.clientResponse.events.append({ e.elapsedUs(), data });
        Proxy::appendBody(e.clientResponse, Sse::encodeData(data), m_context.traceBodyLimit);
    });
}

void GuardedExchange::endClientStream(Trace::Outcome outcome)
{
    if (m_request.includeUsage && !summedUsage().isEmpty()) {
        // The usage chunk the client asked for: no choices, the usage of every attempt summed.
        QJsonObject chunk = m_chunkTemplate;
        chunk.insert(u"choices"_s, QJsonArray());
        chunk.insert(u"usage"_s, summedUsage());
        const QByteArray data = compact(chunk);
        sendRaw(Sse::encodeData(data));
        m_context.store->update(m_id, [&](Trace::Exchange& e) { e.clientResponse.events.append({ e.elapsedUs(), data }); });
    }
    const QByteArray name = Trace::outcomeName(outcome).toLatin1();
    sendRaw(Sse::encodeComment(QByteArray("temper outcome=" + name)));
    sendRaw(Sse::encodeData("[DONE]"));
    m_context.store->update(m_id, [&](Trace::Exchange& e) { e.clientResponse.events.append({ e.elapsedUs(), "[DONE]" }); });
    if (m_writer)
        m_writer->endStream({ { "X-Temper-Outcome", name } });
    finishTrace(outcome);
}

void GuardedExchange::endStreamWithError(const QString& message, const QString& type, const QString& code, Trace::Outcome outcome)
{
    const QByteArray events = Proxy::streamErrorEvents(message, type, code);
    sendRaw(events);
    m_context.store->update(m_id, [&](Trace::Exchange& e) { Proxy::appendBody(e.clientResponse, events, m_context.traceBodyLimit); });
    if (m_writer)
        m_writer->endStream({ { "X-Temper-Outcome", Trace::outcomeName(outcome).toLatin1() } });
    finishTrace(outcome, message);
}

void GuardedExchange::respondWhole(int status, const QByteArray& body, Trace::Outcome outcome, const QString& error)
{
    Http::Headers headers = Proxy::clientHeaders(m_headers, m_id, Trace::outcomeName(outcome));
    Http::setHeader(headers, "Content-Type", "application/json");
    if (m_writer)
        m_writer->respond(status, headers, body);
    m_context.store->update(m_id, [&](Trace::Exchange& e) {
        const qint64 now = e.elapsedUs();
        e.firstByteUs = now;
        if (e.firstTokenUs < 0 && status == 200)
            e.firstTokenUs = now;
        e.clientResponse.status = status;
        e.clientResponse.headers = m_context.redactor.headers(headers);
        Proxy::appendBody(e.clientResponse, body, m_context.traceBodyLimit);
    });
    finishTrace(outcome, error);
}

void GuardedExchange::finishTrace(Trace::Outcome outcome, const QString& error)
{
    if (m_done)
        return;
    m_done = true;
    m_keepAlive.stop();
    m_context.store->finish(m_id, [&](Trace::Exchange& e) {
        const qint64 now = e.elapsedUs();
        e.totalUs = now;
        e.outcome = outcome;
        e.error = error;
        e.usage = { m_promptTokens, m_completionTokens };
        e.events.append({ now, 0, outcome == Trace::Outcome::Error ? u"error"_s : u"final"_s,
                          error.isEmpty() ? u"answered the client: "_s + Trace::outcomeName(outcome) : error, {} });
    });
    if (m_call)
        m_call->deleteLater();
    deleteLater();
}

} // namespace Guard
