// The literal parser behind every JSON, Python and Gemma argument in the rescue parsers.
#include "guard/literalparser.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace Guard;

Q_DECLARE_METATYPE(Guard::LiteralDialect)

namespace {

QString compact(const QJsonValue& value)
{
    // QJsonDocument holds only objects and arrays: wrap, serialise, unwrap.
    const QByteArray json = QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(json.mid(1, json.size() - 2));
}

} // namespace

class TestLiteralParser : public QObject
{
    Q_OBJECT

private slots:
    void parsesValues_data();
    void parsesValues();
    void rejects_data();
    void rejects();
    void reportsEnd();
    void keepsNumberKinds();
    void truncationReportsTheEnd();
    void wholeRejectsTrailingText();
};

void TestLiteralParser::parsesValues_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<LiteralDialect>("dialect");
    QTest::addColumn<QString>("expected");

    const auto J = LiteralDialect::Json;
    const auto P = LiteralDialect::Python;
    const auto G = LiteralDialect::Gemma;
    QTest::addRow("json object") << uR"({"a": 1, "b": [true, null]})"_s << J << uR"({"a":1,"b":[true,null]})"_s;
    QTest::addRow("json braces in strings") << uR"({"q": "a } b { c", "r": "]["})"_s << J << uR"({"q":"a } b { c","r":"]["})"_s;
    QTest::addRow("json escapes") << uR"({"s": "line\nnext \"q\" \\ \u00e9 \ud83c\udf89"})"_s << J
                                  << u"{\"s\":\"line\\nnext \\\"q\\\" \\\\ \u00e9 \U0001F389\"}"_s;
    QTest::addRow("json raw newline kept") << u"{\"s\": \"a\nb\"}"_s << J << uR"({"s":"a\nb"})"_s;
    QTest::addRow("json negative exp") << u"-1.5e-3"_s << J << u"-0.0015"_s;
    QTest::addRow("json empty containers") << u"{\"a\": {}, \"b\": []}"_s << J << uR"({"a":{},"b":[]})"_s;
    QTest::addRow("json unicode key") << u"{\"名前\": \"値\"}"_s << J << u"{\"名前\":\"値\"}"_s;
    QTest::addRow("python literals") << u"{'a': True, 'b': None, 'c': False}"_s << P << uR"({"a":true,"b":null,"c":false})"_s;
    QTest::addRow("python json literals") << u"{'a': true, 'b': null}"_s << P << uR"({"a":true,"b":null})"_s;
    QTest::addRow("python escaped quote") << uR"('Martha\'s Vineyard')"_s << P << uR"("Martha's Vineyard")"_s;
    QTest::addRow("python double quotes") << uR"("say \"hi\"")"_s << P << uR"("say \"hi\"")"_s;
    QTest::addRow("python tuple") << u"(1, 2,)"_s << P << u"[1,2]"_s;
    QTest::addRow("python trailing comma") << u"{'a': [1, 2,],}"_s << P << uR"({"a":[1,2]})"_s;
    QTest::addRow("python raw string") << uR"(r'C:\path')"_s << P << uR"("C:\\path")"_s;
    QTest::addRow("python bytes") << u"b'abc'"_s << P << uR"("abc")"_s;
    QTest::addRow("python number key") << u"{1: 'a'}"_s << P << uR"({"1":"a"})"_s;
    QTest::addRow("gemma quote token") << u"{city:<|\"|>London<|\"|>,n:42}"_s << G << uR"({"city":"London","n":42})"_s;
    QTest::addRow("gemma quote with plain quotes inside") << u"{q:<|\"|>say \"hi\"<|\"|>}"_s << G << uR"({"q":"say \"hi\""})"_s;
    QTest::addRow("gemma escape token") << u"{items:[<escape>a<escape>,<escape>b<escape>]}"_s << G << uR"({"items":["a","b"]})"_s;
    QTest::addRow("gemma key with spaces") << u"{Basic LLM Chain:{节点 名称:<|\"|>x<|\"|>}}"_s << G << uR"({"Basic LLM Chain":{"节点 名称":"x"}})"_s;
    QTest::addRow("python triple quotes") << u"'''line one\nsaid \"hi\" and \\'ok\\''''"_s << P << uR"("line one\nsaid \"hi\" and 'ok'")"_s;
    QTest::addRow("python triple double quotes, raw") << u"r\"\"\"a\\nb\"\"\""_s << P << uR"("a\\nb")"_s;
    QTest::addRow("gemma nested") << u"{cfg:{k:<|\"|>v<|\"|>,on:true},xs:[1.5e3,null]}"_s << G << uR"({"cfg":{"k":"v","on":true},"xs":[1500,null]})"_s;
}

