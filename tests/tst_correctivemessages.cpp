// The plain-words messages the guard sends back to a model for a retry.
#include "guard/correctivemessages.h"
#include "guard/literalparser.h"
#include "guard/schemavalidator.h"

#include <QJsonDocument>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace Guard;

namespace {

const QString kTools = uR"([
  {"type": "function", "function": {"name": "get_weather", "description": "Weather", "parameters": {
    "type": "object", "properties": {
      "city": {"type": "string", "description": "City name"},
      "days": {"type": "integer", "minimum": 1, "maximum": 7},
      "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
      "where": {"type": "object", "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}},
                "required": ["lat", "lon"]}},
    "required": ["city"], "additionalProperties": false}}},
  {"type": "function", "function": {"name": "search", "parameters": {
    "type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}}},
  {"type": "function", "function": {"name": "send_email", "parameters": {
    "type": "object", "properties": {"to": {"type": "array", "items": {"type": "string"}}}}}}
])"_s;

ToolCatalog tools()
{
    return ToolCatalog::fromTools(QJsonDocument::fromJson(kTools.toUtf8()).array());
}

CallValidation validateText(const QString& name, const QString& arguments)
{
    return SchemaValidator::validateArgumentsText(tools(), name, arguments);
}

// Text that would betray an internal representation to the model.
const QStringList kForbidden { u"QJson"_s, u"QString"_s, u"QVariant"_s, u"undefined"_s, u"Rule::"_s, u"RepairKind"_s,
                               u"nullptr"_s, u"(null)"_s };

QString forbiddenIn(const QString& message)
{
    for (const QString& word : kForbidden) {
        if (message.contains(word))
            return word;
    }
    return QString();
}

} // namespace

class TestCorrectiveMessages : public QObject
{
    Q_OBJECT

private slots:
    void invalidCall_data();
    void invalidCall();
    void unknownTool();
    void noInternalRepresentation_data();
    void noInternalRepresentation();
    void longSchemasCapped();
    void manyIssuesCapped();
    void missingCall();
    void nearMiss();
    void closestToolName_data();
    void closestToolName();
};

void TestCorrectiveMessages::invalidCall_data()
{
    QTest::addColumn<QString>("arguments");
    QTest::addColumn<QStringList>("contains");

    const QString shape
        = uR"({"city": string, "days": integer 1-7 (optional), "unit": "celsius" | "fahrenheit" (optional), )"
          uR"("where": {"lat": number, "lon": number} (optional)})"_s;
    QTest::addRow("wrong type") << uR"({"city": "Paris", "days": "five"})"_s
                                << QStringList { u"`get_weather`"_s, u"arguments.days"_s, u"wrong type"_s,
                                                 u"the string \"five\""_s, u"an integer from 1 to 7"_s, shape };
    QTest::addRow("missing") << uR"({"days": 2})"_s
                             << QStringList { u"arguments.city"_s, u"missing required property"_s,
                                              u"Expected a string."_s, shape };
    QTest::addRow("enum") << uR"({"city": "Oslo", "unit": "kelvin"})"_s
                          << QStringList { u"arguments.unit"_s, u"not one of the allowed values"_s,
                                           u"the string \"kelvin\""_s, u"one of \"celsius\", \"fahrenheit\""_s };
    QTest::addRow("range") << uR"({"city": "Oslo", "days": 9})"_s
                           << QStringList { u"arguments.days"_s, u"too large"_s, u"the number 9"_s,
                                            u"an integer from 1 to 7"_s };
    QTest::addRow("unknown property") << uR"({"city": "Oslo", "country": "NO"})"_s
                                      << QStringList { u"arguments.country"_s, u"unknown property"_s,
                                                       u"only the properties city, days, unit, where"_s,
                                                       u"the string \"NO\""_s };
    QTest::addRow("nested") << uR"({"city": "Oslo", "where": {"lat": "north"}})"_s
                            << QStringList { u"arguments.where.lat"_s, u"arguments.where.lon"_s, u"a number"_s,
                                             u"2 problems"_s };
    QTest::addRow("not JSON") << uR"({"city": "Oslo",)"_s
                              << QStringList { u"`get_weather`"_s, u"not valid JSON"_s, u"in one JSON object"_s, shape };
    QTest::addRow("not an object") << uR"(["Oslo"])"_s
                                   << QStringList { u"must be a JSON object"_s, u"an array of 1 item"_s, shape };
}

void TestCorrectiveMessages::invalidCall()
{
    QFETCH(QString, arguments);
    QFETCH(QStringList, contains);
    const CallValidation validation = validateText(u"get_weather"_s, arguments);
    QVERIFY(!validation.valid);
    const QString message = CorrectiveMessages::forInvalidCall(tools(), validation);
    for (const QString& part : std::as_const(contains))
        QVERIFY2(message.contains(part), qPrintable(u"missing «"_s + part + u"» in:\n"_s + message));
    QVERIFY2(forbiddenIn(message).isEmpty(), qPrintable(message));
    QVERIFY(message.endsWith(u'}'));
    QVERIFY(message.contains(u"again"_s));
}

void TestCorrectiveMessages::unknownTool()
{
    const CallValidation typo = validateText(u"get_wether"_s, uR"({"city": "Oslo"})"_s);
    const QString message = CorrectiveMessages::forInvalidCall(tools(), typo);
    QVERIFY2(message.contains(u"There is no tool named `get_wether`"_s), qPrintable(message));
    QVERIFY2(message.contains(u"Did you mean `get_weather`?"_s), qPrintable(message));
    for (const QString& name : { u"`get_weather`"_s, u"`search`"_s, u"`send_email`"_s })
        QVERIFY2(message.contains(name), qPrintable(message));
    QVERIFY(message.contains(u"{\"city\": string"_s));

    const CallValidation stranger = validateText(u"launch_rocket"_s, u"{}"_s);
    const QString list = CorrectiveMessages::forInvalidCall(tools(), stranger);
    QVERIFY2(!list.contains(u"Did you mean"_s), qPrintable(list));
    for (const QString& name : { u"`get_weather`"_s, u"`search`"_s, u"`send_email`"_s })
        QVERIFY2(list.contains(name), qPrintable(list));
    QVERIFY2(list.contains(u"{\"query\": string}"_s), qPrintable(list));
    QVERIFY(forbiddenIn(list).isEmpty());

    const QString none = CorrectiveMessages::forInvalidCall(ToolCatalog(), stranger);
    QVERIFY(none.contains(u"`launch_rocket`"_s));
    QVERIFY(none.contains(u"No tools"_s));
}

void TestCorrectiveMessages::noInternalRepresentation_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("arguments");

