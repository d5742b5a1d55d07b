// The statistics window over real exchanges: the demo model through the real proxy, one scenario
// of each kind, the model under QAbstractItemModelTester while rows update live.
#include "exchangefixtures.h"
#include "statisticsmodel.h"
#include "statisticswindow.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QSignalSpy>
#include <QTreeView>
#include "uitestsupport.h"

#include <QtTest>

using namespace Qt::StringLiterals;

namespace {

const QString kModel = u"temper-demo-1.0"_s;

} // namespace

class TestStatistics : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void countsPerScenario_data();
    void countsPerScenario();
    void parserRows();
    void sharesAreShown();
    void rowsUpdateWhenMoreExchangesFinish();
    void recomputesAreThrottled();
    void windowRenders();

private:
    int demoRow() const;
    QModelIndex cell(int column) const { return m_window->model()->index(demoRow(), column); }

    std::unique_ptr<DemoExchanges> m_demo;
    std::unique_ptr<StatisticsWindow> m_window;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void TestStatistics::initTestCase()
{
    m_demo = std::make_unique<DemoExchanges>();
    // One exchange before the window opens: the model starts from what the store holds.
    QVERIFY(m_demo->run(u"native"_s, false).finished);
    m_window = std::make_unique<StatisticsWindow>(m_demo->proxy()->store());
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_window->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(m_window->objectName(), u"statisticsWindow"_s);
    QCOMPARE(m_window->model()->statistics().size(), 1);
    for (const auto& [scenario, stream] :
        QList<std::pair<QString, bool>> { { u"hermes"_s, false }, { u"mistral"_s, true },
            { u"float"_s, true }, { u"unknown-tool"_s, false }, { u"stubborn"_s, false } }) {
        const Trace::Exchange exchange = m_demo->run(scenario, stream);
        QVERIFY2(exchange.finished, qPrintable(scenario));
    }
    QTRY_COMPARE(m_window->model()
                     ->data(cell(StatisticsModel::ToolRequestsColumn), StatisticsModel::CountRole)
                     .toInt(),
        6);
}

void TestStatistics::cleanupTestCase()
{
    m_tester.reset();
    m_window.reset();
    m_demo.reset();
}

int TestStatistics::demoRow() const
{
    const QList<Trace::ModelStatistics>& rows = m_window->model()->statistics();
    for (int i = 0; i < rows.size(); ++i) {
        if (rows.at(i).model == kModel && rows.at(i).backend == m_demo->backend()->url().toString())
            return i;
    }
    return -1;
}

void TestStatistics::countsPerScenario_data()
{
    QTest::addColumn<int>("column");
    QTest::addColumn<int>("count");
    // native, hermes, mistral, float (3.0 repaired), unknown-tool (fixed by a retry) and
    // stubborn (gives up after 1 + 3 retries).
    QTest::addRow("tool requests") << int(StatisticsModel::ToolRequestsColumn) << 6;
    QTest::addRow("native calls") << int(StatisticsModel::NativeColumn)
                                  << 4; // native, float, unknown-tool, stubborn
    QTest::addRow("rescued") << int(StatisticsModel::RescuedColumn) << 2; // hermes, mistral
    QTest::addRow("repaired") << int(StatisticsModel::RepairedColumn) << 1; // float
    QTest::addRow("retried") << int(StatisticsModel::RetriedColumn) << 1; // unknown-tool
    QTest::addRow("gave up") << int(StatisticsModel::GaveUpColumn) << 1; // stubborn
    QTest::addRow("errors") << int(StatisticsModel::ErrorsColumn) << 0;
    QTest::addRow("pass-through") << int(StatisticsModel::PassThroughColumn) << 0;
}

void TestStatistics::countsPerScenario()
{
    QFETCH(int, column);
    QFETCH(int, count);
    QVERIFY(demoRow() >= 0);
    QCOMPARE(m_window->model()->data(cell(column), StatisticsModel::CountRole).toInt(), count);
    const double share = m_window->model()->data(cell(column), StatisticsModel::ShareRole).toDouble();
    if (column != StatisticsModel::ToolRequestsColumn && column != StatisticsModel::PassThroughColumn)
        QCOMPARE(share, count / 6.0);

    const Trace::ModelStatistics& s = m_window->model()->statistics().at(demoRow());
    QCOMPARE(s.meanAttempts, (1 + 1 + 1 + 1 + 2 + 4) / 6.0);
    QVERIFY(s.medianFirstTokenUs > 0);
    QCOMPARE(m_window->model()->data(cell(StatisticsModel::MeanAttemptsColumn)).toString(), u"1.67"_s);
}

void TestStatistics::parserRows()
{
    StatisticsModel* model = m_window->model();
    const QModelIndex group = model->index(demoRow(), 0);
    QCOMPARE(model->rowCount(group), 2);
    QStringList parsers;
    for (int i = 0; i < model->rowCount(group); ++i) {
        const QModelIndex row = model->index(i, StatisticsModel::RescuedColumn, group);
        parsers.append(model->data(row, StatisticsModel::ParserRole).toString());
        QCOMPARE(model->data(row, StatisticsModel::CountRole).toInt(), 1);
        QCOMPARE(model->data(row).toString(), u"1 (17%)"_s);
        QCOMPARE(model->parent(row), group);
    }
    parsers.sort();
    QCOMPARE(parsers, QStringList({ u"hermes"_s, u"mistral"_s }));
    QVERIFY(m_window->view()->isExpanded(group));
}