void TestLiteralParser::parsesValues()
{
    QFETCH(QString, input);
    QFETCH(LiteralDialect, dialect);
    QFETCH(QString, expected);
    const LiteralParse parsed = parseWholeLiteral(input, dialect);
    QVERIFY2(parsed.ok, qPrintable(parsed.error));
    QCOMPARE(compact(parsed.value), expected);
}

void TestLiteralParser::rejects_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<LiteralDialect>("dialect");

    const auto J = LiteralDialect::Json;
    const auto P = LiteralDialect::Python;
    QTest::addRow("truncated object") << uR"({"x": "never closed")"_s << J;
    QTest::addRow("truncated string") << uR"({"x": "never)"_s << J;
    QTest::addRow("bare words") << u"{bad json}"_s << J;
    QTest::addRow("single quotes in json") << u"{'a': 1}"_s << J;
    QTest::addRow("python True in json") << u"[True]"_s << J;
    QTest::addRow("trailing comma in json") << u"[1,]"_s << J;
    QTest::addRow("leading zero") << u"[01]"_s << J;
    QTest::addRow("infinite number") << u"1e999"_s << P;
    QTest::addRow("word glued to number") << u"1abc"_s << J;
    QTest::addRow("missing colon") << uR"({"a" 1})"_s << J;
    QTest::addRow("mismatched bracket") << u"[1, 2}"_s << J;
    QTest::addRow("python garbled quotes") << u"'x 'y' 'z"_s << P;
    QTest::addRow("deep nesting") << QString(300, u'[') + QString(300, u']') << J;
    QTest::addRow("nullable is not null") << u"nullable"_s << J;
}

void TestLiteralParser::rejects()
{
    QFETCH(QString, input);
    QFETCH(LiteralDialect, dialect);
    const LiteralParse parsed = parseWholeLiteral(input, dialect);
    QVERIFY(!parsed.ok);
    QVERIFY(!parsed.error.isEmpty());
}

void TestLiteralParser::reportsEnd()
{
    const QString text = uR"(prefix {"a": "}"} trailing {)"_s;
    const LiteralParse parsed = parseLiteral(text, 7, LiteralDialect::Json);
    QVERIFY(parsed.ok);
    QCOMPARE(text.mid(7, parsed.end - 7), uR"({"a": "}"})"_s);
}

void TestLiteralParser::keepsNumberKinds()
{
    const LiteralParse parsed = parseWholeLiteral(
        uR"([10, 10.0, 9007199254740993, {"a/b": {"n": 1e2, "x": 2.5}}])"_s, LiteralDialect::Json);
    QVERIFY(parsed.ok);
    const QJsonArray values = parsed.value.toArray();
    QCOMPARE(values.at(0).toInteger(), 10);
    QCOMPARE(values.at(1).toDouble(), 10.0);
    QCOMPARE(values.at(2).toInteger(), Q_INT64_C(9007199254740993));
    // Qt's JSON cannot tell 10.0 from 10; the parser lists where whole floats were written.
    QCOMPARE(parsed.integralFloats.size(), 2);
    QCOMPARE(parsed.integralFloats.at(0).pointer, u"/1"_s);
    QCOMPARE(parsed.integralFloats.at(0).lexeme, u"10.0"_s);
    QCOMPARE(parsed.integralFloats.at(1).pointer, u"/3/a~1b/n"_s);
    QCOMPARE(parsed.integralFloats.at(1).lexeme, u"1e2"_s);
}

void TestLiteralParser::truncationReportsTheEnd()
{
    // Running out of text inside a quoted string ends at the text's end, so callers can tell
    // truncation from a malformed value.
    for (const auto& [text, dialect] : { std::pair { uR"({"q": "never)"_s, LiteralDialect::Json },
                                         std::pair { u"'''never"_s, LiteralDialect::Python } }) {
        const LiteralParse parsed = parseLiteral(text, 0, dialect);
        QVERIFY(!parsed.ok);
        QCOMPARE(parsed.end, text.size());
    }
}

void TestLiteralParser::wholeRejectsTrailingText()
{
    QVERIFY(!parseWholeLiteral(u"{} x"_s, LiteralDialect::Json).ok);
    QVERIFY(parseWholeLiteral(u"  {}  \n"_s, LiteralDialect::Json).ok);
}

QTEST_APPLESS_MAIN(TestLiteralParser)
#include "tst_literalparser.moc"
