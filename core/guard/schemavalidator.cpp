#include "schemavalidator.h"

#include "jsontext.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QUrl>

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

using namespace Qt::StringLiterals;

namespace Guard {

namespace {

// Frames of evaluate(): value nesting plus applicators. Values from the literal parser are at most
// 256 deep; a schema deeper than this is not one a client meant.
constexpr int kMaxDepth = 200;
// evaluate() calls per validation. Unions are tried with and without repairs, so nested unions
// multiply; the budget keeps a pathological schema from costing more than a few milliseconds.
constexpr int kBudget = 100000;
constexpr int kMaxScanDepth = 64;
constexpr int kDescribeDepth = 5;
constexpr int kListedValues = 10;

const QStringList& typeNames()
{
    static const QStringList names { u"string"_s, u"integer"_s, u"number"_s, u"boolean"_s, u"object"_s,
        u"array"_s, u"null"_s };
    return names;
}

// Keywords that only annotate; they are neither checked nor worth listing.
const QSet<QString>& annotationKeywords()
{
    static const QSet<QString> keywords { u"title"_s, u"description"_s, u"default"_s, u"examples"_s,
        u"$schema"_s, u"$id"_s, u"$comment"_s, u"deprecated"_s, u"readOnly"_s, u"writeOnly"_s };
    return keywords;
}

QString shownJson(const QJsonValue& value)
{
    if (value.isUndefined())
        return u"nothing"_s;
    return Guard::jsonText(value);
}

bool isWhole(double number)
{
    return std::isfinite(number) && std::floor(number) == number;
}

bool jsonEqual(const QJsonValue& a, const QJsonValue& b)
{
    if (a.isDouble() && b.isDouble())
        return a.toDouble() == b.toDouble();
    if (a.type() != b.type())
        return false;
    if (a.isArray()) {
        const QJsonArray x = a.toArray(), y = b.toArray();
        if (x.size() != y.size())
            return false;
        for (qsizetype i = 0; i < x.size(); ++i) {
            if (!jsonEqual(x.at(i), y.at(i)))
                return false;
        }
        return true;
    }
    if (a.isObject()) {
        const QJsonObject x = a.toObject(), y = b.toObject();
        if (x.keys() != y.keys())
            return false;
        for (auto it = x.constBegin(); it != x.constEnd(); ++it) {
            if (!jsonEqual(it.value(), y.value(it.key())))
                return false;
        }
        return true;
    }
    return a == b;
}

qsizetype codePoints(QStringView text)
{
    qsizetype count = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text.at(i).isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate())
            ++i;
        ++count;
    }
    return count;
}

QString cut(const QString& text, qsizetype maxLength)
{
    if (text.size() <= maxLength)
        return text;
    qsizetype end = std::max<qsizetype>(maxLength - 1, 0);
    if (end > 0 && text.at(end - 1).isHighSurrogate())
        --end;
    return text.left(end) + u'…';
}

QString plural(qint64 count, const QString& singular, const QString& pluralForm = QString())
{
    const QString noun = count == 1 ? singular : pluralForm.isEmpty() ? QString(singular + u's') : pluralForm;
    return QString::number(count) + u' ' + noun;
}

// "A", "A or B", "A, B or C"
QString joinAlternatives(const QStringList& parts, const QString& conjunction = u"or"_s)
{
    if (parts.size() <= 1)
        return parts.value(0);
    return QStringList(parts.mid(0, parts.size() - 1)).join(u", "_s) + u' ' + conjunction + u' '
        + parts.last();
}

QString listValues(const QJsonArray& values, const QString& separator)
{
    QStringList parts;
    for (const QJsonValue& value : values) {
        if (parts.size() == kListedValues) {
            parts.append(u"…"_s);
            break;
        }
        parts.append(cut(shownJson(value), 60));
    }
    return parts.join(separator);
}

// The JSON types named by "type" (a name or a list) plus OpenAPI's "nullable". nullopt when the
// keyword is absent or malformed: an unknown type name makes the whole keyword ignored.
std::optional<QStringList> declaredTypes(const QJsonObject& schema)
{
    const QJsonValue type = schema.value("type"_L1);
    QStringList names;
    if (type.isString()) {
        names.append(type.toString());
    } else if (type.isArray()) {
        for (const QJsonValue& entry : type.toArray()) {
            if (!entry.isString())
                return std::nullopt;
            names.append(entry.toString());
        }
    } else {
        return std::nullopt;
    }
    if (names.isEmpty())
        return std::nullopt;
    for (const QString& name : std::as_const(names)) {
        if (!typeNames().contains(name))
            return std::nullopt;
    }
    if (schema.value("nullable"_L1).toBool() && !names.contains("null"_L1))
        names.append(u"null"_s);
    names.removeDuplicates();
    return names;
}

bool matchesType(const QJsonValue& value, const QString& type)
{
    if (type == "string"_L1)
        return value.isString();
    if (type == "integer"_L1)
        return value.isDouble() && isWhole(value.toDouble());
    if (type == "number"_L1)
        return value.isDouble();
    if (type == "boolean"_L1)
        return value.isBool();
    if (type == "object"_L1)
        return value.isObject();
    if (type == "array"_L1)
        return value.isArray();
    if (type == "null"_L1)
        return value.isNull();
    return false;
}

bool matchesAnyType(const QJsonValue& value, const QStringList& types)
{
    for (const QString& type : types) {
        if (matchesType(value, type))
            return true;
    }
    return false;
}

std::optional<double> numberKeyword(const QJsonObject& schema, QLatin1StringView key)
{
    const QJsonValue value = schema.value(key);
    if (value.isDouble())
        return value.toDouble();
    return std::nullopt;
}

std::optional<qint64> countValue(const QJsonValue& value)
{
    if (value.isDouble() && isWhole(value.toDouble()) && value.toDouble() >= 0)
        return qint64(std::min(value.toDouble(), 9.0e15));
    return std::nullopt;
}

std::optional<qint64> countKeyword(const QJsonObject& schema, QLatin1StringView key)
{
    return countValue(schema.value(key));
}

QStringList stringList(const QJsonValue& value)
{
    QStringList result;
    for (const QJsonValue& entry : value.toArray()) {
        if (entry.isString())
            result.append(entry.toString());
    }
    return result;
}

// Resolves a local reference: "#", "#/$defs/x", "#/definitions/x" or any JSON Pointer into root.
std::optional<QJsonValue> resolveReference(const QJsonObject& root, const QString& ref)
{
    if (ref == "#"_L1)
        return QJsonValue(root);
    if (!ref.startsWith("#/"_L1))
        return std::nullopt;
    QJsonValue current = root;
    const QStringList segments = ref.mid(2).split(u'/');
    for (QString segment : segments) {
        segment = QUrl::fromPercentEncoding(segment.toUtf8());
        segment.replace(u"~1"_s, u"/"_s).replace(u"~0"_s, u"~"_s);
        if (current.isObject()) {
            const QJsonObject object = current.toObject();
            if (!object.contains(segment))
                return std::nullopt;
            current = object.value(segment);
        } else if (current.isArray()) {
            bool ok = false;
            const qsizetype index = segment.toLongLong(&ok);
            if (!ok || index < 0 || index >= current.toArray().size())
                return std::nullopt;
            current = current.toArray().at(index);
        } else {
            return std::nullopt;
        }
    }
    if (!current.isObject() && !current.isBool())
        return std::nullopt;
    return current;
}

// A schema object with its "$ref" (followed a few steps) merged under its own keywords: good
// enough for describing a schema, where exact applicator semantics do not matter.
QJsonObject flattenRef(const QJsonObject& schema, const QJsonObject& root)
{
    QJsonObject current = schema;
    for (int step = 0; step < 8 && current.value("$ref"_L1).isString(); ++step) {
        const std::optional<QJsonValue> target = resolveReference(root, current.value("$ref"_L1).toString());
        current.remove("$ref"_L1);
        if (!target || !target->isObject())
            break;
        QJsonObject merged = target->toObject();
        for (auto it = current.constBegin(); it != current.constEnd(); ++it)
            merged.insert(it.key(), it.value());
        current = merged;
    }
    return current;
}

