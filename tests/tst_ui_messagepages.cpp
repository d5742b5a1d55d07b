// The Request, Response and "Client vs upstream" tabs, and the views they are made of (JSON
// tree, stream events, chat rendering), over real exchanges from the demo model through the
// real proxy.
#include "chathtml.h"
#include "detailpages.h"
#include "displaytext.h"
#include "exchangefixtures.h"
#include "httpmessageview.h"
#include "jsontreemodel.h"
#include "messagepages.h"
#include "uitestsupport.h"
#include "widgettext.h"

#include <QAbstractItemModelTester>
#include <QAbstractItemView>
#include <QComboBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTabWidget>
#include <QTextBrowser>
#include <QTextDocument>
#include <QtTest>

using namespace Qt::StringLiterals;

namespace {

const QString kKey = u"sk-pages-test-0f1e2d3c4b5a69788796"_s;

QString plainText(const QString& html)
{
    QTextDocument document;
    document.setHtml(html);
    return document.toPlainText();
}

} // namespace

class TestMessagePages : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void breakLongLines_data();
    void breakLongLines();
    void longBodyStaysReadable();
    void jsonTree();
    void jsonTreeOfEmbeddedArguments();
    void jsonTreeIsBoundedInDepth();
    void streamEventModel();
    void chatHtmlEscapesAndNamesToolResults();
    void requestPage_data();
    void requestPage();
    void responsePageWhole();
    void responsePageStream();
    void subTabChoiceIsKept();
    void compareRetried();
    void compareRescued();
    void compareModelOverride();
    void keyNeverShown();
    void darkPaletteRendersAgain();
    void copiedStreamIsOneCompletion();

private:
    std::unique_ptr<DemoExchanges> m_demo;
};

void TestMessagePages::initTestCase()
{
    m_demo = std::make_unique<DemoExchanges>(kKey);
}

void TestMessagePages::breakLongLines_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<int>("broken");
    QTest::addRow("empty") << QString() << QString() << 0;
    QTest::addRow("short lines untouched") << u"abc\nde\n"_s << u"abc\nde\n"_s << 0;
    QTest::addRow("exactly the limit") << u"abcd\nabcd"_s << u"abcd\nabcd"_s << 0;
    QTest::addRow("one long line") << u"abcdefghij"_s << u"abcd\nefgh\nij"_s << 1;
    QTest::addRow("long line in the middle") << u"ab\nabcdefgh\ncd"_s << u"ab\nabcd\nefgh\ncd"_s << 1;
    QTest::addRow("trailing newline kept") << u"abcdefgh\n"_s << u"abcd\nefgh\n"_s << 1;
    QTest::addRow("two long lines") << u"abcde\nvwxyz"_s << u"abcd\ne\nvwxy\nz"_s << 2;
}

void TestMessagePages::breakLongLines()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    QFETCH(int, broken);
    qsizetype brokenLines = -1;
    const QString shown = ::breakLongLines(text, 4, &brokenLines);
    QCOMPARE(shown, expected);
    QCOMPARE(brokenLines, broken);
    // Only line breaks were added.
    QCOMPARE(QString(shown).remove(u'\n'), QString(text).remove(u'\n'));
}

void TestMessagePages::longBodyStaysReadable()
{
    // A compact body of 300 KB on one line: the Raw tab breaks it for display and says so; the
    // chat view shows the start of the long message and points to the Raw tab.
    Trace::HttpRecord record;
    record.method = "POST";
    record.url = "/v1/chat/completions";
    const QString longText = QString(300'000, u'x');
    record.body = QJsonDocument(QJsonObject { { u"messages"_s, QJsonArray { QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, longText } } } } })
                      .toJson(QJsonDocument::Compact);
    HttpMessageView view(HttpMessageView::Side::Request);
    view.showRecord(u"long"_s, record);
    QTRY_VERIFY(!view.rawText().isEmpty());
    QVERIFY(view.rawText().split(u'\n').size() > 150);
    QCOMPARE(view.rawText().remove(u'\n').size(), QString::fromUtf8(record.body).size() + QString::fromUtf8("POST /v1/chat/completions").size());
    QVERIFY(view.findChild<QLabel*>(u"messageNote"_s)->text().contains(u"broken for display"_s));
    QVERIFY(view.chatText().contains(u"more characters: see the Raw tab"_s));
    QVERIFY(view.chatText().size() < 30'000);
}

