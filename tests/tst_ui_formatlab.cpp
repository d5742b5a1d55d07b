// The format lab as a person uses it: type or paste an output, wait for the result, read the
// format, calls, repairs, issues, verdict and corrective turns; every shown verdict and turn is
// compared with what the proxy's own RetryPolicy gives for the same input.
#include "demo/demotraffic.h"
#include "formatlab.h"
#include "guard/guardpreview.h"
#include "guard/retrypolicy.h"

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTextBrowser>
#include "uitestsupport.h"

#include <QtTest>

using namespace Qt::StringLiterals;

namespace {

QString screenshotPath(const QString& name)
{
    const QString directory = qEnvironmentVariable("TEMPER_SCREENSHOT_DIR", QDir::tempPath());
    return QDir(directory).filePath(name + u".png"_s);
}

int exampleIndex(const QString& titleStart)
{
    const QList<FormatLab::Example> examples = FormatLab::examples();
    for (int i = 0; i < examples.size(); ++i) {
        if (examples.at(i).title.startsWith(titleStart))
            return i;
    }
    return -1;
}

QString exampleOutput(const QString& titleStart)
{
    const int index = exampleIndex(titleStart);
    return index < 0 ? QString() : FormatLab::examples().at(index).output;
}

// The proxy's reading of the same answer, step by step, without the lab.
struct ProxyReading
{
    Guard::AttemptAnalysis analysis;
    Guard::Decision decision;
    QList<QJsonObject> turns;
};

ProxyReading proxyReading(const QString& output, const Guard::ToolChoice& choice, int maxRetries, int attempt)
{
    const Guard::ToolCatalog tools = Guard::ToolCatalog::fromTools(Demo::Traffic::exampleTools());
    const QJsonObject message = QJsonDocument::fromJson(output.toUtf8()).object();
    ProxyReading reading;
    if (message.value("role"_L1).toString() == u"assistant"_s) {
        const QJsonObject completion { { u"choices"_s,
            QJsonArray { QJsonObject { { u"message"_s, message } } } } };
        reading.analysis = Guard::analyzeCompletion(completion, tools, {});
    } else {
        reading.analysis = Guard::analyzeAttempt(output, {}, {}, u"stop"_s, tools, {});
    }
    reading.decision = Guard::RetryPolicy::decide(choice, maxRetries, attempt, reading.analysis);
    if (reading.decision.verdict == Guard::Decision::Verdict::Retry)
        reading.turns = Guard::RetryPolicy::correctiveTurns(choice, tools, reading.analysis);
    return reading;
}

QString textOf(const FormatLab& lab, const QString& name)
{
    if (const auto* label = lab.findChild<QLabel*>(name))
        return label->text();
    if (const auto* browser = lab.findChild<QTextBrowser*>(name))
        return browser->toPlainText();
    return QString();
}

} // namespace

class TestFormatLab : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void showsWhatTheGuardMakesOfIt_data();
    void showsWhatTheGuardMakesOfIt();
    void requiredToolChoiceRetriesProse();
    void lastAttemptGivesUp();
    void highlightsTheCallInTheInput();
    void badToolsJsonShowsAnError();
    void staleResultsAreDropped();
    void largePasteKeepsTheWindowResponsive();
    void everyExampleIsRead();
    void rendersTheRetriedExample();

private:
    bool waitForPreview(int timeoutMs = 10000)
    {
        return QTest::qWaitFor([this] { return !m_lab->isPending(); }, timeoutMs);
    }

    std::unique_ptr<FormatLab> m_lab;
};

void TestFormatLab::init()
{
    m_lab = std::make_unique<FormatLab>();
    m_lab->resize(1400, 900);
    m_lab->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_lab.get()));
    QVERIFY(waitForPreview());
}

void TestFormatLab::cleanup()
{
    m_lab.reset();
}

