// The line diff the Retries tab shows between attempts: minimal, bounded, with the line-break rules
// its header documents.
#include "trace/textdiff.h"

#include <QtTest>

using namespace Qt::StringLiterals;
using Trace::DiffLine;

namespace {

// "=a", "-b", "+c": a diff as a list that reads like a unified diff.
QStringList notation(const QList<DiffLine>& lines)
{
    QStringList result;
    for (const DiffLine& line : lines) {
        const QChar mark = line.kind == DiffLine::Kind::Equal ? u'='
            : line.kind == DiffLine::Kind::Removed            ? u'-'
                                                              : u'+';
        result.append(mark + line.text);
    }
    return result;
}

// "line 0" to "line <count - 1>", the lines in `changed` written differently.
QString numberedLines(int count, const QList<int>& changed = {})
{
    QStringList lines;
    for (int i = 0; i < count; ++i)
        lines.append(changed.contains(i) ? u"changed %1"_s.arg(i) : u"line %1"_s.arg(i));
    return lines.join(u'\n');
}

} // namespace

class TestTextDiff : public QObject
{
    Q_OBJECT

private slots:
    void splitLines_data();
    void splitLines();
    void diff_data();
    void diff();
    void lineNumbers();
    void bigInputFallsBack();
    void hunks_data();
    void hunks();
};

void TestTextDiff::splitLines_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("lines");
    QTest::addRow("empty") << QString() << QStringList();
    QTest::addRow("one line") << u"a"_s << QStringList { u"a"_s };
    QTest::addRow("final break ends the line") << u"a\n"_s << QStringList { u"a"_s };
    QTest::addRow("only a break") << u"\n"_s << QStringList { QString() };
    QTest::addRow("blank line inside") << u"a\n\nb"_s << QStringList { u"a"_s, QString(), u"b"_s };
    QTest::addRow("two final breaks") << u"a\n\n"_s << QStringList { u"a"_s, QString() };
    QTest::addRow("crlf") << u"a\r\nb\r\n"_s << QStringList { u"a"_s, u"b"_s };
    QTest::addRow("lone cr is text") << u"a\rb"_s << QStringList { u"a\rb"_s };
}

void TestTextDiff::splitLines()
{
    QFETCH(QString, text);
    QFETCH(QStringList, lines);
    QCOMPARE(Trace::splitLines(text), lines);
}

