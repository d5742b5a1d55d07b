// The guard's cost, measured in one run:
//  1. rescue throughput on 100 KB of prose with no call (the common case: must stay under 1 ms),
//     against a plain memchr over the same bytes as the floor;
//  2. rescue on a 10 KB answer holding calls in several formats;
//  3. the guard's added latency per non-streamed request against the demo backend, guard on
//     versus guard off (the same request passed through untouched), alternating requests.
//
//   bench_guard [--quick] [--json]
#include "demo/demobackend.h"
#include "demo/demotraffic.h"
#include "guard/rescuer.h"
#include "proxy/proxyservice.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QThread>

#include <algorithm>
#include <cstdio>
#include <cstring>

using namespace Qt::StringLiterals;

namespace {

qint64 median(QList<qint64> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? -1 : values.at(values.size() / 2);
}

QString prose(qsizetype bytes)
{
    // Ordinary assistant prose, with the punctuation real answers have (colons, parentheses,
    // numbers) but no bracket, brace or angle bracket.
    const QString sentence = u"The forecast for Paris shows mild weather: 18 degrees at noon, a light wind from "
                             u"the west, and a small chance of rain late in the afternoon (about 20 percent). "_s;
    QString text;
    while (text.size() < bytes)
        text += sentence;
    text.truncate(bytes);
    return text;
}

QString answerWithCalls(qsizetype bytes)
{
    const QString calls = uR"(Let me check.
<tool_call>
{"name": "get_weather", "arguments": {"city": "Paris", "days": 3}}
</tool_call>
)"_s;
    QString text = prose(bytes - calls.size()) + u"\n"_s + calls;
    return text;
}

Guard::ToolCatalog tools()
{
    return Guard::ToolCatalog::fromTools(Demo::Traffic::exampleTools());
}

// Median nanoseconds per rescue of `text`, over `rounds`.
qint64 timeRescue(const QString& text, int rounds, int* calls)
{
    const Guard::ToolCatalog catalog = tools();
    const Guard::Rescuer rescuer;
    QList<qint64> samples;
    for (int i = 0; i < rounds; ++i) {
        QElapsedTimer clock;
        clock.start();
        const Guard::RescueResult result = rescuer.rescue(text, catalog);
        samples.append(clock.nsecsElapsed());
        *calls = int(result.calls.size());
    }
    return median(samples);
}

qint64 timeMemchr(const QByteArray& bytes, int rounds)
{
    QList<qint64> samples;
    volatile const void* sink = nullptr;
    for (int i = 0; i < rounds; ++i) {
        QElapsedTimer clock;
        clock.start();
        // memchr is pure: without the barriers the compiler may move it out of the timed region.
        asm volatile("" : : "g"(bytes.constData()) : "memory");
        sink = std::memchr(bytes.constData(), '{', size_t(bytes.size()));
        asm volatile("" : : "g"(sink) : "memory");
        samples.append(clock.nsecsElapsed());
    }
    (void)sink;
    return median(samples);
}