QRegularExpression compilePattern(const QString& pattern)
{
    return QRegularExpression(pattern);
}

// ---------------------------------------------------------------------------------------------
// Where a value sits, for pointers and for people.

struct Location
{
    QString pointer;
    QString path = u"arguments"_s;

    Location key(const QString& name) const
    {
        QString escaped = name;
        escaped.replace(u'~', u"~0"_s).replace(u'/', u"~1"_s);
        static const QRegularExpression identifier(u"^[A-Za-z_$][A-Za-z0-9_$-]*$"_s);
        const QString segment = identifier.match(name).hasMatch() ? QString(u'.' + name)
                                                                  : QString(u'[' + shownJson(name) + u']');
        return { pointer + u'/' + escaped, path + segment };
    }
    Location index(qsizetype i) const
    {
        return { pointer + u'/' + QString::number(i), path + u'[' + QString::number(i) + u']' };
    }
    // How messages name the value: 'days', 'items[2].name', or "the arguments".
    QString label(bool capital = true) const
    {
        if (pointer.isEmpty())
            return capital ? u"The arguments"_s : u"the arguments"_s;
        QString rest = path.mid(9); // after "arguments"
        if (rest.startsWith(u'.'))
            rest.remove(0, 1);
        return u'\'' + rest + u'\'';
    }
};

// ---------------------------------------------------------------------------------------------
// Plain words and compact shapes.

QString typeNoun(const QString& type)
{
    if (type == "string"_L1)
        return u"a string"_s;
    if (type == "integer"_L1)
        return u"an integer"_s;
    if (type == "number"_L1)
        return u"a number"_s;
    if (type == "boolean"_L1)
        return u"true or false"_s;
    if (type == "object"_L1)
        return u"an object"_s;
    if (type == "array"_L1)
        return u"an array"_s;
    return u"null"_s;
}

QString typeWords(const QStringList& types)
{
    QStringList nouns;
    for (const QString& type : types)
        nouns.append(typeNoun(type));
    return joinAlternatives(nouns);
}

QString numberText(double number)
{
    return shownJson(QJsonValue(number));
}

struct Bounds
{
    std::optional<double> lower, upper;
    bool lowerExclusive = false, upperExclusive = false;
};

// Draft 4 writes exclusive bounds as booleans beside minimum/maximum; drafts 6+ as numbers.
Bounds boundsOf(const QJsonObject& schema)
{
    Bounds bounds;
    bounds.lower = numberKeyword(schema, "minimum"_L1);
    bounds.upper = numberKeyword(schema, "maximum"_L1);
    const QJsonValue exclusiveMin = schema.value("exclusiveMinimum"_L1);
    const QJsonValue exclusiveMax = schema.value("exclusiveMaximum"_L1);
    if (exclusiveMin.isBool())
        bounds.lowerExclusive = exclusiveMin.toBool() && bounds.lower;
    else if (exclusiveMin.isDouble() && (!bounds.lower || exclusiveMin.toDouble() >= *bounds.lower)) {
        bounds.lower = exclusiveMin.toDouble();
        bounds.lowerExclusive = true;
    }
    if (exclusiveMax.isBool())
        bounds.upperExclusive = exclusiveMax.toBool() && bounds.upper;
    else if (exclusiveMax.isDouble() && (!bounds.upper || exclusiveMax.toDouble() <= *bounds.upper)) {
        bounds.upper = exclusiveMax.toDouble();
        bounds.upperExclusive = true;
    }
    return bounds;
}

QString rangeWords(const QJsonObject& schema)
{
    const Bounds b = boundsOf(schema);
    QString words;
    if (b.lower && b.upper && !b.lowerExclusive && !b.upperExclusive) {
        words = u" from "_s + numberText(*b.lower) + u" to "_s + numberText(*b.upper);
    } else {
        QStringList parts;
        if (b.lower)
            parts.append((b.lowerExclusive ? u"greater than "_s : u"at least "_s) + numberText(*b.lower));
        if (b.upper)
            parts.append((b.upperExclusive ? u"less than "_s : u"at most "_s) + numberText(*b.upper));
        if (!parts.isEmpty())
            words = u" that is "_s + parts.join(u" and "_s);
    }
    if (const auto multiple = numberKeyword(schema, "multipleOf"_L1); multiple && *multiple > 0)
        words += u" (a multiple of "_s + numberText(*multiple) + u')';
    return words;
}

QString rangeShort(const QJsonObject& schema)
{
    const Bounds b = boundsOf(schema);
    if (b.lower && b.upper && !b.lowerExclusive && !b.upperExclusive) {
        const QString separator = *b.lower >= 0 ? u"-"_s : u".."_s;
        return u' ' + numberText(*b.lower) + separator + numberText(*b.upper);
    }
    QStringList parts;
    if (b.lower)
        parts.append((b.lowerExclusive ? u"> "_s : u">= "_s) + numberText(*b.lower));
    if (b.upper)
        parts.append((b.upperExclusive ? u"< "_s : u"<= "_s) + numberText(*b.upper));
    if (parts.isEmpty())
        return QString();
    return parts.size() == 1 ? QString(u' ' + parts.first()) : QString(u" ("_s + parts.join(u", "_s) + u')');
}

QString countWords(std::optional<qint64> min, std::optional<qint64> max, const QString& unit)
{
    if (min && max && *min == *max)
        return u"exactly "_s + plural(*min, unit);
    if (min && max)
        return QString::number(*min) + u" to "_s + plural(*max, unit);
    if (min)
        return u"at least "_s + plural(*min, unit);
    if (max)
        return u"at most "_s + plural(*max, unit);
    return QString();
}

class Describer
{
public:
    explicit Describer(const QJsonObject& root)
        : m_root(root)
    { }

    QString words(const QJsonValue& schemaValue, int depth) const
    {
        if (schemaValue.isBool())
            return schemaValue.toBool() ? u"any value"_s : u"no value at all"_s;
        if (!schemaValue.isObject() || depth > kDescribeDepth)
            return u"any value"_s;
        const QJsonObject schema = flattenRef(schemaValue.toObject(), m_root);
        const std::optional<QStringList> types = declaredTypes(schema);
        const bool nullable = schema.value("nullable"_L1).toBool();
        if (schema.value("enum"_L1).isArray() && !schema.value("enum"_L1).toArray().isEmpty()) {
            const QJsonArray values = schema.value("enum"_L1).toArray();
            const QString list = listValues(values, u", "_s);
            const QString phrase = QString(values.size() == 1 ? u"exactly "_s : u"one of "_s) + list;
            return nullable ? QString(phrase + u", or null"_s) : phrase;
        }
        if (schema.contains("const"_L1))
            return u"exactly "_s + cut(shownJson(schema.value("const"_L1)), 80);
        if (types) {
            QStringList parts;
            for (const QString& type : *types)
                parts.append(typePhrase(type, schema, depth));
            return joinAlternatives(parts);
        }
        for (QLatin1StringView key : { "anyOf"_L1, "oneOf"_L1 }) {
            const QJsonArray branches = schema.value(key).toArray();
            if (branches.isEmpty())
                continue;
            QStringList parts;
            for (const QJsonValue& branch : branches) {
                if (parts.size() == 5) {
                    parts.append(u"…"_s);
                    break;
                }
                parts.append(words(branch, depth + 1));
            }
            parts.removeDuplicates();
            return parts.size() == 1 ? parts.first() : QString(u"either "_s + parts.join(u", or "_s));
        }
        const QJsonArray all = schema.value("allOf"_L1).toArray();
        if (!all.isEmpty()) {
            QStringList parts;
            for (const QJsonValue& branch : all)
                parts.append(words(branch, depth + 1));
            parts.removeAll(u"any value"_s);
            parts.removeDuplicates();
            if (!parts.isEmpty())
                return parts.join(u", and also "_s);
        }
        // No type named: infer one from the keywords that only make sense for it.
        if (schema.contains("properties"_L1) || schema.contains("required"_L1))
            return typePhrase(u"object"_s, schema, depth);
        if (schema.contains("items"_L1) || schema.contains("prefixItems"_L1))
            return typePhrase(u"array"_s, schema, depth);
        if (schema.contains("minimum"_L1) || schema.contains("maximum"_L1))
            return typePhrase(u"number"_s, schema, depth);
        if (schema.contains("pattern"_L1) || schema.contains("minLength"_L1)
            || schema.contains("maxLength"_L1))
            return typePhrase(u"string"_s, schema, depth);
        return u"any value"_s;
    }