void TestTextDiff::diff_data()
{
    QTest::addColumn<QString>("before");
    QTest::addColumn<QString>("after");
    QTest::addColumn<qint64>("maxCells");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<bool>("approximate");
    QTest::addColumn<bool>("finalLineBreakChanged");
    QTest::addColumn<bool>("identical");

    const qint64 unbounded = Trace::DefaultDiffCells;
    QTest::addRow("both empty") << QString() << QString() << unbounded << QStringList() << false << false
                                << true;
    QTest::addRow("from empty") << QString() << u"a\nb"_s << unbounded << QStringList { u"+a"_s, u"+b"_s }
                                << false << false << false;
    QTest::addRow("to empty") << u"a\nb\n"_s << QString() << unbounded << QStringList { u"-a"_s, u"-b"_s }
                              << false << true << false;
    QTest::addRow("identical") << u"a\nb\nc"_s << u"a\nb\nc"_s << unbounded
                               << QStringList { u"=a"_s, u"=b"_s, u"=c"_s } << false << false << true;
    QTest::addRow("insert at start") << u"b\nc"_s << u"a\nb\nc"_s << unbounded
                                     << QStringList { u"+a"_s, u"=b"_s, u"=c"_s } << false << false << false;
    QTest::addRow("insert in the middle")
        << u"a\nc"_s << u"a\nb\nc"_s << unbounded << QStringList { u"=a"_s, u"+b"_s, u"=c"_s } << false
        << false << false;
    QTest::addRow("insert at end") << u"a\nb"_s << u"a\nb\nc"_s << unbounded
                                   << QStringList { u"=a"_s, u"=b"_s, u"+c"_s } << false << false << false;
    QTest::addRow("delete") << u"a\nb\nc"_s << u"a\nc"_s << unbounded
                            << QStringList { u"=a"_s, u"-b"_s, u"=c"_s } << false << false << false;
    QTest::addRow("replace one line")
        << u"a\nb\nc"_s << u"a\nx\nc"_s << unbounded << QStringList { u"=a"_s, u"-b"_s, u"+x"_s, u"=c"_s }
        << false << false << false;
    QTest::addRow("replace everything")
        << u"a\nb"_s << u"c\nd"_s << unbounded << QStringList { u"-a"_s, u"-b"_s, u"+c"_s, u"+d"_s } << false
        << false << false;
    // Minimal: a,a,b,a -> a,b,a,a keeps three lines (a, b, a) and changes one each way.
    QTest::addRow("repeated lines") << u"a\na\nb\na"_s << u"a\nb\na\na"_s << unbounded
                                    << QStringList { u"=a"_s, u"-a"_s, u"=b"_s, u"+a"_s, u"=a"_s } << false
                                    << false << false;
    QTest::addRow("repeated line dropped")
        << u"x\nx\nx"_s << u"x\nx"_s << unbounded << QStringList { u"=x"_s, u"=x"_s, u"-x"_s } << false
        << false << false;
    QTest::addRow("repeated block dropped")
        << u"a\nb\na\nb"_s << u"a\nb"_s << unbounded << QStringList { u"=a"_s, u"=b"_s, u"-a"_s, u"-b"_s }
        << false << false << false;
    QTest::addRow("swap is one move")
        << u"a\nb\nc\nd"_s << u"a\nc\nb\nd"_s << unbounded
        << QStringList { u"=a"_s, u"-b"_s, u"=c"_s, u"+b"_s, u"=d"_s } << false << false << false;
    QTest::addRow("final break added") << u"a\nb"_s << u"a\nb\n"_s << unbounded
                                       << QStringList { u"=a"_s, u"=b"_s } << false << true << false;
    QTest::addRow("crlf equals lf") << u"a\r\nb\r\n"_s << u"a\nb\n"_s << unbounded
                                    << QStringList { u"=a"_s, u"=b"_s } << false << false << true;
    QTest::addRow("empty line added")
        << QString() << u"\n"_s << unbounded << QStringList { u"+"_s } << false << true << false;
    // Past the bound the changed middle (2 x 2 cells here) is one whole replace; the common ends
    // still match.
    QTest::addRow("past the bound") << u"a\nb\nc\nd"_s << u"a\nc\nb\nd"_s << qint64(3)
                                    << QStringList { u"=a"_s, u"-b"_s, u"-c"_s, u"+c"_s, u"+b"_s, u"=d"_s }
                                    << true << false << false;
    QTest::addRow("at the bound") << u"a\nb\nc\nd"_s << u"a\nc\nb\nd"_s << qint64(4)
                                  << QStringList { u"=a"_s, u"-b"_s, u"=c"_s, u"+b"_s, u"=d"_s } << false
                                  << false << false;
    // A pure insertion has an empty middle on one side: no cells, exact whatever the bound.
    QTest::addRow("insertion needs no cells")
        << u"a\nd"_s << u"a\nb\nc\nd"_s << qint64(0) << QStringList { u"=a"_s, u"+b"_s, u"+c"_s, u"=d"_s }
        << false << false << false;
}

void TestTextDiff::diff()
{
    QFETCH(QString, before);
    QFETCH(QString, after);
    QFETCH(qint64, maxCells);
    QFETCH(QStringList, expected);
    QFETCH(bool, approximate);
    QFETCH(bool, finalLineBreakChanged);
    QFETCH(bool, identical);

    const Trace::TextDiff diff = Trace::textDiff(before, after, maxCells);
    QCOMPARE(notation(diff.lines), expected);
    QCOMPARE(diff.approximate, approximate);
    QCOMPARE(diff.finalLineBreakChanged, finalLineBreakChanged);
    QCOMPARE(diff.identical(), identical);
    QCOMPARE(diff.addedCount(), int(expected.filter(QRegularExpression(u"^\\+"_s)).size()));
    QCOMPARE(diff.removedCount(), int(expected.filter(QRegularExpression(u"^-"_s)).size()));

    // Every diff rebuilds both texts: the old from equal and removed lines, the new from equal and added.
    QStringList rebuiltBefore;
    QStringList rebuiltAfter;
    for (const DiffLine& line : diff.lines) {
        if (line.kind != DiffLine::Kind::Added)
            rebuiltBefore.append(line.text);
        if (line.kind != DiffLine::Kind::Removed)
            rebuiltAfter.append(line.text);
    }
    QCOMPARE(rebuiltBefore, Trace::splitLines(before));
    QCOMPARE(rebuiltAfter, Trace::splitLines(after));
}

