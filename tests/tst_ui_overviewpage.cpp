// The Overview tab over real exchanges (the demo model through the real proxy): outcome, timings,
// token counts, and the timeline of the guard's steps, also while a stream grows.
#include "exchangefixtures.h"
#include "exchangetablemodel.h"
#include "outcomestyle.h"
#include "overviewpage.h"
#include "timelinemodel.h"

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTreeView>
#include <QtTest>

using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(Trace::Outcome)

namespace {

// The exchange as it looked while it ran: its first `events` steps, not finished yet.
Trace::Exchange partial(Trace::Exchange exchange, int events)
{
    exchange.events = exchange.events.mid(0, events);
    exchange.finished = false;
    exchange.outcome = Trace::Outcome::Pending;
    exchange.totalUs = -1;
    return exchange;
}

QStringList kindsIn(const QAbstractItemModel* model)
{
    QStringList kinds;
    for (int row = 0; row < model->rowCount(); ++row)
        kinds.append(model->index(row, 0).data(TimelineModel::KindRole).toString());
    return kinds;
}

} // namespace

class TestOverviewPage : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void timelineModel();
    void outcomes_data();
    void outcomes();
    void stepDetail();
    void tokensPerAttempt();
    void liveUpdateKeepsSelectionAndScroll();
    void clearExchange();

private:
    Trace::Exchange exchange(const QString& scenario, bool stream);

    std::unique_ptr<DemoExchanges> m_demo;
    QHash<QString, Trace::Exchange> m_exchanges;
};

void TestOverviewPage::initTestCase()
{
    m_demo = std::make_unique<DemoExchanges>();
}

void TestOverviewPage::cleanupTestCase()
{
    m_demo.reset();
}

Trace::Exchange TestOverviewPage::exchange(const QString& scenario, bool stream)
{
    const QString key = scenario + (stream ? u"/stream"_s : u"/whole"_s);
    if (!m_exchanges.contains(key))
        m_exchanges.insert(key, m_demo->run(scenario, stream));
    return m_exchanges.value(key);
}

void TestOverviewPage::timelineModel()
{
    const Trace::Exchange stubborn = exchange(u"stubborn"_s, false);
    QVERIFY(stubborn.events.size() > 4);
    TimelineModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserts(&model, &QAbstractItemModel::rowsInserted);

    // Growing copies of one exchange append rows; another exchange resets.
    for (int events = 1; events <= stubborn.events.size(); ++events) {
        model.setExchange(events == stubborn.events.size() ? stubborn : partial(stubborn, events));
        QCOMPARE(model.rowCount(), events);
    }
    QCOMPARE(resets.count(), 1);
    QCOMPARE(inserts.count(), stubborn.events.size() - 1);
    model.setExchange(stubborn); // the same again: nothing changes
    QCOMPARE(resets.count(), 1);
    QCOMPARE(inserts.count(), stubborn.events.size() - 1);
    const Trace::Exchange native = exchange(u"native"_s, false);
    model.setExchange(native);
    QCOMPARE(resets.count(), 2);
    QCOMPARE(model.rowCount(), native.events.size());
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestOverviewPage::outcomes_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<bool>("stream");
    QTest::addColumn<Trace::Outcome>("outcome");
    QTest::addColumn<int>("attempts");
    QTest::addColumn<QStringList>("kinds");
    QTest::addColumn<bool>("tokens"); // a model generated tokens: TTFT and tokens/s are known

    const QStringList rejected = { u"attempt-sent"_s, u"validation"_s, u"correction"_s, u"retry"_s };
    QTest::addRow("passed") << u"native"_s << false << Trace::Outcome::Passed << 1
                            << QStringList { u"attempt-sent"_s, u"final"_s } << true;
    QTest::addRow("rescued") << u"hermes"_s << false << Trace::Outcome::Rescued << 1
                             << QStringList { u"attempt-sent"_s, u"rescue"_s, u"final"_s } << true;
    QTest::addRow("rescued, streamed") << u"hermes"_s << true << Trace::Outcome::Rescued << 1
                                       << QStringList { u"attempt-sent"_s, u"first-token"_s, u"rescue"_s, u"final"_s } << true;
    QTest::addRow("repaired") << u"float"_s << true << Trace::Outcome::Repaired << 1
                              << QStringList { u"attempt-sent"_s, u"first-token"_s, u"repair"_s, u"final"_s } << true;
    QTest::addRow("retried") << u"unknown-tool"_s << false << Trace::Outcome::Retried << 2
                             << QStringList(rejected + QStringList { u"attempt-sent"_s, u"final"_s }) << true;
    QTest::addRow("gave up") << u"stubborn"_s << false << Trace::Outcome::GaveUp << 4
                             << QStringList(rejected + rejected + rejected + QStringList { u"attempt-sent"_s, u"validation"_s, u"final"_s })
                             << true;
    QTest::addRow("passthrough") << u"models"_s << false << Trace::Outcome::Passthrough << 1
                                 << QStringList { u"attempt-sent"_s, u"final"_s } << false;
}

