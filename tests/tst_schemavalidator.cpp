// The schema validator: every keyword passing and failing, nesting, references, safe repairs and
// the cases that must stay unrepaired, and schemas Temper cannot read.
#include "guard/literalparser.h"
#include "guard/schemavalidator.h"
#include "guard/toolcatalog.h"
#include "jsoncompare.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace Guard;

Q_DECLARE_METATYPE(Guard::Rule)
Q_DECLARE_METATYPE(Guard::RepairKind)

namespace {

QJsonObject object(const QString& json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError)
        qWarning("bad JSON in test: %s", qPrintable(json));
    return document.object();
}

QJsonValue value(const QString& json)
{
    return parseWholeLiteral(json, LiteralDialect::Json).value;
}

QString compact(const QJsonValue& value)
{
    const QByteArray json = QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(json.mid(1, json.size() - 2));
}

ToolCatalog catalog(const QString& schema)
{
    QJsonObject function { { u"name"_s, u"t"_s }, { u"parameters"_s, object(schema) } };
    QJsonObject ping { { u"name"_s, u"ping"_s } };
    return ToolCatalog::fromTools(QJsonArray { QJsonObject { { u"type"_s, u"function"_s }, { u"function"_s, function } },
                                               ping });
}

// Validates `arguments` (JSON text, parsed like rescued text so whole floats are known) against
// a tool whose parameters are `schema`.
CallValidation check(const QString& schema, const QString& arguments, bool repair = true)
{
    const LiteralParse parsed = parseWholeLiteral(arguments, LiteralDialect::Json);
    if (!parsed.ok)
        qWarning("bad arguments in test: %s", qPrintable(arguments));
    ValidatorOptions options;
    options.repair = repair;
    return SchemaValidator::validate(catalog(schema), u"t"_s, parsed.value, parsed.integralFloats, options);
}

QString describe(const CallValidation& result)
{
    QStringList lines;
    for (const ValidationIssue& issue : result.issues)
        lines.append(QString::number(int(issue.rule)) + u" at \""_s + issue.pointer + u"\": "_s + issue.message);
    for (const Repair& repair : result.repairs)
        lines.append(u"repair "_s + QString::number(int(repair.kind)) + u" at \""_s + repair.pointer + u"\""_s);
    lines.append(u"arguments: "_s + compact(result.arguments));
    return lines.join(u"\n"_s);
}

} // namespace

class TestSchemaValidator : public QObject
{
    Q_OBJECT

private slots:
    void keywords_data();
    void keywords();
    void issueWording();
    void repairs_data();
    void repairs();
    void notRepaired_data();
    void notRepaired();
    void repairsOff();
    void ignoredKeywords_data();
    void ignoredKeywords();
    void garbageSchemas_data();
    void garbageSchemas();
    void cyclicReferences();
    void deepNesting();
    void textPath_data();
    void textPath();
    void strictJsonWithoutRepair();
    void unknownTool();
    void describesSchemas_data();
    void describesSchemas();
    void shapes_data();
    void shapes();
};

