#include "argumenttyping.h"

#include "../literalparser.h"
#include "../toolcatalog.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <cmath>

#include <optional>

using namespace Qt::StringLiterals;

namespace Guard {

namespace {

QString typeOf(const QJsonValue& value)
{
    switch (value.type()) {
    case QJsonValue::Null: return u"null"_s;
    case QJsonValue::Bool: return u"boolean"_s;
    case QJsonValue::Double: return value.toDouble() == double(value.toInteger()) ? u"integer"_s : u"number"_s;
    case QJsonValue::String: return u"string"_s;
    case QJsonValue::Array: return u"array"_s;
    case QJsonValue::Object: return u"object"_s;
    case QJsonValue::Undefined: break;
    }
    return QString();
}

void gatherTypes(const QJsonObject& schema, const QJsonObject& root, QStringList& types, int depth)
{
    if (depth > 8)
        return;
    const QJsonObject resolved = ToolCatalog::resolveRef(schema, root);
    const QJsonValue type = resolved.value("type"_L1);
    if (type.isString())
        types.append(type.toString());
    for (const QJsonValue& entry : type.toArray())
        types.append(entry.toString());
    if (resolved.value("nullable"_L1).toBool())
        types.append(u"null"_s);
    if (!type.isString() && !type.isArray()) {
        for (const QJsonValue& value : resolved.value("enum"_L1).toArray())
            types.append(typeOf(value));
        if (resolved.contains("const"_L1))
            types.append(typeOf(resolved.value("const"_L1)));
    }
    for (QLatin1StringView branchKey : { "anyOf"_L1, "oneOf"_L1 }) {
        for (const QJsonValue& branch : resolved.value(branchKey).toArray())
            gatherTypes(branch.toObject(), root, types, depth + 1);
    }
}

std::optional<QJsonValue> parsedAs(QStringView text, QJsonValue::Type wanted)
{
    LiteralParse parsed = parseWholeLiteral(text, LiteralDialect::Json);
    if (!parsed.ok || parsed.value.type() != wanted)
        parsed = parseWholeLiteral(text, LiteralDialect::Python);
    if (parsed.ok && parsed.value.type() == wanted)
        return parsed.value;
    return std::nullopt;
}

} // namespace

QStringList admittedTypes(const QJsonObject& schema, const QJsonObject& root)
{
    QStringList types;
    gatherTypes(schema, root.isEmpty() ? schema : root, types, 0);
    types.removeAll(QString());
    types.removeDuplicates();
    return types;
}

QJsonValue typeArgumentText(QStringView text, const QJsonObject& schema, const QJsonObject& root)
{
    const QJsonObject resolved = ToolCatalog::resolveRef(schema, root.isEmpty() ? schema : root);
    const QStringList types = admittedTypes(resolved, root.isEmpty() ? schema : root);
    const QStringView trimmed = text.trimmed();

    // An enum without a type: the value whose written form matches the text.
    if (!resolved.contains("type"_L1) && resolved.value("enum"_L1).isArray()) {
        for (const QJsonValue& option : resolved.value("enum"_L1).toArray()) {
            const QString written = option.isString()
                ? option.toString()
                : QString::fromUtf8(QJsonDocument(QJsonArray { option }).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
            if (written == trimmed)
                return option;
        }
    }
    if (types.isEmpty())
        return QJsonValue(text.toString());

    if (types.contains("null"_L1) && (trimmed == u"null" || trimmed == u"None"))
        return QJsonValue(QJsonValue::Null);
    if (types.contains("boolean"_L1)) {
        if (trimmed.compare(u"true", Qt::CaseInsensitive) == 0)
            return QJsonValue(true);
        if (trimmed.compare(u"false", Qt::CaseInsensitive) == 0)
            return QJsonValue(false);
    }
    if (types.contains("integer"_L1) || types.contains("number"_L1)) {
        const LiteralParse number = parseWholeLiteral(trimmed, LiteralDialect::Json);
        if (number.ok && number.value.isDouble()) {
            const bool whole = number.value.toDouble() == std::floor(number.value.toDouble());
            if (types.contains("number"_L1) || whole)
                return number.value;
        }
        // Where no string is allowed, digits JSON would refuse ("007", "+5") are still a number.
        static const QRegularExpression lenientNumber(u"^[+-]?\\d+(\\.\\d+)?([eE][+-]?\\d+)?$"_s);
        if (!types.contains("string"_L1) && lenientNumber.match(trimmed).hasMatch()) {
            bool ok = false;
            const double value = trimmed.toDouble(&ok);
            if (ok && std::isfinite(value) && (types.contains("number"_L1) || value == std::floor(value))) {
                bool fits = false;
                const qint64 integer = trimmed.toLongLong(&fits);
                return fits ? QJsonValue(integer) : QJsonValue(value);
            }
        }
    }
    if (types.contains("object"_L1)) {
        if (auto object = parsedAs(trimmed, QJsonValue::Object))
            return *object;
    }
    if (types.contains("array"_L1)) {
        if (auto array = parsedAs(trimmed, QJsonValue::Array))
            return *array;
    }
    return QJsonValue(text.toString());
}

} // namespace Guard
