#include "rewrites.h"

#include "guard/jsontext.h"
#include "guard/streamguard.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

using namespace Qt::StringLiterals;

namespace Trace {

namespace {

QString compactJson(const QJsonValue& value, qsizetype maxLength = 80)
{
    const QString text = Guard::jsonText(value);
    return text.size() > maxLength ? text.left(maxLength) + u'…' : text;
}

QJsonObject bodyObject(const HttpRecord& record)
{
    if (!record.events.isEmpty()) {
        QList<QByteArray> data;
        for (const StreamEvent& event : record.events)
            data.append(event.data);
        return Guard::completionFromEvents(data);
    }
    return QJsonDocument::fromJson(record.body).object();
}

QSet<QByteArray> headerNames(const HeaderList& headers)
{
    QSet<QByteArray> names;
    for (const auto& header : headers)
        names.insert(header.first.toLower());
    return names;
}

QByteArray headerValue(const HeaderList& headers, const QByteArray& lowerName)
{
    for (const auto& header : headers) {
        if (header.first.toLower() == lowerName)
            return header.second;
    }
    return {};
}

// Headers every hop sets for itself; listing them would hide the changes that matter.
bool isHopHeader(const QByteArray& lowerName)
{
    static const QSet<QByteArray> hop = { "host", "content-length", "connection", "keep-alive", "transfer-encoding",
                                          "accept-encoding", "user-agent", "te", "expect", "date", "server",
                                          "access-control-allow-origin", "access-control-expose-headers", "vary" };
    return hop.contains(lowerName);
}

QStringList headerChanges(const HeaderList& before, const HeaderList& after)
{
    QStringList changes;
    const QSet<QByteArray> old = headerNames(before);
    const QSet<QByteArray> now = headerNames(after);
    QList<QByteArray> added(now.begin(), now.end());
    std::sort(added.begin(), added.end());
    for (const QByteArray& name : std::as_const(added)) {
        if (!old.contains(name) && !isHopHeader(name))
            changes.append(u"header %1 added: %2"_s.arg(QString::fromLatin1(name), QString::fromUtf8(headerValue(after, name))));
    }
    QList<QByteArray> removed(old.begin(), old.end());
    std::sort(removed.begin(), removed.end());
    for (const QByteArray& name : std::as_const(removed)) {
        if (!now.contains(name) && !isHopHeader(name))
            changes.append(u"header %1 not passed on"_s.arg(QString::fromLatin1(name)));
    }
    return changes;
}

struct MessageSummary
{
    QString usage;     // "94 in, 11 out"
    QString content;
    QStringList calls; // "name(arguments)"
    QString finishReason;
    bool present = false;
};

MessageSummary summarize(const QJsonObject& completion)
{
    MessageSummary summary;
    const QJsonObject choice = completion.value("choices"_L1).toArray().first().toObject();
    if (choice.isEmpty())
        return summary;
    summary.present = true;
    const QJsonObject usage = completion.value("usage"_L1).toObject();
    if (!usage.isEmpty()) {
        summary.usage = u"%1 in, %2 out"_s.arg(usage.value("prompt_tokens"_L1).toVariant().toString(),
                                               usage.value("completion_tokens"_L1).toVariant().toString());
    }
    const QJsonObject message = choice.value("message"_L1).toObject();
    summary.content = message.value("content"_L1).toString();
    summary.finishReason = choice.value("finish_reason"_L1).toString();
    for (const QJsonValue& value : message.value("tool_calls"_L1).toArray()) {
        const QJsonObject function = value.toObject().value("function"_L1).toObject();
        summary.calls.append(function.value("name"_L1).toString() + u'(' + function.value("arguments"_L1).toString() + u')');
    }
    return summary;
}

QString quoted(const QString& text, qsizetype maxLength = 60)
{
    const QString flat = QString(text).replace(u'\n', u' ');
    return u'"' + (flat.size() > maxLength ? flat.left(maxLength) + u'…' : flat) + u'"';
}

} // namespace

QStringList requestRewrites(const HttpRecord& client, const HttpRecord& upstream)
{
    QStringList changes;
    if (!upstream.url.isEmpty())
        changes.append(u"sent to %1"_s.arg(QString::fromUtf8(upstream.url)));
    if (client.body != upstream.body) {
        const QJsonObject before = QJsonDocument::fromJson(client.body).object();
        const QJsonObject after = QJsonDocument::fromJson(upstream.body).object();
        if (before.isEmpty() || after.isEmpty()) {
            changes.append(u"body changed (%1 bytes → %2 bytes)"_s.arg(client.body.size()).arg(upstream.body.size()));
        } else {
            const qsizetype changesBefore = changes.size();
            for (auto it = after.begin(); it != after.end(); ++it) {
                const QString key = it.key();
                if (!before.contains(key)) {
                    changes.append(u"%1 added: %2"_s.arg(key, compactJson(it.value())));
                } else if (key == "messages"_L1) {
                    const QJsonArray old = before.value(key).toArray();
                    const QJsonArray now = it.value().toArray();
                    bool prefixKept = now.size() >= old.size();
                    for (qsizetype i = 0; prefixKept && i < old.size(); ++i)
                        prefixKept = old.at(i) == now.at(i);
                    if (prefixKept && now.size() > old.size()) {
                        QStringList roles;
                        for (qsizetype i = old.size(); i < now.size(); ++i)
                            roles.append(now.at(i).toObject().value("role"_L1).toString());
                        changes.append(u"%1 messages appended after the client's %2 (%3)"_s.arg(now.size() - old.size()).arg(old.size()).arg(roles.join(u", "_s)));
                    } else if (!prefixKept) {
                        changes.append(u"messages changed (%1 → %2)"_s.arg(old.size()).arg(now.size()));
                    }
                } else if (before.value(key) != it.value()) {
                    changes.append(u"%1: %2 → %3"_s.arg(key, compactJson(before.value(key)), compactJson(it.value())));
                }
            }
            for (auto it = before.begin(); it != before.end(); ++it) {
                if (!after.contains(it.key()))
                    changes.append(u"%1 removed"_s.arg(it.key()));
            }
            if (changes.size() == changesBefore)
                changes.append(u"same JSON, different bytes (spacing or number spelling)"_s);
        }
    }
    changes.append(headerChanges(client.headers, upstream.headers));
    return changes;
}

QStringList responseRewrites(const HttpRecord& upstream, const HttpRecord& client)
{
    QStringList changes;
    if (upstream.status != client.status && upstream.status > 0 && client.status > 0)
        changes.append(u"status %1 → %2"_s.arg(upstream.status).arg(client.status));
    const MessageSummary before = summarize(bodyObject(upstream));
    const MessageSummary after = summarize(bodyObject(client));
    if (!before.present && after.present) {
        changes.append(after.calls.isEmpty() ? u"the client got a completion in place of the backend's answer"_s
                                             : u"the client got a completion with %1 tool calls in place of the backend's answer: %2"_s
                                                   .arg(after.calls.size()).arg(after.calls.join(u", "_s)));
        return changes;
    }
    if (!before.present || !after.present) {
        if (upstream.body != client.body)
            changes.append(u"body changed (%1 bytes → %2 bytes)"_s.arg(upstream.body.size()).arg(client.body.size()));
        return changes;
    }
    if (before.calls != after.calls) {
        if (before.calls.isEmpty())
            changes.append(u"%1 tool calls recovered from the text: %2"_s.arg(after.calls.size()).arg(after.calls.join(u", "_s)));
        else if (after.calls.isEmpty())
            changes.append(u"the backend's %1 tool calls were not passed on"_s.arg(before.calls.size()));
        else
            changes.append(u"tool calls changed: %1 → %2"_s.arg(before.calls.join(u", "_s), after.calls.join(u", "_s)));
    }
    if (before.content != after.content) {
        if (after.content.isEmpty())
            changes.append(u"text %1 removed"_s.arg(quoted(before.content)));
        else
            changes.append(u"text %1 → %2"_s.arg(quoted(before.content), quoted(after.content)));
    }
    if (before.finishReason != after.finishReason)
        changes.append(u"finish_reason %1 → %2"_s.arg(before.finishReason, after.finishReason));
    if (before.usage != after.usage && !after.usage.isEmpty())
        changes.append(u"usage %1 → %2 (summed over attempts)"_s.arg(before.usage.isEmpty() ? u"not reported"_s : before.usage, after.usage));
    return changes;
}

} // namespace Trace
