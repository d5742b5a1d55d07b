#include "guardtrace.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Guard {

QString ruleName(Rule rule)
{
    switch (rule) {
    case Rule::UnknownTool: return u"unknown-tool"_s;
    case Rule::ArgumentsNotJson: return u"arguments-not-json"_s;
    case Rule::ArgumentsNotObject: return u"arguments-not-object"_s;
    case Rule::Required: return u"required"_s;
    case Rule::AdditionalProperty: return u"additionalProperties"_s;
    case Rule::Type: return u"type"_s;
    case Rule::Enum: return u"enum"_s;
    case Rule::Const: return u"const"_s;
    case Rule::MinItems: return u"minItems"_s;
    case Rule::MaxItems: return u"maxItems"_s;
    case Rule::UniqueItems: return u"uniqueItems"_s;
    case Rule::Minimum: return u"minimum"_s;
    case Rule::Maximum: return u"maximum"_s;
    case Rule::ExclusiveMinimum: return u"exclusiveMinimum"_s;
    case Rule::ExclusiveMaximum: return u"exclusiveMaximum"_s;
    case Rule::MultipleOf: return u"multipleOf"_s;
    case Rule::MinLength: return u"minLength"_s;
    case Rule::MaxLength: return u"maxLength"_s;
    case Rule::Pattern: return u"pattern"_s;
    case Rule::MinProperties: return u"minProperties"_s;
    case Rule::MaxProperties: return u"maxProperties"_s;
    case Rule::AnyOf: return u"anyOf"_s;
    case Rule::OneOf: return u"oneOf"_s;
    case Rule::Not: return u"not"_s;
    }
    return QString();
}

QString repairKindName(RepairKind kind)
{
    switch (kind) {
    case RepairKind::IntegralFloat: return u"integral-float"_s;
    case RepairKind::NumericString: return u"numeric-string"_s;
    case RepairKind::BooleanString: return u"boolean-string"_s;
    case RepairKind::StringifiedArguments: return u"stringified-arguments"_s;
    case RepairKind::WrappedInArray: return u"wrapped-in-array"_s;
    case RepairKind::DroppedNull: return u"dropped-null"_s;
    case RepairKind::StrictJson: return u"strict-json"_s;
    }
    return QString();
}

QString verdictName(Decision::Verdict verdict)
{
    switch (verdict) {
    case Decision::Verdict::Accept: return u"accept"_s;
    case Decision::Verdict::Retry: return u"retry"_s;
    case Decision::Verdict::GiveUp: return u"give-up"_s;
    }
    return QString();
}

QJsonObject attemptGuardJson(const AttemptAnalysis& analysis, const Decision& decision, const QList<QJsonObject>& correction)
{
    QJsonObject json {
        { u"decision"_s, QJsonObject { { u"verdict"_s, verdictName(decision.verdict) }, { u"reason"_s, decision.reason } } },
        { u"text"_s, analysis.content },
        { u"reasoning"_s, analysis.reasoning },
    };
    if (analysis.rescued || analysis.nearMiss || !analysis.rescueIssues.isEmpty()) {
        json.insert(u"rescue"_s, QJsonObject {
            { u"format"_s, analysis.rescueFormat },
            { u"parser"_s, analysis.rescueParser },
            { u"content"_s, analysis.visibleContent },
            { u"reasoning"_s, analysis.rescuedReasoning },
            { u"near_miss"_s, analysis.nearMiss },
            { u"issues"_s, QJsonArray::fromStringList(analysis.rescueIssues) },
        });
    }
    QJsonArray calls;
    for (const CheckedCall& call : analysis.calls) {
        QJsonArray repairs;
        for (const Repair& repair : call.validation.repairs) {
            repairs.append(QJsonObject { { u"kind"_s, repairKindName(repair.kind) }, { u"pointer"_s, repair.pointer },
                                         { u"before"_s, repair.before }, { u"after"_s, repair.after },
                                         { u"description"_s, repair.description } });
        }
        QJsonArray issues;
        for (const ValidationIssue& issue : call.validation.issues) {
            issues.append(QJsonObject { { u"rule"_s, ruleName(issue.rule) }, { u"pointer"_s, issue.pointer },
                                        { u"path"_s, issue.path }, { u"message"_s, issue.message },
                                        { u"expected"_s, issue.expected }, { u"received"_s, issue.received },
                                        { u"schema"_s, issue.schema } });
        }
        QJsonObject entry {
            { u"id"_s, call.id },
            { u"name"_s, call.name },
            { u"arguments_text"_s, call.argumentsText },
            { u"rescued"_s, call.rescued },
            { u"valid"_s, call.validation.valid },
            { u"arguments"_s, call.validation.arguments },
            { u"repairs"_s, repairs },
            { u"issues"_s, issues },
            { u"ignored_keywords"_s, QJsonArray::fromStringList(call.validation.ignoredKeywords) },
        };
        if (call.rescued)
            entry.insert(u"span"_s, QJsonArray { qint64(call.span.start), qint64(call.span.end) });
        calls.append(entry);
    }
    json.insert(u"calls"_s, calls);
    if (!correction.isEmpty()) {
        QJsonArray turns;
        for (const QJsonObject& turn : correction)
            turns.append(turn);
        json.insert(u"correction"_s, turns);
    }
    return json;
}

} // namespace Guard