void TestStatistics::sharesAreShown()
{
    StatisticsModel* model = m_window->model();
    QCOMPARE(model->data(cell(StatisticsModel::NativeColumn)).toString(), u"4 (67%)"_s);
    QCOMPARE(model->data(cell(StatisticsModel::RescuedColumn)).toString(), u"2 (33%)"_s);
    QCOMPARE(model->data(cell(StatisticsModel::ErrorsColumn)).toString(), u"0"_s);
    QCOMPARE(model->data(cell(StatisticsModel::ModelColumn)).toString(), kModel);
    for (int column = 0; column < StatisticsModel::ColumnCount; ++column) {
        QVERIFY(!model->headerData(column, Qt::Horizontal).toString().isEmpty());
        QVERIFY(!model->headerData(column, Qt::Horizontal, Qt::ToolTipRole).toString().isEmpty());
    }
    QCOMPARE(countWithShare(1, 0.004), u"1 (<1%)"_s);
    QCOMPARE(countWithShare(0, -1), u"–"_s);
}

void TestStatistics::rowsUpdateWhenMoreExchangesFinish()
{
    StatisticsModel* model = m_window->model();
    QSignalSpy changed(model, &QAbstractItemModel::dataChanged);
    QVERIFY(m_demo->run(u"hermes"_s, true).finished);
    QTRY_COMPARE(model->data(cell(StatisticsModel::RescuedColumn), StatisticsModel::CountRole).toInt(), 3);
    QCOMPARE(model->data(cell(StatisticsModel::ToolRequestsColumn), StatisticsModel::CountRole).toInt(), 7);
    QVERIFY(changed.count() > 0);

    // Tool-free traffic is pass-through: a text chat in the same row, /v1/models in a row of its own.
    QVERIFY(m_demo->run(u"text"_s, false).finished);
    QVERIFY(m_demo->run(u"models"_s, false).finished);
    QTRY_COMPARE(
        model->data(cell(StatisticsModel::PassThroughColumn), StatisticsModel::CountRole).toInt(), 1);
    QTRY_COMPARE(model->passThroughTotal(), 2);
    QCOMPARE(model->data(cell(StatisticsModel::ToolRequestsColumn), StatisticsModel::CountRole).toInt(), 7);
    QCOMPARE(model->rowCount(), 2);
    QVERIFY(m_window->view()->isExpanded(model->index(demoRow(), 0)));
    QVERIFY(
        m_window->findChild<QLabel*>(u"totals"_s)->text().contains(u"7 tool requests and 2 pass-through"_s));

    // Clearing the store empties the table.
    m_demo->proxy()->store()->clear();
    QTRY_COMPARE(model->rowCount(), 0);
    QVERIFY(m_window->findChild<QLabel*>(u"totals"_s)->text().contains(u"No finished exchanges"_s));
    for (const char* scenario : { "native", "hermes", "mistral", "float", "unknown-tool", "stubborn" })
        QVERIFY(m_demo->run(QString::fromLatin1(scenario), false).finished);
    QTRY_COMPARE(
        model->data(cell(StatisticsModel::ToolRequestsColumn), StatisticsModel::CountRole).toInt(), 6);
}

void TestStatistics::recomputesAreThrottled()
{
    StatisticsModel* model = m_window->model();
    QSignalSpy refreshed(model, &StatisticsModel::refreshed);
    QElapsedTimer clock;
    clock.start();
    for (int i = 0; i < 6; ++i)
        QVERIFY(m_demo->run(u"native"_s, true).finished);
    QTRY_COMPARE(model->data(cell(StatisticsModel::NativeColumn), StatisticsModel::CountRole).toInt(), 10);
    const qint64 elapsed = clock.elapsed();
    QVERIFY2(refreshed.count() <= elapsed / StatisticsModel::kRefreshIntervalMs + 1,
        qPrintable(u"%1 recomputes in %2 ms"_s.arg(refreshed.count()).arg(elapsed)));
}

void TestStatistics::windowRenders()
{
    m_window->resize(1400, 360);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QVERIFY(m_demo->run(u"qwen-xml"_s, false).finished);
    QVERIFY(m_demo->run(u"models"_s, false).finished);
    QTRY_COMPARE(m_window->model()->rowCount(), 2);
    QTest::qWait(100);
    QCOMPARE(m_window->view()->header()->count(), int(StatisticsModel::ColumnCount));
    const QImage image = m_window->grab().toImage();
    QVERIFY(distinctColours(image) > 8);
    const QString directory = qEnvironmentVariable("TEMPER_SCREENSHOT_DIR", QDir::tempPath());
    QVERIFY(image.save(QDir(directory).filePath(u"temper-statistics.png"_s)));
}

QTEST_MAIN(TestStatistics)
#include "tst_ui_statistics.moc"
