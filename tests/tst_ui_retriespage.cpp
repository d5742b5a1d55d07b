// The Retries tab over real exchanges (demo model through the real proxy): one card per attempt
// with why it failed, the correction, the answer and the diff; the empty and single-attempt
// states; the scroll position kept while a running exchange is shown again; pictures in /tmp.
#include "attemptcard.h"
#include "exchangefixtures.h"
#include "guard/guardtrace.h"
#include "retriespage.h"

#include <QApplication>
#include <QDir>
#include <QFontDatabase>
#include <QJsonArray>
#include <QLabel>
#include <QScrollArea>
#include <QScrollBar>
#include <QTextDocument>
#include "uitestsupport.h"

#include <QtTest>

using namespace Qt::StringLiterals;

namespace {

// What a person reads in a widget: the text of every label in it, rich text and Markdown as words.
QString visibleText(const QWidget* widget)
{
    QStringList texts;
    QList<QLabel*> labels = widget->findChildren<QLabel*>();
    if (auto* label = qobject_cast<const QLabel*>(widget))
        labels.prepend(const_cast<QLabel*>(label));
    for (const QLabel* label : labels) {
        if (label->isHidden())
            continue;
        QTextDocument document;
        if (label->textFormat() == Qt::RichText)
            document.setHtml(label->text());
        else if (label->textFormat() == Qt::MarkdownText)
            document.setMarkdown(label->text());
        else
            document.setPlainText(label->text());
        texts.append(document.toPlainText());
    }
    return texts.join(u'\n');
}

QWidget* child(const QWidget* parent, const QString& objectName)
{
    return parent->findChild<QWidget*>(objectName);
}

// The mean lightness of the coloured pixels of a widget (diff rows, badges), -1 when none are.
double colouredLightness(QWidget* widget)
{
    const QImage image = widget->grab().toImage();
    double sum = 0;
    int count = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QColor colour(image.pixel(x, y));
            if (colour.hslSaturation() > 60) {
                sum += colour.lightness();
                ++count;
            }
        }
    }
    return count > 50 ? sum / count : -1;
}

// The stubborn exchange as it looked while its third attempt was still running.
Trace::Exchange whileRunning(const Trace::Exchange& finished)
{
    Trace::Exchange running = finished;
    running.attempts.resize(3);
    running.attempts[2].guard = {};
    running.attempts[2].finishedUs = -1;
    running.attempts[2].usage = {};
    running.attempts[2].response = {};
    running.finished = false;
    running.outcome = Trace::Outcome::Pending;
    return running;
}

// A retried exchange whose backend went away before the second attempt got an answer.
Trace::Exchange withTransportError(const Trace::Exchange& retried)
{
    Trace::Exchange exchange = retried;
    Trace::Attempt& second = exchange.attempts[1];
    second.guard = {};
    second.response = {};
    second.usage = {};
    second.error = u"Connection refused"_s;
    exchange.outcome = Trace::Outcome::Error;
    return exchange;
}

// No demo scenario writes a call that cannot be read: the real guard judges one, and its findings
// replace those of a real exchange's only attempt.
Trace::Exchange withNearMiss(const Trace::Exchange& native)
{
    Trace::Exchange exchange = native;
    const QJsonObject request = Demo::Traffic::exampleRequest(u"native"_s, false);
    const Guard::ToolCatalog tools = Guard::ToolCatalog::fromTools(request.value(u"tools"_s).toArray());
    const QString text
        = u"Checking.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\",\n</tool_call>"_s;
    const Guard::AttemptAnalysis analysis = Guard::analyzeAttempt(text, QString(), {}, u"stop"_s, tools, {});
    const Guard::ToolChoice choice;
    const Guard::Decision decision = Guard::RetryPolicy::decide(choice, 3, 1, analysis);
    exchange.attempts[0].guard = Guard::attemptGuardJson(
        analysis, decision, Guard::RetryPolicy::correctiveTurns(choice, tools, analysis));
    return exchange;
}

QString screenshotDirectory()
{
    const QString fromEnvironment = qEnvironmentVariable("TEMPER_SCREENSHOT_DIR");
    return fromEnvironment.isEmpty() ? u"/tmp/temper-retries"_s : fromEnvironment;
}

} // namespace