void TestSchemaValidator::keywords_data()
{
    QTest::addColumn<QString>("schema");
    QTest::addColumn<QString>("arguments");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<Rule>("rule");       // of the first issue, when invalid
    QTest::addColumn<QString>("pointer"); // of the first issue, when invalid

    const auto ok = [](const char* name, const QString& schema, const QString& arguments) {
        QTest::addRow("%s passes", name) << schema << arguments << true << Rule::Type << QString();
    };
    const auto bad = [](const char* name, const QString& schema, const QString& arguments, Rule rule,
                        const QString& pointer) {
        QTest::addRow("%s fails", name) << schema << arguments << false << rule << pointer;
    };

    const QString str = uR"({"properties": {"a": {"type": "string"}}})"_s;
    ok("type string", str, uR"({"a": "x"})"_s);
    bad("type string", str, uR"({"a": 5})"_s, Rule::Type, u"/a"_s);
    const QString integer = uR"({"properties": {"a": {"type": "integer"}}})"_s;
    ok("type integer", integer, uR"({"a": 7})"_s);
    ok("integer written 10.0", integer, uR"({"a": 10.0})"_s);
    bad("type integer", integer, uR"({"a": 10.5})"_s, Rule::Type, u"/a"_s);
    ok("type number", uR"({"properties": {"a": {"type": "number"}}})"_s, uR"({"a": 2.5})"_s);
    bad("type boolean", uR"({"properties": {"a": {"type": "boolean"}}})"_s, uR"({"a": "true"})"_s, Rule::Type, u"/a"_s);
    ok("type null", uR"({"properties": {"a": {"type": "null"}}})"_s, uR"({"a": null})"_s);
    bad("type object", uR"({"properties": {"a": {"type": "object"}}})"_s, uR"({"a": []})"_s, Rule::Type, u"/a"_s);
    bad("type array", uR"({"properties": {"a": {"type": "array"}}})"_s, uR"({"a": {}})"_s, Rule::Type, u"/a"_s);
    const QString list = uR"({"properties": {"a": {"type": ["string", "null"]}}})"_s;
    ok("type list null", list, uR"({"a": null})"_s);
    bad("type list", list, uR"({"a": 5})"_s, Rule::Type, u"/a"_s);
    const QString nullable = uR"({"properties": {"a": {"type": "integer", "nullable": true}}})"_s;
    ok("nullable", nullable, uR"({"a": null})"_s);
    bad("nullable", nullable, uR"({"a": "x"})"_s, Rule::Type, u"/a"_s);
    bad("root type", uR"({"type": "array"})"_s, uR"({})"_s, Rule::Type, QString());

    const QString required = uR"({"properties": {"city": {"type": "string"}}, "required": ["city"]})"_s;
    ok("required", required, uR"({"city": "Paris"})"_s);
    bad("required", required, uR"({})"_s, Rule::Required, u"/city"_s);
    const QString closed = uR"({"properties": {"a": {}}, "additionalProperties": false})"_s;
    ok("additionalProperties false", closed, uR"({"a": 1})"_s);
    bad("additionalProperties false", closed, uR"({"a": 1, "extra": 2})"_s, Rule::AdditionalProperty, u"/extra"_s);
    const QString typed = uR"({"properties": {"a": {}}, "additionalProperties": {"type": "integer"}})"_s;
    ok("additionalProperties schema", typed, uR"({"a": "x", "extra": 2})"_s);
    bad("additionalProperties schema", typed, uR"({"extra": "x"})"_s, Rule::Type, u"/extra"_s);
    const QString patterned = uR"({"patternProperties": {"^x_": {"type": "integer"}}, "additionalProperties": false})"_s;
    ok("patternProperties", patterned, uR"({"x_1": 1})"_s);
    bad("patternProperties", patterned, uR"({"x_1": "a"})"_s, Rule::Type, u"/x_1"_s);
    bad("patternProperties additional", patterned, uR"({"y": 1})"_s, Rule::AdditionalProperty, u"/y"_s);

    const QString enumeration = uR"({"properties": {"unit": {"type": "string", "enum": ["c", "f"]}}})"_s;
    ok("enum", enumeration, uR"({"unit": "c"})"_s);
    bad("enum", enumeration, uR"({"unit": "k"})"_s, Rule::Enum, u"/unit"_s);
    ok("enum numbers compare numerically", uR"({"properties": {"n": {"enum": [1, 2]}}})"_s, uR"({"n": 2.0})"_s);
    const QString constant = uR"({"properties": {"mode": {"const": "fast"}}})"_s;
    ok("const", constant, uR"({"mode": "fast"})"_s);
    bad("const", constant, uR"({"mode": "slow"})"_s, Rule::Const, u"/mode"_s);
    ok("const object", uR"({"properties": {"o": {"const": {"a": [1, 2]}}}})"_s, uR"({"o": {"a": [1, 2]}})"_s);

    const QString items = uR"({"properties": {"list": {"type": "array", "items": {"type": "integer"}}}})"_s;
    ok("items", items, uR"({"list": [1, 2, 3]})"_s);
    bad("items", items, uR"({"list": [1, "x", 3]})"_s, Rule::Type, u"/list/1"_s);
    const QString tuple = uR"({"properties": {"t": {"items": [{"type": "string"}, {"type": "integer"}]}}})"_s;
    ok("items tuple", tuple, uR"({"t": ["a", 1, true]})"_s);
    bad("items tuple", tuple, uR"({"t": ["a", "b"]})"_s, Rule::Type, u"/t/1"_s);
    const QString closedTuple
        = uR"({"properties": {"t": {"items": [{"type": "string"}], "additionalItems": false}}})"_s;
    bad("additionalItems false", closedTuple, uR"({"t": ["a", "b"]})"_s, Rule::MaxItems, u"/t"_s);
    const QString prefix = uR"({"properties": {"t": {"prefixItems": [{"type": "string"}], "items": false}}})"_s;
    ok("prefixItems", prefix, uR"({"t": ["a"]})"_s);
    bad("prefixItems type", prefix, uR"({"t": [1]})"_s, Rule::Type, u"/t/0"_s);
    bad("prefixItems items false", prefix, uR"({"t": ["a", "b"]})"_s, Rule::MaxItems, u"/t"_s);
    const QString counted = uR"({"properties": {"l": {"type": "array", "minItems": 1, "maxItems": 2}}})"_s;
    ok("minItems maxItems", counted, uR"({"l": [1, 2]})"_s);
    bad("minItems", counted, uR"({"l": []})"_s, Rule::MinItems, u"/l"_s);
    bad("maxItems", counted, uR"({"l": [1, 2, 3]})"_s, Rule::MaxItems, u"/l"_s);
    const QString unique = uR"({"properties": {"l": {"uniqueItems": true}}})"_s;
    ok("uniqueItems", unique, uR"({"l": [1, 2, {"a": 1}, {"a": 2}]})"_s);
    bad("uniqueItems", unique, uR"({"l": [1, 2, 1.0]})"_s, Rule::UniqueItems, u"/l"_s);
    bad("uniqueItems objects", unique, uR"({"l": [{"a": 1, "b": 2}, {"b": 2, "a": 1}]})"_s, Rule::UniqueItems, u"/l"_s);

    const QString range = uR"({"properties": {"n": {"type": "integer", "minimum": 1, "maximum": 7}}})"_s;
    ok("minimum maximum", range, uR"({"n": 7})"_s);
    bad("minimum", range, uR"({"n": 0})"_s, Rule::Minimum, u"/n"_s);
    bad("maximum", range, uR"({"n": 8})"_s, Rule::Maximum, u"/n"_s);
    const QString exclusive = uR"({"properties": {"n": {"exclusiveMinimum": 0, "exclusiveMaximum": 10}}})"_s;
    ok("exclusive bounds", exclusive, uR"({"n": 9.5})"_s);
    bad("exclusiveMinimum", exclusive, uR"({"n": 0})"_s, Rule::ExclusiveMinimum, u"/n"_s);
    bad("exclusiveMaximum", exclusive, uR"({"n": 10})"_s, Rule::ExclusiveMaximum, u"/n"_s);
    const QString draft4
        = uR"({"properties": {"n": {"minimum": 0, "exclusiveMinimum": true, "maximum": 1, "exclusiveMaximum": true}}})"_s;
    ok("draft-4 exclusive bounds", draft4, uR"({"n": 0.5})"_s);
    bad("draft-4 exclusiveMinimum", draft4, uR"({"n": 0})"_s, Rule::ExclusiveMinimum, u"/n"_s);
    bad("draft-4 exclusiveMaximum", draft4, uR"({"n": 1})"_s, Rule::ExclusiveMaximum, u"/n"_s);
    ok("draft-4 exclusive false", uR"({"properties": {"n": {"minimum": 0, "exclusiveMinimum": false}}})"_s,
       uR"({"n": 0})"_s);
    const QString multiple = uR"({"properties": {"n": {"multipleOf": 5}, "p": {"multipleOf": 0.01}}})"_s;
    ok("multipleOf", multiple, uR"({"n": 15, "p": 19.99})"_s);
    bad("multipleOf", multiple, uR"({"n": 7})"_s, Rule::MultipleOf, u"/n"_s);
    bad("multipleOf decimal", multiple, uR"({"p": 0.125})"_s, Rule::MultipleOf, u"/p"_s);

    const QString length = uR"({"properties": {"s": {"minLength": 2, "maxLength": 3}}})"_s;
    ok("length in code points", length, u"{\"s\": \"\U0001F389\U0001F389\U0001F389\"}"_s);
    bad("minLength", length, uR"({"s": "a"})"_s, Rule::MinLength, u"/s"_s);
    bad("maxLength", length, uR"({"s": "abcd"})"_s, Rule::MaxLength, u"/s"_s);
    bad("maxLength code points", length, u"{\"s\": \"\U0001F389\U0001F389\U0001F389\U0001F389\"}"_s, Rule::MaxLength,
        u"/s"_s);
    const QString pattern = uR"({"properties": {"code": {"pattern": "^[A-Z]{3}$"}, "any": {"pattern": "b+"}}})"_s;
    ok("pattern", pattern, uR"({"code": "ABC", "any": "abbbc"})"_s);
    bad("pattern", pattern, uR"({"code": "abc"})"_s, Rule::Pattern, u"/code"_s);
    bad("pattern unanchored", pattern, uR"({"any": "ac"})"_s, Rule::Pattern, u"/any"_s);
    const QString props = uR"({"properties": {"o": {"type": "object", "minProperties": 1, "maxProperties": 2}}})"_s;
    ok("minProperties maxProperties", props, uR"({"o": {"a": 1}})"_s);
    bad("minProperties", props, uR"({"o": {}})"_s, Rule::MinProperties, u"/o"_s);
    bad("maxProperties", props, uR"({"o": {"a": 1, "b": 2, "c": 3}})"_s, Rule::MaxProperties, u"/o"_s);

    const QString anyOf = uR"({"properties": {"a": {"anyOf": [{"type": "string"}, {"type": "integer"}]}}})"_s;
    ok("anyOf", anyOf, uR"({"a": 3})"_s);
    bad("anyOf", anyOf, uR"({"a": true})"_s, Rule::AnyOf, u"/a"_s);
    const QString optional
        = uR"({"properties": {"a": {"anyOf": [{"type": "object", "required": ["b"]}, {"type": "null"}]}}})"_s;
    ok("anyOf optional object", optional, uR"({"a": null})"_s);
    bad("anyOf reports the one branch of the value's kind", optional, uR"({"a": {}})"_s, Rule::Required, u"/a/b"_s);
    const QString oneOf = uR"({"properties": {"a": {"oneOf": [{"type": "integer"}, {"minimum": 2}]}}})"_s;
    ok("oneOf", oneOf, uR"({"a": 1})"_s);
    bad("oneOf none", oneOf, uR"({"a": 1.5})"_s, Rule::OneOf, u"/a"_s);
    bad("oneOf both", oneOf, uR"({"a": 3})"_s, Rule::OneOf, u"/a"_s);
    const QString allOf = uR"({"properties": {"a": {"allOf": [{"minimum": 1}, {"maximum": 5}]}}})"_s;
    ok("allOf", allOf, uR"({"a": 3})"_s);
    bad("allOf", allOf, uR"({"a": 7})"_s, Rule::Maximum, u"/a"_s);
    const QString negated = uR"({"properties": {"a": {"not": {"type": "string"}}}})"_s;
    ok("not", negated, uR"({"a": 1})"_s);
    bad("not", negated, uR"({"a": "x"})"_s, Rule::Not, u"/a"_s);
    bad("false schema", uR"({"properties": {"a": false}})"_s, uR"({"a": 1})"_s, Rule::Not, u"/a"_s);
    ok("true schema", uR"({"properties": {"a": true}})"_s, uR"({"a": [1]})"_s);

    const QString conditional = uR"({"if": {"properties": {"kind": {"const": "n"}}},
        "then": {"properties": {"v": {"type": "number"}}}, "else": {"properties": {"v": {"type": "string"}}}})"_s;
    ok("if then", conditional, uR"({"kind": "n", "v": 1})"_s);
    bad("if then", conditional, uR"({"kind": "n", "v": "x"})"_s, Rule::Type, u"/v"_s);
    bad("if else", conditional, uR"({"kind": "s", "v": 1})"_s, Rule::Type, u"/v"_s);
    const QString dependent = uR"({"dependentRequired": {"a": ["b"]}})"_s;
    ok("dependentRequired", dependent, uR"({"a": 1, "b": 2})"_s);
    bad("dependentRequired", dependent, uR"({"a": 1})"_s, Rule::Required, u"/b"_s);
    bad("dependencies array", uR"({"dependencies": {"a": ["b"]}})"_s, uR"({"a": 1})"_s, Rule::Required, u"/b"_s);
    bad("dependentSchemas", uR"({"dependentSchemas": {"a": {"properties": {"b": {"type": "string"}}}}})"_s,
        uR"({"a": 1, "b": 2})"_s, Rule::Type, u"/b"_s);
    const QString names = uR"({"propertyNames": {"pattern": "^[a-z]+$"}})"_s;
    ok("propertyNames", names, uR"({"abc": 1})"_s);
    bad("propertyNames", names, uR"({"Bad": 1})"_s, Rule::Pattern, u"/Bad"_s);

    const QString nested = uR"({"properties": {"a": {"type": "object", "properties": {"b": {"type": "array",
        "items": {"type": "object", "properties": {"c": {"type": "boolean"}}, "required": ["c"]}}}}}})"_s;
    ok("nested", nested, uR"({"a": {"b": [{"c": true}, {"c": false}]}})"_s);
    bad("nested", nested, uR"({"a": {"b": [{"c": true}, {"c": false}, {"c": 1}]}})"_s, Rule::Type, u"/a/b/2/c"_s);
    bad("nested required", nested, uR"({"a": {"b": [{}]}})"_s, Rule::Required, u"/a/b/0/c"_s);
    const QString ref = uR"({"properties": {"p": {"$ref": "#/$defs/point"}},
        "$defs": {"point": {"type": "object", "properties": {"x": {"type": "number"}}, "required": ["x"]}}})"_s;
    ok("$ref $defs", ref, uR"({"p": {"x": 1}})"_s);
    bad("$ref $defs", ref, uR"({"p": {"x": "1a"}})"_s, Rule::Type, u"/p/x"_s);
    const QString definitions = uR"({"properties": {"p": {"$ref": "#/definitions/n"}},
        "definitions": {"n": {"type": "integer"}}})"_s;
    bad("$ref definitions", definitions, uR"({"p": "x"})"_s, Rule::Type, u"/p"_s);
    bad("escaped pointer", uR"({"properties": {"a/b": {"type": "string"}, "c~d": {"type": "string"}}})"_s,
        uR"({"a/b": 1})"_s, Rule::Type, u"/a~1b"_s);
}

