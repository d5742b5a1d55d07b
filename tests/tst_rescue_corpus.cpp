// The public tool-call corpus (tests/data/toolcall-public.jsonl, copied from the shared research)
// run through the Rescuer: every case must come out with the expected calls, the expected
// visible text and, where given, the expected reasoning. And streamed through the StreamGuard in
// pieces of any size: no text of a call the rescue finds at the end may have reached the client
// already as prose.
#include "guard/rescuer.h"
#include "guard/streamguard.h"
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
    void streamedCallsAreHeldBack_data();
    void streamedCallsAreHeldBack();
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

void TestRescueCorpus::streamedCallsAreHeldBack_data()
{
    corpus_data();
}

void TestRescueCorpus::streamedCallsAreHeldBack()
{
    QFETCH(QJsonObject, testCase);
    if (testCase.value("expect_calls"_L1).toArray().isEmpty())
        return; // nothing to hold: what prose does while streaming is tst_guardpolicy's
    const ToolCatalog tools = ToolCatalog::fromTools(testCase.value("tools"_L1).toArray());
    const QString content = testCase.value("content"_L1).toString();
    for (const qsizetype piece : { qsizetype(1), qsizetype(3), qsizetype(16), content.size() }) {
        StreamGuard guard(tools, true, true);
        for (qsizetype at = 0; at < content.size(); at += piece) {
            const QJsonObject delta { { u"content"_s, content.mid(at, piece) } };
            guard.feed(QJsonObject { { u"choices"_s, QJsonArray { QJsonObject { { u"delta"_s, delta } } } } });
        }
        const RescueResult result = Rescuer().rescue(guard.text(), tools);
        QVERIFY(!result.calls.isEmpty());
        for (const ParsedCall& call : result.calls) {
            QVERIFY2(call.span.start >= guard.sentLength(),
                     qPrintable(u"pieces of %1: the call to %2 at %3 was already sent as text (%4 sent): %5"_s.arg(piece).arg(call.name).arg(call.span.start).arg(guard.sentLength()).arg(content.left(guard.sentLength()))));
        }
    }
}

QTEST_APPLESS_MAIN(TestRescueCorpus)
#include "tst_rescue_corpus.moc"