    QString shape(const QJsonValue& schemaValue, int depth) const
    {
        if (schemaValue.isBool())
            return schemaValue.toBool() ? u"any"_s : u"nothing"_s;
        if (!schemaValue.isObject())
            return u"any"_s;
        if (depth > kDescribeDepth)
            return u"…"_s;
        const QJsonObject schema = flattenRef(schemaValue.toObject(), m_root);
        if (schema.value("enum"_L1).isArray() && !schema.value("enum"_L1).toArray().isEmpty()) {
            QString values = listValues(schema.value("enum"_L1).toArray(), u" | "_s);
            if (schema.value("nullable"_L1).toBool())
                values += u" | null"_s;
            return values;
        }
        if (schema.contains("const"_L1))
            return cut(shownJson(schema.value("const"_L1)), 80);
        if (const std::optional<QStringList> types = declaredTypes(schema)) {
            QStringList parts;
            for (const QString& type : *types)
                parts.append(typeShape(type, schema, depth));
            return parts.join(u" | "_s);
        }
        for (QLatin1StringView key : { "anyOf"_L1, "oneOf"_L1, "allOf"_L1 }) {
            const QJsonArray branches = schema.value(key).toArray();
            if (branches.isEmpty())
                continue;
            QStringList parts;
            for (const QJsonValue& branch : branches) {
                if (parts.size() == 6) {
                    parts.append(u"…"_s);
                    break;
                }
                parts.append(shape(branch, depth + 1));
            }
            parts.removeDuplicates();
            return parts.join(key == "allOf"_L1 ? u" & "_s : u" | "_s);
        }
        if (schema.contains("properties"_L1))
            return typeShape(u"object"_s, schema, depth);
        if (schema.contains("items"_L1) || schema.contains("prefixItems"_L1))
            return typeShape(u"array"_s, schema, depth);
        return u"any"_s;
    }

private:
    QString typePhrase(const QString& type, const QJsonObject& schema, int depth) const
    {
        QString phrase = typeNoun(type);
        if (type == "integer"_L1 || type == "number"_L1)
            return phrase + rangeWords(schema);
        if (type == "string"_L1) {
            const QString length = countWords(
                countKeyword(schema, "minLength"_L1), countKeyword(schema, "maxLength"_L1), u"character"_s);
            if (!length.isEmpty())
                phrase += u" of "_s + length;
            if (schema.value("pattern"_L1).isString())
                phrase += u" matching the pattern "_s + cut(schema.value("pattern"_L1).toString(), 120);
            if (schema.value("format"_L1).isString())
                phrase += u" (format: "_s + schema.value("format"_L1).toString() + u')';
            return phrase;
        }
        if (type == "array"_L1) {
            const QJsonValue items = schema.value("items"_L1);
            const QJsonArray prefix = schema.value("prefixItems"_L1).isArray()
                ? schema.value("prefixItems"_L1).toArray()
                : items.toArray();
            if (!prefix.isEmpty()) {
                phrase += u" shaped like "_s + cut(shape(schema, depth), 200);
            } else if (items.isObject() && !items.toObject().isEmpty()) {
                const QString item = words(items, depth + 1);
                static const QHash<QString, QString> plurals { { u"a string"_s, u"strings"_s },
                    { u"an integer"_s, u"integers"_s }, { u"a number"_s, u"numbers"_s },
                    { u"true or false"_s, u"booleans"_s }, { u"an object"_s, u"objects"_s },
                    { u"an array"_s, u"arrays"_s } };
                phrase += plurals.contains(item) ? QString(u" of "_s + plurals.value(item))
                                                 : QString(u" whose items are each "_s + item);
            }
            const QString count = countWords(
                countKeyword(schema, "minItems"_L1), countKeyword(schema, "maxItems"_L1), u"item"_s);
            if (!count.isEmpty())
                phrase += u" with "_s + count;
            if (schema.value("uniqueItems"_L1).toBool())
                phrase += u", no item repeated"_s;
            return phrase;
        }
        if (type == "object"_L1) {
            const QJsonObject properties = schema.value("properties"_L1).toObject();
            if (!properties.isEmpty())
                phrase += u" like "_s + cut(typeShape(type, schema, depth), 300);
            return phrase;
        }
        return phrase;
    }

    QString typeShape(const QString& type, const QJsonObject& schema, int depth) const
    {
        if (type == "integer"_L1 || type == "number"_L1)
            return type + rangeShort(schema);
        if (type == "string"_L1) {
            const QJsonValue format = schema.value("format"_L1);
            return format.isString() ? QString(u"string ("_s + format.toString() + u')') : type;
        }
        if (type == "array"_L1) {
            const QJsonValue items = schema.value("items"_L1);
            const QJsonArray prefix = schema.value("prefixItems"_L1).isArray()
                ? schema.value("prefixItems"_L1).toArray()
                : items.toArray();
            if (!prefix.isEmpty()) {
                QStringList parts;
                for (const QJsonValue& entry : prefix)
                    parts.append(shape(entry, depth + 1));
                return u'[' + parts.join(u", "_s) + u']';
            }
            if (items.isObject() && !items.toObject().isEmpty())
                return u'[' + shape(items, depth + 1) + u", ...]"_s;
            return type;
        }
        if (type == "object"_L1) {
            const QJsonObject properties = schema.value("properties"_L1).toObject();
            if (properties.isEmpty()) {
                const QJsonValue additional = schema.value("additionalProperties"_L1);
                if (additional.isObject() && !additional.toObject().isEmpty())
                    return u"{string: "_s + shape(additional, depth + 1) + u'}';
                return type;
            }
            if (depth >= kDescribeDepth)
                return u"{…}"_s;
            const QStringList required = stringList(schema.value("required"_L1));
            QStringList entries;
            // Required properties first: they are what a model most needs to see.
            for (bool wantRequired : { true, false }) {
                for (auto it = properties.constBegin(); it != properties.constEnd(); ++it) {
                    if (required.contains(it.key()) != wantRequired)
                        continue;
                    if (entries.size() == 60) {
                        entries.append(u"…"_s);
                        break;
                    }
                    entries.append(shownJson(it.key()) + u": "_s + shape(it.value(), depth + 1)
                        + (wantRequired ? QString() : u" (optional)"_s));
                }
            }
            return u'{' + entries.join(u", "_s) + u'}';
        }
        return type;
    }

    QJsonObject m_root;
};

QJsonObject rootFor(const QJsonValue& schema, const QJsonObject& root)
{
    return root.isEmpty() ? schema.toObject() : root;
}

// ---------------------------------------------------------------------------------------------
// Keywords Temper does not check, listed once each for the trace.

class KeywordScanner
{
public:
    explicit KeywordScanner(const QJsonObject& root)
        : m_root(root)
    { }

    // `owner` is the keyword holding this schema, noted when the schema is not one.
    void scan(const QJsonValue& schemaValue, int depth, const QString& owner = QString())
    {
        if (!schemaValue.isObject()) {
            if (!schemaValue.isBool() && !owner.isEmpty())
                note(owner);
            return;
        }
        if (depth > kMaxScanDepth)
            return;
        const QJsonObject schema = schemaValue.toObject();
        for (auto it = schema.constBegin(); it != schema.constEnd(); ++it)
            scanKeyword(schema, it.key(), it.value(), depth);
    }

    QStringList ignored() const { return m_ignored; }

private:
    void note(const QString& keyword)
    {
        if (!m_ignored.contains(keyword))
            m_ignored.append(keyword);
    }

    void scanSchemaMap(const QString& key, const QJsonValue& value, int depth)
    {
        if (!value.isObject())
            return note(key);
        const QJsonObject map = value.toObject();
        for (auto it = map.constBegin(); it != map.constEnd(); ++it) {
            if (key == "patternProperties"_L1 && !compilePattern(it.key()).isValid())
                note(key);
            scan(it.value(), depth + 1, key);
        }
    }

