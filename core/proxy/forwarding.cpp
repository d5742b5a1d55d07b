#include "forwarding.h"

#include "backend/backendclient.h"
#include "sse/sse.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Proxy {

namespace {

bool isFramingOrHop(QByteArrayView name)
{
    static constexpr QByteArrayView names[] = { "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te",
                                                "trailer", "upgrade", "host", "content-length", "expect",
                                                "accept-encoding", "content-encoding" };
    for (QByteArrayView candidate : names) {
        if (name.compare(candidate, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

} // namespace

Http::Headers upstreamHeaders(const Http::Headers& client, const Backend::Profile& profile)
{
    Http::Headers headers;
    for (const Http::Header& header : client) {
        if (isFramingOrHop(header.name))
            continue;
        if (!profile.apiKey.isEmpty() && header.name.compare(QByteArrayView("authorization"), Qt::CaseInsensitive) == 0)
            continue;
        headers.append(header);
    }
    if (!profile.apiKey.isEmpty())
        headers.append(Http::Header { "Authorization", "Bearer " + profile.apiKey.toUtf8() });
    return headers;
}

void addCorsHeaders(Http::Headers& headers)
{
    Http::setHeader(headers, "Access-Control-Allow-Origin", "*");
    Http::setHeader(headers, "Access-Control-Expose-Headers", "X-Temper-Exchange, X-Temper-Outcome");
}

Http::Headers clientHeaders(const Http::Headers& upstream, quint64 exchangeId, const QString& outcome)
{
    Http::Headers headers;
    for (const Http::Header& header : upstream) {
        if (isFramingOrHop(header.name) || header.name.startsWith("Access-Control-") || header.name.startsWith("access-control-"))
            continue;
        headers.append(header);
    }
    addCorsHeaders(headers);
    if (exchangeId)
        Http::setHeader(headers, "X-Temper-Exchange", QByteArray::number(exchangeId));
    if (!outcome.isEmpty())
        Http::setHeader(headers, "X-Temper-Outcome", outcome.toLatin1());
    return headers;
}

void answerPreflight(Http::ResponseWriter* writer)
{
    Http::Headers headers;
    addCorsHeaders(headers);
    headers.append(Http::Header { "Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS" });
    const QByteArray requested = writer->request().header("Access-Control-Request-Headers");
    headers.append(Http::Header { "Access-Control-Allow-Headers",
                     requested.isEmpty() ? "Content-Type, Authorization, X-Api-Key" : requested });
    headers.append(Http::Header { "Access-Control-Max-Age", "86400" });
    writer->respond(204, headers, {});
}

QByteArray streamErrorEvents(const QString& message, const QString& type, const QString& code)
{
    return Sse::encodeData(Http::errorBody(message, type, code)) + Sse::encodeData("[DONE]");
}

void respondError(Http::ResponseWriter* writer, int status, const QString& message, const QString& type,
                  const QString& code, quint64 exchangeId)
{
    if (!writer || !writer->isActive())
        return;
    if (writer->headersSent()) {
        writer->write(streamErrorEvents(message, type, code));
        writer->endStream();
        return;
    }
    writer->respond(status, errorResponseHeaders(exchangeId), Http::errorBody(message, type, code));
}

Http::Headers errorResponseHeaders(quint64 exchangeId)
{
    Http::Headers headers { { "Content-Type", "application/json" } };
    addCorsHeaders(headers);
    if (exchangeId)
        headers.append(Http::Header { "X-Temper-Exchange", QByteArray::number(exchangeId) });
    headers.append(Http::Header { "X-Temper-Outcome", "error" });
    return headers;
}

int statusForFailure(int failure)
{
    return Backend::Failure(failure) == Backend::Failure::Timeout ? 504 : 502;
}

Trace::HttpRecord requestRecord(const QByteArray& method, const QByteArray& url, const Http::Headers& headers,
                                const QByteArray& body, const Context& context)
{
    Trace::HttpRecord record;
    record.method = method;
    record.url = context.redactor.url(url);
    record.headers = context.redactor.headers(headers);
    appendBody(record, context.redactor.scrub(body), context.traceBodyLimit);
    return record;
}

void appendBody(Trace::HttpRecord& record, QByteArrayView chunk, qint64 limit)
{
    const qint64 room = limit - record.body.size();
    if (room <= 0) {
        record.bodyTruncated = record.bodyTruncated || !chunk.isEmpty();
        return;
    }
    if (chunk.size() > room) {
        record.body.append(chunk.first(room));
        record.bodyTruncated = true;
        return;
    }
    record.body.append(chunk);
}

ChatFacts chatFacts(const QJsonObject& payload)
{
    ChatFacts facts;
    facts.model = payload.value("model"_L1).toString();
    const QJsonObject usage = payload.value("usage"_L1).toObject();
    if (!usage.isEmpty()) {
        facts.usage.promptTokens = usage.value("prompt_tokens"_L1).toInteger(-1);
        facts.usage.completionTokens = usage.value("completion_tokens"_L1).toInteger(-1);
    }
    for (const QJsonValue& choiceValue : payload.value("choices"_L1).toArray()) {
        const QJsonObject choice = choiceValue.toObject();
        if (choice.value("finish_reason"_L1).isString())
            facts.finishReason = choice.value("finish_reason"_L1).toString();
        const QJsonObject part = choice.contains("delta"_L1) ? choice.value("delta"_L1).toObject()
                                                             : choice.value("message"_L1).toObject();
        for (QLatin1StringView key : { "content"_L1, "reasoning_content"_L1, "reasoning"_L1 }) {
            if (!part.value(key).toString().isEmpty())
                facts.hasToken = true;
        }
        if (!part.value("tool_calls"_L1).toArray().isEmpty())
            facts.hasToken = true;
    }
    return facts;
}

ChatFacts chatFactsFromBytes(QByteArrayView json)
{
    const QJsonDocument document = QJsonDocument::fromJson(json.toByteArray());
    return document.isObject() ? chatFacts(document.object()) : ChatFacts();
}

} // namespace Proxy
