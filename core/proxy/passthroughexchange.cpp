#include "passthroughexchange.h"

#include "backend/backendclient.h"
#include "trace/tracestore.h"

using namespace Qt::StringLiterals;

namespace Proxy {

PassThroughExchange::PassThroughExchange(const Context& context, Http::ResponseWriter* writer, Route route,
                                         QByteArray upstreamBody, QString model, QStringList toolNames,
                                         bool streamRequested, QObject* parent)
    : QObject(parent)
    , m_context(context)
    , m_writer(writer)
    , m_route(route)
    , m_upstreamBody(std::move(upstreamBody))
    , m_model(std::move(model))
    , m_toolNames(std::move(toolNames))
    , m_streamRequested(streamRequested)
{
}

void PassThroughExchange::start()
{
    const Http::Request& request = m_writer->request();
    Trace::Exchange exchange;
    exchange.method = request.method;
    exchange.path = request.target;
    exchange.route = m_route == Route::Chat ? u"chat"_s : u"passthrough"_s;
    exchange.model = m_model;
    exchange.backend = m_context.profile.url.toString(QUrl::RemovePassword);
    exchange.toolNames = m_toolNames;
    exchange.streamed = m_streamRequested;
    exchange.clientRequest = requestRecord(request.method, request.target, request.headers, request.body, m_context);
    m_id = m_context.store->begin(exchange);

    Backend::UpstreamRequest upstream;
    upstream.method = request.method;
    upstream.url = m_context.profile.upstreamUrl(request.path, request.query);
    upstream.headers = upstreamHeaders(request.headers, m_context.profile);
    upstream.body = m_upstreamBody;
    upstream.streamedBody = m_writer->bodyPending();
    if (upstream.streamedBody) {
        bool known = false;
        const qint64 length = request.header("Content-Length").toLongLong(&known);
        upstream.streamedBodyLength = known ? length : -1;
    }
    upstream.inactivityTimeoutMs = m_context.profile.timeoutMs;

    Trace::Attempt attempt;
    attempt.index = 1;
    attempt.request = requestRecord(upstream.method, upstream.url.toEncoded(), upstream.headers, upstream.body, m_context);
    m_context.store->update(m_id, [&](Trace::Exchange& e) {
        attempt.startedUs = e.elapsedUs();
        e.attempts.append(attempt);
        e.events.append({ attempt.startedUs, 1, u"attempt-sent"_s, u"forwarded to "_s + QString::fromUtf8(attempt.request.url), {} });
    });

    m_call = m_context.client->send(upstream);
    connect(m_call, &Backend::UpstreamCall::headersReceived, this, &PassThroughExchange::onHeaders);
    connect(m_call, &Backend::UpstreamCall::dataReceived, this, &PassThroughExchange::onData);
    connect(m_call, &Backend::UpstreamCall::finished, this, &PassThroughExchange::onFinished);
    connect(m_call, &Backend::UpstreamCall::failed, this,
            [this](Backend::Failure failure, const QString& message) { onFailed(int(failure), message); });
    connect(m_writer, &Http::ResponseWriter::clientGone, this, &PassThroughExchange::onClientGone);
    connect(m_writer, &Http::ResponseWriter::bodyReceived, this, &PassThroughExchange::onBodyReceived);
    connect(m_writer, &Http::ResponseWriter::bodyComplete, this, &PassThroughExchange::onBodyComplete);
    connect(m_writer, &Http::ResponseWriter::bodyFailed, this, &PassThroughExchange::onBodyFailed);
    connect(m_call, &Backend::UpstreamCall::bodyDrained, this, [this] {
        if (m_writer)
            m_writer->pauseBody(false);
    });
    connect(m_writer, &Http::ResponseWriter::drained, this, [this] {
        if (m_call)
            m_call->setPaused(false);
    });
}

void PassThroughExchange::onHeaders(int status, const Http::Headers& headers)
{
    m_status = status;
    m_headers = headers;
    m_eventStream = Http::headerValue(headers, "Content-Type").contains("text/event-stream");
    m_buffered = m_route == Route::Chat && !m_eventStream;
    m_context.store->update(m_id, [&](Trace::Exchange& e) {
        Trace::Attempt& attempt = e.attempts.last();
        attempt.firstByteUs = e.elapsedUs();
        attempt.response.status = status;
        attempt.response.headers = m_context.redactor.headers(headers);
        e.streamed = m_eventStream;
    });
    if (m_buffered || !m_writer)
        return;
    Http::Headers out = clientHeaders(headers, m_id, m_route == Route::Chat ? u"passthrough"_s : QString());
    if (m_eventStream) {
        Http::setHeader(out, "Cache-Control", "no-cache");
        Http::setHeader(out, "X-Accel-Buffering", "no");
    }
    m_writer->beginStream(status, out);
    m_context.store->update(m_id, [&](Trace::Exchange& e) {
        e.firstByteUs = e.elapsedUs();
        e.clientResponse.status = status;
        e.clientResponse.headers = m_context.redactor.headers(out);
    });
}

void PassThroughExchange::onData(const QByteArray& chunk)
{
    if (m_buffered) {
        m_buffer.append(chunk);
    } else if (m_writer) {
        m_writer->write(chunk);
        if (m_writer->pendingBytes() > m_context.pauseUpstreamAtBytes && m_call)
            m_call->setPaused(true);
    }
    const QList<Sse::Event> events = m_eventStream ? m_decoder.feed(chunk) : QList<Sse::Event>();
    m_context.store->update(m_id, [&](Trace::Exchange& e) {
        const qint64 now = e.elapsedUs();
        Trace::Attempt& attempt = e.attempts.last();
        appendBody(attempt.response, chunk, m_context.traceBodyLimit);
        if (!m_buffered)
            appendBody(e.clientResponse, chunk, m_context.traceBodyLimit);
        for (const Sse::Event& event : events) {
            attempt.response.events.append({ now, event.data });
            e.clientResponse.events.append({ now, event.data });
            if (m_route != Route::Chat || event.data == "[DONE]")
                continue;
            const ChatFacts facts = chatFactsFromBytes(event.data);
            if (facts.hasToken && attempt.firstTokenUs < 0) {
                attempt.firstTokenUs = now;
                e.firstTokenUs = now;
                e.events.append({ now, 1, u"first-token"_s, u"first token"_s, {} });
            }
            if (facts.usage.completionTokens >= 0)
                attempt.usage = facts.usage;
            if (e.model.isEmpty() && !facts.model.isEmpty())
                e.model = facts.model;
        }
    });
}

void PassThroughExchange::onFinished()
{
    if (m_done)
        return;
    if (m_buffered && m_writer) {
        const Http::Headers out = clientHeaders(m_headers, m_id, u"passthrough"_s);
        m_writer->respond(m_status, out, m_buffer);
        const ChatFacts facts = chatFactsFromBytes(m_buffer);
        m_context.store->update(m_id, [&](Trace::Exchange& e) {
            const qint64 now = e.elapsedUs();
            e.firstByteUs = now;
            if (facts.hasToken)
                e.firstTokenUs = e.attempts.last().firstTokenUs = now;
            e.attempts.last().usage = facts.usage;
            if (e.model.isEmpty())
                e.model = facts.model;
            e.clientResponse.status = m_status;
            e.clientResponse.headers = m_context.redactor.headers(out);
            appendBody(e.clientResponse, m_buffer, m_context.traceBodyLimit);
        });
    } else if (m_writer) {
        m_writer->endStream();
    }
    finishTrace(Trace::Outcome::Passthrough);
}

void PassThroughExchange::onFailed(int failure, const QString& message)
{
    if (m_done)
        return;
    const int status = statusForFailure(failure);
    const QString text = u"Temper could not get an answer from the backend at %1: %2"_s.arg(m_context.profile.url.toString(QUrl::RemovePassword), message);
    const QString code = status == 504 ? u"backend_timeout"_s : u"backend_unreachable"_s;
    if (m_writer && m_writer->headersSent() && !m_eventStream)
        m_writer->abortConnection(); // a cut body must not look complete
    else
        respondError(m_writer, status, text, u"backend_error"_s, code, m_id);
    m_context.store->update(m_id, [&](Trace::Exchange& e) {
        e.attempts.last().error = message;
        if (e.clientResponse.status == 0)
            e.clientResponse.status = status;
    });
    finishTrace(Trace::Outcome::Error, text);
}

void PassThroughExchange::onClientGone()
{
    if (m_done)
        return;
    if (m_call)
        m_call->abort(); // nobody is listening: stop the backend's work
    finishTrace(Trace::Outcome::Error, u"the client disconnected before the response ended"_s);
}

void PassThroughExchange::onBodyReceived(const QByteArray& bytes)
{
    if (m_done || !m_call)
        return;
    m_call->writeBody(bytes);
    appendBody(m_streamedBody, bytes, m_context.traceBodyLimit);
    // The backend takes the body more slowly than the client sends it: stop reading the client.
    if (m_call->bodyBacklog() > Backend::UpstreamCall::kBodyBacklogHigh && m_writer)
        m_writer->pauseBody(true);
}

void PassThroughExchange::onBodyComplete()
{
    if (m_call)
        m_call->finishBody();
    recordStreamedBody();
}

void PassThroughExchange::onBodyFailed(int status, const QString& message)
{
    if (m_done)
        return;
    if (m_call)
        m_call->abort(); // the backend must not take a cut body for a whole one
    m_context.store->update(m_id, [&](Trace::Exchange& e) {
        if (e.clientResponse.status == 0)
            e.clientResponse.status = status;
    });
    finishTrace(Trace::Outcome::Error, u"the request body broke off: "_s + message);
}

void PassThroughExchange::recordStreamedBody()
{
    // Recorded once, whole, so that masking sees a secret even when it was split between pieces.
    if (m_streamedBody.body.isEmpty())
        return;
    const QByteArray scrubbed = m_context.redactor.scrub(m_streamedBody.body);
    m_context.store->update(m_id, [&](Trace::Exchange& e) {
        appendBody(e.clientRequest, scrubbed, m_context.traceBodyLimit);
        e.clientRequest.bodyTruncated = e.clientRequest.bodyTruncated || m_streamedBody.bodyTruncated;
        if (!e.attempts.isEmpty()) {
            Trace::HttpRecord& sent = e.attempts.first().request;
            appendBody(sent, scrubbed, m_context.traceBodyLimit);
            sent.bodyTruncated = sent.bodyTruncated || m_streamedBody.bodyTruncated;
        }
    });
    m_streamedBody = {};
}

void PassThroughExchange::finishTrace(Trace::Outcome outcome, const QString& error)
{
    m_done = true;
    recordStreamedBody(); // what arrived of a body that did not end
    m_context.store->finish(m_id, [&](Trace::Exchange& e) {
        const qint64 now = e.elapsedUs();
        if (!e.attempts.isEmpty()) {
            e.attempts.last().finishedUs = now;
            e.usage = e.attempts.last().usage;
        }
        e.totalUs = now;
        e.outcome = outcome;
        e.error = error;
        e.events.append({ now, 0, outcome == Trace::Outcome::Error ? u"error"_s : u"final"_s,
                          error.isEmpty() ? u"response complete"_s : error, {} });
    });
    if (m_call)
        m_call->deleteLater();
    deleteLater();
}

} // namespace Proxy
