// The public tool-call corpus (tests/data/toolcall-public.jsonl, copied from the shared research)
// run through the Rescuer: every case must come out with the expected calls, the expected
// visible text and, where given, the expected reasoning.
#include "guard/rescuer.h"
#include "jsoncompare.h"

#include <QFile>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace Guard;

namespace {

QString withoutWhitespace(QString text)
{
    static const QRegularExpression whitespace(u"\\s+"_s);
    return text.remove(whitespace);
}

QString describe(const QList<ParsedCall>& calls)
{
    QJsonArray array;
    for (const ParsedCall& call : calls)
        array.append(QJsonObject { { u"name"_s, call.name }, { u"arguments"_s, call.arguments } });
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

} // namespace

class TestRescueCorpus : public QObject
{
    Q_OBJECT

private slots:
    void corpus_data();
    void corpus();
};

void TestRescueCorpus::corpus_data()
{
    QTest::addColumn<QJsonObject>("testCase");
    QFile file(QFINDTESTDATA("data/toolcall-public.jsonl"));
    QVERIFY2(file.open(QIODevice::ReadOnly), "corpus file missing");
    int rows = 0;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        if (line.isEmpty())
            continue;
        const QJsonObject testCase = QJsonDocument::fromJson(line).object();
        QTest::newRow(testCase.value("id"_L1).toString().toUtf8().constData()) << testCase;
        ++rows;
    }
    QCOMPARE(rows, 140);
}

void TestRescueCorpus::corpus()
{
    QFETCH(QJsonObject, testCase);
    const ToolCatalog tools = ToolCatalog::fromTools(testCase.value("tools"_L1).toArray());
    const QString content = testCase.value("content"_L1).toString();
    const RescueResult result = Rescuer().rescue(content, tools);

    const QJsonArray expectCalls = testCase.value("expect_calls"_L1).toArray();
    QJsonArray expected;
    for (const QJsonValue& call : expectCalls)
        expected.append(call);
    const QString got = describe(result.calls);
    const QString want = QString::fromUtf8(QJsonDocument(expected).toJson(QJsonDocument::Compact));
    QVERIFY2(result.calls.size() == expectCalls.size(), qPrintable(u"calls: got "_s + got + u" want "_s + want));
    for (qsizetype i = 0; i < expectCalls.size(); ++i) {
        const QJsonObject call = expectCalls.at(i).toObject();
        QCOMPARE(result.calls.at(i).name, call.value("name"_L1).toString());
        QVERIFY2(jsonEquivalent(result.calls.at(i).arguments, call.value("arguments"_L1)),
                 qPrintable(u"arguments: got "_s + got + u" want "_s + want));
    }
    if (!expectCalls.isEmpty())
        QCOMPARE(result.format, testCase.value("format"_L1).toString());

    QCOMPARE(withoutWhitespace(result.content), withoutWhitespace(testCase.value("expect_text"_L1).toString()));
    const QJsonValue expectReasoning = testCase.value("expect_reasoning"_L1);
    if (expectReasoning.isString())
        QCOMPARE(withoutWhitespace(result.reasoning), withoutWhitespace(expectReasoning.toString()));
}

QTEST_APPLESS_MAIN(TestRescueCorpus)
#include "tst_rescue_corpus.moc"
