// The main window driven like a person would: the demo model through the real proxy, keyboard
// shortcuts, the filter bar, follow-newest, pause and clear, copy as cURL, the status bar, and
// the layout that outlives a restart.
#include "detailpane.h"
#include "exchangefiltermodel.h"
#include "exchangefixtures.h"
#include "exchangetablemodel.h"
#include "mainwindow.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QClipboard>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QtTest>

using namespace Qt::StringLiterals;

namespace {

const QString kKey = u"sk-window-test-9a8b7c6d5e4f3a2b1c0d"_s;

QString allText(const QWidget* root)
{
    QStringList texts;
    for (const QLabel* label : root->findChildren<QLabel*>())
        texts.append(label->text() + label->toolTip());
    for (const QLineEdit* edit : root->findChildren<QLineEdit*>())
        texts.append(edit->text());
    for (const QAction* action : root->findChildren<QAction*>())
        texts.append(action->text() + action->toolTip());
    return texts.join(u'\n');
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void modelsPassTheTester();
    void actionsHaveShortcuts();
    void followNewestTurnsOffOnAnOlderRow();
    void filterBarFiltersAndCounts();
    void nextAndPrevious();
    void pauseAndClear();
    void copyAsCurlIsMasked();
    void statusBarShowsBackend();
    void stopAndStartTheProxy();
    void layoutOutlivesTheWindow();

private:
    std::unique_ptr<DemoExchanges> m_demo;
    std::unique_ptr<MainWindow> m_window;
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // settings go to a test location, not the user's
    QSettings().clear();
}

void TestMainWindow::init()
{
    m_demo = std::make_unique<DemoExchanges>(kKey);
    m_window = std::make_unique<MainWindow>(m_demo->proxy());
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestMainWindow::cleanup()
{
    m_window.reset();
    m_demo.reset();
}

void TestMainWindow::modelsPassTheTester()
{
    QAbstractItemModelTester sourceTester(m_window->exchangeModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester filterTester(m_window->filterModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (const QString& scenario : { u"native"_s, u"hermes"_s, u"unknown-tool"_s, u"models"_s })
        m_demo->run(scenario, scenario == u"hermes"_s);
    QTRY_COMPARE(m_window->exchangeModel()->rowCount(), 4);
    m_window->filterEdit()->setText(u"outcome:rescued"_s);
    QTRY_COMPARE(m_window->filterModel()->rowCount(), 1);
    m_window->exchangeView()->sortByColumn(ExchangeTableModel::TotalColumn, Qt::DescendingOrder);
    m_demo->proxy()->store()->clear();
    QTRY_COMPARE(m_window->exchangeModel()->rowCount(), 0);
}

void TestMainWindow::actionsHaveShortcuts()
{
    for (const char* name : { "actionToggleProxy", "actionPauseCapture", "actionClear", "actionFollowNewest", "actionCopyCurl",
                              "actionCopyResponse", "actionNext", "actionPrevious", "actionFind", "actionExport",
                              "actionSettings", "actionRefreshBackend", "actionFormatLab", "actionStatistics", "actionQuit" }) {
        const QAction* action = m_window->action(QLatin1StringView(name));
        QVERIFY2(action, name);
        QVERIFY2(!action->shortcut().isEmpty(), name);
    }
    // Ctrl+F puts the cursor in the filter bar.
    m_window->exchangeView()->setFocus();
    QTest::keyClick(m_window.get(), Qt::Key_F, Qt::ControlModifier);
    QTRY_VERIFY(m_window->filterEdit()->hasFocus());
}

void TestMainWindow::followNewestTurnsOffOnAnOlderRow()
{
    QVERIFY(m_window->isFollowingNewest());
    m_demo->run(u"native"_s, false);
    const quint64 second = m_demo->run(u"text"_s, false).id;
    QTRY_COMPARE(m_window->selectedExchangeId(), second); // follows the newest
    // The user picks the older one: following stops, and a new exchange does not steal the row.
    const QModelIndex older = m_window->filterModel()->index(0, 0);
    m_window->exchangeView()->setCurrentIndex(older);
    QVERIFY(!m_window->isFollowingNewest());
    m_demo->run(u"native"_s, false);
    QCOMPARE(m_window->selectedExchangeId(), older.data(ExchangeTableModel::ExchangeIdRole).toULongLong());
    // Turning it back on jumps to the newest.
    m_window->action(u"actionFollowNewest"_s)->setChecked(true);
    QCOMPARE(m_window->selectedExchangeId(), m_demo->proxy()->store()->ids().last());
    QCOMPARE(m_window->detailPane()->exchangeId(), m_window->selectedExchangeId());
}

void TestMainWindow::filterBarFiltersAndCounts()
{
    for (const QString& scenario : { u"native"_s, u"hermes"_s, u"float"_s, u"models"_s })
        m_demo->run(scenario, false);
    auto* count = m_window->findChild<QLabel*>(u"countLabel"_s);
    QTRY_COMPARE(count->text(), u"4 exchanges"_s);
    QTest::keyClicks(m_window->filterEdit(), u"tool:get_weather -outcome:rescued"_s);
    QTRY_COMPARE(m_window->filterModel()->rowCount(), 2);
    QTRY_COMPARE(count->text(), u"2 of 4 shown"_s);
    m_window->filterEdit()->clear();
    QTRY_COMPARE(m_window->filterModel()->rowCount(), 4);
}

void TestMainWindow::nextAndPrevious()
{
    for (int i = 0; i < 3; ++i)
        m_demo->run(u"native"_s, false);
    QTRY_COMPARE(m_window->filterModel()->rowCount(), 3);
    m_window->exchangeView()->setCurrentIndex(m_window->filterModel()->index(0, 0));
    m_window->action(u"actionNext"_s)->trigger();
    QCOMPARE(m_window->exchangeView()->currentIndex().row(), 1);
    m_window->action(u"actionNext"_s)->trigger();
    m_window->action(u"actionNext"_s)->trigger(); // stays on the last row
    QCOMPARE(m_window->exchangeView()->currentIndex().row(), 2);
    m_window->action(u"actionPrevious"_s)->trigger();
    QCOMPARE(m_window->exchangeView()->currentIndex().row(), 1);
}

void TestMainWindow::pauseAndClear()
{
    m_demo->run(u"native"_s, false);
    QTRY_COMPARE(m_window->exchangeModel()->rowCount(), 1);
    m_window->action(u"actionPauseCapture"_s)->setChecked(true);
    QCOMPARE(m_window->findChild<QLabel*>(u"captureLabel"_s)->text(), u"Capture paused"_s);
    m_demo->run(u"native"_s, false); // served, not listed
    QCOMPARE(m_window->exchangeModel()->rowCount(), 1);
    m_window->action(u"actionPauseCapture"_s)->setChecked(false);
    m_demo->run(u"native"_s, false);
    QTRY_COMPARE(m_window->exchangeModel()->rowCount(), 2);
    m_window->action(u"actionClear"_s)->trigger();
    QTRY_COMPARE(m_window->exchangeModel()->rowCount(), 0);
}

void TestMainWindow::copyAsCurlIsMasked()
{
    const Trace::Exchange exchange = m_demo->run(u"native"_s, false, "Authorization", "Bearer " + kKey.toUtf8());
    m_window->selectExchange(exchange.id);
    m_window->action(u"actionCopyCurl"_s)->trigger();
    const QString copied = QGuiApplication::clipboard()->text();
    QVERIFY(copied.startsWith(u"# The credential below is masked"_s));
    QVERIFY(copied.contains(m_demo->proxy()->listenUrl().toString()));
    QVERIFY(!copied.contains(kKey));
    m_window->action(u"actionCopyResponse"_s)->trigger();
    QVERIFY(QGuiApplication::clipboard()->text().contains(u"get_weather"_s));
    // The key is nowhere in the window's text either.
    QVERIFY(!allText(m_window.get()).contains(kKey));
}

void TestMainWindow::statusBarShowsBackend()
{
    QTRY_VERIFY(m_window->findChild<QLabel*>(u"contextLabel"_s)->text().contains(u"8,192"_s)
                || m_window->findChild<QLabel*>(u"contextLabel"_s)->text().contains(u"8192"_s));
    const QString backend = m_window->findChild<QLabel*>(u"backendLabel"_s)->text();
    QVERIFY2(backend.contains(m_demo->backend()->url().toString()) && backend.contains(u"llama-server"_s) && backend.contains(u"up"_s),
             qPrintable(backend));
    QVERIFY(m_window->findChild<QLabel*>(u"contextLabel"_s)->toolTip().contains(u"/props"_s));
    QVERIFY(m_window->findChild<QLabel*>(u"listenLabel"_s)->text().contains(m_demo->proxy()->listenUrl().toString()));
}

void TestMainWindow::stopAndStartTheProxy()
{
    QAction* toggle = m_window->action(u"actionToggleProxy"_s);
    toggle->trigger();
    QVERIFY(!m_demo->proxy()->isListening());
    QCOMPARE(m_window->findChild<QLabel*>(u"listenLabel"_s)->text(), u"Proxy stopped"_s);
    toggle->trigger();
    QVERIFY(m_demo->proxy()->isListening());
}

void TestMainWindow::layoutOutlivesTheWindow()
{
    auto* splitter = m_window->findChild<QSplitter*>(u"mainSplitter"_s);
    splitter->setSizes({ 150, 500 });
    m_window->exchangeView()->setColumnWidth(ExchangeTableModel::ModelColumn, 333);
    m_window->action(u"actionFollowNewest"_s)->setChecked(false);
    const QList<int> sizes = splitter->sizes();
    m_window->close();
    m_window = std::make_unique<MainWindow>(m_demo->proxy());
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QCOMPARE(m_window->findChild<QSplitter*>(u"mainSplitter"_s)->sizes(), sizes);
    QCOMPARE(m_window->exchangeView()->columnWidth(ExchangeTableModel::ModelColumn), 333);
    QVERIFY(!m_window->isFollowingNewest());
    m_window->action(u"actionFollowNewest"_s)->setChecked(true);
}

QTEST_MAIN(TestMainWindow)
#include "tst_ui_mainwindow.moc"