    void scanKeyword(const QJsonObject& schema, const QString& key, const QJsonValue& value, int depth)
    {
        static const QSet<QString> schemaMaps { u"properties"_s, u"patternProperties"_s, u"$defs"_s,
            u"definitions"_s, u"dependentSchemas"_s };
        static const QSet<QString> singleSchemas { u"additionalProperties"_s, u"additionalItems"_s, u"not"_s,
            u"if"_s, u"then"_s, u"else"_s, u"propertyNames"_s };
        static const QSet<QString> schemaLists { u"allOf"_s, u"anyOf"_s, u"oneOf"_s, u"prefixItems"_s };
        static const QSet<QString> numbers { u"minimum"_s, u"maximum"_s };
        static const QSet<QString> counts { u"minItems"_s, u"maxItems"_s, u"minLength"_s, u"maxLength"_s,
            u"minProperties"_s, u"maxProperties"_s };
        if (annotationKeywords().contains(key))
            return;
        if (schemaMaps.contains(key))
            return scanSchemaMap(key, value, depth);
        if (singleSchemas.contains(key) || key == "items"_L1) {
            if (value.isObject())
                return scan(value, depth + 1);
            if (key == "items"_L1 && value.isArray()) {
                for (const QJsonValue& entry : value.toArray())
                    scan(entry, depth + 1, key);
                return;
            }
            if (!value.isBool())
                note(key);
            return;
        }
        if (schemaLists.contains(key)) {
            if (!value.isArray() || value.toArray().isEmpty())
                return note(key);
            for (const QJsonValue& entry : value.toArray())
                scan(entry, depth + 1, key);
            return;
        }
        if (key == "type"_L1) {
            if (!declaredTypes(schema))
                note(key);
        } else if (key == "nullable"_L1 || key == "uniqueItems"_L1) {
            if (!value.isBool())
                note(key);
        } else if (key == "required"_L1) {
            if (!value.isArray() || stringList(value).size() != value.toArray().size())
                note(key);
        } else if (key == "enum"_L1) {
            if (!value.isArray())
                note(key);
        } else if (key == "const"_L1) {
            // any value is a valid const
        } else if (numbers.contains(key)) {
            if (!value.isDouble())
                note(key);
        } else if (key == "exclusiveMinimum"_L1 || key == "exclusiveMaximum"_L1) {
            if (!value.isDouble() && !value.isBool())
                note(key);
        } else if (key == "multipleOf"_L1) {
            if (!value.isDouble() || value.toDouble() <= 0)
                note(key);
        } else if (counts.contains(key)) {
            if (!countValue(value))
                note(key);
        } else if (key == "pattern"_L1) {
            if (!value.isString() || !compilePattern(value.toString()).isValid())
                note(key);
        } else if (key == "$ref"_L1) {
            if (!value.isString() || !resolveReference(m_root, value.toString()))
                note(key);
        } else if (key == "dependentRequired"_L1) {
            if (!value.isObject())
                note(key);
        } else if (key == "dependencies"_L1) {
            if (!value.isObject())
                return note(key);
            const QJsonObject map = value.toObject();
            for (auto it = map.constBegin(); it != map.constEnd(); ++it) {
                if (!it.value().isArray())
                    scan(it.value(), depth + 1, key);
            }
        } else {
            note(key);
        }
    }

    QJsonObject m_root;
    QStringList m_ignored;
};

// ---------------------------------------------------------------------------------------------
// The evaluator.

// True when a double holds the number `text` writes exactly: an identifier written as a numeric
// string must not come out as a different number.
bool exactNumber(const QString& text)
{
    const bool integral = !text.contains(u'.') && !text.contains(u'e') && !text.contains(u'E');
    if (integral) {
        bool fits = false;
        text.toLongLong(&fits);
        return fits;
    }
    QString digits = text.section(u'e', 0, 0, QString::SectionCaseInsensitiveSeps);
    digits.remove(u'-').remove(u'.');
    while (digits.startsWith(u'0'))
        digits.remove(0, 1);
    while (digits.endsWith(u'0'))
        digits.chop(1);
    return digits.size() <= 15;
}

struct Outcome
{
    QJsonValue value; // the value after repairs
    QList<Repair> repairs;
    QList<ValidationIssue> issues;

    bool passed() const { return issues.isEmpty(); }
    // A repair that changes what the value means (not just how a whole number is written).
    bool substantive() const
    {
        for (const Repair& repair : repairs) {
            if (repair.kind != RepairKind::IntegralFloat)
                return true;
        }
        return false;
    }
};

// Takes over another outcome's value, repairs and issues.
void absorb(Outcome& into, Outcome&& from)
{
    into.value = std::move(from.value);
    into.repairs += from.repairs;
    into.issues += from.issues;
}

class Evaluator
{
public:
    Evaluator(const QJsonObject& root, const QList<WrittenNumber>& integralFloats)
        : m_root(root)
        , m_describer(root)
    {
        for (const WrittenNumber& number : integralFloats)
            m_integralFloats.insert(number.pointer, number.lexeme);
    }

    Outcome evaluate(
        const QJsonValue& value, const QJsonValue& schemaValue, const Location& at, int depth, bool repair)
    {
        Outcome out;
        out.value = value;
        if (--m_budget < 0 || depth > kMaxDepth)
            return out;
        if (schemaValue.isBool()) {
            if (!schemaValue.toBool())
                addIssue(
                    out, Rule::Not, at, value, {}, at.label() + u" is not allowed here"_s, u"no value"_s);
            return out;
        }
        if (!schemaValue.isObject())
            return out; // a schema Temper cannot read accepts everything
        const QJsonObject schema = schemaValue.toObject();
        if (schema.isEmpty())
            return out;

        if (schema.value("$ref"_L1).isString()) {
            const QString ref = schema.value("$ref"_L1).toString();
            const std::optional<QJsonValue> target = reference(ref);
            const QPair<QString, QString> key { at.pointer, ref };
            // The same reference at the same place means a cycle that consumes no input.
            if (target && !m_activeRefs.contains(key)) {
                m_activeRefs.append(key);
                absorb(out, evaluate(out.value, *target, at, depth + 1, repair));
                m_activeRefs.removeLast();
            }
            if (stop(out))
                return out;
        }

        const std::optional<QStringList> types = declaredTypes(schema);
        if (repair && !acceptsKind(schema, types, out.value))
            coerce(out, schemaValue, types, at, depth);
        if (types && !matchesAnyType(out.value, *types)) {
            addIssue(out, Rule::Type, at, out.value, schema,
                at.label() + u" must be "_s + typeWords(*types) + u", but got "_s + describeValue(out.value),
                expect(schema, 0));
            return out;
        }
        if (!enumAccepts(schema, out.value)) {
            addIssue(out, Rule::Enum, at, out.value, schema,
                at.label() + u" must be "_s + expect(schema, 0) + u", but got "_s + describeValue(out.value),
                expect(schema, 0));
            return out;
        }
        if (schema.contains("const"_L1) && !jsonEqual(schema.value("const"_L1), out.value)) {
            addIssue(out, Rule::Const, at, out.value, schema,
                at.label() + u" must be exactly "_s + cut(shownJson(schema.value("const"_L1)), 80)
                    + u", but got "_s + describeValue(out.value),
                expect(schema, 0));
            return out;
        }

        if (out.value.isObject())
            checkObject(out, schema, at, depth, repair);
        else if (out.value.isArray())
            checkArray(out, schema, at, depth, repair);
        else if (out.value.isDouble())
            checkNumber(out, schema, at);
        else if (out.value.isString())
            checkString(out, schema, at);
        if (stop(out))
            return out;
        applySubschemas(out, schema, at, depth, repair);

        // Drafts 6+ accept 10.0 as an integer; writing it as 10 keeps strict clients happy.
        if (repair && out.passed() && out.value.isDouble() && types && types->contains("integer"_L1)
            && !types->contains("number"_L1) && m_integralFloats.contains(at.pointer)
            && std::fabs(out.value.toDouble()) < 9.0e15) {
            const QString lexeme = m_integralFloats.value(at.pointer);
            const QJsonValue after(qint64(out.value.toDouble()));
            out.repairs.append({ RepairKind::IntegralFloat, at.pointer, out.value, after,
                at.label() + u": "_s + lexeme + u" written as the integer "_s + shownJson(after) });
            out.value = after;
        }
        return out;
    }

private:
    // While quiet, only pass or fail matters: issues carry no text and checks stop at the first
    // failure. Union branches and repair candidates are tried quietly.
    class QuietScope
    {
    public:
        explicit QuietScope(Evaluator& evaluator)
            : m_evaluator(evaluator)
            , m_was(evaluator.m_quiet)
        {
            evaluator.m_quiet = true;
        }
        ~QuietScope() { m_evaluator.m_quiet = m_was; }
        QuietScope(const QuietScope&) = delete;
        QuietScope& operator=(const QuietScope&) = delete;