void TestSchemaValidator::keywords()
{
    QFETCH(QString, schema);
    QFETCH(QString, arguments);
    QFETCH(bool, valid);
    QFETCH(Rule, rule);
    QFETCH(QString, pointer);
    const CallValidation result = check(schema, arguments, false);
    QVERIFY2(result.valid == valid, qPrintable(describe(result)));
    QCOMPARE(result.issues.isEmpty(), valid);
    QVERIFY(result.repairs.isEmpty());
    if (!valid) {
        QCOMPARE(result.issues.first().rule, rule);
        QCOMPARE(result.issues.first().pointer, pointer);
        QVERIFY(!result.issues.first().message.isEmpty());
        QVERIFY(!result.issues.first().expected.isEmpty());
    }
}

void TestSchemaValidator::issueWording()
{
    const QString schema = uR"({"type": "object", "properties": {
        "days": {"type": "integer", "minimum": 1, "maximum": 7},
        "items": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}},
        "city": {"type": "string"}}, "required": ["city"]})"_s;
    const CallValidation result = check(schema, uR"({"days": "five", "items": [{}, {}, {"name": 3}]})"_s);
    QCOMPARE(result.issues.size(), 3);

    const ValidationIssue& days = result.issues.at(0);
    QCOMPARE(days.rule, Rule::Type);
    QCOMPARE(days.path, u"arguments.days"_s);
    QCOMPARE(days.message, u"'days' must be an integer, but got the string \"five\""_s);
    QCOMPARE(days.expected, u"an integer from 1 to 7"_s);
    QCOMPARE(days.received, QJsonValue(u"five"_s));
    QCOMPARE(days.schema.value("maximum"_L1).toInt(), 7);

    const ValidationIssue& name = result.issues.at(1);
    QCOMPARE(name.pointer, u"/items/2/name"_s);
    QCOMPARE(name.path, u"arguments.items[2].name"_s);
    QCOMPARE(name.message, u"'items[2].name' must be a string, but got the number 3"_s);

    const ValidationIssue& city = result.issues.at(2);
    QCOMPARE(city.rule, Rule::Required);
    QCOMPARE(city.path, u"arguments.city"_s);
    QVERIFY(city.received.isUndefined());
    QCOMPARE(city.expected, u"a string"_s);
    QCOMPARE(city.message, u"'city' is required but missing"_s);

    const CallValidation odd = check(uR"({"properties": {"a b": {"type": "string"}}})"_s, uR"({"a b": 1})"_s);
    QCOMPARE(odd.issues.first().path, u"arguments[\"a b\"]"_s);
}