void TestFormatLab::showsWhatTheGuardMakesOfIt_data()
{
    QTest::addColumn<QString>("output");
    QTest::addColumn<QString>("format"); // shown in the summary, empty when none matched
    QTest::addColumn<QString>("call"); // the call's name in the calls pane, empty when none
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("repair"); // a repair's description, empty when none
    QTest::addColumn<QString>("issue"); // a validation issue's rule, empty when none
    QTest::addColumn<QString>("verdict"); // the verdict's word
    QTest::addColumn<QStringList>("roles"); // roles of the corrective turns

    QTest::addRow("hermes") << exampleOutput(u"Hermes"_s) << u"hermes_json"_s << u"get_weather"_s << true
                            << QString() << QString() << u"Accept"_s << QStringList();
    QTest::addRow("qwen xml") << exampleOutput(u"Qwen3-Coder"_s) << u"qwen3_coder_xml"_s << u"get_weather"_s
                              << true << QString() << QString() << u"Accept"_s << QStringList();
    QTest::addRow("integer as float")
        << exampleOutput(u"An integer written as 10.0"_s) << QString() << u"search_docs"_s << true
        << u"'limit': 10.0 written as the integer 10"_s << QString() << u"Accept"_s << QStringList();
    QTest::addRow("out of range") << exampleOutput(u"An out-of-range"_s) << u"hermes_json"_s
                                  << u"get_weather"_s << false << QString() << u"(maximum)"_s << u"Retry"_s
                                  << QStringList { u"assistant"_s, u"tool"_s };
    QTest::addRow("unknown tool") << exampleOutput(u"An unknown tool"_s) << QString() << QString() << false
                                  << QString() << QString() << u"Retry"_s
                                  << QStringList { u"assistant"_s, u"user"_s };
    QTest::addRow("plain prose") << exampleOutput(u"Plain prose"_s) << QString() << QString() << false
                                 << QString() << QString() << u"Accept"_s << QStringList();
}

void TestFormatLab::showsWhatTheGuardMakesOfIt()
{
    QFETCH(QString, output);
    QFETCH(QString, format);
    QFETCH(QString, call);
    QFETCH(bool, valid);
    QFETCH(QString, repair);
    QFETCH(QString, issue);
    QFETCH(QString, verdict);
    QFETCH(QStringList, roles);
    QVERIFY(!output.isEmpty());

    m_lab->outputEdit()->setPlainText(output);
    QVERIFY(m_lab->isPending());
    QVERIFY(waitForPreview());

    const QString summary = textOf(*m_lab, u"format"_s);
    const QString calls = textOf(*m_lab, u"calls"_s);
    const QString verdictText = textOf(*m_lab, u"verdict"_s);
    const QString correction = textOf(*m_lab, u"correction"_s);
    if (!format.isEmpty())
        QVERIFY2(summary.contains(format), qPrintable(summary));
    if (!call.isEmpty())
        QVERIFY2(calls.contains(u"1. "_s + call) && calls.contains(valid ? u"✓ valid"_s : u"✗ invalid"_s),
            qPrintable(calls));
    else
        QVERIFY2(calls.contains(u"No tool calls."_s), qPrintable(calls));
    if (!repair.isEmpty())
        QVERIFY2(calls.contains(u"Repairs"_s) && calls.contains(repair), qPrintable(calls));
    else
        QVERIFY(!calls.contains(u"Repairs"_s));
    if (!issue.isEmpty())
        QVERIFY2(calls.contains(u"Validation issues"_s) && calls.contains(issue), qPrintable(calls));
    else
        QVERIFY(!calls.contains(u"Validation issues"_s));
    QVERIFY2(verdictText.contains(verdict), qPrintable(verdictText));

    // What the proxy's own steps give for the same input.
    const ProxyReading proxy = proxyReading(output, {}, 3, 1);
    QVERIFY2(verdictText.contains(proxy.decision.reason.toHtmlEscaped()), qPrintable(verdictText));
    QStringList shownRoles;
    for (const QJsonObject& turn : m_lab->preview()->correction)
        shownRoles.append(turn.value("role"_L1).toString());
    QCOMPARE(shownRoles, roles);
    QCOMPARE(proxy.turns.size(), roles.size());
    for (const QJsonObject& turn : proxy.turns) {
        if (turn.value("role"_L1).toString() == u"assistant"_s)
            continue;
        const QString content = turn.value("content"_L1).toString();
        QVERIFY(!content.isEmpty());
        QVERIFY2(
            correction.contains(content), qPrintable(u"missing:\n"_s + content + u"\nin:\n"_s + correction));
    }
    // The turns the lab holds are exactly RetryPolicy's for the analysis it shows.
    if (roles.isEmpty())
        QVERIFY2(correction.contains(u"Nothing is appended"_s), qPrintable(correction));
    else
        QCOMPARE(m_lab->preview()->correction,
            Guard::RetryPolicy::correctiveTurns({}, m_lab->preview()->tools, m_lab->preview()->analysis));
}

