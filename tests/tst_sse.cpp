// The incremental event-stream decoder and the encoder.
#include "sse/sse.h"

#include <QtTest>

class TestSse : public QObject
{
    Q_OBJECT

private slots:
    void decodes_data();
    void decodes();
    void everySplitDecodesTheSame();
    void finishFlushesAnUnterminatedEvent();
    void encodes();
};

void TestSse::decodes_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<QList<QByteArray>>("data");
    QTest::addColumn<QList<QByteArray>>("names");

    QTest::addRow("lf") << QByteArray("data: a\n\ndata: b\n\n") << QList<QByteArray> { "a", "b" } << QList<QByteArray> { "", "" };
    QTest::addRow("crlf") << QByteArray("data: a\r\n\r\ndata: b\r\n\r\n") << QList<QByteArray> { "a", "b" } << QList<QByteArray> { "", "" };
    QTest::addRow("cr") << QByteArray("data: a\r\rdata: b\r\r") << QList<QByteArray> { "a", "b" } << QList<QByteArray> { "", "" };
    QTest::addRow("multi-line data") << QByteArray("data: one\ndata: two\n\n") << QList<QByteArray> { "one\ntwo" } << QList<QByteArray> { "" };
    QTest::addRow("no space after colon") << QByteArray("data:x\n\n") << QList<QByteArray> { "x" } << QList<QByteArray> { "" };
    QTest::addRow("only one space removed") << QByteArray("data:  x\n\n") << QList<QByteArray> { " x" } << QList<QByteArray> { "" };
    QTest::addRow("named events") << QByteArray("event: message_start\ndata: {}\n\nevent: ping\ndata: p\n\n")
                                  << QList<QByteArray> { "{}", "p" } << QList<QByteArray> { "message_start", "ping" };
    QTest::addRow("comments are not events") << QByteArray(": keep-alive\n\n: again\ndata: real\n\n")
                                             << QList<QByteArray> { "real" } << QList<QByteArray> { "" };
    QTest::addRow("done marker") << QByteArray("data: {\"a\":1}\n\ndata: [DONE]\n\n") << QList<QByteArray> { "{\"a\":1}", "[DONE]" }
                                 << QList<QByteArray> { "", "" };
    QTest::addRow("unknown fields ignored") << QByteArray("retry: 10\nfoo: bar\ndata: d\n\n") << QList<QByteArray> { "d" }
                                            << QList<QByteArray> { "" };
    QTest::addRow("utf8 kept") << QByteArray("data: Grüße ✓\n\n") << QList<QByteArray> { "Grüße ✓" } << QList<QByteArray> { "" };
}

void TestSse::decodes()
{
    QFETCH(QByteArray, stream);
    QFETCH(QList<QByteArray>, data);
    QFETCH(QList<QByteArray>, names);
    Sse::Decoder decoder;
    const QList<Sse::Event> events = decoder.feed(stream);
    QCOMPARE(events.size(), data.size());
    QByteArray raw;
    for (int i = 0; i < events.size(); ++i) {
        QCOMPARE(events.at(i).data, data.at(i));
        QCOMPARE(events.at(i).event, names.at(i));
        raw += events.at(i).raw;
    }
    // Raw bytes of the events (comments included) are the stream itself.
    QVERIFY(stream.endsWith(raw));
}

void TestSse::everySplitDecodesTheSame()
{
    const QByteArray stream = "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\r\n\r\n: ping\r\n\r\n"
                              "event: x\r\ndata: a\r\ndata: b\r\n\r\ndata: [DONE]\r\n\r\n";
    for (qsizetype cut = 0; cut <= stream.size(); ++cut) {
        Sse::Decoder decoder;
        QList<Sse::Event> events = decoder.feed(stream.left(cut));
        events += decoder.feed(stream.mid(cut));
        QCOMPARE(events.size(), 3);
        QCOMPARE(events.at(1).data, QByteArray("a\nb"));
        QCOMPARE(events.at(1).event, QByteArray("x"));
        QCOMPARE(events.at(2).data, QByteArray("[DONE]"));
    }
    // And byte by byte.
    Sse::Decoder decoder;
    QList<Sse::Event> events;
    for (char c : stream)
        events += decoder.feed(QByteArray(1, c));
    QCOMPARE(events.size(), 3);
    QVERIFY(!decoder.hasPartialEvent());
}

void TestSse::finishFlushesAnUnterminatedEvent()
{
    Sse::Decoder decoder;
    QVERIFY(decoder.feed("data: last").isEmpty());
    QVERIFY(decoder.hasPartialEvent());
    const QList<Sse::Event> events = decoder.finish();
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.first().data, QByteArray("last"));
}

void TestSse::encodes()
{
    QCOMPARE(Sse::encodeData("{\"a\":1}"), QByteArray("data: {\"a\":1}\n\n"));
    QCOMPARE(Sse::encodeData("a\nb"), QByteArray("data: a\ndata: b\n\n"));
    QCOMPARE(Sse::encodeComment("keep-alive"), QByteArray(": keep-alive\n\n"));
    Sse::Decoder decoder;
    QCOMPARE(decoder.feed(Sse::encodeData("line1\nline2")).value(0).data, QByteArray("line1\nline2"));
}

QTEST_APPLESS_MAIN(TestSse)
#include "tst_sse.moc"