    private:
        Evaluator& m_evaluator;
        bool m_was;
    };

    bool passes(const QJsonValue& value, const QJsonValue& schema, const Location& at, int depth)
    {
        const QuietScope quiet(*this);
        return evaluate(value, schema, at, depth, false).passed();
    }

    std::optional<QJsonValue> reference(const QString& ref)
    {
        auto it = m_references.constFind(ref);
        if (it == m_references.constEnd())
            it = m_references.insert(ref, resolveReference(m_root, ref));
        return *it;
    }

    bool stop(const Outcome& out) const { return m_quiet && !out.passed(); }

    QString expect(const QJsonValue& schema, int depth = 0) const
    {
        return m_quiet ? QString() : m_describer.words(schema, depth);
    }

    void addIssue(Outcome& out, Rule rule, const Location& at, const QJsonValue& received,
        const QJsonObject& schema, const QString& message, const QString& expected)
    {
        out.issues.append({ rule, at.pointer, at.path, received, schema, message, expected });
    }

    static bool enumAccepts(const QJsonObject& schema, const QJsonValue& value)
    {
        const QJsonValue values = schema.value("enum"_L1);
        if (!values.isArray())
            return true;
        if (value.isNull() && schema.value("nullable"_L1).toBool())
            return true;
        const QJsonArray options = values.toArray();
        return std::any_of(options.cbegin(), options.cend(),
            [&value](const QJsonValue& option) { return jsonEqual(option, value); });
    }

    static bool acceptsKind(
        const QJsonObject& schema, const std::optional<QStringList>& types, const QJsonValue& value)
    {
        if (types && !matchesAnyType(value, *types))
            return false;
        if (!enumAccepts(schema, value))
            return false;
        return !schema.contains("const"_L1) || jsonEqual(schema.value("const"_L1), value);
    }

    // Reads a value of the wrong kind as the one declared, when exactly one reading passes the
    // whole schema: "5" -> 5, "True" -> true, x -> [x].
    void coerce(Outcome& out, const QJsonValue& schemaValue, const std::optional<QStringList>& types,
        const Location& at, int depth)
    {
        // The arguments themselves must stay an object, whatever a (broken) root schema says.
        if (at.pointer.isEmpty())
            return;
        const QJsonValue value = out.value;
        QList<std::pair<RepairKind, QJsonValue>> candidates;
        if (value.isString()) {
            const QString text = value.toString().trimmed();
            const LiteralParse number = parseWholeLiteral(text, LiteralDialect::Json);
            if (number.ok && number.value.isDouble() && exactNumber(text))
                candidates.append({ RepairKind::NumericString, number.value });
            if (text.compare("true"_L1, Qt::CaseInsensitive) == 0)
                candidates.append({ RepairKind::BooleanString, QJsonValue(true) });
            else if (text.compare("false"_L1, Qt::CaseInsensitive) == 0)
                candidates.append({ RepairKind::BooleanString, QJsonValue(false) });
        }
        if (types && types->contains("array"_L1) && !value.isArray() && !value.isNull()
            && !value.isUndefined())
            candidates.append({ RepairKind::WrappedInArray, QJsonArray { value } });

        std::optional<std::pair<RepairKind, QJsonValue>> winner;
        for (const auto& candidate : std::as_const(candidates)) {
            if (!passes(candidate.second, schemaValue, at, depth))
                continue;
            if (winner)
                return; // two readings are valid: ambiguous
            winner = candidate;
        }
        if (!winner)
            return;
        QString description;
        switch (winner->first) {
        case RepairKind::NumericString:
            description = at.label() + u": the string "_s + shownJson(value) + u" read as the number "_s
                + shownJson(winner->second);
            break;
        case RepairKind::BooleanString:
            description = at.label() + u": the string "_s + shownJson(value) + u" read as "_s
                + shownJson(winner->second);
            break;
        default:
            description = at.label() + u": the single value "_s + cut(shownJson(value), 80)
                + u" wrapped in an array"_s;
            break;
        }
        out.repairs.append({ winner->first, at.pointer, value, winner->second, description });
        out.value = winner->second;
    }

    const QRegularExpression* regex(const QString& pattern)
    {
        auto it = m_patterns.find(pattern);
        if (it == m_patterns.end())
            it = m_patterns.insert(pattern, compilePattern(pattern));
        return it->isValid() ? &*it : nullptr;
    }

    void checkNumber(Outcome& out, const QJsonObject& schema, const Location& at)
    {
        const double number = out.value.toDouble();
        const QString got = u", but got "_s + numberText(number);
        const QString expected = expect(schema, 0);
        const std::optional<double> minimum = numberKeyword(schema, "minimum"_L1);
        const std::optional<double> maximum = numberKeyword(schema, "maximum"_L1);
        const QJsonValue exclusiveMin = schema.value("exclusiveMinimum"_L1);
        const QJsonValue exclusiveMax = schema.value("exclusiveMaximum"_L1);
        if (minimum && exclusiveMin.isBool() && exclusiveMin.toBool()) {
            if (number <= *minimum)
                addIssue(out, Rule::ExclusiveMinimum, at, out.value, schema,
                    at.label() + u" must be greater than "_s + numberText(*minimum) + got, expected);
        } else if (minimum && number < *minimum) {
            addIssue(out, Rule::Minimum, at, out.value, schema,
                at.label() + u" must be at least "_s + numberText(*minimum) + got, expected);
        }
        if (maximum && exclusiveMax.isBool() && exclusiveMax.toBool()) {
            if (number >= *maximum)
                addIssue(out, Rule::ExclusiveMaximum, at, out.value, schema,
                    at.label() + u" must be less than "_s + numberText(*maximum) + got, expected);
        } else if (maximum && number > *maximum) {
            addIssue(out, Rule::Maximum, at, out.value, schema,
                at.label() + u" must be at most "_s + numberText(*maximum) + got, expected);
        }
        if (exclusiveMin.isDouble() && number <= exclusiveMin.toDouble())
            addIssue(out, Rule::ExclusiveMinimum, at, out.value, schema,
                at.label() + u" must be greater than "_s + numberText(exclusiveMin.toDouble()) + got,
                expected);
        if (exclusiveMax.isDouble() && number >= exclusiveMax.toDouble())
            addIssue(out, Rule::ExclusiveMaximum, at, out.value, schema,
                at.label() + u" must be less than "_s + numberText(exclusiveMax.toDouble()) + got, expected);
        if (const std::optional<double> multiple = numberKeyword(schema, "multipleOf"_L1);
            multiple && *multiple > 0) {
            const double quotient = number / *multiple;
            // Decimal steps (0.01) are not exact in binary: allow rounding noise.
            const bool whole = std::isfinite(quotient)
                && std::fabs(quotient - std::round(quotient)) <= 1e-9 * std::max(1.0, std::fabs(quotient));
            if (!whole)
                addIssue(out, Rule::MultipleOf, at, out.value, schema,
                    at.label() + u" must be a multiple of "_s + numberText(*multiple) + got, expected);
        }
    }

