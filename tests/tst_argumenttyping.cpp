// Typing of XML-style argument text by the declared schema.
#include "guard/formats/argumenttyping.h"
#include "guard/literalparser.h"
#include "jsoncompare.h"

#include <QJsonDocument>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace Guard;

class TestArgumentTyping : public QObject
{
    Q_OBJECT

private slots:
    void typesText_data();
    void typesText();
    void admittedTypesGathered();
};

void TestArgumentTyping::typesText_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("schema");
    QTest::addColumn<QString>("expected"); // JSON

    QTest::addRow("integer") << u"42"_s << uR"({"type": "integer"})"_s << u"42"_s;
    QTest::addRow("negative integer") << u" -42 "_s << uR"({"type": "integer"})"_s << u"-42"_s;
    QTest::addRow("number") << u"1.23e-4"_s << uR"({"type": "number"})"_s << u"0.000123"_s;
    QTest::addRow("fraction for integer stays text") << u"2.5"_s << uR"({"type": "integer"})"_s << uR"("2.5")"_s;
    QTest::addRow("numeric-looking string") << u"5123123"_s << uR"({"type": "string"})"_s << uR"("5123123")"_s;
    QTest::addRow("quotes kept for strings") << u"\"foo\""_s << uR"({"type": "string"})"_s << uR"("\"foo\"")"_s;
    QTest::addRow("boolean") << u"true"_s << uR"({"type": "boolean"})"_s << u"true"_s;
    QTest::addRow("boolean capitalised") << u"False"_s << uR"({"type": "boolean"})"_s << u"false"_s;
    QTest::addRow("nullable string null") << u"null"_s << uR"({"type": ["string", "null"]})"_s << u"null"_s;
    QTest::addRow("string null stays text") << u"null"_s << uR"({"type": "string"})"_s << uR"("null")"_s;
    QTest::addRow("openapi nullable") << u"null"_s << uR"({"type": "integer", "nullable": true})"_s << u"null"_s;
    QTest::addRow("nullable integer") << u"42"_s << uR"({"type": ["integer", "null"]})"_s << u"42"_s;
    QTest::addRow("union object") << uR"({"a": 1})"_s << uR"({"type": ["string", "object"]})"_s << uR"({"a": 1})"_s;
    QTest::addRow("union text") << u"2 dollars"_s << uR"({"type": ["string", "integer"]})"_s << uR"("2 dollars")"_s;
    QTest::addRow("union integer") << u"7"_s << uR"({"type": ["string", "integer"]})"_s << u"7"_s;
    QTest::addRow("anyOf") << u"3"_s << uR"({"anyOf": [{"type": "string"}, {"type": "integer"}]})"_s << u"3"_s;
    QTest::addRow("array json") << uR"(["a", "b"])"_s << uR"({"type": "array"})"_s << uR"(["a", "b"])"_s;
    QTest::addRow("array python") << uR"(['a', 'b'])"_s << uR"({"type": "array"})"_s << uR"(["a", "b"])"_s;
    QTest::addRow("object with spaces") << uR"({ "real": 3.14, "imaginary": 2.71 })"_s << uR"({"type": "object"})"_s << uR"({"real": 3.14, "imaginary": 2.71})"_s;
    QTest::addRow("bad object stays text") << u"{oops"_s << uR"({"type": "object"})"_s << uR"("{oops")"_s;
    QTest::addRow("enum without type") << u"2"_s << uR"({"enum": [1, 2, 3]})"_s << u"2"_s;
    QTest::addRow("string enum without type") << u"celsius"_s << uR"({"enum": ["celsius", "fahrenheit"]})"_s << uR"("celsius")"_s;
    QTest::addRow("no schema keeps text") << u"42"_s << u"{}"_s << uR"("42")"_s;
    QTest::addRow("ref") << u"5"_s << uR"({"$ref": "#/$defs/n", "$defs": {"n": {"type": "integer"}}})"_s << u"5"_s;
    QTest::addRow("leading zeros for an integer") << u"007"_s << uR"({"type": "integer"})"_s << u"7"_s;
    QTest::addRow("leading zeros kept for a string union") << u"007"_s << uR"({"type": ["string", "integer"]})"_s << uR"("007")"_s;
    QTest::addRow("huge integer") << QString(60, u'9') << uR"({"type": "integer"})"_s << u"1e60"_s;
    QTest::addRow("mismatch stays text") << u"abc"_s << uR"({"type": "integer"})"_s << uR"("abc")"_s;
}

void TestArgumentTyping::typesText()
{
    QFETCH(QString, text);
    QFETCH(QString, schema);
    QFETCH(QString, expected);
    const QJsonValue got = typeArgumentText(text, QJsonDocument::fromJson(schema.toUtf8()).object());
    const QJsonValue want = parseWholeLiteral(expected, LiteralDialect::Json).value;
    QVERIFY2(jsonEquivalent(got, want) && got.type() == want.type(),
             QJsonDocument(QJsonArray { got }).toJson(QJsonDocument::Compact).constData());
}

void TestArgumentTyping::admittedTypesGathered()
{
    const QJsonObject schema = QJsonDocument::fromJson(R"({
        "oneOf": [{"type": ["integer", "null"]}, {"enum": ["a", true]}, {"const": 2.5}]
    })").object();
    QCOMPARE(admittedTypes(schema), (QStringList { u"integer"_s, u"null"_s, u"string"_s, u"boolean"_s, u"number"_s }));
}

QTEST_APPLESS_MAIN(TestArgumentTyping)
#include "tst_argumenttyping.moc"