void TestSchemaValidator::repairs_data()
{
    QTest::addColumn<QString>("schema");
    QTest::addColumn<QString>("arguments"); // JSON text, parsed as rescued text would be
    QTest::addColumn<QString>("repaired");  // the arguments after repairs, compact JSON
    QTest::addColumn<RepairKind>("kind");
    QTest::addColumn<QString>("pointer");
    QTest::addColumn<QString>("before"); // compact JSON
    QTest::addColumn<QString>("after");  // compact JSON, empty for a dropped property

    const QString integer = uR"({"properties": {"n": {"type": "integer"}}})"_s;
    QTest::addRow("integral float") << integer << uR"({"n": 10.0})"_s << uR"({"n":10})"_s << RepairKind::IntegralFloat
                                    << u"/n"_s << u"10"_s << u"10"_s;
    QTest::addRow("integral float exponent") << integer << uR"({"n": 1e2})"_s << uR"({"n":100})"_s
                                             << RepairKind::IntegralFloat << u"/n"_s << u"100"_s << u"100"_s;
    QTest::addRow("integral float nullable") << uR"({"properties": {"n": {"type": ["integer", "null"]}}})"_s
                                             << uR"({"n": 3.0})"_s << uR"({"n":3})"_s << RepairKind::IntegralFloat
                                             << u"/n"_s << u"3"_s << u"3"_s;
    QTest::addRow("integral float in anyOf") << uR"({"properties": {"n": {"anyOf": [{"type": "integer"}, {"type": "null"}]}}})"_s
                                             << uR"({"n": 3.0})"_s << uR"({"n":3})"_s << RepairKind::IntegralFloat
                                             << u"/n"_s << u"3"_s << u"3"_s;
    QTest::addRow("numeric string integer") << integer << uR"({"n": "5"})"_s << uR"({"n":5})"_s
                                            << RepairKind::NumericString << u"/n"_s << uR"("5")"_s << u"5"_s;
    QTest::addRow("numeric string whole float for integer") << integer << uR"({"n": " 10.0 "})"_s << uR"({"n":10})"_s
                                                            << RepairKind::NumericString << u"/n"_s << uR"(" 10.0 ")"_s
                                                            << u"10"_s;
    QTest::addRow("numeric string number") << uR"({"properties": {"n": {"type": "number"}}})"_s << uR"({"n": "2.5"})"_s
                                           << uR"({"n":2.5})"_s << RepairKind::NumericString << u"/n"_s << uR"("2.5")"_s
                                           << u"2.5"_s;
    QTest::addRow("numeric string negative") << uR"({"properties": {"n": {"type": "number"}}})"_s << uR"({"n": "-1e3"})"_s
                                             << uR"({"n":-1000})"_s << RepairKind::NumericString << u"/n"_s
                                             << uR"("-1e3")"_s << u"-1000"_s;
    QTest::addRow("numeric string large id") << integer << uR"({"n": "9007199254740993"})"_s
                                             << uR"({"n":9007199254740993})"_s << RepairKind::NumericString << u"/n"_s
                                             << uR"("9007199254740993")"_s << u"9007199254740993"_s;
    QTest::addRow("numeric string in enum") << uR"({"properties": {"n": {"enum": [1, 2, 3]}}})"_s << uR"({"n": "2"})"_s
                                            << uR"({"n":2})"_s << RepairKind::NumericString << u"/n"_s << uR"("2")"_s
                                            << u"2"_s;
    const QString boolean = uR"({"properties": {"b": {"type": "boolean"}}})"_s;
    QTest::addRow("boolean string true") << boolean << uR"({"b": "TRUE"})"_s << uR"({"b":true})"_s
                                         << RepairKind::BooleanString << u"/b"_s << uR"("TRUE")"_s << u"true"_s;
    QTest::addRow("boolean string false") << boolean << uR"({"b": "False"})"_s << uR"({"b":false})"_s
                                          << RepairKind::BooleanString << u"/b"_s << uR"("False")"_s << u"false"_s;
    QTest::addRow("stringified arguments") << uR"({"properties": {"city": {"type": "string"}}})"_s
                                           << uR"("{\"city\": \"Paris\"}")"_s << uR"({"city":"Paris"})"_s
                                           << RepairKind::StringifiedArguments << QString()
                                           << uR"("{\"city\": \"Paris\"}")"_s << uR"({"city":"Paris"})"_s;
    QTest::addRow("wrapped string") << uR"({"properties": {"tags": {"type": "array", "items": {"type": "string"}}}})"_s
                                    << uR"({"tags": "red"})"_s << uR"({"tags":["red"]})"_s << RepairKind::WrappedInArray
                                    << u"/tags"_s << uR"("red")"_s << uR"(["red"])"_s;
    QTest::addRow("wrapped object") << uR"({"properties": {"ps": {"type": "array", "items": {"type": "object",
        "properties": {"x": {"type": "integer"}}, "required": ["x"]}}}})"_s
                                    << uR"({"ps": {"x": 1}})"_s << uR"({"ps":[{"x":1}]})"_s
                                    << RepairKind::WrappedInArray << u"/ps"_s << uR"({"x":1})"_s << uR"([{"x":1}])"_s;
    QTest::addRow("dropped null") << uR"({"properties": {"city": {"type": "string"}, "unit": {"type": "string"}},
        "required": ["city"]})"_s << uR"({"city": "Oslo", "unit": null})"_s << uR"({"city":"Oslo"})"_s
                                  << RepairKind::DroppedNull << u"/unit"_s << u"null"_s << QString();
    QTest::addRow("nested numeric string") << uR"({"properties": {"items": {"type": "array", "items": {"type": "object",
        "properties": {"qty": {"type": "integer", "minimum": 1}}}}}})"_s
                                           << uR"({"items": [{"qty": 1}, {"qty": "3"}]})"_s
                                           << uR"({"items":[{"qty":1},{"qty":3}]})"_s << RepairKind::NumericString
                                           << u"/items/1/qty"_s << uR"("3")"_s << u"3"_s;
    QTest::addRow("through $ref") << uR"({"properties": {"n": {"$ref": "#/$defs/count"}},
        "$defs": {"count": {"type": "integer"}}})"_s << uR"({"n": "4"})"_s << uR"({"n":4})"_s
                                  << RepairKind::NumericString << u"/n"_s << uR"("4")"_s << u"4"_s;
    QTest::addRow("type list with null") << uR"({"properties": {"n": {"type": ["integer", "null"]}}})"_s
                                         << uR"({"n": "7"})"_s << uR"({"n":7})"_s << RepairKind::NumericString
                                         << u"/n"_s << uR"("7")"_s << u"7"_s;
    QTest::addRow("anyOf one branch") << uR"({"properties": {"b": {"anyOf": [{"type": "boolean"}, {"type": "null"}]}}})"_s
                                      << uR"({"b": "true"})"_s << uR"({"b":true})"_s << RepairKind::BooleanString
                                      << u"/b"_s << uR"("true")"_s << u"true"_s;
    QTest::addRow("oneOf one branch") << uR"({"properties": {"x": {"oneOf": [
        {"type": "object", "properties": {"kind": {"const": "a"}, "n": {"type": "integer"}}, "required": ["kind", "n"]},
        {"type": "object", "properties": {"kind": {"const": "b"}, "s": {"type": "string"}}, "required": ["kind", "s"]}]}}})"_s
                                      << uR"({"x": {"kind": "a", "n": "4"}})"_s << uR"({"x":{"kind":"a","n":4}})"_s
                                      << RepairKind::NumericString << u"/x/n"_s << uR"("4")"_s << u"4"_s;
}

void TestSchemaValidator::repairs()
{
    QFETCH(QString, schema);
    QFETCH(QString, arguments);
    QFETCH(QString, repaired);
    QFETCH(RepairKind, kind);
    QFETCH(QString, pointer);
    QFETCH(QString, before);
    QFETCH(QString, after);
    const CallValidation result = check(schema, arguments);
    QVERIFY2(result.valid, qPrintable(describe(result)));
    QCOMPARE(compact(result.arguments), repaired);
    QCOMPARE(result.repairs.size(), 1);
    const Repair& repair = result.repairs.first();
    QCOMPARE(repair.kind, kind);
    QCOMPARE(repair.pointer, pointer);
    QVERIFY(jsonEquivalent(repair.before, value(before)));
    QCOMPARE(compact(repair.before), compact(value(before)));
    if (after.isEmpty())
        QVERIFY(repair.after.isUndefined());
    else
        QCOMPARE(compact(repair.after), after);
    QVERIFY(!repair.description.isEmpty());
    QVERIFY(!repair.description.contains("QJson"_L1));
}

