#include "parsereport.h"

#include "guardtrace.h"
#include "literalparser.h"
#include "rescuer.h"
#include "schemavalidator.h"

using namespace Qt::StringLiterals;

namespace Guard {

QJsonObject parseReport(const QString& content, const QJsonArray& tools)
{
    const ToolCatalog catalog = ToolCatalog::fromTools(tools);
    const RescueResult rescue = Rescuer().rescue(content, catalog);
    QJsonArray calls;
    QJsonArray issues;
    for (const QString& issue : rescue.issues)
        issues.append(issue);
    for (const ParsedCall& call : rescue.calls) {
        const QList<WrittenNumber> wholeFloats = wholeFloatsWritten(QStringView(content).sliced(call.span.start, call.span.length()), call.arguments);
        const CallValidation validation = SchemaValidator::validate(catalog, call.name, call.arguments, wholeFloats);
        QJsonArray repairs;
        for (const Repair& repair : validation.repairs) {
            repairs.append(QJsonObject { { u"kind"_s, repairKindName(repair.kind) }, { u"pointer"_s, repair.pointer },
                                         { u"before"_s, repair.before }, { u"after"_s, repair.after } });
        }
        // The arguments as the guard would send them: repaired when that was safe.
        QJsonObject entry { { u"name"_s, call.name },
                            { u"arguments"_s, validation.valid ? QJsonValue(validation.arguments) : call.arguments },
                            { u"valid"_s, validation.valid } };
        if (!repairs.isEmpty())
            entry.insert(u"repairs"_s, repairs);
        if (!call.id.isEmpty())
            entry.insert(u"id"_s, call.id);
        entry.insert(u"span"_s, QJsonArray { qint64(call.span.start), qint64(call.span.end) });
        calls.append(entry);
        for (const ValidationIssue& issue : validation.issues)
            issues.append(QString(call.name + u": "_s + issue.message));
    }
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
