#include "parsereport.h"

#include "rescuer.h"

using namespace Qt::StringLiterals;

namespace Guard {

QJsonObject parseReport(const QString& content, const QJsonArray& tools)
{
    const ToolCatalog catalog = ToolCatalog::fromTools(tools);
    const RescueResult rescue = Rescuer().rescue(content, catalog);
    QJsonArray calls;
    for (const ParsedCall& call : rescue.calls) {
        QJsonObject entry { { u"name"_s, call.name }, { u"arguments"_s, call.arguments } };
        if (!call.id.isEmpty())
            entry.insert(u"id"_s, call.id);
        entry.insert(u"span"_s, QJsonArray { qint64(call.span.start), qint64(call.span.end) });
        calls.append(entry);
    }
    QJsonArray issues;
    for (const QString& issue : rescue.issues)
        issues.append(issue);
    if (rescue.nearMiss && rescue.calls.isEmpty())
        issues.append(u"the text looks like a tool call that could not be read"_s);
    return {
        { u"tool_calls"_s, calls },
        { u"content"_s, rescue.content },
        { u"reasoning"_s, rescue.reasoning },
        { u"format"_s, rescue.format.isEmpty() ? QJsonValue() : QJsonValue(rescue.format) },
        { u"parser"_s, rescue.parser.isEmpty() ? QJsonValue() : QJsonValue(rescue.parser) },
        { u"issues"_s, issues },
    };
}

} // namespace Guard