void TestSchemaValidator::notRepaired_data()
{
    QTest::addColumn<QString>("schema");
    QTest::addColumn<QString>("arguments");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<Rule>("rule");
    QTest::addColumn<QString>("pointer");

    QTest::addRow("string|number keeps \"5\"") << uR"({"properties": {"n": {"type": ["string", "number"]}}})"_s
                                               << uR"({"n": "5"})"_s << true << Rule::Type << QString();
    QTest::addRow("anyOf string keeps \"true\"") << uR"({"properties": {"n": {"anyOf": [{"type": "string"}, {"type": "boolean"}]}}})"_s
                                                 << uR"({"n": "true"})"_s << true << Rule::Type << QString();
    QTest::addRow("number keeps 10.0") << uR"({"properties": {"n": {"type": "number"}}})"_s << uR"({"n": 10.0})"_s << true
                                       << Rule::Type << QString();
    QTest::addRow("integer|number keeps 10.0") << uR"({"properties": {"n": {"anyOf": [{"type": "integer"}, {"type": "number"}]}}})"_s
                                               << uR"({"n": 10.0})"_s << true << Rule::Type << QString();
    QTest::addRow("nullable keeps null") << uR"({"properties": {"n": {"type": ["integer", "null"]}}})"_s
                                         << uR"({"n": null})"_s << true << Rule::Type << QString();
    QTest::addRow("10.5 for integer") << uR"({"properties": {"n": {"type": "integer"}}})"_s << uR"({"n": 10.5})"_s << false
                                      << Rule::Type << u"/n"_s;
    QTest::addRow("\"2.5\" for integer") << uR"({"properties": {"n": {"type": "integer"}}})"_s << uR"({"n": "2.5"})"_s
                                         << false << Rule::Type << u"/n"_s;
    QTest::addRow("\"yes\" for boolean") << uR"({"properties": {"b": {"type": "boolean"}}})"_s << uR"({"b": "yes"})"_s
                                         << false << Rule::Type << u"/b"_s;
    QTest::addRow("\"1\" for boolean") << uR"({"properties": {"b": {"type": "boolean"}}})"_s << uR"({"b": "1"})"_s
                                       << false << Rule::Type << u"/b"_s;
    QTest::addRow("huge numeric string") << uR"({"properties": {"id": {"type": "integer"}}})"_s
                                         << uR"({"id": "12345678901234567890"})"_s << false << Rule::Type << u"/id"_s;
    QTest::addRow("too precise numeric string") << uR"({"properties": {"x": {"type": "number"}}})"_s
                                                << uR"({"x": "0.12345678901234567"})"_s << false << Rule::Type << u"/x"_s;
    QTest::addRow("\"five\" for integer") << uR"({"properties": {"n": {"type": "integer"}}})"_s << uR"({"n": "five"})"_s
                                          << false << Rule::Type << u"/n"_s;
    QTest::addRow("repaired value out of range") << uR"({"properties": {"n": {"type": "integer", "maximum": 7}}})"_s
                                                 << uR"({"n": "9"})"_s << false << Rule::Type << u"/n"_s;
    QTest::addRow("two readings in a type list") << uR"({"properties": {"x": {"type": ["boolean", "array"], "items": {"type": "string"}}}})"_s
                                                 << uR"({"x": "true"})"_s << false << Rule::Type << u"/x"_s;
    QTest::addRow("two branches in anyOf") << uR"({"properties": {"x": {"anyOf": [{"type": "integer"},
        {"type": "array", "items": {"type": "string"}}]}}})"_s
                                           << uR"({"x": "5"})"_s << false << Rule::AnyOf << u"/x"_s;
    QTest::addRow("oneOf satisfied twice by the repair") << uR"({"properties": {"x": {"oneOf": [{"type": "integer"}, {"type": "number"}]}}})"_s
                                                         << uR"({"x": "5"})"_s << false << Rule::OneOf << u"/x"_s;
    QTest::addRow("wrapped item would fail") << uR"({"properties": {"l": {"type": "array", "items": {"type": "integer"}}}})"_s
                                             << uR"({"l": "a"})"_s << false << Rule::Type << u"/l"_s;
    QTest::addRow("null for a required property") << uR"({"properties": {"c": {"type": "string"}}, "required": ["c"]})"_s
                                                  << uR"({"c": null})"_s << false << Rule::Type << u"/c"_s;
    QTest::addRow("null for an undeclared property") << uR"({"properties": {}, "additionalProperties": false})"_s
                                                     << uR"({"c": null})"_s << false << Rule::AdditionalProperty << u"/c"_s;
    QTest::addRow("arguments never wrapped") << uR"({"type": "array", "items": {"type": "object"}})"_s << uR"({"a": 1})"_s
                                             << false << Rule::Type << QString();
    QTest::addRow("string holding an array") << uR"({"properties": {}})"_s << uR"("[1, 2]")"_s << false
                                             << Rule::ArgumentsNotObject << QString();
    QTest::addRow("array arguments") << uR"({"properties": {}})"_s << uR"([{"a": 1}])"_s << false
                                     << Rule::ArgumentsNotObject << QString();
}

void TestSchemaValidator::notRepaired()
{
    QFETCH(QString, schema);
    QFETCH(QString, arguments);
    QFETCH(bool, valid);
    QFETCH(Rule, rule);
    QFETCH(QString, pointer);
    const CallValidation result = check(schema, arguments);
    QVERIFY2(result.valid == valid, qPrintable(describe(result)));
    QVERIFY2(result.repairs.isEmpty(), qPrintable(describe(result)));
    if (!valid) {
        QCOMPARE(result.issues.first().rule, rule);
        QCOMPARE(result.issues.first().pointer, pointer);
    } else if (value(arguments).isObject()) {
        QCOMPARE(compact(result.arguments), compact(value(arguments)));
    }
}

void TestSchemaValidator::repairsOff()
{
    const QString schema = uR"({"properties": {"n": {"type": "integer"}, "b": {"type": "boolean"},
        "o": {"type": "string"}}})"_s;
    const CallValidation result = check(schema, uR"({"n": "5", "b": "true", "o": null})"_s, false);
    QVERIFY(!result.valid);
    QVERIFY(result.repairs.isEmpty());
    QCOMPARE(result.issues.size(), 3);
    QCOMPARE(compact(result.arguments), uR"({"b":"true","n":"5","o":null})"_s);

    ValidatorOptions off;
    off.repair = false;
    const CallValidation stringified = SchemaValidator::validate(catalog(schema), u"t"_s, QJsonValue(u"{\"n\": 1}"_s), {}, off);
    QCOMPARE(stringified.issues.first().rule, Rule::ArgumentsNotObject);

    const CallValidation whole = check(schema, uR"({"n": 10.0})"_s, false);
    QVERIFY(whole.valid);
    QVERIFY(whole.repairs.isEmpty());
}