qint64 timeRequest(QNetworkAccessManager& network, const QUrl& base, const QByteArray& body, bool* ok)
{
    QNetworkRequest request(base.resolved(QUrl(u"/v1/chat/completions"_s)));
    request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
    QElapsedTimer clock;
    clock.start();
    QNetworkReply* reply = network.post(request, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    const qint64 us = clock.nsecsElapsed() / 1000;
    *ok = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200 && reply->readAll().contains("get_weather");
    reply->deleteLater();
    return us;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const bool quick = app.arguments().contains(u"--quick"_s);
    const bool json = app.arguments().contains(u"--json"_s);
    const int rounds = quick ? 20 : 200;

    int calls = 0;
    const QString bigProse = prose(100 * 1024);
    const qint64 proseNs = timeRescue(bigProse, rounds, &calls);
    const int proseCalls = calls;
    const qint64 memchrNs = timeMemchr(bigProse.toUtf8(), rounds);
    const QString tenKb = answerWithCalls(10 * 1024);
    const qint64 callsNs = timeRescue(tenKb, rounds, &calls);
    const int callsFound = calls;

    // The backend in its own thread, no artificial delays.
    QThread backendThread;
    Demo::Options options;
    options.firstByteDelayMs = 0;
    options.tokenDelayMs = 0;
    auto* demo = new Demo::Backend(options);
    demo->moveToThread(&backendThread);
    backendThread.start();
    quint16 backendPort = 0;
    QMetaObject::invokeMethod(demo, [demo, &backendPort] {
        demo->start();
        backendPort = demo->port();
    }, Qt::BlockingQueuedConnection);

    auto startProxy = [backendPort](bool guard) {
        Config::Settings settings;
        settings.port = 0;
        settings.backend.url = QUrl(u"http://127.0.0.1:%1"_s.arg(backendPort));
        settings.guard.enabled = guard;
        auto proxy = std::make_unique<Proxy::ProxyService>(settings);
        proxy->start();
        return proxy;
    };
    const auto guarded = startProxy(true);
    const auto unguarded = startProxy(false);
    QNetworkAccessManager network;
    int failures = 0;
    struct Row
    {
        QString scenario;
        qint64 offUs = 0;
        qint64 onUs = 0;
    };
    QList<Row> rows;
    const int requests = quick ? 10 : 200;
    for (const QString& scenario : { u"native"_s, u"hermes"_s, u"float"_s }) {
        QJsonObject request = Demo::Traffic::exampleRequest(scenario, false);
        const QByteArray body = QJsonDocument(request).toJson(QJsonDocument::Compact);
        QList<qint64> off, on;
        for (int i = 0; i < requests + 5; ++i) {
            bool ok = true;
            const qint64 a = timeRequest(network, unguarded->listenUrl(), body, &ok);
            failures += ok ? 0 : 1;
            const qint64 b = timeRequest(network, guarded->listenUrl(), body, &ok);
            failures += ok ? 0 : 1;
            if (i >= 5) { // the first few warm connections and caches
                off.append(a);
                on.append(b);
            }
        }
        rows.append({ scenario, median(off), median(on) });
    }

    if (json) {
        QJsonArray latency;
        for (const Row& row : rows)
            latency.append(QJsonObject { { u"scenario"_s, row.scenario }, { u"guard_off_p50_us"_s, row.offUs }, { u"guard_on_p50_us"_s, row.onUs },
                                         { u"ratio"_s, double(row.onUs) / double(std::max<qint64>(1, row.offUs)) } });
        std::printf("%s\n", QJsonDocument(QJsonObject {
            { u"rescue_100kb_prose_ns"_s, proseNs }, { u"memchr_100kb_ns"_s, memchrNs },
            { u"rescue_10kb_with_calls_ns"_s, callsNs }, { u"calls_found"_s, callsFound },
            { u"latency"_s, latency }, { u"failures"_s, failures } }).toJson().constData());
    } else {
        std::printf("Rescue (median of %d):\n", rounds);
        std::printf("  100 KB prose, no call        %8.1f us  (memchr over the same bytes: %.1f us; %d calls)\n",
                    proseNs / 1000.0, memchrNs / 1000.0, proseCalls);
        std::printf("  10 KB answer with a call     %8.1f us  (%d call found)\n", callsNs / 1000.0, callsFound);
        std::printf("\nGuard latency, non-streamed, demo backend without delays (median of %d):\n", requests);
        std::printf("  %-10s %12s %12s %8s %12s\n", "scenario", "guard off", "guard on", "ratio", "added");
        for (const Row& row : rows)
            std::printf("  %-10s %9lld us %9lld us %8.2f %+9lld us\n", qPrintable(row.scenario), (long long)row.offUs,
                        (long long)row.onUs, double(row.onUs) / double(std::max<qint64>(1, row.offUs)), (long long)(row.onUs - row.offUs));
        std::printf("\nfailed requests: %d\n", failures);
    }

    QMetaObject::invokeMethod(demo, [demo] { delete demo; }, Qt::BlockingQueuedConnection);
    backendThread.quit();
    backendThread.wait();
    // The common case must stay cheap: a regression past 1 ms on 100 KB of prose is a failure.
    const bool proseFast = proseNs < 1'000'000;
    if (!proseFast)
        std::fprintf(stderr, "bench_guard: rescue of 100 KB of prose took %.1f us (budget 1000 us)\n", proseNs / 1000.0);
    return failures == 0 && proseCalls == 0 && callsFound == 1 && proseFast ? 0 : 1;
}