void TestMessagePages::jsonTree()
{
    JsonTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setTree(JsonTree::fromJson(R"({"model":"qwen3","messages":[{"role":"user","content":"hi"},{"role":"user","content":null}],"n":1.5,"stream":true})"));
    QCOMPARE(model.rowCount(), 1);
    const QModelIndex root = model.index(0, 0);
    QCOMPARE(model.rowCount(root), 4);
    QCOMPARE(model.index(0, JsonTreeModel::ValueColumn).data().toString(), u"{4 members}"_s);
    const QModelIndex messages = model.index(0, 0, root);
    QCOMPARE(messages.data().toString(), u"messages"_s);
    QCOMPARE(model.index(0, JsonTreeModel::ValueColumn, root).data().toString(), u"[2 items]"_s);
    const QModelIndex second = model.index(1, 0, messages);
    QCOMPARE(second.data().toString(), u"[1]"_s);
    // Members are listed by name, as QJsonObject keeps them (the Raw tab has the wire order).
    QCOMPARE(model.index(0, 0, second).data().toString(), u"content"_s);
    QCOMPARE(model.index(0, JsonTreeModel::ValueColumn, second).data().toString(), u"null"_s);
    QCOMPARE(model.index(0, 0, second).data(JsonTreeModel::PointerRole).toString(), u"/messages/1/content"_s);
    QCOMPARE(model.index(1, JsonTreeModel::ValueColumn, model.index(0, 0, messages)).data().toString(), u"\"user\""_s);
    QCOMPARE(model.index(2, JsonTreeModel::ValueColumn, root).data().toString(), u"1.5"_s);
    QCOMPARE(model.index(3, JsonTreeModel::TypeColumn, root).data().toString(), u"boolean"_s);
    model.setTree(nullptr);
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!JsonTree::fromJson("not json"));
}

void TestMessagePages::jsonTreeOfEmbeddedArguments()
{
    // Tool-call arguments are a JSON string: the tree reads them too, at the string's pointer.
    JsonTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setTree(JsonTree::fromJson(R"({"arguments":"{\"city\":\"Paris\",\"days\":[1,2]}","text":"{not json}"})"));
    const QModelIndex root = model.index(0, 0);
    const QModelIndex arguments = model.index(0, 0, root);
    QCOMPARE(model.index(0, JsonTreeModel::TypeColumn, root).data().toString(), u"string (JSON)"_s);
    QCOMPARE(model.rowCount(arguments), 1);
    const QModelIndex parsed = model.index(0, 0, arguments);
    QCOMPARE(parsed.data().toString(), u"(parsed)"_s);
    QCOMPARE(model.rowCount(parsed), 2);
    QCOMPARE(model.index(0, JsonTreeModel::ValueColumn, parsed).data().toString(), u"\"Paris\""_s);
    QCOMPARE(model.index(0, 0, parsed).data(JsonTreeModel::PointerRole).toString(), u"/arguments/city"_s);
    QCOMPARE(model.rowCount(model.index(1, 0, root)), 0); // "{not json}" stays a string
}

void TestMessagePages::jsonTreeIsBoundedInDepth()
{
    QByteArray deep = QByteArray(1000, '[') + QByteArray(1000, ']');
    const auto tree = JsonTree::fromJson(deep);
    if (!tree) // Qt's own parser refuses this depth: also fine, nothing to show
        return;
    QVERIFY(tree->nodeCount() <= 300);
}

void TestMessagePages::streamEventModel()
{
    StreamEventModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QList<Trace::StreamEvent> events = { { 1000, "a" }, { 3500, "b" } };
    model.setEvents(events);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(1, StreamEventModel::ArrivalColumn).data().toString(), u"3.5"_s);
    QCOMPARE(model.index(1, StreamEventModel::GapColumn).data().toString(), u"2.5"_s);
    QCOMPARE(model.index(0, StreamEventModel::GapColumn).data().toString(), u"–"_s);
    // A growing stream appends rows (no reset: the user's selection stays).
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    events.append({ 4000, "c" });
    model.setEvents(events);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(reset.size(), 0);
    QCOMPARE(model.rowCount(), 3);
    model.setEvents({ { 0, "other" } });
    QCOMPARE(reset.size(), 1);
}