class TestRetriesPage : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void unknownTool();
    void stubborn();
    void badArgs();
    void singleAttempt_data();
    void singleAttempt();
    void passThrough_data();
    void passThrough();
    void backendRefusal();
    void transportError();
    void nearMiss();
    void keepsScrollWhileRunning();
    void anotherExchangeStartsAtTop();
    void diffFollowsPalette();
    void screenshots_data();
    void screenshots();

private:
    // Shows `exchange` on a fresh page and waits for its cards (built off the main thread).
    std::unique_ptr<RetriesPage> showOnPage(const Trace::Exchange& exchange, int expectedCards);

    std::unique_ptr<DemoExchanges> m_demo;
    QHash<QString, Trace::Exchange> m_exchanges;
};

void TestRetriesPage::initTestCase()
{
    m_demo = std::make_unique<DemoExchanges>();
    for (const char* scenario :
        { "unknown-tool", "stubborn", "bad-args", "native", "hermes", "float", "models", "text" }) {
        const QString name = QString::fromLatin1(scenario);
        m_exchanges.insert(name, m_demo->run(name, false));
        QVERIFY2(m_exchanges.value(name).finished, scenario);
    }
    m_exchanges.insert(u"stubborn-stream"_s, m_demo->run(u"stubborn"_s, true));
    m_exchanges.insert(u"stubborn-running"_s, whileRunning(m_exchanges.value(u"stubborn"_s)));
    m_exchanges.insert(u"near-miss"_s, withNearMiss(m_exchanges.value(u"native"_s)));
    m_exchanges.insert(u"transport-error"_s, withTransportError(m_exchanges.value(u"unknown-tool"_s)));
    // A backend that refuses the key answers 401.
    DemoExchanges refusing;
    refusing.backend()->options().requiredApiKey = u"sk-required"_s;
    m_exchanges.insert(u"refused"_s, refusing.run(u"native"_s, false));
    QVERIFY(m_exchanges.value(u"refused"_s).finished);
    QCOMPARE(m_exchanges.value(u"unknown-tool"_s).attempts.size(), 2);
    QCOMPARE(m_exchanges.value(u"stubborn"_s).attempts.size(), 4);
}

void TestRetriesPage::cleanupTestCase()
{
    m_demo.reset();
}

std::unique_ptr<RetriesPage> TestRetriesPage::showOnPage(const Trace::Exchange& exchange, int expectedCards)
{
    auto page = std::make_unique<RetriesPage>();
    page->resize(900, 700);
    page->show();
    page->showExchange(exchange);
    const bool built = QTest::qWaitFor([&] { return page->cards().size() == expectedCards; }, 5000);
    if (!built)
        qWarning("expected %d cards, have %d", expectedCards, int(page->cards().size()));
    return page;
}