    QTest::addRow("missing property") << u"search"_s << u"{}"_s;
    QTest::addRow("null for required") << u"search"_s << uR"({"query": null})"_s;
    QTest::addRow("object for string") << u"search"_s << uR"({"query": {"text": "x", "n": [1, 2]}})"_s;
    QTest::addRow("array for string") << u"search"_s << uR"({"query": []})"_s;
    QTest::addRow("boolean for string") << u"search"_s << uR"({"query": false})"_s;
    QTest::addRow("huge string") << u"search"_s << u"{\"query\": 1, \"x\": \""_s + QString(5000, u'x') + u"\"}"_s;
    QTest::addRow("array items") << u"send_email"_s << uR"({"to": [1, null, {"a": 1}]})"_s;
    QTest::addRow("not json") << u"search"_s << u"{query: x}"_s;
    QTest::addRow("empty") << u"get_weather"_s << QString();
    QTest::addRow("unknown tool") << u"nope"_s << u"{}"_s;
}

void TestCorrectiveMessages::noInternalRepresentation()
{
    QFETCH(QString, name);
    QFETCH(QString, arguments);
    const CallValidation validation = validateText(name, arguments);
    QVERIFY(!validation.valid);
    const QString message = CorrectiveMessages::forInvalidCall(tools(), validation);
    QVERIFY2(forbiddenIn(message).isEmpty(), qPrintable(forbiddenIn(message) + u" in:\n"_s + message));
    QVERIFY2(message.size() < 2000, qPrintable(message));
    for (const ValidationIssue& issue : validation.issues) {
        QVERIFY2(forbiddenIn(issue.message).isEmpty(), qPrintable(issue.message));
        QVERIFY2(forbiddenIn(issue.expected).isEmpty(), qPrintable(issue.expected));
    }
}

void TestCorrectiveMessages::longSchemasCapped()
{
    QJsonObject properties;
    for (int i = 0; i < 400; ++i) {
        properties.insert(u"a_rather_long_property_name_"_s + QString::number(i),
                          QJsonObject { { u"type"_s, u"string"_s }, { u"enum"_s, QJsonArray { u"first option"_s, u"second option"_s } } });
    }
    const QJsonObject parameters { { u"type"_s, u"object"_s }, { u"properties"_s, properties },
                                   { u"required"_s, QJsonArray { u"a_rather_long_property_name_0"_s } } };
    const ToolCatalog big = ToolCatalog::fromTools(
        QJsonArray { QJsonObject { { u"name"_s, u"big"_s }, { u"parameters"_s, parameters } } });

    const QString shape = CorrectiveMessages::argumentsShape(big.tools().first());
    QVERIFY(shape.size() <= CorrectiveMessages::kShapeLength);
    QVERIFY(shape.endsWith(u'…'));
    QVERIFY(CorrectiveMessages::argumentsShape(big.tools().first(), 100).size() <= 100);

    const CallValidation validation = SchemaValidator::validateArgumentsText(big, u"big"_s, u"{}"_s);
    const QString message = CorrectiveMessages::forInvalidCall(big, validation);
    QVERIFY2(message.size() < 1500, qPrintable(message));
    QVERIFY(message.contains(u"arguments.a_rather_long_property_name_0"_s));
    QVERIFY(CorrectiveMessages::forMissingCall(big, u"big"_s).size() < 1000);
    QVERIFY(CorrectiveMessages::forMissingCall(big, QString()).size() < 1500);
}