    void checkString(Outcome& out, const QJsonObject& schema, const Location& at)
    {
        const QString text = out.value.toString();
        const qsizetype length = codePoints(text);
        const QString got = u", but got "_s + describeValue(out.value);
        const QString expected = expect(schema, 0);
        const std::optional<qint64> minLength = countKeyword(schema, "minLength"_L1);
        const std::optional<qint64> maxLength = countKeyword(schema, "maxLength"_L1);
        if (minLength && length < *minLength)
            addIssue(out, Rule::MinLength, at, out.value, schema,
                at.label() + u" must be at least "_s + plural(*minLength, u"character"_s) + u" long"_s + got
                    + u" ("_s + plural(length, u"character"_s) + u')',
                expected);
        if (maxLength && length > *maxLength)
            addIssue(out, Rule::MaxLength, at, out.value, schema,
                at.label() + u" must be at most "_s + plural(*maxLength, u"character"_s) + u" long"_s + got
                    + u" ("_s + plural(length, u"character"_s) + u')',
                expected);
        if (schema.value("pattern"_L1).isString()) {
            const QString pattern = schema.value("pattern"_L1).toString();
            if (const QRegularExpression* re = regex(pattern); re && !re->match(text).hasMatch())
                addIssue(out, Rule::Pattern, at, out.value, schema,
                    at.label() + u" must match the pattern "_s + cut(pattern, 120) + got, expected);
        }
    }

    void checkArray(Outcome& out, const QJsonObject& schema, const Location& at, int depth, bool repair)
    {
        QJsonArray array = out.value.toArray();
        const QJsonValue items = schema.value("items"_L1);
        QJsonArray prefix;
        QJsonValue rest;
        if (schema.value("prefixItems"_L1).isArray()) {
            prefix = schema.value("prefixItems"_L1).toArray();
            rest = items;
        } else if (items.isArray()) {
            prefix = items.toArray(); // the tuple form of drafts 4 to 2019-09
            rest = schema.value("additionalItems"_L1);
        } else {
            rest = items;
        }
        bool tooMany = false;
        bool changed = false;
        for (qsizetype i = 0; i < array.size(); ++i) {
            const QJsonValue itemSchema = i < prefix.size() ? prefix.at(i) : rest;
            if (!itemSchema.isObject() && !itemSchema.isBool())
                continue;
            if (i >= prefix.size() && itemSchema.isBool() && !itemSchema.toBool()) {
                tooMany = true;
                continue;
            }
            Outcome item = evaluate(array.at(i), itemSchema, at.index(i), depth + 1, repair);
            out.repairs += item.repairs;
            out.issues += item.issues;
            if (stop(out))
                return;
            if (!item.repairs.isEmpty()) {
                array.replace(i, item.value);
                changed = true;
            }
        }
        if (changed)
            out.value = array;
        const QString expected = expect(schema, 0);
        const QString got = u", but got "_s + describeValue(out.value);
        std::optional<qint64> maxItems = countKeyword(schema, "maxItems"_L1);
        if (tooMany && (!maxItems || *maxItems > prefix.size()))
            maxItems = prefix.size();
        if (const std::optional<qint64> minItems = countKeyword(schema, "minItems"_L1);
            minItems && array.size() < *minItems)
            addIssue(out, Rule::MinItems, at, out.value, schema,
                at.label() + u" must have at least "_s + plural(*minItems, u"item"_s) + got, expected);
        if (maxItems && array.size() > *maxItems)
            addIssue(out, Rule::MaxItems, at, out.value, schema,
                at.label() + u" must have at most "_s + plural(*maxItems, u"item"_s) + got, expected);
        if (schema.value("uniqueItems"_L1).toBool()) {
            QSet<QString> seen;
            for (qsizetype i = 0; i < array.size(); ++i) {
                // Compact JSON is canonical here: object keys are sorted and 1.0 prints as 1.
                const QString canonical = shownJson(array.at(i));
                if (seen.contains(canonical)) {
                    addIssue(out, Rule::UniqueItems, at, out.value, schema,
                        at.label() + u" must not repeat items, but item "_s + QString::number(i)
                            + u" repeats an earlier one ("_s + cut(canonical, 60) + u')',
                        expected);
                    break;
                }
                seen.insert(canonical);
            }
        }
    }

    void checkObject(Outcome& out, const QJsonObject& schema, const Location& at, int depth, bool repair)
    {
        QJsonObject object = out.value.toObject();
        const QJsonObject properties = schema.value("properties"_L1).toObject();
        const QStringList required = stringList(schema.value("required"_L1));
        const QJsonValue additional = schema.value("additionalProperties"_L1);
        QList<std::pair<const QRegularExpression*, QJsonValue>> patterns;
        const QJsonObject patternProperties = schema.value("patternProperties"_L1).toObject();
        for (auto it = patternProperties.constBegin(); it != patternProperties.constEnd(); ++it) {
            if (const QRegularExpression* re = regex(it.key()))
                patterns.append({ re, it.value() });
        }

        bool changed = false;
        const QStringList keys = object.keys();
        for (const QString& key : keys) {
            const Location child = at.key(key);
            QJsonValue value = object.value(key);
            bool matched = false;
            bool repaired = false;
            const auto run = [&](const QJsonValue& subschema) {
                Outcome sub = evaluate(value, subschema, child, depth + 1, repair);
                repaired = repaired || !sub.repairs.isEmpty();
                value = sub.value;
                out.repairs += sub.repairs;
                out.issues += sub.issues;
            };
            if (properties.contains(key)) {
                matched = true;
                const QJsonValue subschema = properties.value(key);
                if (repair && value.isNull() && !required.contains(key)
                    && !passes(value, subschema, child, depth + 1)) {
                    object.remove(key);
                    changed = true;
                    out.repairs.append(
                        { RepairKind::DroppedNull, child.pointer, value, QJsonValue(QJsonValue::Undefined),
                            child.label()
                                + u": null dropped (the property is optional and does not accept null)"_s });
                    continue;
                }
                run(subschema);
            }
            for (const auto& pattern : std::as_const(patterns)) {
                if (pattern.first->match(key).hasMatch()) {
                    matched = true;
                    run(pattern.second);
                }
            }
            if (!matched && additional.isBool() && !additional.toBool()) {
                const QString allowed = cut(properties.keys().join(u", "_s), 300);
                const QString expected
                    = allowed.isEmpty() ? u"no properties"_s : QString(u"only the properties "_s + allowed);
                const QString accepted = allowed.isEmpty() ? u"none are accepted here"_s
                                                           : QString(u"the accepted ones are "_s + allowed);
                addIssue(out, Rule::AdditionalProperty, child, value, schema,
                    child.label() + u" is not an accepted property; "_s + accepted, expected);
            } else if (!matched && additional.isObject()) {
                run(additional);
            }
            if (repaired) {
                object.insert(key, value);
                changed = true;
            }
            if (stop(out))
                return;
        }
        if (changed)
            out.value = object;

        for (const QString& name : required) {
            if (!object.contains(name))
                addMissing(out, schema, properties.value(name), at.key(name), QString());
        }
        if (stop(out))
            return;
        const auto requireAlso = [&](const QString& trigger, const QJsonValue& names) {
            for (const QString& name : stringList(names)) {
                if (!object.contains(name) && !required.contains(name))
                    addMissing(out, schema, properties.value(name), at.key(name), trigger);
            }
        };
        const QJsonObject dependentRequired = schema.value("dependentRequired"_L1).toObject();
        const QJsonObject dependencies = schema.value("dependencies"_L1).toObject();
        for (auto it = dependentRequired.constBegin(); it != dependentRequired.constEnd(); ++it) {
            if (object.contains(it.key()))
                requireAlso(it.key(), it.value());
        }
        for (auto it = dependencies.constBegin(); it != dependencies.constEnd(); ++it) {
            if (object.contains(it.key()) && it.value().isArray())
                requireAlso(it.key(), it.value());
        }

        const QString expected = expect(schema, 0);
        const QString got = u", but got "_s + describeValue(out.value);
        if (const auto minimum = countKeyword(schema, "minProperties"_L1);
            minimum && object.size() < *minimum)
            addIssue(out, Rule::MinProperties, at, out.value, schema,
                at.label() + u" must have at least "_s + plural(*minimum, u"property"_s, u"properties"_s)
                    + got,
                expected);
        if (const auto maximum = countKeyword(schema, "maxProperties"_L1);
            maximum && object.size() > *maximum)
            addIssue(out, Rule::MaxProperties, at, out.value, schema,
                at.label() + u" must have at most "_s + plural(*maximum, u"property"_s, u"properties"_s)
                    + got,
                expected);

        const QJsonValue propertyNames = schema.value("propertyNames"_L1);
        if (propertyNames.isObject() || propertyNames.isBool()) {
            for (const QString& key : object.keys()) {
                const Location child = at.key(key);
                if (passes(QJsonValue(key), propertyNames, child, depth + 1))
                    continue;
                const Outcome name = evaluate(QJsonValue(key), propertyNames, child, depth + 1, false);
                if (!name.passed())
                    addIssue(out, name.issues.first().rule, child, QJsonValue(key), schema,
                        u"The property name "_s + shownJson(key) + u" is not accepted: it must be "_s
                            + expect(propertyNames, 0),
                        u"a property name that is "_s + expect(propertyNames, 0));
            }
        }
    }