void TestRetriesPage::unknownTool()
{
    const Trace::Exchange& exchange = m_exchanges.value(u"unknown-tool"_s);
    const QJsonObject failedCall = exchange.attempts.at(0).guard.value(u"calls"_s).toArray().at(0).toObject();
    const QString unknownName = failedCall.value(u"name"_s).toString();
    const QString failedId = failedCall.value(u"id"_s).toString();
    QVERIFY(!exchange.toolNames.contains(unknownName));

    auto page = showOnPage(exchange, 2);
    QCOMPARE(page->cards().size(), 2);
    AttemptCard* first = page->cards().at(0);
    AttemptCard* second = page->cards().at(1);
    QCOMPARE(first->property("attempt").toInt(), 1);
    QCOMPARE(first->property("verdict").toString(), u"retry"_s);
    QCOMPARE(second->property("verdict").toString(), u"accept"_s);
    QVERIFY(visibleText(child(first, u"attemptHeader"_s)).contains(u"Attempt 1"_s));
    QCOMPARE(qobject_cast<QLabel*>(child(second, u"attemptVerdict"_s))->text(), u"accepted"_s);

    // Why it failed names the unknown tool.
    QWidget* issues = child(first, u"attemptIssues"_s);
    QVERIFY(issues);
    QVERIFY2(visibleText(issues).contains(unknownName), qPrintable(visibleText(issues)));
    QCOMPARE(child(issues, u"validationIssue"_s)->property("rule").toString(), u"unknown-tool"_s);

    // The correction: the failed call kept as an assistant turn, then a tool message answering it
    // by id that names the declared tools.
    const QList<QFrame*> turns
        = child(first, u"attemptCorrection"_s)->findChildren<QFrame*>(u"correctionTurn"_s);
    QCOMPARE(turns.size(), 2);
    QCOMPARE(turns.at(0)->property("role").toString(), u"assistant"_s);
    QVERIFY(visibleText(turns.at(0)).contains(unknownName));
    QCOMPARE(turns.at(1)->property("role").toString(), u"tool"_s);
    QCOMPARE(turns.at(1)->property("toolCallId").toString(), failedId);
    const QString correction = visibleText(turns.at(1));
    QVERIFY(correction.contains(u"tool"_s));
    QVERIFY(correction.contains(failedId));
    for (const QString& declared : exchange.toolNames)
        QVERIFY2(correction.contains(declared), qPrintable(correction));
    QVERIFY2(!correction.contains(u"\"role\""_s), "the correction is shown as words, not as raw JSON");

    // The accepted attempt has no correction, and its diff shows the tool name that changed.
    QVERIFY(!child(second, u"attemptCorrection"_s));
    QVERIFY(!child(first, u"attemptDiff"_s));
    const QString acceptedName = exchange.attempts.at(1)
                                     .guard.value(u"calls"_s)
                                     .toArray()
                                     .at(0)
                                     .toObject()
                                     .value(u"name"_s)
                                     .toString();
    const QString diff = visibleText(child(second, u"attemptDiff"_s));
    QVERIFY2(diff.contains(u"- tool call: "_s + unknownName), qPrintable(diff));
    QVERIFY2(diff.contains(u"+ tool call: "_s + acceptedName), qPrintable(diff));
    QVERIFY(diff.contains(u"attempt 1"_s));
    QVERIFY(page->findChild<QLabel*>(u"retriesSummary"_s)->text().contains(u"accepted"_s));
}

void TestRetriesPage::stubborn()
{
    for (const QString& name : { u"stubborn"_s, u"stubborn-stream"_s }) {
        const Trace::Exchange& exchange = m_exchanges.value(name);
        auto page = showOnPage(exchange, 4);
        QCOMPARE(page->cards().size(), 4);
        for (int i = 0; i < 4; ++i) {
            AttemptCard* card = page->cards().at(i);
            QCOMPARE(card->property("attempt").toInt(), i + 1);
            QCOMPARE(card->property("verdict").toString(), i < 3 ? u"retry"_s : u"give-up"_s);
            // Every failing card shows its issues, each with the JSON path it is about.
            const QList<QWidget*> issues = card->findChildren<QWidget*>(u"validationIssue"_s);
            QVERIFY(!issues.isEmpty());
            for (QWidget* issue : issues) {
                const QString path = issue->property("path").toString();
                QVERIFY(!path.isEmpty());
                QVERIFY2(visibleText(child(issue, u"issueLocation"_s)).contains(path),
                    qPrintable(visibleText(issue)));
            }
            // The model sent the same answer every time; the last attempt gets no correction.
            if (i > 0)
                QVERIFY(visibleText(child(card, u"sameAsPrevious"_s)).contains(u"attempt %1"_s.arg(i)));
            QCOMPARE(bool(child(card, u"attemptCorrection"_s)), i < 3);
        }
        const QString reason
            = exchange.attempts.last().guard.value(u"decision"_s).toObject().value(u"reason"_s).toString();
        QVERIFY(!reason.isEmpty());
        QVERIFY(visibleText(child(page->cards().last(), u"attemptHeader"_s)).contains(reason.mid(1)));
        QVERIFY(page->findChild<QLabel*>(u"retriesSummary"_s)->text().contains(u"gave up"_s));
    }
}

