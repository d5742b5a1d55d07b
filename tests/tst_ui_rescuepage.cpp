// The Rescue tab over real exchanges (the demo model through the real proxy) and over guard
// findings made by the real guard core from texts the demo model does not write (non-ASCII
// text around a call, a near miss).
#include "exchangefixtures.h"
#include "demo/demotraffic.h"
#include "guard/attempt.h"
#include "guard/guardtrace.h"
#include "guard/retrypolicy.h"
#include "rescuepage.h"

#include <QComboBox>
#include <QJsonArray>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTreeWidget>
#include <QtTest>

using namespace Qt::StringLiterals;

namespace {

// A QTextDocument's text between two positions, with its block separators back as newlines.
QString selectedText(const QTextEdit::ExtraSelection& selection)
{
    return selection.cursor.selectedText().replace(QChar::ParagraphSeparator, u'\n');
}

QString withNewlines(QString text)
{
    return text.replace(u"\r\n"_s, u"\n"_s);
}

// What the client really got as tool_calls: from the whole answer, or gathered from the
// stream's deltas (Temper sends each call whole, in one delta).
QJsonArray clientToolCalls(const Trace::Exchange& exchange)
{
    if (!exchange.streamed) {
        const QJsonObject body = QJsonDocument::fromJson(exchange.clientResponse.body).object();
        return body.value("choices"_L1).toArray().first().toObject().value("message"_L1).toObject().value("tool_calls"_L1).toArray();
    }
    QJsonArray calls;
    for (const Trace::StreamEvent& event : exchange.clientResponse.events) {
        const QJsonObject delta = QJsonDocument::fromJson(event.data).object().value("choices"_L1).toArray().first().toObject().value("delta"_L1).toObject();
        for (const QJsonValue& call : delta.value("tool_calls"_L1).toArray()) {
            QJsonObject object = call.toObject();
            object.remove(u"index"_s);
            calls.append(object);
        }
    }
    return calls;
}

// One attempt's findings, made by the guard core from `text` as a backend's whole answer, in an
// exchange that declared the demo tools.
Trace::Exchange exchangeFromText(const QString& text)
{
    const Guard::ToolCatalog tools = Guard::ToolCatalog::fromTools(Demo::Traffic::exampleTools());
    const Guard::AttemptAnalysis analysis = Guard::analyzeAttempt(text, {}, {}, u"stop"_s, tools, {});
    const Guard::Decision decision = Guard::RetryPolicy::decide({}, 3, 1, analysis);
    Trace::Exchange exchange;
    exchange.id = 9001;
    exchange.route = u"chat"_s;
    exchange.toolNames = tools.names();
    exchange.finished = true;
    Trace::Attempt attempt;
    attempt.index = 1;
    attempt.guard = Guard::attemptGuardJson(analysis, decision, {});
    exchange.attempts.append(attempt);
    return exchange;
}

} // namespace

class TestRescuePage : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void documentPosition_data();
    void documentPosition();
    void rescuedSpans_data();
    void rescuedSpans();
    void nonAsciiSpans();
    void severalCalls();
    void nearMiss();
    void repairs_data();
    void repairs();
    void emptyStates_data();
    void emptyStates();
    void attemptPicker();
    void reshowKeepsView();
    void callColours_data();
    void callColours();

private:
    Trace::Exchange exchange(const QString& scenario, bool stream);

    std::unique_ptr<DemoExchanges> m_demo;
    QHash<QString, Trace::Exchange> m_exchanges;
};

void TestRescuePage::initTestCase()
{
    m_demo = std::make_unique<DemoExchanges>();
}

void TestRescuePage::cleanupTestCase()
{
    m_demo.reset();
}

Trace::Exchange TestRescuePage::exchange(const QString& scenario, bool stream)
{
    const QString key = scenario + (stream ? u"/stream"_s : u"/whole"_s);
    if (!m_exchanges.contains(key))
        m_exchanges.insert(key, m_demo->run(scenario, stream));
    return m_exchanges.value(key);
}

void TestRescuePage::documentPosition_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("offset");
    QTest::addColumn<int>("position");
    QTest::addRow("ascii") << u"abc\ndef"_s << 5 << 5;
    QTest::addRow("crlf before") << u"ab\r\ncd"_s << 5 << 4;
    QTest::addRow("two crlf") << u"a\r\nb\r\nc"_s << 6 << 4;
    QTest::addRow("lone cr") << u"a\rb"_s << 2 << 2;
    QTest::addRow("surrogate pair") << u"😀x"_s << 2 << 2;
    QTest::addRow("past the end") << u"ab"_s << 9 << 2;
}