    void addMissing(Outcome& out, const QJsonObject& schema, const QJsonValue& propertySchema,
        const Location& at, const QString& trigger)
    {
        QString message = at.label() + u" is required but missing"_s;
        if (!trigger.isEmpty())
            message = at.label() + u" is required when "_s + shownJson(trigger)
                + u" is given, but it is missing"_s;
        addIssue(out, Rule::Required, at, QJsonValue(QJsonValue::Undefined), schema, message,
            expect(propertySchema, 0));
    }

    void applySubschemas(Outcome& out, const QJsonObject& schema, const Location& at, int depth, bool repair)
    {
        for (const QJsonValue& branch : schema.value("allOf"_L1).toArray()) {
            absorb(out, evaluate(out.value, branch, at, depth + 1, repair));
            if (stop(out))
                return;
        }
        if (schema.value("anyOf"_L1).isArray())
            applyUnion(out, schema, "anyOf"_L1, at, depth, repair);
        if (schema.value("oneOf"_L1).isArray() && !stop(out))
            applyUnion(out, schema, "oneOf"_L1, at, depth, repair);
        if (stop(out))
            return;
        const QJsonValue negated = schema.value("not"_L1);
        if ((negated.isObject() || negated.isBool()) && passes(out.value, negated, at, depth + 1))
            addIssue(out, Rule::Not, at, out.value, schema,
                at.label() + u" must not be "_s + expect(negated, 0) + u", but got "_s
                    + describeValue(out.value),
                u"anything except "_s + expect(negated, 0));
        const QJsonValue condition = schema.value("if"_L1);
        if (condition.isObject() || condition.isBool()) {
            const QJsonValue branch = passes(out.value, condition, at, depth + 1) ? schema.value("then"_L1)
                                                                                  : schema.value("else"_L1);
            if (branch.isObject() || branch.isBool())
                absorb(out, evaluate(out.value, branch, at, depth + 1, repair));
        }
        if (out.value.isObject()) {
            for (QLatin1StringView key : { "dependentSchemas"_L1, "dependencies"_L1 }) {
                const QJsonObject map = schema.value(key).toObject();
                for (auto it = map.constBegin(); it != map.constEnd(); ++it) {
                    if (!it.value().isArray() && out.value.toObject().contains(it.key()))
                        absorb(out, evaluate(out.value, it.value(), at, depth + 1, repair));
                }
            }
        }
    }

    // The JSON types a branch declares, through references and nested unions. False when some
    // path through it declares none (it is not of any one kind).
    bool gatherTypes(const QJsonValue& schemaValue, QStringList& types, int depth) const
    {
        if (!schemaValue.isObject() || depth > 8)
            return false;
        const QJsonObject schema = flattenRef(schemaValue.toObject(), m_root);
        if (const std::optional<QStringList> declared = declaredTypes(schema)) {
            types += *declared;
            return true;
        }
        bool constrained = false;
        for (QLatin1StringView key : { "anyOf"_L1, "oneOf"_L1 }) {
            for (const QJsonValue& branch : schema.value(key).toArray()) {
                if (!gatherTypes(branch, types, depth + 1))
                    return false;
                constrained = true;
            }
        }
        return constrained;
    }

    // True when the branch declares types and the value is of one of them.
    bool branchOfKind(const QJsonValue& branch, const QJsonValue& value) const
    {
        QStringList types;
        return gatherTypes(branch, types, 0) && matchesAnyType(value, types);
    }

    void applyUnion(Outcome& out, const QJsonObject& schema, QLatin1StringView key, const Location& at,
        int depth, bool repair)
    {
        const QJsonArray branches = schema.value(key).toArray();
        if (branches.isEmpty())
            return;
        const bool exactlyOne = key == "oneOf"_L1;
        const Rule rule = exactlyOne ? Rule::OneOf : Rule::AnyOf;

        QList<qsizetype> passing;
        for (qsizetype i = 0; i < branches.size(); ++i) {
            if (!passes(out.value, branches.at(i), at, depth + 1))
                continue;
            passing.append(i);
            // Without repairs one pass settles anyOf and a second one settles oneOf.
            if ((exactlyOne && passing.size() > 1) || (!exactlyOne && !repair))
                break;
        }
        if (exactlyOne && passing.size() > 1) {
            QJsonObject union_;
            union_.insert(key, branches);
            const QString expected = expect(union_);
            addIssue(out, rule, at, out.value, schema,
                at.label() + u" fits more than one of the accepted shapes, so it is ambiguous; it must be "_s
                    + expected,
                u"exactly one of: "_s + expected);
            return;
        }
        if (!passing.isEmpty()) {
            if (repair) {
                // A valid value still takes the normalisations (10.0 -> 10) of the branch that
                // needs the fewest.
                const QuietScope quiet(*this);
                std::optional<Outcome> best;
                for (qsizetype i : std::as_const(passing)) {
                    Outcome candidate = evaluate(out.value, branches.at(i), at, depth + 1, true);
                    if (candidate.passed() && !candidate.substantive()
                        && (!best || candidate.repairs.size() < best->repairs.size()))
                        best = std::move(candidate);
                }
                if (best)
                    absorb(out, std::move(*best));
            }
            return;
        }
        if (repair && adoptRepairedBranch(out, branches, exactlyOne, at, depth))
            return;
        if (m_quiet) {
            addIssue(out, rule, at, out.value, schema, QString(), QString());
            return;
        }
        // When only one branch is of the value's kind (the usual "X or null"), its own issues
        // say more than "matches none".
        QList<qsizetype> relevant;
        for (qsizetype i = 0; i < branches.size(); ++i) {
            if (branchOfKind(branches.at(i), out.value))
                relevant.append(i);
        }
        if (relevant.size() == 1) {
            const Outcome report = evaluate(out.value, branches.at(relevant.first()), at, depth + 1, false);
            if (!report.passed()) {
                out.issues += report.issues;
                return;
            }
        }
        QJsonObject union_;
        union_.insert(key, branches);
        const QString expected = expect(union_);
        addIssue(out, rule, at, out.value, schema,
            at.label() + u" must be "_s + expected + u", but got "_s + describeValue(out.value), expected);
    }

    // A union no branch accepts as it stands: adopt the repairs of a branch when they make it
    // pass and every branch that passes after repair agrees on the value.
    bool adoptRepairedBranch(
        Outcome& out, const QJsonArray& branches, bool exactlyOne, const Location& at, int depth)
    {
        const QuietScope quiet(*this);
        std::optional<Outcome> winner;
        for (const QJsonValue& branch : branches) {
            Outcome candidate = evaluate(out.value, branch, at, depth + 1, true);
            if (!candidate.passed())
                continue;
            if (winner && !jsonEqual(winner->value, candidate.value))
                return false; // two readings: ambiguous
            if (!winner)
                winner = std::move(candidate);
        }
        if (!winner)
            return false;
        if (exactlyOne) {
            qsizetype satisfied = 0;
            for (const QJsonValue& branch : branches)
                satisfied += passes(winner->value, branch, at, depth + 1) ? 1 : 0;
            if (satisfied != 1)
                return false;
        }
        absorb(out, std::move(*winner));
        return true;
    }

    QJsonObject m_root;
    Describer m_describer;
    QHash<QString, QString> m_integralFloats; // pointer -> lexeme
    QHash<QString, QRegularExpression> m_patterns;
    QHash<QString, std::optional<QJsonValue>> m_references;
    QList<QPair<QString, QString>> m_activeRefs; // (instance pointer, $ref) being evaluated
    int m_budget = kBudget;
    bool m_quiet = false;
};