void TestSchemaValidator::ignoredKeywords_data()
{
    QTest::addColumn<QString>("schema");
    QTest::addColumn<QString>("arguments");
    QTest::addColumn<QStringList>("ignored");

    QTest::addRow("annotations are silent") << uR"({"title": "T", "description": "d", "$schema": "x", "$id": "i",
        "$comment": "c", "properties": {"a": {"type": "string", "default": "x", "examples": ["y"], "deprecated": true,
        "readOnly": false, "writeOnly": false, "description": "a"}}})"_s
                                            << uR"({"a": "x"})"_s << QStringList();
    QTest::addRow("unknown keywords once each") << uR"({"properties": {"a": {"type": "string", "format": "date"},
        "b": {"type": "string", "format": "email"}, "c": {"type": "array", "contains": {"type": "integer"}}},
        "unevaluatedProperties": false, "x-order": 1})"_s
                                                << uR"({"a": "not a date", "c": ["x"]})"_s
                                                << QStringList { u"contains"_s, u"format"_s, u"unevaluatedProperties"_s,
                                                                 u"x-order"_s };
    QTest::addRow("invalid pattern") << uR"({"properties": {"a": {"type": "string", "pattern": "([a-z"}}})"_s
                                     << uR"({"a": "anything"})"_s << QStringList { u"pattern"_s };
    QTest::addRow("malformed keywords") << uR"({"properties": {"a": {"type": 42, "minimum": "3", "required": true},
        "b": {"items": "string", "minLength": -1}}})"_s
                                        << uR"({"a": 1, "b": [1]})"_s
                                        << QStringList { u"items"_s, u"minLength"_s, u"minimum"_s, u"required"_s, u"type"_s };
    QTest::addRow("unresolvable $ref") << uR"({"properties": {"a": {"$ref": "https://example.com/s.json"}}})"_s
                                       << uR"({"a": 1})"_s << QStringList { u"$ref"_s };
    QTest::addRow("inside $defs and branches") << uR"({"$defs": {"d": {"propertyNames": {"maxLength": 3}, "if": {"dependentRequired": {}}}},
        "anyOf": [{"patternProperties": {"^a": {"contentEncoding": "base64"}}}]})"_s
                                               << uR"({})"_s << QStringList { u"contentEncoding"_s };
}

void TestSchemaValidator::ignoredKeywords()
{
    QFETCH(QString, schema);
    QFETCH(QString, arguments);
    QFETCH(QStringList, ignored);
    const CallValidation result = check(schema, arguments);
    QVERIFY2(result.valid, qPrintable(describe(result)));
    QStringList got = result.ignoredKeywords;
    got.sort();
    QCOMPARE(got, ignored);
    QCOMPARE(result.ignoredKeywords.size(), QSet<QString>(got.cbegin(), got.cend()).size());
}

void TestSchemaValidator::garbageSchemas_data()
{
    QTest::addColumn<QString>("schema");
    QTest::addColumn<QString>("arguments");

    QTest::addRow("property schema is a number") << uR"({"properties": {"a": 5}})"_s << uR"({"a": "x"})"_s;
    QTest::addRow("property schema is a string") << uR"({"properties": {"a": "string"}})"_s << uR"({"a": 1})"_s;
    QTest::addRow("properties is an array") << uR"({"type": "object", "properties": [{"a": 1}]})"_s << uR"({"a": 1})"_s;
    QTest::addRow("type 42") << uR"({"type": 42, "properties": {"a": {"type": 42}}})"_s << uR"({"a": 1})"_s;
    QTest::addRow("type unknown name") << uR"({"properties": {"a": {"type": "int"}, "b": {"type": ["string", 1]}}})"_s
                                       << uR"({"a": "x", "b": 2})"_s;
    QTest::addRow("type empty list") << uR"({"properties": {"a": {"type": []}}})"_s << uR"({"a": 1})"_s;
    QTest::addRow("items is a string") << uR"({"properties": {"a": {"type": "array", "items": "string"}}})"_s
                                       << uR"({"a": [1, "x"]})"_s;
    QTest::addRow("items is a number") << uR"({"properties": {"a": {"items": 3, "prefixItems": 2}}})"_s << uR"({"a": [1]})"_s;
    QTest::addRow("required is not a list") << uR"({"required": "a", "properties": {"b": {"required": true}}})"_s
                                            << uR"({"b": {}})"_s;
    QTest::addRow("required holds numbers") << uR"({"required": [1, null]})"_s << uR"({})"_s;
    QTest::addRow("enum is a string") << uR"({"properties": {"a": {"enum": "abc"}}})"_s << uR"({"a": 1})"_s;
    QTest::addRow("bounds are strings") << uR"({"properties": {"a": {"minimum": "3", "maximum": null,
        "exclusiveMinimum": "x", "multipleOf": 0, "minLength": -1, "maxItems": 1.5}}})"_s
                                        << uR"({"a": 1})"_s;
    QTest::addRow("applicators malformed") << uR"({"anyOf": {}, "oneOf": [], "allOf": "x", "not": 3, "if": 1,
        "then": {"type": "string"}, "dependentRequired": [], "dependencies": 5, "propertyNames": 7})"_s
                                           << uR"({"a": 1})"_s;
    QTest::addRow("branches are garbage") << uR"({"anyOf": [1, "x", null], "allOf": [[], 2]})"_s << uR"({"a": 1})"_s;
    QTest::addRow("additionalProperties string") << uR"({"properties": {}, "additionalProperties": "no"})"_s
                                                 << uR"({"a": 1})"_s;
    QTest::addRow("$ref nowhere") << uR"({"properties": {"a": {"$ref": "#/nowhere/x"}, "b": {"$ref": 5},
        "c": {"$ref": "#/properties/0"}, "d": {"$ref": "#/$defs/x/y"}}, "$defs": {"x": 1}})"_s
                                  << uR"({"a": 1, "b": 2, "c": 3, "d": 4})"_s;
    QTest::addRow("pattern not a string") << uR"({"properties": {"a": {"pattern": 5}},
        "patternProperties": {"(": {"type": "integer"}}})"_s
                                          << uR"({"a": "x", "(": "y"})"_s;
}

void TestSchemaValidator::garbageSchemas()
{
    QFETCH(QString, schema);
    QFETCH(QString, arguments);
    const CallValidation result = check(schema, arguments);
    QVERIFY2(result.valid, qPrintable(describe(result)));
    QVERIFY(!result.ignoredKeywords.isEmpty());
    QCOMPARE(compact(result.arguments), compact(value(arguments)));
}

void TestSchemaValidator::cyclicReferences()
{
    QElapsedTimer clock;
    clock.start();

    // A reference cycle that consumes no input.
    const QString loop = uR"({"$ref": "#/$defs/a", "$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}})"_s;
    QVERIFY(check(loop, uR"({"x": 1})"_s).valid);
    const QString unionLoop = uR"({"properties": {"x": {"$ref": "#/$defs/a"}},
        "$defs": {"a": {"anyOf": [{"$ref": "#/$defs/a"}, {"type": "string"}]}}})"_s;
    check(unionLoop, uR"({"x": 5})"_s); // must terminate; the verdict of a degenerate schema does not matter
    QVERIFY(!describeSchema(object(unionLoop)).isEmpty());
    QVERIFY(!schemaShape(object(loop)).isEmpty());

    // A recursive schema that does consume input: a tree, checked to its leaves.
    const QString tree = uR"({"type": "object", "properties": {"n": {"type": "integer"}, "child": {"$ref": "#"}}})"_s;
    const CallValidation deep = check(tree, uR"({"n": 1, "child": {"n": 2, "child": {"n": "x"}}})"_s, false);
    QCOMPARE(deep.issues.size(), 1);
    QCOMPARE(deep.issues.first().pointer, u"/child/child/n"_s);
    const CallValidation repaired = check(tree, uR"({"n": 1, "child": {"n": 2, "child": {"n": "3"}}})"_s);
    QVERIFY(repaired.valid);
    QCOMPARE(repaired.repairs.first().pointer, u"/child/child/n"_s);

    // Unions of references doubling at every level: the work budget stops the explosion.
    QJsonObject defs;
    for (int i = 0; i < 40; ++i) {
        const QJsonObject next { { u"$ref"_s, QString(u"#/$defs/d"_s + QString::number(i + 1)) } };
        defs.insert(u"d"_s + QString::number(i), QJsonObject { { u"anyOf"_s, QJsonArray { next, next } } });
    }
    defs.insert(u"d40"_s, QJsonObject { { u"type"_s, u"integer"_s } });
    const QJsonObject explosive { { u"properties"_s, QJsonObject { { u"x"_s, QJsonObject { { u"$ref"_s, u"#/$defs/d0"_s } } } } },
                                  { u"$defs"_s, defs } };
    const ToolCatalog tools = ToolCatalog::fromTools(
        QJsonArray { QJsonObject { { u"name"_s, u"t"_s }, { u"parameters"_s, explosive } } });
    SchemaValidator::validate(tools, u"t"_s, value(uR"({"x": "x"})"_s));
    QVERIFY(!schemaShape(explosive).isEmpty());
    QVERIFY2(clock.elapsed() < 5000, qPrintable(QString::number(clock.elapsed())));
}