void TestFormatLab::requiredToolChoiceRetriesProse()
{
    m_lab->outputEdit()->setPlainText(exampleOutput(u"Plain prose"_s));
    m_lab->toolChoiceBox()->setCurrentIndex(m_lab->toolChoiceBox()->findData(u"required"_s));
    QVERIFY(waitForPreview());
    const ProxyReading proxy
        = proxyReading(exampleOutput(u"Plain prose"_s), Guard::ToolChoice::fromRequest(u"required"_s), 3, 1);
    QCOMPARE(proxy.decision.verdict, Guard::Decision::Verdict::Retry);
    QVERIFY(textOf(*m_lab, u"verdict"_s).contains(u"Retry"_s));
    QCOMPARE(proxy.turns.size(), 2);
    QVERIFY(textOf(*m_lab, u"correction"_s).contains(proxy.turns.at(1).value("content"_L1).toString()));

    // A named tool: the box offers the declared names; calling another tool is retried.
    m_lab->outputEdit()->setPlainText(exampleOutput(u"Hermes"_s));
    m_lab->toolChoiceBox()->setCurrentIndex(m_lab->toolChoiceBox()->findData(u"named"_s));
    QVERIFY(m_lab->namedToolBox()->isEnabled());
    m_lab->namedToolBox()->setCurrentText(u"search_docs"_s);
    QVERIFY(waitForPreview());
    QCOMPARE(m_lab->namedToolBox()->count(), 2);
    QVERIFY2(
        textOf(*m_lab, u"verdict"_s).contains(u"search_docs"_s), qPrintable(textOf(*m_lab, u"verdict"_s)));
}

void TestFormatLab::lastAttemptGivesUp()
{
    m_lab->maxRetriesBox()->setValue(1);
    m_lab->loadExample(exampleIndex(u"An out-of-range"_s));
    m_lab->attemptBox()->setValue(2);
    QVERIFY(waitForPreview());
    QVERIFY2(textOf(*m_lab, u"verdict"_s).contains(u"Give up"_s), qPrintable(textOf(*m_lab, u"verdict"_s)));
    QVERIFY(textOf(*m_lab, u"correction"_s).contains(u"Nothing is appended"_s));
    QCOMPARE(m_lab->attemptBox()->maximum(), 2);

    Config::GuardSettings settings;
    settings.maxRetries = 5;
    m_lab->setGuardSettings(settings);
    QVERIFY(waitForPreview());
    QCOMPARE(m_lab->maxRetriesBox()->value(), 5);
    QVERIFY(textOf(*m_lab, u"verdict"_s).contains(u"Retry"_s));
    QVERIFY(textOf(*m_lab, u"correction"_s).contains(u"sends attempt 3 of 6"_s));
}

void TestFormatLab::highlightsTheCallInTheInput()
{
    const QString output = exampleOutput(u"Hermes"_s);
    m_lab->outputEdit()->setPlainText(output);
    QVERIFY(waitForPreview());
    const Guard::CheckedCall call = m_lab->preview()->analysis.calls.value(0);
    QVERIFY(call.rescued);
    bool found = false;
    for (const QTextEdit::ExtraSelection& selection : m_lab->outputEdit()->extraSelections()) {
        if (selection.cursor.selectionStart() == call.span.start
            && selection.cursor.selectionEnd() == call.span.end) {
            found = true;
            QVERIFY(selection.cursor.selectedText().startsWith(u"<tool_call>"_s));
        }
    }
    QVERIFY(found);
}

