// The exchange list with 10,000 exchanges: how long adding them, filtering (free text over
// bodies, a structured term), sorting and scrolling take. Exchanges are copies of real ones made
// through the proxy and the demo model, so bodies and traces have their real sizes.
//
//   bench_ui [--count N] [--json]     (runs under QT_QPA_PLATFORM=offscreen)
#include "exchangefixtures.h"
#include "exchangefiltermodel.h"
#include "exchangetablemodel.h"
#include "detailpane.h"
#include "exchangepage.h"
#include "mainwindow.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QJsonArray>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTableView>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

double elapsedMs(const QElapsedTimer& clock)
{
    return double(clock.nsecsElapsed()) / 1e6;
}

} // namespace

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(u"TemperBench"_s);
    const QStringList args = app.arguments();
    int count = 10'000;
    const qsizetype at = args.indexOf(u"--count"_s);
    if (at >= 0 && at + 1 < args.size())
        count = std::max(100, args.at(at + 1).toInt());
    const bool json = args.contains(u"--json"_s);

    DemoExchanges demo;
    QList<Trace::Exchange> samples;
    for (const auto& [scenario, stream] : QList<std::pair<QString, bool>> {
             { u"native"_s, false }, { u"hermes"_s, true }, { u"float"_s, false }, { u"unknown-tool"_s, true },
             { u"text"_s, true }, { u"qwen-xml"_s, false }, { u"models"_s, false } }) {
        samples.append(demo.run(scenario, stream));
    }
    Trace::TraceStore* store = demo.proxy()->store();
    store->setLimits(count + 100, qint64(4) * 1024 * 1024 * 1024);
    store->clear();

    MainWindow window(demo.proxy());
    window.action(u"actionFollowNewest"_s)->setChecked(false);
    window.resize(1280, 820);
    window.show();
    app.processEvents();

    QElapsedTimer clock;
    clock.start();
    for (int i = 0; i < count; ++i) {
        Trace::Exchange exchange = samples.at(i % samples.size());
        exchange.startedMonotonicUs = 0;
        const quint64 id = store->begin(exchange);
        store->finish(id);
    }
    app.processEvents();
    const double addMs = elapsedMs(clock);
    const int rows = window.filterModel()->rowCount();

    QTableView* view = window.exchangeView();
    auto renderMs = [&] {
        QElapsedTimer frame;
        frame.start();
        view->viewport()->grab();
        return elapsedMs(frame);
    };
    QList<double> frames;
    for (int i = 0; i <= 20; ++i) {
        view->verticalScrollBar()->setValue(view->verticalScrollBar()->maximum() * i / 20);
        frames.append(renderMs());
    }
    std::sort(frames.begin(), frames.end());

    auto filterMs = [&](const QString& text, int* shown) {
        QElapsedTimer filter;
        filter.start();
        window.filterModel()->setQueryText(text);
        *shown = window.filterModel()->rowCount();
        return elapsedMs(filter);
    };
    int shownText = 0, shownTerm = 0, shownNone = 0;
    const double freeTextMs = filterMs(u"[demo:float]"_s, &shownText);
    const double termMs = filterMs(u"outcome:rescued"_s, &shownTerm);
    const double clearMs = filterMs(QString(), &shownNone);

    clock.restart();
    view->sortByColumn(ExchangeTableModel::TotalColumn, Qt::DescendingOrder);
    const double sortMs = elapsedMs(clock);

    // A request of several MB (a long tool result, as agents send) selected in the list: the
    // detail tabs format it off the main thread; what matters is the longest time the main
    // thread is busy in one go (a freeze) until every tab shows it.
    Trace::Exchange big = samples.at(0);
    QJsonObject body = QJsonDocument::fromJson(big.clientRequest.body).object();
    QJsonArray messages = body.value("messages"_L1).toArray();
    QString result;
    for (int line = 0; result.size() < 5 * 1024 * 1024; ++line)
        result += u"line %1 of a long tool result: {\"path\": \"src/file%1.cpp\", \"matches\": [1, 2, 3]}\n"_s.arg(line);
    messages.append(QJsonObject { { u"role"_s, u"tool"_s }, { u"tool_call_id"_s, u"call_big"_s }, { u"content"_s, result } });
    body.insert(u"messages"_s, messages);
    big.clientRequest.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    const quint64 bigId = store->begin(big);
    store->finish(bigId);
    app.processEvents();
    window.filterModel()->setQueryText(QString());
    auto* requestPage = window.detailPane()->page(u"requestPage"_s);
    auto* raw = requestPage ? requestPage->findChild<QPlainTextEdit*>(u"rawView"_s) : nullptr;
    window.detailPane()->setCurrentWidget(requestPage);
    double longestBusyMs = 0;
    clock.restart();
    QElapsedTimer slice;
    slice.start();
    window.selectExchange(bigId);
    longestBusyMs = elapsedMs(slice);
    while (raw && raw->document()->characterCount() < result.size() && clock.elapsed() < 60000) {
        slice.restart();
        app.processEvents(QEventLoop::AllEvents, 5);
        longestBusyMs = std::max(longestBusyMs, elapsedMs(slice));
    }
    const double bigShownMs = elapsedMs(clock);
    const double bigMb = double(big.clientRequest.body.size()) / (1024.0 * 1024.0);

    if (json) {
        std::printf("%s\n", QJsonDocument(QJsonObject {
            { u"exchanges"_s, rows }, { u"add_ms"_s, addMs }, { u"frame_median_ms"_s, frames.at(frames.size() / 2) },
            { u"frame_max_ms"_s, frames.last() }, { u"filter_text_ms"_s, freeTextMs }, { u"filter_term_ms"_s, termMs },
            { u"filter_clear_ms"_s, clearMs }, { u"sort_ms"_s, sortMs }, { u"big_body_mb"_s, bigMb },
            { u"big_body_shown_ms"_s, bigShownMs }, { u"big_body_longest_busy_ms"_s, longestBusyMs } }).toJson().constData());
    } else {
        std::printf("Exchange list with %d exchanges (copies of real demo exchanges):\n", rows);
        std::printf("  add all (store + model + view)      %8.1f ms  (%.1f us each)\n", addMs, addMs * 1000.0 / count);
        std::printf("  render one screen while scrolling   %8.1f ms median, %.1f ms worst of 21 positions\n",
                    frames.at(frames.size() / 2), frames.last());
        std::printf("  filter, free text over bodies       %8.1f ms  (%d shown)\n", freeTextMs, shownText);
        std::printf("  filter, outcome:rescued             %8.1f ms  (%d shown)\n", termMs, shownTerm);
        std::printf("  clear the filter                    %8.1f ms  (%d shown)\n", clearMs, shownNone);
        std::printf("  sort by total time                  %8.1f ms\n", sortMs);
        std::printf("Selecting a %.1f MB request: every tab shows it after %.1f ms; the main thread was busy %.1f ms at most in one go\n",
                    bigMb, bigShownMs, longestBusyMs);
    }
    const bool ok = rows == count && shownNone == count && shownText == count / int(samples.size()) + (count % samples.size() > 2 ? 1 : 0)
        && shownTerm > 0 && raw && raw->document()->characterCount() >= result.size();
    return ok ? 0 : 1;
}