void TestSchemaValidator::deepNesting()
{
    // Arrays nested 250 deep against a recursive schema, and against one nested as deep.
    QString arguments = u"{\"a\": "_s;
    for (int i = 0; i < 250; ++i)
        arguments += u'[';
    arguments += u"\"x\""_s;
    for (int i = 0; i < 250; ++i)
        arguments += u']';
    arguments += u'}';
    const QString recursive = uR"({"properties": {"a": {"$ref": "#/$defs/n"}},
        "$defs": {"n": {"type": ["array", "integer"], "items": {"$ref": "#/$defs/n"}}}})"_s;
    check(recursive, arguments); // must not crash; beyond the depth bound values are not checked

    QJsonObject schema { { u"type"_s, u"integer"_s } };
    for (int i = 0; i < 400; ++i)
        schema = QJsonObject { { u"type"_s, u"array"_s }, { u"items"_s, schema } };
    const QJsonObject parameters { { u"properties"_s, QJsonObject { { u"a"_s, schema } } } };
    const ToolCatalog tools = ToolCatalog::fromTools(
        QJsonArray { QJsonObject { { u"name"_s, u"t"_s }, { u"parameters"_s, parameters } } });
    const LiteralParse parsed = parseWholeLiteral(arguments, LiteralDialect::Json);
    QVERIFY(parsed.ok);
    SchemaValidator::validate(tools, u"t"_s, parsed.value);
    QVERIFY(schemaShape(parameters).size() <= 600);
    QVERIFY(!describeSchema(parameters).isEmpty());
}

void TestSchemaValidator::textPath_data()
{
    QTest::addColumn<QString>("tool");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<Rule>("rule"); // of the first issue, when invalid
    QTest::addColumn<QList<RepairKind>>("repairs");
    QTest::addColumn<QString>("arguments"); // compact JSON after repairs, when valid

    const QList<RepairKind> none;
    QTest::addRow("strict JSON") << u"t"_s << uR"({"city": "Paris", "days": 3})"_s << true << Rule::Type << none
                                 << uR"({"city":"Paris","days":3})"_s;
    QTest::addRow("not JSON") << u"t"_s << uR"({"city": })"_s << false << Rule::ArgumentsNotJson << none << QString();
    QTest::addRow("trailing text") << u"t"_s << uR"({"city": "x"} and more)"_s << false << Rule::ArgumentsNotJson
                                   << none << QString();
    QTest::addRow("python literal") << u"t"_s << uR"({'city': 'x'})"_s << false << Rule::ArgumentsNotJson << none
                                    << QString();
    QTest::addRow("truncated") << u"t"_s << uR"({"city": "Par)"_s << false << Rule::ArgumentsNotJson << none << QString();
    QTest::addRow("array") << u"t"_s << uR"([{"city": "x"}])"_s << false << Rule::ArgumentsNotObject << none << QString();
    QTest::addRow("number") << u"t"_s << u"5"_s << false << Rule::ArgumentsNotObject << none << QString();
    QTest::addRow("plain string") << u"t"_s << uR"("Paris")"_s << false << Rule::ArgumentsNotObject << none << QString();
    QTest::addRow("empty text, required missing") << u"t"_s << QString() << false << Rule::Required << none << QString();
    QTest::addRow("empty text, no parameters") << u"ping"_s << QString() << true << Rule::Type << none << u"{}"_s;
    QTest::addRow("whitespace text") << u"ping"_s << u" \n "_s << true << Rule::Type << none << u"{}"_s;
    QTest::addRow("null text") << u"ping"_s << u"null"_s << true << Rule::Type << none << u"{}"_s;
    QTest::addRow("double-encoded") << u"t"_s << uR"("{\"city\": \"Paris\", \"days\": 2}")"_s << true << Rule::Type
                                    << QList<RepairKind> { RepairKind::StringifiedArguments }
                                    << uR"({"city":"Paris","days":2})"_s;
    QTest::addRow("double-encoded whole float") << u"t"_s << uR"("{\"city\": \"Paris\", \"days\": 2.0}")"_s << true
                                                << Rule::Type
                                                << QList<RepairKind> { RepairKind::StringifiedArguments,
                                                                       RepairKind::IntegralFloat }
                                                << uR"({"city":"Paris","days":2})"_s;
    QTest::addRow("raw newline") << u"t"_s << u"{\"city\": \"Par\nis\"}"_s << true << Rule::Type
                                 << QList<RepairKind> { RepairKind::StrictJson } << uR"({"city":"Par\nis"})"_s;
    QTest::addRow("raw tab and a numeric string") << u"t"_s << u"{\"city\": \"a\tb\", \"days\": \"4\"}"_s << true
                                                  << Rule::Type
                                                  << QList<RepairKind> { RepairKind::StrictJson, RepairKind::NumericString }
                                                  << uR"({"city":"a\tb","days":4})"_s;
    QTest::addRow("escaped newline is strict") << u"t"_s << uR"({"city": "Par\nis"})"_s << true << Rule::Type << none
                                               << uR"({"city":"Par\nis"})"_s;
    QTest::addRow("whole float") << u"t"_s << uR"({"city": "x", "days": 3.0})"_s << true << Rule::Type
                                 << QList<RepairKind> { RepairKind::IntegralFloat } << uR"({"city":"x","days":3})"_s;
    QTest::addRow("out of range") << u"t"_s << uR"({"city": "x", "days": 9})"_s << false << Rule::Maximum << none
                                  << QString();
    QTest::addRow("unknown tool") << u"nope"_s << uR"({"city": "x"})"_s << false << Rule::UnknownTool << none
                                  << QString();
    QTest::addRow("unknown tool, garbage text") << u"nope"_s << u"{{{"_s << false << Rule::UnknownTool << none
                                                << QString();
}

void TestSchemaValidator::textPath()
{
    QFETCH(QString, tool);
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(Rule, rule);
    QFETCH(QList<RepairKind>, repairs);
    QFETCH(QString, arguments);
    const ToolCatalog tools = catalog(uR"({"type": "object", "properties": {"city": {"type": "string"},
        "days": {"type": "integer", "minimum": 1, "maximum": 7}}, "required": ["city"]})"_s);
    const CallValidation result = SchemaValidator::validateArgumentsText(tools, tool, text);
    QVERIFY2(result.valid == valid, qPrintable(describe(result)));
    QCOMPARE(result.toolName, tool);
    QList<RepairKind> kinds;
    for (const Repair& repair : result.repairs)
        kinds.append(repair.kind);
    QCOMPARE(kinds, repairs);
    if (valid) {
        QCOMPARE(compact(result.arguments), arguments);
    } else {
        QCOMPARE(result.issues.first().rule, rule);
        if (rule == Rule::UnknownTool || rule == Rule::ArgumentsNotJson || rule == Rule::ArgumentsNotObject)
            QCOMPARE(result.issues.size(), 1);
    }
}

