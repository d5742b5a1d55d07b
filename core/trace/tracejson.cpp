#include "tracejson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QStringConverter>

using namespace Qt::StringLiterals;

namespace Trace {

namespace {

bool isUtf8(const QByteArray& bytes)
{
    auto decoder = QStringDecoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    (void)decoder.decode(bytes);
    return !decoder.hasError();
}

QJsonValue bodyValue(const QByteArray& body)
{
    if (body.isEmpty())
        return QJsonValue();
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error == QJsonParseError::NoError) {
        if (document.isObject())
            return document.object();
        return document.array();
    }
    if (isUtf8(body))
        return QString::fromUtf8(body);
    return QJsonObject { { u"base64"_s, QString::fromLatin1(body.toBase64()) } };
}

QJsonObject headersObject(const HeaderList& headers)
{
    QJsonObject object;
    for (const auto& header : headers) {
        const QString name = QString::fromLatin1(header.first);
        const QString value = QString::fromUtf8(header.second);
        // Repeated headers are joined, as HTTP allows for most of them.
        object.insert(name, object.contains(name) ? object.value(name).toString() + u", "_s + value : value);
    }
    return object;
}

QJsonObject recordObject(const HttpRecord& record)
{
    QJsonObject object;
    if (!record.method.isEmpty())
        object.insert(u"method"_s, QString::fromLatin1(record.method));
    if (!record.url.isEmpty())
        object.insert(u"url"_s, QString::fromUtf8(record.url));
    if (record.status != 0)
        object.insert(u"status"_s, record.status);
    object.insert(u"headers"_s, headersObject(record.headers));
    if (record.events.isEmpty()) {
        object.insert(u"body"_s, bodyValue(record.body));
    } else {
        QJsonArray events;
        for (const StreamEvent& event : record.events) {
            events.append(QJsonObject {
                { u"at_ms"_s, millisecondsValue(event.atUs) },
                { u"data"_s, event.data == "[DONE]" ? QJsonValue(u"[DONE]"_s) : bodyValue(event.data) },
            });
        }
        object.insert(u"events"_s, events);
    }
    if (record.bodyTruncated)
        object.insert(u"body_truncated"_s, true);
    return object;
}

QJsonObject usageObject(const Usage& usage)
{
    QJsonObject object;
    if (usage.promptTokens >= 0)
        object.insert(u"prompt_tokens"_s, usage.promptTokens);
    if (usage.completionTokens >= 0)
        object.insert(u"completion_tokens"_s, usage.completionTokens);
    return object;
}

QString formatDuration(qint64 us)
{
    if (us < 0)
        return u"-"_s;
    if (us < 1'000'000)
        return QString::number((us + 500) / 1000) + u" ms"_s;
    return QString::number(double(us) / 1e6, 'f', 2) + u" s"_s;
}

} // namespace

QJsonValue millisecondsValue(qint64 us)
{
    if (us < 0)
        return QJsonValue();
    return double(qRound64(double(us) / 100.0)) / 10.0;
}

QJsonObject exchangeToJson(const Exchange& exchange)
{
    QJsonObject object {
        { u"id"_s, qint64(exchange.id) },
        { u"started_at"_s, exchange.startedAt.toUTC().toString(Qt::ISODateWithMs) },
        { u"method"_s, QString::fromLatin1(exchange.method) },
        { u"path"_s, QString::fromUtf8(exchange.path) },
        { u"route"_s, exchange.route },
        { u"model"_s, exchange.model },
        { u"backend"_s, exchange.backend },
        { u"streamed"_s, exchange.streamed },
        { u"outcome"_s, outcomeName(exchange.outcome) },
        { u"timings"_s, QJsonObject {
              { u"first_byte_ms"_s, millisecondsValue(exchange.firstByteUs) },
              { u"first_token_ms"_s, millisecondsValue(exchange.firstTokenUs) },
              { u"total_ms"_s, millisecondsValue(exchange.totalUs) },
              { u"tokens_per_second"_s, exchange.tokensPerSecond() < 0 ? QJsonValue() : QJsonValue(exchange.tokensPerSecond()) },
          } },
        { u"usage"_s, usageObject(exchange.usage) },
        { u"client_request"_s, recordObject(exchange.clientRequest) },
        { u"client_response"_s, recordObject(exchange.clientResponse) },
    };
    if (!exchange.toolNames.isEmpty())
        object.insert(u"tools"_s, QJsonArray::fromStringList(exchange.toolNames));
    if (!exchange.error.isEmpty())
        object.insert(u"error"_s, exchange.error);
    QJsonArray attempts;
    for (const Attempt& attempt : exchange.attempts) {
        QJsonObject entry {
            { u"index"_s, attempt.index },
            { u"request"_s, recordObject(attempt.request) },
            { u"response"_s, recordObject(attempt.response) },
            { u"started_ms"_s, millisecondsValue(attempt.startedUs) },
            { u"first_byte_ms"_s, millisecondsValue(attempt.firstByteUs) },
            { u"first_token_ms"_s, millisecondsValue(attempt.firstTokenUs) },
            { u"finished_ms"_s, millisecondsValue(attempt.finishedUs) },
            { u"usage"_s, usageObject(attempt.usage) },
        };
        if (!attempt.error.isEmpty())
            entry.insert(u"error"_s, attempt.error);
        if (!attempt.guard.isEmpty())
            entry.insert(u"guard"_s, attempt.guard);
        attempts.append(entry);
    }
    object.insert(u"attempts"_s, attempts);
    QJsonArray events;
    for (const GuardEvent& event : exchange.events) {
        QJsonObject entry {
            { u"at_ms"_s, millisecondsValue(event.atUs) },
            { u"attempt"_s, event.attempt },
            { u"kind"_s, event.kind },
            { u"summary"_s, event.summary },
        };
        if (!event.detail.isEmpty())
            entry.insert(u"detail"_s, event.detail);
        events.append(entry);
    }
    object.insert(u"events"_s, events);
    return object;
}

QString exchangeSummaryLine(const Exchange& exchange)
{
    QStringList parts {
        exchange.startedAt.toString(u"HH:mm:ss"_s),
        u"#"_s + QString::number(exchange.id),
        QString::fromLatin1(exchange.method),
        QString::fromUtf8(exchange.path),
    };
    if (!exchange.model.isEmpty())
        parts.append(exchange.model);
    if (exchange.streamed)
        parts.append(u"stream"_s);
    parts.append(exchange.clientResponse.status ? QString::number(exchange.clientResponse.status) : u"---"_s);
    parts.append(outcomeName(exchange.outcome));
    if (exchange.attempts.size() > 1)
        parts.append(QString::number(exchange.attempts.size()) + u" attempts"_s);
    if (exchange.firstTokenUs >= 0)
        parts.append(u"ttft "_s + formatDuration(exchange.firstTokenUs));
    parts.append(u"total "_s + formatDuration(exchange.totalUs));
    if (exchange.tokensPerSecond() >= 0)
        parts.append(QString::number(exchange.tokensPerSecond(), 'f', 1) + u" tok/s"_s);
    if (!exchange.error.isEmpty())
        parts.append(u"error: "_s + exchange.error);
    return parts.join(u' ');
}

} // namespace Trace