void TestRetriesPage::badArgs()
{
    const Trace::Exchange& exchange = m_exchanges.value(u"bad-args"_s);
    const QJsonObject recorded = exchange.attempts.at(0)
                                     .guard.value(u"calls"_s)
                                     .toArray()
                                     .at(0)
                                     .toObject()
                                     .value(u"issues"_s)
                                     .toArray()
                                     .at(0)
                                     .toObject();
    auto page = showOnPage(exchange, 2);
    QCOMPARE(page->cards().size(), 2);
    QWidget* issue = child(page->cards().at(0), u"validationIssue"_s);
    QVERIFY(issue);
    const QString location = visibleText(child(issue, u"issueLocation"_s));
    QVERIFY2(location.contains(recorded.value(u"path"_s).toString()), qPrintable(location));
    QVERIFY(location.contains(recorded.value(u"pointer"_s).toString()));
    QVERIFY(location.contains(recorded.value(u"rule"_s).toString()));
    QVERIFY(visibleText(issue).contains(recorded.value(u"message"_s).toString()));
    QVERIFY(visibleText(issue).contains(recorded.value(u"expected"_s).toString()));
    // The schema fragment is shown as pretty JSON that reads back as the recorded schema.
    auto* schema = qobject_cast<QLabel*>(child(issue, u"issueSchema"_s));
    QVERIFY(schema);
    QVERIFY(schema->text().contains(u'\n'));
    QCOMPARE(
        QJsonDocument::fromJson(schema->text().toUtf8()).object(), recorded.value(u"schema"_s).toObject());
    QCOMPARE(schema->font().family(), QFontDatabase::systemFont(QFontDatabase::FixedFont).family());
    // The diff compares the arguments line by line.
    const QString diff = visibleText(child(page->cards().at(1), u"attemptDiff"_s));
    QVERIFY2(diff.contains(u"- "_s) && diff.contains(u"+ "_s) && diff.contains(u"days"_s), qPrintable(diff));
}

void TestRetriesPage::singleAttempt_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addRow("native") << u"native"_s;
    QTest::addRow("rescued") << u"hermes"_s;
    QTest::addRow("repaired") << u"float"_s;
}

void TestRetriesPage::singleAttempt()
{
    QFETCH(QString, scenario);
    const Trace::Exchange& exchange = m_exchanges.value(scenario);
    QCOMPARE(exchange.attempts.size(), 1);
    auto page = showOnPage(exchange, 1);
    QCOMPARE(page->cards().size(), 1);
    QVERIFY(page->findChild<QLabel*>(u"retriesSummary"_s)->text().contains(u"no retry was needed"_s));
    AttemptCard* card = page->cards().at(0);
    QCOMPARE(card->property("verdict").toString(), u"accept"_s);
    QVERIFY(!child(card, u"attemptDiff"_s));
    QVERIFY(!child(card, u"attemptCorrection"_s));
    // The answer's call is there with its arguments, pretty-printed.
    const QJsonObject call = exchange.attempts.at(0).guard.value(u"calls"_s).toArray().at(0).toObject();
    QWidget* answer = child(card, u"attemptAnswer"_s);
    QVERIFY(visibleText(answer).contains(call.value(u"name"_s).toString()));
    auto* arguments = qobject_cast<QLabel*>(child(answer, u"callArguments"_s));
    QVERIFY(arguments);
    QVERIFY(arguments->text().contains(u'\n'));
    QVERIFY(!page->findChild<QLabel*>(u"retriesEmptyState"_s)->isVisible());
    if (scenario == u"float"_s)
        QVERIFY(visibleText(answer).contains(
            call.value(u"repairs"_s).toArray().at(0).toObject().value(u"description"_s).toString()));
    if (scenario == u"hermes"_s)
        QVERIFY(visibleText(answer).contains(u"rescued from the text"_s));
}

void TestRetriesPage::passThrough_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addRow("models") << u"models"_s;
    QTest::addRow("chat without tools") << u"text"_s;
}

void TestRetriesPage::passThrough()
{
    QFETCH(QString, scenario);
    const Trace::Exchange& exchange = m_exchanges.value(scenario);
    QCOMPARE(exchange.outcome, Trace::Outcome::Passthrough);
    // Shown after an exchange with cards: the cards go.
    auto page = showOnPage(m_exchanges.value(u"native"_s), 1);
    page->showExchange(exchange);
    QTRY_COMPARE(page->cards().size(), 0);
    auto* empty = page->findChild<QLabel*>(u"retriesEmptyState"_s);
    QVERIFY(empty->isVisible());
    QVERIFY(empty->text().contains(u"passed this exchange through untouched"_s));
    QVERIFY(!page->findChild<QScrollArea*>(u"retriesScroll"_s)->isVisible());
    QTest::qWait(50); // a stale job for the first exchange must not bring cards back
    QCOMPARE(page->cards().size(), 0);
}

