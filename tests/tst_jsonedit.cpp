// Byte-preserving edits of the client's JSON body.
#include "proxy/jsonedit.h"

#include <QJsonDocument>
#include <QtTest>

class TestJsonEdit : public QObject
{
    Q_OBJECT

private slots:
    void setsMember_data();
    void setsMember();
    void appendsToArray_data();
    void appendsToArray();
    void refusesNonObjects_data();
    void refusesNonObjects();
};

void TestJsonEdit::setsMember_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QByteArray>("expected");

    QTest::addRow("replace") << QByteArray(R"({"model": "a", "temperature": 1.0})") << QByteArray(R"({"model": "mimo-v2.5", "temperature": 1.0})");
    QTest::addRow("add") << QByteArray(R"({"messages": [] })") << QByteArray(R"({"messages": [] ,"model":"mimo-v2.5"})");
    QTest::addRow("add to empty") << QByteArray("{ }") << QByteArray(R"({ "model":"mimo-v2.5"})");
    QTest::addRow("nested key untouched") << QByteArray(R"({"x": {"model": "inner"}, "model": null})")
                                          << QByteArray(R"({"x": {"model": "inner"}, "model": "mimo-v2.5"})");
    QTest::addRow("braces in strings") << QByteArray(R"({"s": "}{\"model\": 1", "model": "b"})")
                                       << QByteArray(R"({"s": "}{\"model\": 1", "model": "mimo-v2.5"})");
    QTest::addRow("compact") << QByteArray(R"({"model":"b","stream":true})") << QByteArray(R"({"model":"mimo-v2.5","stream":true})");
}

void TestJsonEdit::setsMember()
{
    QFETCH(QByteArray, json);
    QFETCH(QByteArray, expected);
    const auto result = JsonEdit::setTopLevelMember(json, "model", "\"mimo-v2.5\"");
    QVERIFY(result.has_value());
    QCOMPARE(*result, expected);
    QVERIFY(QJsonDocument::fromJson(*result).isObject());
}

void TestJsonEdit::appendsToArray_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QByteArray>("expected");

    QTest::addRow("non-empty") << QByteArray(R"({"messages": [{"role": "user", "content": "hi"}], "t": 0.50})")
                               << QByteArray(R"({"messages": [{"role": "user", "content": "hi"},{"a":1},{"b":2}], "t": 0.50})");
    QTest::addRow("empty") << QByteArray(R"({"messages": []})") << QByteArray(R"({"messages": [{"a":1},{"b":2}]})");
    QTest::addRow("trailing whitespace") << QByteArray("{\"messages\": [1 \n ]}") << QByteArray("{\"messages\": [1,{\"a\":1},{\"b\":2} \n ]}");
}

void TestJsonEdit::appendsToArray()
{
    QFETCH(QByteArray, json);
    QFETCH(QByteArray, expected);
    const auto result = JsonEdit::appendToTopLevelArray(json, "messages", { "{\"a\":1}", "{\"b\":2}" });
    QVERIFY(result.has_value());
    QCOMPARE(*result, expected);
    QVERIFY(QJsonDocument::fromJson(*result).isObject());
}

void TestJsonEdit::refusesNonObjects_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addRow("array") << QByteArray("[1,2]");
    QTest::addRow("truncated") << QByteArray(R"({"model": "a")");
    QTest::addRow("unterminated string") << QByteArray(R"({"model": "a})");
    QTest::addRow("bare word key") << QByteArray(R"({model: "a"})");
}

void TestJsonEdit::refusesNonObjects()
{
    QFETCH(QByteArray, json);
    QVERIFY(!JsonEdit::setTopLevelMember(json, "model", "\"x\"").has_value());
    QVERIFY(!JsonEdit::appendToTopLevelArray(json, "messages", { "1" }).has_value());
}

QTEST_APPLESS_MAIN(TestJsonEdit)
#include "tst_jsonedit.moc"