void TestFormatLab::badToolsJsonShowsAnError()
{
    auto* error = m_lab->findChild<QLabel*>(u"toolsError"_s);
    QVERIFY(error);
    QVERIFY(!error->isVisible());
    const QString tools = m_lab->toolsEdit()->toPlainText();
    m_lab->toolsEdit()->setPlainText(
        u"[\n  {\"type\": \"function\", \"function\": {\"name\": \"get_weather\",}}\n]"_s);
    QVERIFY(waitForPreview());
    QVERIFY(error->isVisible());
    QVERIFY2(error->text().contains(u"does not parse"_s) && error->text().contains(u"line 2"_s),
        qPrintable(error->text()));
    QVERIFY(textOf(*m_lab, u"verdict"_s).contains(u"Tools JSON error"_s));
    QVERIFY(m_lab->preview()->analysis.calls.isEmpty());

    m_lab->toolsEdit()->setPlainText(u"{\"model\": \"m\"}"_s);
    QVERIFY(waitForPreview());
    QVERIFY2(error->text().contains(u"must be an array"_s), qPrintable(error->text()));

    m_lab->toolsEdit()->setPlainText(tools);
    QVERIFY(waitForPreview());
    QVERIFY(!error->isVisible());
    QVERIFY(!textOf(*m_lab, u"verdict"_s).contains(u"error"_s));
}