// Strict JSON never has a raw control character inside a string, which the literal parser's JSON
// dialect lets through (models write raw newlines in code arguments) and Qt's parser accepts too;
// Qt's parser vouches for the rest of the grammar.
bool isStrictJson(QStringView text)
{
    bool inString = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (!inString) {
            inString = c == u'"';
        } else if (c == u'\\') {
            ++i;
        } else if (c == u'"') {
            inString = false;
        } else if (c.unicode() < 0x20) {
            return false;
        }
    }
    // QJsonDocument takes only objects and arrays at the top.
    QJsonParseError error;
    QJsonDocument::fromJson(QByteArray('[' + text.toUtf8() + ']'), &error);
    return error.error == QJsonParseError::NoError;
}

CallValidation unknownTool(const QString& name, const ToolCatalog& tools, const QJsonValue& arguments)
{
    CallValidation result;
    result.toolName = name;
    result.arguments = arguments.toObject();
    const QStringList names = tools.names();
    const QString expected = names.isEmpty()
        ? u"no tools are declared"_s
        : QString(u"one of the declared tools: "_s + cut(names.join(u", "_s), 600));
    result.issues.append({ Rule::UnknownTool, QString(), u"arguments"_s, QJsonValue(name), QJsonObject(),
        u"There is no tool named "_s + shownJson(name), expected });
    return result;
}

CallValidation validateDeclared(const ToolDefinition& tool, const QString& name, QJsonValue arguments,
    QList<WrittenNumber> integralFloats, const ValidatorOptions& options, QList<Repair> repairs)
{
    CallValidation result;
    result.toolName = name;
    const QJsonObject root = tool.parameters;
    KeywordScanner scanner(root);
    scanner.scan(root, 0);
    result.ignoredKeywords = scanner.ignored();

    // Missing or null arguments mean {}, as everywhere else in the guard.
    if (arguments.isUndefined() || arguments.isNull())
        arguments = QJsonObject();
    if (arguments.isString() && options.repair) {
        const LiteralParse inner = parseWholeLiteral(arguments.toString(), LiteralDialect::Json);
        if (inner.ok && inner.value.isObject()) {
            repairs.append({ RepairKind::StringifiedArguments, QString(), arguments, inner.value,
                u"The arguments arrived as a JSON string holding the object; decoded it"_s });
            arguments = inner.value;
            integralFloats = inner.integralFloats;
        }
    }
    if (!arguments.isObject()) {
        result.repairs = repairs;
        result.issues.append({ Rule::ArgumentsNotObject, QString(), u"arguments"_s, arguments, root,
            u"The arguments must be a JSON object, but got "_s + describeValue(arguments),
            u"a JSON object like "_s + schemaShape(root, root, 300) });
        return result;
    }
    Evaluator evaluator(root, integralFloats);
    Outcome outcome = evaluator.evaluate(arguments, root, Location(), 0, options.repair);
    result.arguments = outcome.value.toObject();
    result.repairs = repairs + outcome.repairs;
    result.issues = outcome.issues;
    result.valid = result.issues.isEmpty();
    return result;
}

} // namespace

CallValidation SchemaValidator::validate(const ToolCatalog& tools, const QString& name,
    const QJsonValue& arguments, const QList<WrittenNumber>& integralFloats, const ValidatorOptions& options)
{
    const ToolDefinition* tool = tools.resolve(name);
    if (!tool)
        return unknownTool(name, tools, arguments);
    return validateDeclared(*tool, name, arguments, integralFloats, options, {});
}

CallValidation SchemaValidator::validateArgumentsText(
    const ToolCatalog& tools, const QString& name, QStringView argumentsText, const ValidatorOptions& options)
{
    LiteralParse parsed;
    if (argumentsText.trimmed().isEmpty()) {
        parsed.ok = true;
        parsed.value = QJsonObject();
    } else {
        parsed = parseWholeLiteral(argumentsText, LiteralDialect::Json);
    }
    const ToolDefinition* tool = tools.resolve(name);
    if (!tool)
        return unknownTool(name, tools, parsed.ok ? parsed.value : QJsonValue());

    const auto notJson = [&](const QString& why) {
        CallValidation result;
        result.toolName = name;
        KeywordScanner scanner(tool->parameters);
        scanner.scan(tool->parameters, 0);
        result.ignoredKeywords = scanner.ignored();
        result.issues.append(
            { Rule::ArgumentsNotJson, QString(), u"arguments"_s, QJsonValue(argumentsText.toString()),
                tool->parameters, u"The arguments are not valid JSON: "_s + why,
                u"one JSON object like "_s + schemaShape(tool->parameters, tool->parameters, 300) });
        return result;
    };
    if (!parsed.ok)
        return notJson(parsed.error);
    QList<Repair> repairs;
    if (!isStrictJson(argumentsText)) {
        if (!options.repair)
            return notJson(
                u"a string holds a raw control character (such as a line break) that must be escaped"_s);
        repairs.append(
            { RepairKind::StrictJson, QString(), QJsonValue(argumentsText.toString()), parsed.value,
                u"The arguments were not strict JSON (a raw control character inside a string); "
                u"re-serialised them"_s });
    }
    return validateDeclared(*tool, name, parsed.value, parsed.integralFloats, options, repairs);
}

QString describeSchema(const QJsonValue& schema, const QJsonObject& root)
{
    return Describer(rootFor(schema, root)).words(schema, 0);
}

QString schemaShape(const QJsonValue& schema, const QJsonObject& root, qsizetype maxLength)
{
    return cut(Describer(rootFor(schema, root)).shape(schema, 0), std::max<qsizetype>(maxLength, 8));
}

QString describeValue(const QJsonValue& value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return u"null"_s;
    case QJsonValue::Bool:
        return value.toBool() ? u"true"_s : u"false"_s;
    case QJsonValue::Double:
        return u"the number "_s + shownJson(value);
    case QJsonValue::String:
        return u"the string "_s + cut(shownJson(value), 80);
    case QJsonValue::Array: {
        const qsizetype size = value.toArray().size();
        return size == 0 ? u"an empty array"_s : QString(u"an array of "_s + plural(size, u"item"_s));
    }
    case QJsonValue::Object: {
        const QStringList keys = value.toObject().keys();
        if (keys.isEmpty())
            return u"an empty object"_s;
        return u"an object with the keys "_s + cut(keys.join(u", "_s), 120);
    }
    case QJsonValue::Undefined:
        break;
    }
    return u"nothing"_s;
}

QString ruleWords(Rule rule)
{
    switch (rule) {
    case Rule::UnknownTool:
        return u"unknown tool"_s;
    case Rule::ArgumentsNotJson:
        return u"not valid JSON"_s;
    case Rule::ArgumentsNotObject:
        return u"not a JSON object"_s;
    case Rule::Required:
        return u"missing required property"_s;
    case Rule::AdditionalProperty:
        return u"unknown property"_s;
    case Rule::Type:
        return u"wrong type"_s;
    case Rule::Enum:
        return u"not one of the allowed values"_s;
    case Rule::Const:
        return u"not the required value"_s;
    case Rule::MinItems:
        return u"too few items"_s;
    case Rule::MaxItems:
        return u"too many items"_s;
    case Rule::UniqueItems:
        return u"repeated items"_s;
    case Rule::Minimum:
        return u"too small"_s;
    case Rule::Maximum:
        return u"too large"_s;
    case Rule::ExclusiveMinimum:
        return u"too small"_s;
    case Rule::ExclusiveMaximum:
        return u"too large"_s;
    case Rule::MultipleOf:
        return u"not an allowed step"_s;
    case Rule::MinLength:
        return u"too short"_s;
    case Rule::MaxLength:
        return u"too long"_s;
    case Rule::Pattern:
        return u"does not match the pattern"_s;
    case Rule::MinProperties:
        return u"too few properties"_s;
    case Rule::MaxProperties:
        return u"too many properties"_s;
    case Rule::AnyOf:
        return u"matches none of the accepted shapes"_s;
    case Rule::OneOf:
        return u"does not match exactly one accepted shape"_s;
    case Rule::Not:
        return u"not allowed"_s;
    }
    return QString();
}

} // namespace Guard