void TestRetriesPage::backendRefusal()
{
    // One card with the status and what the backend said.
    const Trace::Exchange& exchange = m_exchanges.value(u"refused"_s);
    QCOMPARE(exchange.attempts.size(), 1);
    auto page = showOnPage(exchange, 1);
    QCOMPARE(page->cards().size(), 1);
    AttemptCard* card = page->cards().at(0);
    const QString header = visibleText(child(card, u"attemptHeader"_s));
    QVERIFY2(header.contains(u"HTTP 401"_s), qPrintable(header));
    auto* preview = qobject_cast<QLabel*>(child(card, u"responsePreview"_s));
    QVERIFY2(preview, qPrintable(visibleText(card)));
    QCOMPARE(QJsonDocument::fromJson(preview->text().toUtf8()),
        QJsonDocument::fromJson(exchange.attempts.at(0).response.body));
    QVERIFY(visibleText(child(card, u"attemptAnswer"_s)).contains(u"What the backend sent"_s));
}

void TestRetriesPage::transportError()
{
    auto page = showOnPage(m_exchanges.value(u"transport-error"_s), 2);
    QCOMPARE(page->cards().size(), 2);
    AttemptCard* card = page->cards().at(1);
    QVERIFY(visibleText(child(card, u"attemptError"_s)).contains(u"Connection refused"_s));
    QCOMPARE(qobject_cast<QLabel*>(child(card, u"attemptVerdict"_s))->text(), u"failed"_s);
    QVERIFY(visibleText(child(card, u"attemptHeader"_s)).contains(u"no HTTP answer"_s));
    QVERIFY(!child(card, u"attemptDiff"_s));
}

void TestRetriesPage::nearMiss()
{
    const Trace::Exchange& exchange = m_exchanges.value(u"near-miss"_s);
    const QJsonObject rescue = exchange.attempts.at(0).guard.value(u"rescue"_s).toObject();
    QVERIFY(rescue.value(u"near_miss"_s).toBool());
    auto page = showOnPage(exchange, 1);
    QCOMPARE(page->cards().size(), 1);
    AttemptCard* card = page->cards().at(0);
    QCOMPARE(card->property("verdict").toString(), u"retry"_s);
    QWidget* issues = child(card, u"attemptIssues"_s);
    QVERIFY(issues);
    QVERIFY(child(issues, u"nearMiss"_s));
    const QJsonArray rescueIssues = rescue.value(u"issues"_s).toArray();
    for (const QJsonValue& issue : rescueIssues)
        QVERIFY2(visibleText(issues).contains(issue.toString()), qPrintable(visibleText(issues)));
    QVERIFY(visibleText(child(card, u"answerText"_s)).contains(u"<tool_call>"_s));
    // A text answer is corrected with a user message.
    const QList<QFrame*> turns = card->findChildren<QFrame*>(u"correctionTurn"_s);
    QVERIFY(!turns.isEmpty());
    QCOMPARE(turns.last()->property("role").toString(), u"user"_s);
    QVERIFY(!visibleText(child(turns.last(), u"turnText"_s)).isEmpty());
}

void TestRetriesPage::keepsScrollWhileRunning()
{
    // The stubborn exchange as it looked while attempt 3 was still running, then finished.
    const Trace::Exchange& finished = m_exchanges.value(u"stubborn"_s);
    const Trace::Exchange& running = m_exchanges.value(u"stubborn-running"_s);

    auto page = showOnPage(running, 3);
    page->resize(700, 350);
    QCOMPARE(page->cards().last()->property("verdict").toString(), QString());
    QCOMPARE(qobject_cast<QLabel*>(child(page->cards().last(), u"attemptVerdict"_s))->text(), u"running"_s);
    QVERIFY(page->findChild<QLabel*>(u"retriesSummary"_s)->text().contains(u"running"_s));
    QScrollBar* bar = page->findChild<QScrollArea*>(u"retriesScroll"_s)->verticalScrollBar();
    QTRY_VERIFY(bar->maximum() > 400);
    bar->setValue(300);
    const QPointer<AttemptCard> firstCard = page->cards().at(0);

    // Shown again unchanged, as the detail pane does a few times a second: nothing moves.
    for (int i = 0; i < 3; ++i) {
        page->showExchange(running);
        QTest::qWait(30);
    }
    QCOMPARE(bar->value(), 300);
    QVERIFY(firstCard);
    QCOMPARE(page->cards().at(0), firstCard.data());

    // The exchange grows and finishes: cards come at the bottom, the view stays where it was.
    page->showExchange(finished);
    QTRY_COMPARE(page->cards().size(), 4);
    QVERIFY(firstCard);
    QCOMPARE(page->cards().at(0), firstCard.data());
    QCOMPARE(page->cards().at(2)->property("verdict").toString(), u"retry"_s);
    QTest::qWait(50);
    QCOMPARE(bar->value(), 300);
}