void TestMessagePages::chatHtmlEscapesAndNamesToolResults()
{
    const QJsonObject body = QJsonDocument::fromJson(R"({"model":"m","tool_choice":"auto","messages":[
        {"role":"system","content":"Be brief."},
        {"role":"user","content":[{"type":"text","text":"Weather <b>now</b>?"},{"type":"image_url","image_url":{"url":"x"}}]},
        {"role":"assistant","content":"<tool_call>{}</tool_call>","tool_calls":[{"id":"call_9","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
        {"role":"tool","tool_call_id":"call_9","content":"18 C"}],
        "tools":[{"type":"function","function":{"name":"get_weather","description":"Current weather","parameters":{"type":"object"}}}]})").object();
    QVERIFY(ChatHtml::isChatRequest(body));
    const QString text = plainText(ChatHtml::request(body, ChatHtml::Colours::fromPalette(QPalette())));
    for (const QString& expected : { u"system"_s, u"Be brief."_s, u"Weather <b>now</b>?"_s, u"[image_url]"_s, u"<tool_call>{}</tool_call>"_s,
                                     u"get_weather"_s, u"\"city\": \"Paris\""_s, u"result of get_weather (call_9)"_s, u"18 C"_s,
                                     u"Declared tools (1)"_s, u"Current weather"_s, u"tool_choice auto"_s })
        QVERIFY2(text.contains(expected), qPrintable(expected + u"\n---\n"_s + text));
    const QString error = plainText(ChatHtml::completion(QJsonDocument::fromJson(R"({"error":{"message":"no <model>","type":"invalid_request_error"}})").object(),
                                                         ChatHtml::Colours::fromPalette(QPalette())));
    QVERIFY(error.contains(u"no <model>"_s));
    QVERIFY(error.contains(u"invalid_request_error"_s));
}

void TestMessagePages::requestPage_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<bool>("stream");
    QTest::addRow("native") << u"native"_s << false;
    QTest::addRow("hermes streamed") << u"hermes"_s << true;
    QTest::addRow("text") << u"text"_s << false;
}

void TestMessagePages::requestPage()
{
    QFETCH(QString, scenario);
    QFETCH(bool, stream);
    const Trace::Exchange exchange = m_demo->run(scenario, stream);
    QVERIFY(exchange.id);
    RequestPage page;
    page.showExchange(exchange);
    HttpMessageView* view = page.view();
    QTRY_VERIFY(!view->chatText().isEmpty());
    QCOMPARE(view->tabs()->currentIndex(), int(HttpMessageView::ChatTab));
    const QJsonObject body = QJsonDocument::fromJson(exchange.clientRequest.body).object();
    const QString firstUser = body.value("messages"_L1).toArray().last().toObject().value("content"_L1).toString();
    QVERIFY2(view->chatText().contains(firstUser), qPrintable(view->chatText()));
    for (const QString& tool : exchange.toolNames)
        QVERIFY(view->chatText().contains(tool));
    QVERIFY(view->rawText().startsWith(u"POST /v1/chat/completions\n"_s));
    QVERIFY(view->tabs()->isTabEnabled(HttpMessageView::JsonTab));
    QVERIFY(!view->tabs()->isTabEnabled(HttpMessageView::EventsTab));
    QCOMPARE(view->jsonModel()->rowCount(view->jsonModel()->index(0, 0)), body.size());
}

void TestMessagePages::responsePageWhole()
{
    const Trace::Exchange exchange = m_demo->run(u"hermes"_s, false);
    QCOMPARE(exchange.outcome, Trace::Outcome::Rescued);
    ResponsePage page;
    page.showExchange(exchange);
    HttpMessageView* view = page.view();
    QTRY_VERIFY(!view->chatText().isEmpty());
    // The client got a native call; the markup the model wrote is gone from the answer.
    QVERIFY(view->chatText().contains(u"get_weather"_s));
    QVERIFY(view->chatText().contains(u"finish reason tool_calls"_s));
    QVERIFY(!view->chatText().contains(u"<tool_call>"_s));
    QVERIFY(view->rawText().startsWith(u"HTTP 200\n"_s));
    QVERIFY(view->rawText().contains(u"X-Temper-Outcome: rescued"_s, Qt::CaseInsensitive));
}