void TestOverviewPage::outcomes()
{
    QFETCH(QString, scenario);
    QFETCH(bool, stream);
    QFETCH(Trace::Outcome, outcome);
    QFETCH(int, attempts);
    QFETCH(QStringList, kinds);
    QFETCH(bool, tokens);

    const Trace::Exchange e = exchange(scenario, stream);
    QVERIFY(e.finished);
    OverviewPage page;
    QCOMPARE(page.objectName(), u"overviewPage"_s);
    QCOMPARE(page.title(), u"Overview"_s);
    page.showExchange(e);

    auto text = [&page](const char* name) { return page.findChild<QLabel*>(QString::fromLatin1(name))->text(); };
    QCOMPARE(text("outcomeBadge"), OutcomeStyle::label(outcome));
    QCOMPARE(text("outcomeDescription"), OutcomeStyle::description(outcome));
    QCOMPARE(text("attemptsValue"), QString::number(attempts));
    QCOMPARE(text("requestValue"), QString::fromUtf8(e.method + ' ' + e.path));
    QCOMPARE(text("modelValue"), e.model.isEmpty() ? u"–"_s : e.model);
    QCOMPARE(text("backendValue"), e.backend);
    QVERIFY(text("statusValue").contains(QString::number(e.clientResponse.status)));
    QVERIFY(text("streamedValue").startsWith(stream ? u"yes"_s : u"no"_s));
    QCOMPARE(text("firstByteValue"), formatDurationUs(e.firstByteUs));
    QCOMPARE(text("totalValue"), formatDurationUs(e.totalUs));
    QVERIFY(text("firstByteValue") != u"–"_s);
    QVERIFY(text("totalValue") != u"–"_s);
    QCOMPARE(text("firstTokenValue") != u"–"_s, tokens);
    QCOMPARE(text("tokensPerSecondValue") != u"–"_s, tokens);
    if (tokens)
        QCOMPARE(text("tokensValue"), u"%1 in · %2 out"_s.arg(e.usage.promptTokens).arg(e.usage.completionTokens));
    else
        QCOMPARE(text("tokensValue"), u"–"_s);

    // The timeline: every event, in order, with its time, attempt and summary.
    auto* view = page.findChild<QTreeView*>(u"timelineView"_s);
    QAbstractItemModel* model = view->model();
    QCOMPARE(kindsIn(model), kinds);
    QCOMPARE(model->rowCount(), e.events.size());
    qint64 previousUs = -1;
    for (int row = 0; row < model->rowCount(); ++row) {
        const Trace::GuardEvent& event = e.events.at(row);
        const qint64 atUs = model->index(row, 0).data(TimelineModel::AtUsRole).toLongLong();
        QVERIFY(atUs >= previousUs);
        previousUs = atUs;
        QVERIFY(model->index(row, TimelineModel::TimeColumn).data().toString().endsWith(u" ms"_s));
        QCOMPARE(model->index(row, TimelineModel::AttemptColumn).data().toString(),
                 event.attempt > 0 ? QString::number(event.attempt) : u"–"_s);
        QCOMPARE(model->index(row, TimelineModel::SummaryColumn).data().toString(), event.summary.section(u'\n', 0, 0) + (event.summary.contains(u'\n') ? u" …"_s : QString()));
        QCOMPARE(model->index(row, TimelineModel::StepColumn).data().toString(), TimelineModel::kindLabel(event.kind));
    }
    // The last step says how the client was answered.
    const QString last = model->index(model->rowCount() - 1, TimelineModel::SummaryColumn).data().toString();
    if (outcome != Trace::Outcome::Passthrough)
        QVERIFY2(last.contains(Trace::outcomeName(outcome)), qPrintable(last));
}

