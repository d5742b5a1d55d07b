// The whole window as a person meets it: the demo model through the real proxy, an exchange of
// every outcome selected in the list, and every detail tab checked for what it must say about
// it; then every window Temper opens searched for the API key.
#include "detailpane.h"
#include "exchangefixtures.h"
#include "exchangepage.h"
#include "formatlab.h"
#include "mainwindow.h"
#include "settingsdialog.h"
#include "widgettext.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QSpinBox>
#include <QStandardPaths>
#include <QtTest>

using namespace Qt::StringLiterals;

namespace {

const QString kKey = u"sk-detail-tabs-5f4e3d2c1b0a99887766"_s;

} // namespace

class TestDetailTabs : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void tabsInReadingOrder();
    void everyTabForEveryOutcome_data();
    void everyTabForEveryOutcome();
    void formatLabFollowsTheSettings();
    void keyAppearsNowhere();

private:
    QString tabText(const QString& pageName) const;

    std::unique_ptr<DemoExchanges> m_demo;
    std::unique_ptr<MainWindow> m_window;
};

void TestDetailTabs::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    m_demo = std::make_unique<DemoExchanges>(kKey);
    m_window = std::make_unique<MainWindow>(m_demo->proxy());
    m_window->resize(1400, 900);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestDetailTabs::cleanupTestCase()
{
    m_window.reset();
    m_demo.reset();
}

QString TestDetailTabs::tabText(const QString& pageName) const
{
    DetailPane* pane = m_window->detailPane();
    ExchangePage* page = pane->page(pageName);
    pane->setCurrentWidget(page);
    return widgetText(page);
}

void TestDetailTabs::tabsInReadingOrder()
{
    QStringList titles;
    for (const ExchangePage* page : m_window->detailPane()->pages())
        titles.append(page->title());
    QCOMPARE(titles, (QStringList { u"Overview"_s, u"Request"_s, u"Response"_s, u"Rescue"_s, u"Retries"_s,
                                    u"Client vs upstream"_s, u"Trace"_s }));
    // Ctrl+N opens the N-th tab.
    m_window->detailPane()->setCurrentIndex(0);
    QTest::keyClick(m_window.get(), Qt::Key_5, Qt::ControlModifier);
    QCOMPARE(m_window->detailPane()->currentIndex(), 4);
}

void TestDetailTabs::everyTabForEveryOutcome_data()
{
    // scenario, streamed, outcome label, then a phrase each tab must show for it
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<bool>("stream");
    QTest::addColumn<QString>("outcome");
    QTest::addColumn<QString>("rescue");
    QTest::addColumn<QString>("retries");
    QTest::addColumn<QString>("compare");
    QTest::addRow("passed") << u"native"_s << true << u"passed"_s << u"native"_s << u"One attempt"_s << u"Passed on as the backend answered"_s;
    QTest::addRow("rescued") << u"hermes"_s << false << u"rescued"_s << u"hermes"_s << u"One attempt"_s << u"recovered from the text"_s;
    QTest::addRow("repaired") << u"float"_s << true << u"repaired"_s << u"integral-float"_s << u"One attempt"_s << u"tool calls changed"_s;
    QTest::addRow("retried") << u"unknown-tool"_s << false << u"retried"_s << u"get_weather"_s << u"Attempt 2"_s << u"messages appended"_s;
    QTest::addRow("gave up") << u"stubborn"_s << false << u"gave up"_s << u"get_weather"_s << u"Attempt 4"_s << u"messages appended"_s;
    QTest::addRow("passthrough") << u"models"_s << false << u"passthrough"_s << u"No tools"_s << u"pass"_s << u"sent to"_s;
}