void TestRescuePage::documentPosition()
{
    QFETCH(QString, text);
    QFETCH(int, offset);
    QFETCH(int, position);
    QCOMPARE(RescuePage::documentPosition(text, offset), position);
    // The document agrees: the character there is the one at the offset.
    QTextDocument document(text);
    if (offset < text.size() && text.at(offset) != u'\n' && text.at(offset) != u'\r')
        QCOMPARE(document.characterAt(position), text.at(offset));
}

void TestRescuePage::rescuedSpans_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<bool>("stream");
    QTest::addColumn<QString>("parser");
    QTest::addColumn<QString>("opening"); // how the call's own markup starts
    QTest::addColumn<QString>("closing");
    QTest::addRow("hermes") << u"hermes"_s << false << u"hermes"_s << u"<tool_call>"_s << u"</tool_call>"_s;
    QTest::addRow("hermes, streamed") << u"hermes"_s << true << u"hermes"_s << u"<tool_call>"_s << u"</tool_call>"_s;
    QTest::addRow("mistral") << u"mistral"_s << false << u"mistral"_s << u"{"_s << u"}"_s;
    QTest::addRow("mistral, streamed") << u"mistral"_s << true << u"mistral"_s << u"{"_s << u"}"_s;
    QTest::addRow("fenced") << u"fenced"_s << false << u"json_fence"_s << u"{"_s << u"}"_s;
}

void TestRescuePage::rescuedSpans()
{
    QFETCH(QString, scenario);
    QFETCH(bool, stream);
    QFETCH(QString, parser);
    QFETCH(QString, opening);
    QFETCH(QString, closing);

    const Trace::Exchange e = exchange(scenario, stream);
    QCOMPARE(e.outcome, Trace::Outcome::Rescued);
    const QJsonObject guard = e.attempts.last().guard;
    const QString text = guard.value("text"_L1).toString();
    const QJsonArray calls = guard.value("calls"_L1).toArray();
    QCOMPARE(calls.size(), 1);

    RescuePage page;
    QCOMPARE(page.objectName(), u"rescuePage"_s);
    QCOMPARE(page.title(), u"Rescue"_s);
    page.showExchange(e);
    QVERIFY(page.findChild<QLabel*>(u"rescueEmptyState"_s)->isHidden());
    QVERIFY(!page.findChild<QWidget*>(u"attemptPicker"_s)->isVisibleTo(&page)); // one attempt: no picker

    // The raw text, with exactly the span of the call highlighted.
    auto* modelText = page.findChild<QPlainTextEdit*>(u"rescueText"_s);
    QCOMPARE(modelText->toPlainText(), withNewlines(text));
    const QList<QTextEdit::ExtraSelection> spans = modelText->extraSelections();
    QCOMPARE(spans.size(), 1);
    const QJsonArray span = calls.first().toObject().value("span"_L1).toArray();
    const QString markup = text.mid(span.at(0).toInteger(), span.at(1).toInteger() - span.at(0).toInteger());
    QCOMPARE(selectedText(spans.first()), withNewlines(markup));
    QVERIFY2(markup.startsWith(opening) && markup.endsWith(closing), qPrintable(markup));
    QVERIFY(markup.contains(u"get_weather"_s));

    // The parser is named, in the summary too.
    QVERIFY(page.findChild<QLabel*>(u"rescueParser"_s)->text().startsWith(parser));
    QVERIFY(page.findChild<QLabel*>(u"rescueParser"_s)->text().contains(guard.value("rescue"_L1).toObject().value("format"_L1).toString()));
    QVERIFY(page.findChild<QLabel*>(u"rescueSummary"_s)->text().contains(parser));
    const QString content = guard.value("rescue"_L1).toObject().value("content"_L1).toString();
    if (!content.isEmpty())
        QCOMPARE(page.findChild<QLabel*>(u"rescueContent"_s)->text(), content);

    // The emitted calls are exactly what the client received, highlighted like their spans.
    auto* emitted = page.findChild<QPlainTextEdit*>(u"emittedCalls"_s);
    const QJsonArray shown = QJsonDocument::fromJson(emitted->toPlainText().toUtf8()).array();
    QCOMPARE(shown.size(), 1);
    QCOMPARE(shown, clientToolCalls(e));
    const QJsonObject function = shown.first().toObject().value("function"_L1).toObject();
    QCOMPARE(function.value("name"_L1).toString(), u"get_weather"_s);
    QCOMPARE(QJsonDocument::fromJson(function.value("arguments"_L1).toString().toUtf8()).object(),
             calls.first().toObject().value("arguments"_L1).toObject());
    QCOMPARE(emitted->extraSelections().size(), 1);
    QCOMPARE(emitted->extraSelections().first().format.background(), spans.first().format.background());
    QVERIFY(page.findChild<QWidget*>(u"repairsTable"_s)->isHidden());
}