void TestRetriesPage::anotherExchangeStartsAtTop()
{
    auto page = showOnPage(m_exchanges.value(u"stubborn"_s), 4);
    page->resize(700, 350);
    QScrollBar* bar = page->findChild<QScrollArea*>(u"retriesScroll"_s)->verticalScrollBar();
    QTRY_VERIFY(bar->maximum() > 400);
    bar->setValue(400);
    const QPointer<AttemptCard> before = page->cards().at(0);
    page->showExchange(m_exchanges.value(u"stubborn-stream"_s));
    QTRY_VERIFY(!before && page->cards().size() == 4);
    QCOMPARE(bar->value(), 0);
}

void TestRetriesPage::diffFollowsPalette()
{
    // Added and removed lines and the verdict badges are drawn for the palette: dark on a dark
    // one, light on a light one.
    auto page = showOnPage(m_exchanges.value(u"unknown-tool"_s), 2);
    const auto lightness = [&](const QString& objectName) {
        QWidget* widget = child(page->cards().at(1), objectName);
        return widget ? colouredLightness(widget) : -1.0;
    };
    const double lightDiff = lightness(u"diffText"_s);
    const double lightBadge = lightness(u"attemptVerdict"_s);
    page->setPalette(darkPalette());
    const QPointer<AttemptCard> before = page->cards().at(1);
    QTRY_VERIFY(!before && page->cards().size() == 2); // rebuilt for the palette
    const double darkDiff = lightness(u"diffText"_s);
    const double darkBadge = lightness(u"attemptVerdict"_s);
    const QString figures
        = u"diff %1 / %2, badge %3 / %4"_s.arg(lightDiff).arg(darkDiff).arg(lightBadge).arg(darkBadge);
    QVERIFY2(lightDiff > 170 && darkDiff >= 0 && darkDiff < 110, qPrintable(figures));
    QVERIFY2(lightBadge > 150 && darkBadge >= 0 && darkBadge < 110, qPrintable(figures));
}

void TestRetriesPage::screenshots_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<bool>("dark");
    for (const char* scenario : { "unknown-tool", "stubborn", "bad-args", "native", "models", "hermes",
             "stubborn-running", "transport-error", "refused", "near-miss" }) {
        QTest::addRow("%s", scenario) << QString::fromLatin1(scenario) << false;
        QTest::addRow("%s-dark", scenario) << QString::fromLatin1(scenario) << true;
    }
}

void TestRetriesPage::screenshots()
{
    QFETCH(QString, scenario);
    QFETCH(bool, dark);
    const Trace::Exchange& exchange = m_exchanges.value(scenario);
    const int cards = exchange.outcome == Trace::Outcome::Passthrough ? 0 : int(exchange.attempts.size());
    QVERIFY(!exchange.attempts.isEmpty());
    auto page = showOnPage(exchange, cards);
    if (dark)
        page->setPalette(darkPalette());
    page->resize(900, 1400);
    QTest::qWait(100);
    QCOMPARE(page->cards().size(), cards);
    const QImage image = page->grab().toImage();
    QVERIFY(!image.isNull());
    QVERIFY(QDir().mkpath(screenshotDirectory()));
    const QString path = QDir(screenshotDirectory())
                             .filePath(u"retries-%1%2.png"_s.arg(scenario, dark ? u"-dark"_s : QString()));
    QVERIFY2(image.save(path), qPrintable(path));
}

QTEST_MAIN(TestRetriesPage)
#include "tst_ui_retriespage.moc"