void TestOverviewPage::stepDetail()
{
    OverviewPage page;
    page.showExchange(exchange(u"hermes"_s, false));
    auto* view = page.findChild<QTreeView*>(u"timelineView"_s);
    auto* detail = page.findChild<QPlainTextEdit*>(u"stepDetail"_s);
    QVERIFY(detail->toPlainText().isEmpty());
    const int rescueRow = int(kindsIn(view->model()).indexOf(u"rescue"_s));
    QVERIFY(rescueRow >= 0);
    view->setCurrentIndex(view->model()->index(rescueRow, TimelineModel::SummaryColumn));
    // The recorded detail, pretty-printed, under the summary.
    QVERIFY2(detail->toPlainText().contains(u"\"parser\": \"hermes\""_s), qPrintable(detail->toPlainText()));
    QVERIFY(detail->toPlainText().startsWith(u"hermes recovered 1 call"_s));
    view->setCurrentIndex(view->model()->index(0, 0));
    QCOMPARE(detail->toPlainText(), u"sent to the backend"_s);
}

void TestOverviewPage::tokensPerAttempt()
{
    const Trace::Exchange e = exchange(u"unknown-tool"_s, false);
    QCOMPARE(e.attempts.size(), 2);
    OverviewPage page;
    page.showExchange(e);
    auto* perAttempt = page.findChild<QLabel*>(u"attemptTokensValue"_s);
    QVERIFY(!perAttempt->isHidden());
    const QStringList lines = perAttempt->text().split(u'\n');
    QCOMPARE(lines.size(), 2);
    for (int i = 0; i < 2; ++i) {
        const Trace::Usage& usage = e.attempts.at(i).usage;
        QVERIFY(usage.promptTokens > 0);
        QCOMPARE(lines.at(i), u"#%1: %2 in · %3 out"_s.arg(i + 1).arg(usage.promptTokens).arg(usage.completionTokens));
    }
    // One attempt: its count is the total, so the row is not repeated.
    page.showExchange(exchange(u"native"_s, false));
    QVERIFY(perAttempt->isHidden());
}

void TestOverviewPage::liveUpdateKeepsSelectionAndScroll()
{
    const Trace::Exchange stubborn = exchange(u"stubborn"_s, false);
    OverviewPage page;
    page.resize(900, 260); // small enough that the timeline scrolls
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    auto* view = page.findChild<QTreeView*>(u"timelineView"_s);
    const int shown = int(stubborn.events.size()) - 3;
    page.showExchange(partial(stubborn, shown));
    QCOMPARE(page.findChild<QLabel*>(u"totalValue"_s)->text(), u"running"_s);
    QTRY_VERIFY(view->verticalScrollBar()->maximum() > 0);
    view->setCurrentIndex(view->model()->index(2, TimelineModel::SummaryColumn));
    view->verticalScrollBar()->setValue(view->verticalScrollBar()->maximum());
    const int scroll = view->verticalScrollBar()->value();
    QVERIFY(scroll > 0);

    for (int events = shown + 1; events <= stubborn.events.size(); ++events)
        page.showExchange(events == stubborn.events.size() ? stubborn : partial(stubborn, events));
    QTest::qWait(20); // the view lays out its new rows later
    QCOMPARE(view->model()->rowCount(), stubborn.events.size());
    QCOMPARE(view->currentIndex().row(), 2);
    QVERIFY(view->selectionModel()->isRowSelected(2, {}));
    QCOMPARE(view->verticalScrollBar()->value(), scroll);
    QCOMPARE(page.findChild<QLabel*>(u"outcomeBadge"_s)->text(), OutcomeStyle::label(Trace::Outcome::GaveUp));
    QCOMPARE(page.findChild<QPlainTextEdit*>(u"stepDetail"_s)->toPlainText(), stubborn.events.at(2).summary);

    // Another exchange starts afresh.
    page.showExchange(exchange(u"native"_s, false));
    QVERIFY(!view->currentIndex().isValid());
    QVERIFY(page.findChild<QPlainTextEdit*>(u"stepDetail"_s)->toPlainText().isEmpty());
}

void TestOverviewPage::clearExchange()
{
    OverviewPage page;
    page.showExchange(exchange(u"hermes"_s, false));
    page.clearExchange();
    QCOMPARE(page.findChild<QTreeView*>(u"timelineView"_s)->model()->rowCount(), 0);
    QVERIFY(page.findChild<QLabel*>(u"attemptsValue"_s)->text().isEmpty());
    QVERIFY(page.findChild<QLabel*>(u"requestValue"_s)->text().isEmpty());
}

QTEST_MAIN(TestOverviewPage)
#include "tst_ui_overviewpage.moc"