void TestRescuePage::nonAsciiSpans()
{
    // Spans are UTF-16 offsets into the text (Guard::TextSpan): accents, a BMP symbol and
    // characters outside the BMP before the call, Windows line ends around it.
    const QString markup = u"<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Zürich\", \"days\": 2}}\n</tool_call>"_s;
    const QString text = u"Météo für Zürich ☀ — 😀🌧 voilà:\r\n"_s + markup + u"\r\nDanke 👍"_s;
    const Trace::Exchange e = exchangeFromText(text);
    const QJsonArray calls = e.attempts.first().guard.value("calls"_L1).toArray();
    QCOMPARE(calls.size(), 1);
    QCOMPARE(calls.first().toObject().value("span"_L1).toArray().at(0).toInteger(), text.indexOf(u"<tool_call>"_s));

    RescuePage page;
    page.showExchange(e);
    auto* modelText = page.findChild<QPlainTextEdit*>(u"rescueText"_s);
    const QList<QTextEdit::ExtraSelection> spans = modelText->extraSelections();
    QCOMPARE(spans.size(), 1);
    QCOMPARE(selectedText(spans.first()), markup);
    const QString content = e.attempts.first().guard.value("rescue"_L1).toObject().value("content"_L1).toString();
    QVERIFY(content.startsWith(u"Météo für Zürich ☀ — 😀🌧 voilà:"_s) && content.endsWith(u"Danke 👍"_s) && !content.contains(u'<'));
    QCOMPARE(page.findChild<QLabel*>(u"rescueContent"_s)->text(), content);
}

void TestRescuePage::severalCalls()
{
    // Each call gets its own colour, the same on the model's side and on Temper's.
    const QStringList markups = {
        u"<tool_call>{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\", \"days\": 1}}</tool_call>"_s,
        u"<tool_call>{\"name\": \"search_docs\", \"arguments\": {\"query\": \"fjords\"}}</tool_call>"_s,
    };
    const Trace::Exchange e = exchangeFromText(u"Two things.\n"_s + markups.join(u"\n"_s));
    QCOMPARE(e.attempts.first().guard.value("calls"_L1).toArray().size(), 2);
    RescuePage page;
    page.showExchange(e);
    const QList<QTextEdit::ExtraSelection> spans = page.findChild<QPlainTextEdit*>(u"rescueText"_s)->extraSelections();
    const QList<QTextEdit::ExtraSelection> emitted = page.findChild<QPlainTextEdit*>(u"emittedCalls"_s)->extraSelections();
    QCOMPARE(spans.size(), 2);
    QCOMPARE(emitted.size(), 2);
    const QJsonArray calls = QJsonDocument::fromJson(page.findChild<QPlainTextEdit*>(u"emittedCalls"_s)->toPlainText().toUtf8()).array();
    for (int i = 0; i < 2; ++i) {
        QCOMPARE(selectedText(spans.at(i)), markups.at(i));
        QCOMPARE(emitted.at(i).format.background(), spans.at(i).format.background());
        // The highlighted block on Temper's side is that call's own JSON.
        QCOMPARE(QJsonDocument::fromJson(selectedText(emitted.at(i)).toUtf8()).object(), calls.at(i).toObject());
    }
    QVERIFY(spans.at(0).format.background() != spans.at(1).format.background());
    QVERIFY(page.findChild<QLabel*>(u"rescueSummary"_s)->text().contains(u"2 calls"_s));
}

