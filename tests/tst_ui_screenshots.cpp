// Renders the window for the demo traffic, and each detail tab for exchanges of every outcome,
// to PNG files (for people to look at, and for the README), and checks the pictures are not blank.
// Output: $TEMPER_SCREENSHOT_DIR, or screenshots/ in the build directory.
#include "detailpane.h"
#include "exchangefixtures.h"
#include "exchangepage.h"
#include "formatlab.h"
#include "settingsdialog.h"
#include "statisticswindow.h"
#include "mainwindow.h"

#include <QApplication>
#include <QDir>
#include <QImage>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabWidget>
#include "uitestsupport.h"

#include <QtTest>

using namespace Qt::StringLiterals;

namespace {

QString outputDirectory()
{
    const QString fromEnvironment = qEnvironmentVariable("TEMPER_SCREENSHOT_DIR");
    return fromEnvironment.isEmpty() ? QStringLiteral(TEMPER_SCREENSHOT_DEFAULT_DIR) : fromEnvironment;
}

} // namespace

class TestScreenshots : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void window();
    void tabs_data();
    void tabs();
    void darkPalette();
    void toolWindows();
    void cleanupTestCase();

private:
    void save(QWidget* widget, const QString& name);

    std::unique_ptr<DemoExchanges> m_demo;
    std::unique_ptr<MainWindow> m_window;
    QHash<QString, quint64> m_ids;
};

void TestScreenshots::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(QDir().mkpath(outputDirectory()));
    m_demo = std::make_unique<DemoExchanges>(u"sk-screenshot-0123456789abcdef"_s);
    m_window = std::make_unique<MainWindow>(m_demo->proxy());
    m_window->resize(1400, 900);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_window->findChild<QSplitter*>(u"mainSplitter"_s)->setSizes({ 300, 540 }); // every demo exchange in view
    // The demo traffic, as `temper --demo` sends it.
    const QList<std::pair<QString, bool>> traffic = { { u"text"_s, true },      { u"native"_s, true },  { u"hermes"_s, false },
                                                      { u"mistral"_s, true },   { u"fenced"_s, false }, { u"float"_s, true },
                                                      { u"unknown-tool"_s, false }, { u"qwen-xml"_s, true }, { u"stubborn"_s, false },
                                                      { u"models"_s, false } };
    for (const auto& [scenario, stream] : traffic)
        m_ids.insert(scenario, m_demo->run(scenario, stream).id);
}

void TestScreenshots::cleanupTestCase()
{
    m_window.reset();
    m_demo.reset();
}

void TestScreenshots::save(QWidget* widget, const QString& name)
{
    QTest::qWait(100); // let queued updates and off-thread formatting land
    const QImage image = widget->grab().toImage();
    QVERIFY(!image.isNull());
    QVERIFY2(distinctColours(image) > 8, qPrintable(name));
    const QString path = QDir(outputDirectory()).filePath(name + u".png"_s);
    QVERIFY(image.save(path));
}

void TestScreenshots::window()
{
    // The README's picture: a call the model wrote as text, and what Temper made of it.
    m_window->selectExchange(m_ids.value(u"hermes"_s));
    m_window->detailPane()->setCurrentWidget(m_window->detailPane()->page(u"rescuePage"_s));
    save(m_window.get(), u"main-window"_s);
}

void TestScreenshots::tabs_data()
{
    QTest::addColumn<QString>("scenario");
    for (const char* scenario : { "native", "hermes", "float", "unknown-tool", "stubborn", "text" })
        QTest::newRow(scenario) << QString::fromLatin1(scenario);
}

void TestScreenshots::tabs()
{
    QFETCH(QString, scenario);
    m_window->selectExchange(m_ids.value(scenario));
    DetailPane* pane = m_window->detailPane();
    for (int i = 0; i < pane->count(); ++i) {
        pane->setCurrentIndex(i);
        save(m_window.get(), scenario + u"-"_s + pane->widget(i)->objectName());
    }
}

void TestScreenshots::darkPalette()
{
    // Colours come from the palette: a dark system theme must read as well as a light one.
    const QPalette light = QApplication::palette();
    const QPalette dark = ::darkPalette();
    QApplication::setPalette(dark);
    m_window->selectExchange(m_ids.value(u"unknown-tool"_s));
    m_window->detailPane()->setCurrentIndex(0);
    save(m_window.get(), u"main-window-dark"_s);
    QApplication::setPalette(light);
}

void TestScreenshots::toolWindows()
{
    // The format lab on an answer the guard would retry (a value out of the schema's range).
    FormatLab lab;
    lab.resize(1300, 860);
    lab.show();
    QVERIFY(QTest::qWaitForWindowExposed(&lab));
    const QList<FormatLab::Example> examples = FormatLab::examples();
    int retried = -1;
    for (int i = 0; i < examples.size() && retried < 0; ++i) {
        if (examples.at(i).output.contains(u"\"days\": 10"_s))
            retried = i;
    }
    QVERIFY(retried >= 0);
    QSignalSpy shown(&lab, &FormatLab::previewShown);
    lab.loadExample(retried);
    QVERIFY(shown.wait(5000));
    save(&lab, u"format-lab"_s);

    StatisticsWindow statistics(m_demo->proxy()->store());
    statistics.resize(1280, 360);
    statistics.show();
    QVERIFY(QTest::qWaitForWindowExposed(&statistics));
    QTest::qWait(400); // the first recompute
    save(&statistics, u"statistics"_s);

    SettingsDialog settings(m_demo->proxy());
    settings.show();
    QVERIFY(QTest::qWaitForWindowExposed(&settings));
    QSignalSpy tested(&settings, &SettingsDialog::connectionTested);
    settings.testConnection();
    QVERIFY(tested.wait(10000));
    save(&settings, u"settings"_s);
}

QTEST_MAIN(TestScreenshots)
#include "tst_ui_screenshots.moc"