void TestMessagePages::responsePageStream()
{
    const Trace::Exchange exchange = m_demo->run(u"native"_s, true);
    QVERIFY(exchange.streamed);
    QVERIFY(exchange.clientResponse.events.size() >= 3); // role and call, finish, [DONE]
    ResponsePage page;
    page.show();
    page.showExchange(exchange);
    HttpMessageView* view = page.view();
    QTRY_COMPARE(view->eventModel()->rowCount(), int(exchange.clientResponse.events.size()));
    QVERIFY(view->tabs()->isTabEnabled(HttpMessageView::EventsTab));
    // Arrival times increase down the list, and the reassembled message holds the whole call.
    const QAbstractItemModel* events = view->eventModel();
    double previous = -1;
    for (int row = 0; row < events->rowCount(); ++row) {
        const double at = events->index(row, StreamEventModel::ArrivalColumn).data().toString().toDouble();
        QVERIFY(at >= previous);
        previous = at;
    }
    QCOMPARE(events->index(events->rowCount() - 1, StreamEventModel::DataColumn).data().toString(), u"[DONE]"_s);
    QVERIFY(view->reassembledText().contains(u"get_weather"_s));
    QVERIFY2(view->reassembledText().contains(u"\"city\""_s), qPrintable(view->reassembledText()));
    QVERIFY(view->reassembledText().contains(u"finish reason tool_calls"_s));
}

void TestMessagePages::subTabChoiceIsKept()
{
    const Trace::Exchange first = m_demo->run(u"native"_s, false);
    const Trace::Exchange second = m_demo->run(u"text"_s, false);
    RequestPage page;
    page.showExchange(first);
    QTRY_VERIFY(page.view()->tabs()->isTabEnabled(HttpMessageView::JsonTab));
    page.view()->tabs()->setCurrentIndex(HttpMessageView::JsonTab); // the user's choice
    page.showExchange(second);
    QTRY_VERIFY(page.view()->chatText().contains(QJsonDocument::fromJson(second.clientRequest.body).object()
                                                     .value("messages"_L1).toArray().last().toObject().value("content"_L1).toString()));
    QCOMPARE(page.view()->tabs()->currentIndex(), int(HttpMessageView::JsonTab));
    // A message without JSON falls back to Raw without forgetting the choice.
    page.clearExchange();
    page.showExchange(first);
    QTRY_COMPARE(page.view()->tabs()->currentIndex(), int(HttpMessageView::JsonTab));
}

void TestMessagePages::compareRetried()
{
    const Trace::Exchange exchange = m_demo->run(u"unknown-tool"_s, false);
    QCOMPARE(exchange.outcome, Trace::Outcome::Retried);
    QCOMPARE(exchange.attempts.size(), 2);
    ComparePage page;
    page.showExchange(exchange);
    QCOMPARE(page.attemptBox()->count(), 2);
    QCOMPARE(page.attemptBox()->currentIndex(), 1); // the answer the client got
    QVERIFY2(page.changesText().contains(u"2 messages appended after the client's"_s), qPrintable(page.changesText()));
    QTRY_VERIFY(page.view(u"upstreamRequestView"_s)->chatText().contains(u"tool"_s));
    page.attemptBox()->setCurrentIndex(0);
    QVERIFY2(page.changesText().contains(u"Sent exactly as the client wrote it"_s) || page.changesText().contains(u"sent to"_s),
             qPrintable(page.changesText()));
    QVERIFY(!page.changesText().contains(u"appended"_s));
    QVERIFY(page.changesText().contains(u"Temper retried after this answer"_s));
    // Showing the same exchange again keeps the attempt the user picked.
    page.showExchange(exchange);
    QCOMPARE(page.attemptBox()->currentIndex(), 0);
}