void TestTextDiff::lineNumbers()
{
    const Trace::TextDiff diff = Trace::textDiff(u"a\nb\nc"_s, u"a\nx\ny\nc"_s);
    const QList<DiffLine> expected = {
        { DiffLine::Kind::Equal, u"a"_s, 0, 0 },
        { DiffLine::Kind::Removed, u"b"_s, 1, -1 },
        { DiffLine::Kind::Added, u"x"_s, -1, 1 },
        { DiffLine::Kind::Added, u"y"_s, -1, 2 },
        { DiffLine::Kind::Equal, u"c"_s, 2, 3 },
    };
    QCOMPARE(diff.lines, expected);
}

void TestTextDiff::bigInputFallsBack()
{
    // 5,000 lines against their reverse would take 25 million cells: past the default bound the
    // middle is replaced whole, and quickly.
    QStringList forward;
    for (int i = 0; i < 5000; ++i)
        forward.append(u"line %1"_s.arg(i));
    QStringList backward = forward;
    std::reverse(backward.begin(), backward.end());
    QElapsedTimer timer;
    timer.start();
    const Trace::TextDiff diff = Trace::textDiff(forward.join(u'\n'), backward.join(u'\n'));
    QVERIFY(diff.approximate);
    QCOMPARE(diff.removedCount(), 5000);
    QCOMPARE(diff.addedCount(), 5000);
    QVERIFY2(timer.elapsed() < 2000, qPrintable(u"%1 ms"_s.arg(timer.elapsed())));

    // Within the bound a big input is exact: one changed line among 900 costs one cell.
    const Trace::TextDiff exact = Trace::textDiff(numberedLines(900), numberedLines(900, { 450 }));
    QVERIFY(!exact.approximate);
    QCOMPARE(exact.removedCount(), 1);
    QCOMPARE(exact.addedCount(), 1);
}

void TestTextDiff::hunks_data()
{
    QTest::addColumn<QString>("before");
    QTest::addColumn<QString>("after");
    QTest::addColumn<int>("context");
    QTest::addColumn<QList<QList<int>>>("expected"); // per hunk: oldStart, oldCount, newStart, newCount

    QTest::addRow("no change") << numberedLines(20) << numberedLines(20) << 3 << QList<QList<int>>();
    QTest::addRow("one change") << numberedLines(20) << numberedLines(20, { 10 }) << 3
                                << QList<QList<int>> { { 7, 7, 7, 7 } };
    QTest::addRow("change at the start")
        << numberedLines(20) << numberedLines(20, { 0 }) << 3 << QList<QList<int>> { { 0, 4, 0, 4 } };
    QTest::addRow("no context") << numberedLines(20) << numberedLines(20, { 10 }) << 0
                                << QList<QList<int>> { { 10, 1, 10, 1 } };

    QTest::addRow("far apart") << numberedLines(30) << numberedLines(30, { 5, 25 }) << 3
                               << QList<QList<int>> { { 2, 7, 2, 7 }, { 22, 7, 22, 7 } };
    QTest::addRow("six lines apart share a hunk")
        << numberedLines(30) << numberedLines(30, { 5, 11 }) << 3 << QList<QList<int>> { { 2, 13, 2, 13 } };
    QTest::addRow("insertion at the end")
        << u"a\nb"_s << u"a\nb\nc"_s << 1 << QList<QList<int>> { { 1, 1, 1, 2 } };
}

void TestTextDiff::hunks()
{
    QFETCH(QString, before);
    QFETCH(QString, after);
    QFETCH(int, context);
    QFETCH(QList<QList<int>>, expected);

    const QList<Trace::DiffHunk> hunks = Trace::diffHunks(Trace::textDiff(before, after), context);
    QList<QList<int>> actual;
    for (const Trace::DiffHunk& hunk : hunks) {
        actual.append({ hunk.oldStart, hunk.oldCount, hunk.newStart, hunk.newCount });
        QCOMPARE(int(hunk.lines.size()),
            hunk.oldCount + hunk.newCount
                - int(std::count_if(hunk.lines.cbegin(), hunk.lines.cend(),
                    [](const DiffLine& l) { return l.kind == DiffLine::Kind::Equal; })));
    }
    QCOMPARE(actual, expected);
}

QTEST_APPLESS_MAIN(TestTextDiff)
#include "tst_core_textdiff.moc"