void TestFormatLab::staleResultsAreDropped()
{
    QSignalSpy shown(m_lab.get(), &FormatLab::previewShown);
    // Typing: each keystroke restarts the delay, so only the last text is analysed.
    const QString final = exampleOutput(u"Qwen3-Coder"_s);
    for (int i = 1; i <= final.size(); i += 7) {
        m_lab->outputEdit()->setPlainText(final.left(i));
        QTest::qWait(5);
    }
    m_lab->outputEdit()->setPlainText(final);
    QVERIFY(waitForPreview());
    QCOMPARE(m_lab->preview()->analysis.content, final);
    QCOMPARE(shown.count(), 1);

    // A long analysis overtaken by a short one: the long one's result never shows.
    shown.clear();
    const QString big
        = QString(u"Plain words without any markup. "_s).repeated(40'000) + exampleOutput(u"Hermes"_s);
    m_lab->outputEdit()->setPlainText(big);
    QTest::qWait(200); // past the delay: the big analysis is running
    m_lab->outputEdit()->setPlainText(exampleOutput(u"Plain prose"_s));
    QVERIFY(waitForPreview());
    QTest::qWait(300);
    QCOMPARE(m_lab->preview()->analysis.content, exampleOutput(u"Plain prose"_s));
    QCOMPARE(shown.count(), 1);
}

void TestFormatLab::largePasteKeepsTheWindowResponsive()
{
    // About 1 MB of prose with a call at the end: the analysis runs off the main thread, so
    // timers keep firing while it runs.
    const QString big
        = QString(u"The model kept talking about the weather in Paris, at length.\n"_s).repeated(17'000)
        + exampleOutput(u"Hermes"_s);
    QVERIFY(big.size() > 1'000'000);
    QElapsedTimer clock;
    clock.start();
    qint64 last = 0;
    qint64 longestGap = 0;
    QTimer ticker;
    ticker.setInterval(10);
    connect(&ticker, &QTimer::timeout, this, [&] {
        longestGap = std::max(longestGap, clock.elapsed() - last);
        last = clock.elapsed();
    });
    m_lab->outputEdit()->setPlainText(big);
    const qint64 pasted = clock.elapsed();
    last = pasted;
    ticker.start();
    QVERIFY(waitForPreview(30000));
    ticker.stop();
    qInfo("1 MB paste: setPlainText %lld ms, result after %lld ms, longest main-thread gap while analysing "
          "%lld ms",
        pasted, clock.elapsed() - pasted, longestGap);
    QCOMPARE(m_lab->preview()->analysis.calls.size(), 1);
    QCOMPARE(m_lab->preview()->analysis.calls.first().name, u"get_weather"_s);
    // The left-over pane is cut, not 1 MB of rich text.
    QVERIFY(textOf(*m_lab, u"leftover"_s).size() < 30'000);
    QVERIFY(textOf(*m_lab, u"leftover"_s).contains(u"more characters not shown"_s));
    QVERIFY2(longestGap < 1000, qPrintable(QString::number(longestGap)));
}

void TestFormatLab::everyExampleIsRead()
{
    const QList<FormatLab::Example> examples = FormatLab::examples();
    QVERIFY(examples.size() >= 8);
    for (int i = 0; i < examples.size(); ++i) {
        m_lab->loadExample(i);
        QVERIFY(waitForPreview());
        const Guard::Preview& preview = *m_lab->preview();
        QVERIFY2(preview.toolsError.isEmpty(), qPrintable(examples.at(i).title));
        QVERIFY(preview.guarded);
        const ProxyReading proxy = proxyReading(examples.at(i).output, {}, 3, 1);
        QCOMPARE(preview.decision.verdict, proxy.decision.verdict);
        QCOMPARE(preview.analysis.rescueParser, proxy.analysis.rescueParser);
        QCOMPARE(preview.analysis.calls.size(), proxy.analysis.calls.size());
    }
    // The closed-think example: the rehearsed call is ignored, the answer is text.
    m_lab->loadExample(exampleIndex(u"A call inside a closed"_s));
    QVERIFY(waitForPreview());
    QVERIFY(m_lab->preview()->analysis.calls.isEmpty());
    QVERIFY2(textOf(*m_lab, u"calls"_s).contains(u"rehearsal"_s), qPrintable(textOf(*m_lab, u"calls"_s)));
    // Reasoning then a call: the reasoning is left over, apart from the content.
    m_lab->loadExample(exampleIndex(u"Qwen3 thinking"_s));
    QVERIFY(waitForPreview());
    QVERIFY(textOf(*m_lab, u"leftover"_s).contains(u"Reasoning found in the text"_s));
}

void TestFormatLab::rendersTheRetriedExample()
{
    m_lab->loadExample(exampleIndex(u"An out-of-range"_s));
    QVERIFY(waitForPreview());
    QCOMPARE(m_lab->preview()->decision.verdict, Guard::Decision::Verdict::Retry);
    QTest::qWait(50);
    const QImage image = m_lab->grab().toImage();
    QVERIFY(distinctColours(image) > 8);
    QVERIFY(image.save(screenshotPath(u"temper-formatlab-retried"_s)));

    m_lab->loadExample(exampleIndex(u"An integer written as 10.0"_s));
    QVERIFY(waitForPreview());
    QTest::qWait(50);
    QVERIFY(m_lab->grab().toImage().save(screenshotPath(u"temper-formatlab-repaired"_s)));

    // A dark palette: the panes are rendered again in its colours.
    const QPalette light = QApplication::palette();
    const QPalette dark = darkPalette();
    QApplication::setPalette(dark);
    m_lab->loadExample(exampleIndex(u"An out-of-range"_s));
    QVERIFY(waitForPreview());
    QTest::qWait(50);
    const QImage darkImage = m_lab->grab().toImage();
    QApplication::setPalette(light);
    QVERIFY(darkImage.save(screenshotPath(u"temper-formatlab-dark"_s)));
    // The page behind the panes follows the palette: dark, not white.
    QVERIFY(QColor(darkImage.pixel(darkImage.width() - 20, darkImage.height() / 2)).lightness() < 128);
}

QTEST_MAIN(TestFormatLab)
#include "tst_ui_formatlab.moc"