void TestDetailTabs::everyTabForEveryOutcome()
{
    QFETCH(QString, scenario);
    QFETCH(bool, stream);
    QFETCH(QString, outcome);
    QFETCH(QString, rescue);
    QFETCH(QString, retries);
    QFETCH(QString, compare);
    const Trace::Exchange exchange = m_demo->run(scenario, stream);
    QVERIFY(exchange.id);
    m_window->selectExchange(exchange.id);
    QCOMPARE(m_window->detailPane()->exchangeId(), exchange.id);
    QTest::qWait(150); // off-thread formatting lands

    const QString overview = tabText(u"overviewPage"_s);
    QVERIFY2(overview.contains(outcome, Qt::CaseInsensitive), qPrintable(overview.left(2000)));
    QVERIFY(overview.contains(QString::fromUtf8(exchange.path)));

    const QString request = tabText(u"requestPage"_s);
    QVERIFY(request.contains(QString::fromUtf8(exchange.method) + u' ' + QString::fromUtf8(exchange.path)));
    if (scenario != u"models"_s)
        QVERIFY2(request.contains(u"[demo:%1]"_s.arg(scenario)), qPrintable(request.left(2000)));

    const QString response = tabText(u"responsePage"_s);
    QTRY_VERIFY(tabText(u"responsePage"_s).contains(u"HTTP 200"_s));
    if (scenario != u"models"_s)
        QVERIFY2(response.contains(u"finish reason"_s), qPrintable(response.left(2000)));

    const QString rescueText = tabText(u"rescuePage"_s);
    QVERIFY2(rescueText.contains(rescue, Qt::CaseInsensitive), qPrintable(rescueText.left(3000)));

    const QString retriesText = tabText(u"retriesPage"_s);
    QTRY_VERIFY2(tabText(u"retriesPage"_s).contains(retries, Qt::CaseInsensitive), qPrintable(retriesText.left(3000)));

    const QString compareText = tabText(u"comparePage"_s);
    QVERIFY2(compareText.contains(compare), qPrintable(compareText.left(3000)));

    QTRY_VERIFY(tabText(u"traceJsonPage"_s).contains(u"\"outcome\": \"%1\""_s.arg(Trace::outcomeName(exchange.outcome))));
}

void TestDetailTabs::formatLabFollowsTheSettings()
{
    m_window->action(u"actionFormatLab"_s)->trigger();
    auto* lab = m_window->findChild<FormatLab*>();
    QVERIFY(lab);
    QTRY_VERIFY(lab->isVisible());
    QCOMPARE(lab->maxRetriesBox()->value(), m_demo->proxy()->settings().guard.maxRetries);
    Config::Settings settings = m_demo->proxy()->settings();
    settings.guard.maxRetries = 1;
    QVERIFY(m_demo->proxy()->applySettings(settings));
    QCOMPARE(lab->maxRetriesBox()->value(), 1);
    settings.guard.maxRetries = 3;
    QVERIFY(m_demo->proxy()->applySettings(settings));
    lab->close();
}

void TestDetailTabs::keyAppearsNowhere()
{
    // The key went to the backend on every request, and a client sent it too.
    const Trace::Exchange exchange = m_demo->run(u"unknown-tool"_s, true, "Authorization", "Bearer " + kKey.toUtf8());
    m_window->selectExchange(exchange.id);
    DetailPane* pane = m_window->detailPane();
    QString all;
    for (int tab = 0; tab < pane->count(); ++tab) {
        pane->setCurrentIndex(tab);
        QTest::qWait(100);
        all += widgetText(m_window.get());
    }
    m_window->action(u"actionFormatLab"_s)->trigger();
    m_window->action(u"actionStatistics"_s)->trigger();
    m_window->action(u"actionSettings"_s)->trigger();
    auto* settings = m_window->findChild<SettingsDialog*>();
    QTRY_VERIFY(settings && settings->isVisible());
    QTest::qWait(200);
    for (QWidget* window : QApplication::topLevelWidgets()) {
        if (window->isVisible())
            all += widgetText(window);
    }
    QVERIFY(all.contains(Trace::maskSecret(kKey))); // the masked form is what people see
    QVERIFY(!all.contains(kKey));
    m_window->action(u"actionCopyCurl"_s)->trigger();
    QVERIFY(!QGuiApplication::clipboard()->text().contains(kKey));
    m_window->action(u"actionCopyResponse"_s)->trigger();
    QVERIFY(!QGuiApplication::clipboard()->text().contains(kKey));
    settings->reject();
}

QTEST_MAIN(TestDetailTabs)
#include "tst_ui_detailtabs.moc"