void TestRescuePage::nearMiss()
{
    const QString text = u"Checking.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": }\n</tool_call>"_s;
    const Trace::Exchange e = exchangeFromText(text);
    const QJsonObject rescue = e.attempts.first().guard.value("rescue"_L1).toObject();
    QVERIFY(rescue.value("near_miss"_L1).toBool());
    const QJsonArray issues = rescue.value("issues"_L1).toArray();
    QVERIFY(!issues.isEmpty());

    RescuePage page;
    page.showExchange(e);
    QVERIFY(page.findChild<QLabel*>(u"rescueEmptyState"_s)->isHidden());
    QVERIFY(page.findChild<QLabel*>(u"rescueSummary"_s)->text().contains(u"could not read"_s));
    auto* modelText = page.findChild<QPlainTextEdit*>(u"rescueText"_s);
    QCOMPARE(modelText->toPlainText(), text);
    QVERIFY(modelText->extraSelections().isEmpty());
    QVERIFY(page.findChild<QPlainTextEdit*>(u"emittedCalls"_s)->toPlainText().isEmpty());
    const QString shownIssues = page.findChild<QLabel*>(u"rescueIssues"_s)->text();
    for (const QJsonValue& issue : issues)
        QVERIFY2(shownIssues.contains(issue.toString()), qPrintable(shownIssues));
}

void TestRescuePage::repairs_data()
{
    QTest::addColumn<bool>("stream");
    QTest::addRow("whole") << false;
    QTest::addRow("streamed") << true;
}

void TestRescuePage::repairs()
{
    QFETCH(bool, stream);
    const Trace::Exchange e = exchange(u"float"_s, stream);
    QCOMPARE(e.outcome, Trace::Outcome::Repaired);
    const QJsonObject call = e.attempts.last().guard.value("calls"_L1).toArray().first().toObject();
    QVERIFY(!call.value("rescued"_L1).toBool()); // a native call: the tab explains it too
    const QJsonObject repair = call.value("repairs"_L1).toArray().first().toObject();

    RescuePage page;
    page.showExchange(e);
    QVERIFY(page.findChild<QLabel*>(u"rescueEmptyState"_s)->isHidden());
    auto* table = page.findChild<QTreeWidget*>(u"repairsTable"_s);
    QVERIFY(!table->isHidden());
    QCOMPARE(table->topLevelItemCount(), 1);
    const QTreeWidgetItem* row = table->topLevelItem(0);
    QCOMPARE(row->text(0), u"get_weather"_s);
    QCOMPARE(row->text(1), repair.value("pointer"_L1).toString());
    QCOMPARE(row->text(2), u"integral-float"_s);
    // Before as the model wrote it (a float with a fraction), after as the client got it.
    const QString before = row->text(3);
    QVERIFY2(before.contains(u'.'), qPrintable(before));
    QVERIFY(call.value("arguments_text"_L1).toString().contains(u':' + before));
    QCOMPARE(before.toDouble(), repair.value("before"_L1).toDouble());
    QCOMPARE(row->text(4), QString::number(repair.value("after"_L1).toInteger()));
    QCOMPARE(row->text(5), repair.value("description"_L1).toString());

    // The model's arguments beside the repaired ones the client received.
    QVERIFY(page.findChild<QPlainTextEdit*>(u"rescueText"_s)->toPlainText().contains(before));
    const QJsonArray shown = QJsonDocument::fromJson(page.findChild<QPlainTextEdit*>(u"emittedCalls"_s)->toPlainText().toUtf8()).array();
    QCOMPARE(shown, clientToolCalls(e));
    QVERIFY(!shown.first().toObject().value("function"_L1).toObject().value("arguments"_L1).toString().contains(before));
    QVERIFY(page.findChild<QLabel*>(u"rescueParser"_s)->isHidden());
}

void TestRescuePage::emptyStates_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<bool>("stream");
    QTest::addColumn<QString>("words");
    QTest::addRow("native") << u"native"_s << false << u"native tool_calls (1 call) and nothing needed rescue or repair"_s;
    QTest::addRow("native, streamed") << u"native"_s << true << u"native tool_calls (1 call) and nothing needed rescue or repair"_s;
    QTest::addRow("parallel") << u"parallel"_s << false << u"native tool_calls (2 calls) and nothing needed rescue or repair"_s;
    QTest::addRow("models") << u"models"_s << false << u"declared no tools"_s;
    QTest::addRow("text") << u"text"_s << true << u"declared no tools"_s;
}