void TestMessagePages::compareRescued()
{
    const Trace::Exchange exchange = m_demo->run(u"mistral"_s, true);
    QCOMPARE(exchange.outcome, Trace::Outcome::Rescued);
    ComparePage page;
    page.showExchange(exchange);
    QVERIFY2(page.changesText().contains(u"tool calls recovered from the text: get_weather"_s), qPrintable(page.changesText()));
    QVERIFY(page.changesText().contains(u"[TOOL_CALLS]"_s));
    QTRY_VERIFY(page.view(u"upstreamResponseView"_s)->reassembledText().contains(u"[TOOL_CALLS]"_s));
}

void TestMessagePages::compareModelOverride()
{
    // --model replaces the client's model: the upstream side says so.
    Config::Settings settings = m_demo->proxy()->settings();
    settings.backend.model = u"mimo-v2.5"_s;
    QVERIFY(m_demo->proxy()->applySettings(settings));
    const Trace::Exchange exchange = m_demo->run(u"native"_s, false);
    settings.backend.model.clear();
    QVERIFY(m_demo->proxy()->applySettings(settings));
    ComparePage page;
    page.showExchange(exchange);
    QVERIFY2(page.changesText().contains(u"→ \"mimo-v2.5\""_s), qPrintable(page.changesText()));
}

void TestMessagePages::keyNeverShown()
{
    // The backend key went out on every upstream request; no view shows it.
    const Trace::Exchange exchange = m_demo->run(u"unknown-tool"_s, true, "X-Api-Key", kKey.toUtf8());
    ComparePage compare;
    RequestPage request;
    ResponsePage response;
    for (ExchangePage* page : std::initializer_list<ExchangePage*> { &compare, &request, &response })
        page->showExchange(exchange);
    QTRY_VERIFY(compare.view(u"upstreamRequestView"_s)->rawText().contains(u"Authorization"_s, Qt::CaseInsensitive));
    QTRY_VERIFY(!request.view()->rawText().isEmpty());
    for (HttpMessageView* view : compare.findChildren<HttpMessageView*>()) {
        for (int tab = 0; tab < view->tabs()->count(); ++tab)
            view->tabs()->setCurrentIndex(tab);
    }
    QTest::qWait(200);
    for (const QWidget* page : std::initializer_list<const QWidget*> { &compare, &request, &response }) {
        const QString text = widgetText(page);
        QVERIFY(!text.isEmpty());
        QVERIFY2(!text.contains(kKey), qPrintable(page->objectName()));
    }
    QVERIFY(compare.view(u"upstreamRequestView"_s)->rawText().contains(Trace::maskSecret(kKey)));
}

void TestMessagePages::darkPaletteRendersAgain()
{
    const Trace::Exchange exchange = m_demo->run(u"native"_s, false);
    RequestPage page;
    page.showExchange(exchange);
    auto* chat = page.findChild<QTextBrowser*>(u"chatView"_s);
    QTRY_VERIFY(!page.view()->chatText().isEmpty());
    const QPalette dark = darkPalette();
    QVERIFY(!chat->toHtml().contains(u"#1e1e1e"_s));
    page.setPalette(dark);
    QTRY_VERIFY(chat->toHtml().contains(u"#1e1e1e"_s));
    QVERIFY(chat->toHtml().contains(u"#262626"_s));
}

void TestMessagePages::copiedStreamIsOneCompletion()
{
    // "Copy response JSON" on a stream gives the message the client accumulated, as JSON.
    const Trace::Exchange exchange = m_demo->run(u"hermes"_s, true);
    QVERIFY(exchange.streamed);
    const QJsonObject copied = QJsonDocument::fromJson(responseJson(exchange).toUtf8()).object();
    const QJsonObject choice = copied.value("choices"_L1).toArray().first().toObject();
    QCOMPARE(choice.value("finish_reason"_L1).toString(), u"tool_calls"_s);
    const QJsonObject function = choice.value("message"_L1).toObject().value("tool_calls"_L1).toArray().first().toObject().value("function"_L1).toObject();
    QCOMPARE(function.value("name"_L1).toString(), u"get_weather"_s);
    QCOMPARE(QJsonDocument::fromJson(function.value("arguments"_L1).toString().toUtf8()).object().value("city"_L1).toString(), u"Paris"_s);
}

QTEST_MAIN(TestMessagePages)
#include "tst_ui_messagepages.moc"