void TestSchemaValidator::strictJsonWithoutRepair()
{
    const ToolCatalog tools = catalog(uR"({"properties": {"city": {"type": "string"}}})"_s);
    ValidatorOptions off;
    off.repair = false;
    const CallValidation result = SchemaValidator::validateArgumentsText(tools, u"t"_s, u"{\"city\": \"a\nb\"}"_s, off);
    QVERIFY(!result.valid);
    QCOMPARE(result.issues.first().rule, Rule::ArgumentsNotJson);
    QVERIFY(result.repairs.isEmpty());

    const CallValidation repaired = SchemaValidator::validateArgumentsText(tools, u"t"_s, u"{\"city\": \"a\nb\"}"_s);
    QVERIFY(repaired.valid);
    QCOMPARE(repaired.repairs.first().before, QJsonValue(u"{\"city\": \"a\nb\"}"_s));
    QCOMPARE(compact(repaired.repairs.first().after), uR"({"city":"a\nb"})"_s);
}

void TestSchemaValidator::unknownTool()
{
    const ToolCatalog tools = catalog(uR"({"properties": {"n": {"type": "integer"}}, "required": ["n"]})"_s);
    const CallValidation unknown = SchemaValidator::validate(tools, u"nope"_s, value(uR"({"n": "x"})"_s));
    QVERIFY(!unknown.valid);
    QCOMPARE(unknown.issues.size(), 1);
    QCOMPARE(unknown.issues.first().rule, Rule::UnknownTool);
    QCOMPARE(unknown.issues.first().received, QJsonValue(u"nope"_s));
    QVERIFY(unknown.issues.first().expected.contains("ping"_L1));
    QVERIFY(unknown.repairs.isEmpty());

    const CallValidation prefixed = SchemaValidator::validate(tools, u"functions.t"_s, value(uR"({"n": 1})"_s));
    QVERIFY(prefixed.valid);
    QCOMPARE(prefixed.toolName, u"functions.t"_s);

    const CallValidation missing = SchemaValidator::validate(tools, u"t"_s, QJsonValue());
    QCOMPARE(missing.issues.first().rule, Rule::Required);
}

void TestSchemaValidator::describesSchemas_data()
{
    QTest::addColumn<QString>("schema");
    QTest::addColumn<QString>("words");

    QTest::addRow("integer range") << uR"({"type": "integer", "minimum": 1, "maximum": 7})"_s << u"an integer from 1 to 7"_s;
    QTest::addRow("exclusive") << uR"({"type": "number", "exclusiveMinimum": 0})"_s << u"a number that is greater than 0"_s;
    QTest::addRow("upper bound") << uR"({"type": "number", "maximum": 1.5})"_s << u"a number that is at most 1.5"_s;
    QTest::addRow("nullable string") << uR"({"type": ["string", "null"]})"_s << u"a string or null"_s;
    QTest::addRow("openapi nullable") << uR"({"type": "integer", "nullable": true})"_s << u"an integer or null"_s;
    QTest::addRow("enum") << uR"({"enum": ["c", "f"]})"_s << u"one of \"c\", \"f\""_s;
    QTest::addRow("const") << uR"({"const": 3})"_s << u"exactly 3"_s;
    QTest::addRow("boolean") << uR"({"type": "boolean"})"_s << u"true or false"_s;
    QTest::addRow("string length") << uR"({"type": "string", "minLength": 1, "maxLength": 3})"_s
                                   << u"a string of 1 to 3 characters"_s;
    QTest::addRow("string pattern") << uR"({"type": "string", "pattern": "^a"})"_s << u"a string matching the pattern ^a"_s;
    QTest::addRow("array of strings") << uR"({"type": "array", "items": {"type": "string"}, "minItems": 1})"_s
                                      << u"an array of strings with at least 1 item"_s;
    QTest::addRow("array of ranges") << uR"({"type": "array", "items": {"type": "integer", "minimum": 0}})"_s
                                     << u"an array whose items are each an integer that is at least 0"_s;
    QTest::addRow("object") << uR"({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]})"_s
                            << u"an object like {\"a\": string}"_s;
    QTest::addRow("anyOf") << uR"({"anyOf": [{"type": "string"}, {"type": "integer"}]})"_s
                           << u"either a string, or an integer"_s;
    QTest::addRow("ref") << uR"({"$ref": "#/$defs/a", "$defs": {"a": {"type": "integer"}}})"_s << u"an integer"_s;
    QTest::addRow("empty") << u"{}"_s << u"any value"_s;
}

void TestSchemaValidator::describesSchemas()
{
    QFETCH(QString, schema);
    QFETCH(QString, words);
    QCOMPARE(describeSchema(object(schema)), words);
}

void TestSchemaValidator::shapes_data()
{
    QTest::addColumn<QString>("schema");
    QTest::addColumn<QString>("shape");

    QTest::addRow("weather") << uR"({"type": "object", "properties": {"city": {"type": "string"},
        "days": {"type": "integer", "minimum": 1, "maximum": 7}}, "required": ["city"]})"_s
                             << uR"({"city": string, "days": integer 1-7 (optional)})"_s;
    QTest::addRow("required first") << uR"({"properties": {"a": {"type": "boolean"}, "b": {"type": "number",
        "exclusiveMinimum": 0}}, "required": ["b"]})"_s
                                    << uR"({"b": number > 0, "a": boolean (optional)})"_s;
    QTest::addRow("array and enum") << uR"({"properties": {"tags": {"type": "array", "items": {"type": "string"}},
        "unit": {"enum": ["c", "f"]}}, "required": ["tags", "unit"]})"_s
                                    << uR"({"tags": [string, ...], "unit": "c" | "f"})"_s;
    QTest::addRow("nested and nullable") << uR"({"properties": {"p": {"type": ["object", "null"],
        "properties": {"x": {"type": "number"}}, "required": ["x"]}}, "required": ["p"]})"_s
                                         << uR"({"p": {"x": number} | null})"_s;
    QTest::addRow("ref") << uR"({"properties": {"p": {"$ref": "#/$defs/pt"}}, "required": ["p"],
        "$defs": {"pt": {"type": "string", "format": "date"}}})"_s
                         << uR"({"p": string (date)})"_s;
    QTest::addRow("anyOf") << uR"({"properties": {"v": {"anyOf": [{"type": "string"}, {"type": "integer", "minimum": -5,
        "maximum": 5}]}}, "required": ["v"]})"_s
                           << uR"({"v": string | integer -5..5})"_s;
}

void TestSchemaValidator::shapes()
{
    QFETCH(QString, schema);
    QFETCH(QString, shape);
    QCOMPARE(schemaShape(object(schema)), shape);

    // Huge schemas are cut.
    QJsonObject properties;
    for (int i = 0; i < 500; ++i)
        properties.insert(u"property_"_s + QString::number(i), QJsonObject { { u"type"_s, u"string"_s } });
    const QString capped = schemaShape(QJsonObject { { u"properties"_s, properties } }, {}, 200);
    QVERIFY(capped.size() <= 200);
    QVERIFY(capped.endsWith(u'…'));
}

QTEST_APPLESS_MAIN(TestSchemaValidator)
#include "tst_schemavalidator.moc"