void TestRescuePage::emptyStates()
{
    QFETCH(QString, scenario);
    QFETCH(bool, stream);
    QFETCH(QString, words);
    RescuePage page;
    page.showExchange(exchange(scenario, stream));
    auto* empty = page.findChild<QLabel*>(u"rescueEmptyState"_s);
    QVERIFY(!empty->isHidden());
    QVERIFY2(empty->text().contains(words), qPrintable(empty->text()));
    QVERIFY(!page.findChild<QWidget*>(u"attemptPicker"_s)->isVisibleTo(&page));
}

void TestRescuePage::attemptPicker()
{
    RescuePage page;
    auto* picker = page.findChild<QComboBox*>(u"attemptPicker"_s);
    auto* empty = page.findChild<QLabel*>(u"rescueEmptyState"_s);

    // Retried: the accepted attempt first; the rejected one explains its schema break.
    page.showExchange(exchange(u"unknown-tool"_s, false));
    QVERIFY(picker->isVisibleTo(&page));
    QCOMPARE(picker->count(), 2);
    QCOMPARE(picker->currentIndex(), 1);
    QVERIFY(picker->currentText().contains(u"accepted"_s));
    QVERIFY(empty->text().contains(u"nothing needed rescue or repair"_s));
    picker->setCurrentIndex(0);
    emit picker->activated(0);
    QVERIFY(picker->currentText().contains(u"retried"_s));
    QVERIFY2(empty->text().contains(u"There is no tool named \"get_weather_v2\""_s), qPrintable(empty->text()));

    // Gave up: the last attempt; the reader's pick survives a refresh of the same exchange.
    const Trace::Exchange stubborn = exchange(u"stubborn"_s, false);
    page.showExchange(stubborn);
    QCOMPARE(picker->count(), 4);
    QCOMPARE(picker->currentIndex(), 3);
    QVERIFY(picker->currentText().contains(u"gave up"_s));
    picker->setCurrentIndex(1);
    emit picker->activated(1);
    page.showExchange(stubborn);
    QCOMPARE(picker->currentIndex(), 1);
}

void TestRescuePage::reshowKeepsView()
{
    // A refresh with the same findings leaves the texts alone, so scroll positions stay.
    const Trace::Exchange e = exchange(u"hermes"_s, true);
    RescuePage page;
    page.showExchange(e);
    auto* modelText = page.findChild<QPlainTextEdit*>(u"rescueText"_s);
    auto* emitted = page.findChild<QPlainTextEdit*>(u"emittedCalls"_s);
    const int modelRevision = modelText->document()->revision();
    const int emittedRevision = emitted->document()->revision();
    page.showExchange(e);
    QCOMPARE(modelText->document()->revision(), modelRevision);
    QCOMPARE(emitted->document()->revision(), emittedRevision);
    page.clearExchange();
    QVERIFY(!page.findChild<QLabel*>(u"rescueEmptyState"_s)->isHidden());
}

void TestRescuePage::callColours_data()
{
    QTest::addColumn<QColor>("base");
    QTest::addColumn<QColor>("text");
    QTest::addRow("light") << QColor(Qt::white) << QColor(Qt::black);
    QTest::addRow("dark") << QColor(0x1e, 0x1e, 0x1e) << QColor(0xe6, 0xe6, 0xe6);
}

void TestRescuePage::callColours()
{
    QFETCH(QColor, base);
    QFETCH(QColor, text);
    QPalette palette;
    palette.setColor(QPalette::Window, base);
    palette.setColor(QPalette::Base, base);
    palette.setColor(QPalette::Text, text);
    QList<int> hues;
    for (int i = 0; i < 6; ++i) {
        const QColor colour = RescuePage::callColour(i, palette);
        // Text stays readable on the highlight, and the highlight stands out from the page.
        QVERIFY(std::abs(colour.lightness() - text.lightness()) > 110);
        QVERIFY(colour != base);
        for (int hue : std::as_const(hues)) {
            const int distance = std::abs(hue - colour.hslHue());
            QVERIFY(std::min(distance, 360 - distance) >= 20);
        }
        hues.append(colour.hslHue());
    }
}

QTEST_MAIN(TestRescuePage)
#include "tst_ui_rescuepage.moc"