void TestCorrectiveMessages::manyIssuesCapped()
{
    QJsonObject properties;
    QJsonArray required;
    for (int i = 0; i < 30; ++i) {
        properties.insert(u"p"_s + QString::number(i), QJsonObject { { u"type"_s, u"integer"_s } });
        required.append(QString(u"p"_s + QString::number(i)));
    }
    const ToolCatalog many = ToolCatalog::fromTools(QJsonArray { QJsonObject {
        { u"name"_s, u"many"_s },
        { u"parameters"_s, QJsonObject { { u"properties"_s, properties }, { u"required"_s, required } } } } });
    const CallValidation validation = SchemaValidator::validateArgumentsText(many, u"many"_s, u"{}"_s);
    QCOMPARE(validation.issues.size(), 30);
    const QString message = CorrectiveMessages::forInvalidCall(many, validation);
    QVERIFY2(message.contains(u"30 problems"_s), qPrintable(message));
    QVERIFY2(message.contains(u"and 20 more"_s), qPrintable(message));
    QCOMPARE(message.count(u"missing required property"_s), 10);
}

void TestCorrectiveMessages::missingCall()
{
    const QString named = CorrectiveMessages::forMissingCall(tools(), u"search"_s);
    QVERIFY2(named.contains(u"`search`"_s), qPrintable(named));
    QVERIFY2(named.contains(u"{\"query\": string}"_s), qPrintable(named));
    QVERIFY(!named.contains(u"`get_weather`"_s));

    const QString any = CorrectiveMessages::forMissingCall(tools(), QString());
    for (const QString& name : { u"`get_weather`"_s, u"`search`"_s, u"`send_email`"_s })
        QVERIFY2(any.contains(name), qPrintable(any));
    QVERIFY(any.contains(u"text only"_s));
    QVERIFY(forbiddenIn(any).isEmpty());

    // A required name that is not declared falls back to "any tool".
    QVERIFY(CorrectiveMessages::forMissingCall(tools(), u"nope"_s).contains(u"`search`"_s));
}

void TestCorrectiveMessages::nearMiss()
{
    const QString message = CorrectiveMessages::forNearMiss(
        tools(), { u"hermes: the arguments of 'search' are not valid JSON (string never closed at offset 12)"_s },
        u"hermes_json"_s);
    QVERIFY2(message.contains(u"string never closed"_s), qPrintable(message));
    QVERIFY(message.contains(u"hermes_json"_s));
    QVERIFY(message.contains(u"proper tool call"_s));
    for (const QString& name : { u"`get_weather`"_s, u"`search`"_s, u"`send_email`"_s })
        QVERIFY2(message.contains(name), qPrintable(message));

    const QString bare = CorrectiveMessages::forNearMiss(tools(), {}, QString());
    QVERIFY(bare.contains(u"could not be read."_s));
    QVERIFY(!bare.contains(u"style"_s));

    QStringList flood;
    for (int i = 0; i < 50; ++i)
        flood.append(u"problem "_s + QString::number(i) + u' ' + QString(1000, u'x'));
    QVERIFY(CorrectiveMessages::forNearMiss(tools(), flood, u"x"_s).size() < 3000);
}

void TestCorrectiveMessages::closestToolName_data()
{
    QTest::addColumn<QString>("written");
    QTest::addColumn<QString>("closest");

    QTest::addRow("typo") << u"get_wether"_s << u"get_weather"_s;
    QTest::addRow("case") << u"Search"_s << u"search"_s;
    QTest::addRow("camel case") << u"getWeather"_s << u"get_weather"_s;
    QTest::addRow("part") << u"weather"_s << u"get_weather"_s;
    QTest::addRow("extra suffix") << u"send_email_now"_s << u"send_email"_s;
    QTest::addRow("unrelated") << u"launch_rocket"_s << QString();
    QTest::addRow("empty") << QString() << QString();
}

void TestCorrectiveMessages::closestToolName()
{
    QFETCH(QString, written);
    QFETCH(QString, closest);
    QCOMPARE(CorrectiveMessages::closestToolName(tools(), written), closest);
}

QTEST_APPLESS_MAIN(TestCorrectiveMessages)
#include "tst_correctivemessages.moc"
