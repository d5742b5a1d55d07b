// The guard's cost, measured in one run:
//  1. rescue throughput on 100 KB with no call (the common case: must stay under 1 ms), for plain
//     prose and for markdown (links and inline code, code blocks holding a Python dict and JSON
//     data, a table with HTML tags, angle brackets), each against a plain memchr over the same
//     bytes as the floor;
//  2. rescue on a 10 KB answer holding calls in several formats;
//  3. the guard's added latency per non-streamed request against the demo backend, guard on
//     versus guard off (the same request passed through untouched), alternating requests.
//
//   bench_guard [--quick] [--json] [--parsers]   (--parsers: each format parser's share of a scan)
#include "demo/demobackend.h"
#include "demo/demotraffic.h"
#include "guard/formats/registry.h"
#include "guard/rescuer.h"
#include "guard/streamguard.h"
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
#include <functional>

using namespace Qt::StringLiterals;

namespace {

qint64 median(QList<qint64> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? -1 : values.at(values.size() / 2);
}

// Repeats `block` until the text has `bytes` characters; `whole` keeps the last block entire
// (markdown cut in the middle of a fence is not what a model writes).
QString repeated(const QString& block, qsizetype bytes, bool whole = false)
{
    QString text;
    while (text.size() < bytes)
        text += block;
    if (!whole)
        text.truncate(bytes);
    return text;
}

QString prose(qsizetype bytes)
{
    // Ordinary assistant prose, with the punctuation real answers have (colons, parentheses,
    // numbers) but no bracket, brace or angle bracket.
    return repeated(u"The forecast for Paris shows mild weather: 18 degrees at noon, a light wind from "
                    u"the west, and a small chance of rain late in the afternoon (about 20 percent). "_s,
                    bytes);
}

// Markdown answers with no call, with the characters call formats start with: what real
// assistants write about code and data. Each is repeated to the size asked for.
struct MarkdownInput
{
    const char* name;
    QString block;
};

QList<MarkdownInput> markdownInputs()
{
    return {
        { "links and inline code", uR"(See the [installation guide](https://example.com/docs/install#linux) and the [FAQ][faq] before you start. Run `cmake --build build -j2`, then `ctest -R guard`; the settings live in `core/config/settings.h` and `std::vector<int>` holds the ids. Call `get_weather` only when the user asks about weather, and `search_docs` for questions about the project [1].
)"_s },
        { "code block with a dict", uR"(Here is how to build the request in Python:

```python
params = {"city": "Paris", "days": 3, "units": {"temperature": "C", "wind": "km/h"}}
response = client.get(url, params=params)
print(response.json()["forecast"][0])
```

The answer comes back as JSON:

```json
{"city": "Paris", "forecast": [{"day": "Monday", "high": 18, "low": 11}, {"day": "Tuesday", "high": 20, "low": 12}]}
```

Each entry of `forecast` is one day; `high` and `low` are in degrees Celsius.
)"_s },
        { "table with HTML tags", uR"(| Day | Forecast | Wind |
| --- | --- | --- |
| Monday | <b>sunny</b><br>18 °C | <span title="west">W</span> 10 km/h |
| Tuesday | <i>cloudy</i><br>16 °C | <span title="north">N</span> 5 km/h |
| Wednesday | <b>rain</b> <sup>1</sup> | <kbd>calm</kbd> |

<details><summary>Sources</summary>Météo-France, <a href="https://example.com">open data</a>.</details>
)"_s },
        { "angle brackets", uR"(If a < b and b > c then the loop ends; in Rust a `Vec<String>` or a `HashMap<K, V>` works, and in C++ `std::map<std::string, int>` -> the same idea. Press <kbd>Ctrl</kbd>+<kbd>C</kbd> to stop, and => marks the result; x >= 3 && y <= 4 holds for <= 10 items.
)"_s },
    };
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

// Median nanoseconds a StreamGuard spends on `text` fed in pieces of four characters (a token
// is about that), watching for calls or (the baseline) only forwarding.
qint64 timeStreamGuard(const QString& text, bool watch, int rounds)
{
    const Guard::ToolCatalog catalog = tools();
    QList<QJsonObject> chunks;
    for (qsizetype i = 0; i < text.size(); i += 4) {
        const QJsonObject delta { { u"content"_s, text.mid(i, 4) } };
        chunks.append(QJsonObject { { u"choices"_s, QJsonArray { QJsonObject { { u"delta"_s, delta } } } } });
    }
    QList<qint64> samples;
    for (int i = 0; i < rounds; ++i) {
        Guard::StreamGuard guard(catalog, watch, true);
        QElapsedTimer clock;
        clock.start();
        for (const QJsonObject& chunk : std::as_const(chunks))
            guard.feed(chunk);
        samples.append(clock.nsecsElapsed());
    }
    return median(samples);
}

// Median nanoseconds each parser alone spends on `text`: where a slow rescue loses its time.
void printParserTimes(const QString& text, int rounds)
{
    const Guard::ToolCatalog catalog = tools();
    QList<QPair<qint64, QString>> rows;
    for (const Guard::FormatParser* parser : Guard::formatParsers()) {
        QList<qint64> samples;
        for (int i = 0; i < rounds; ++i) {
            QElapsedTimer clock;
            clock.start();
            const Guard::FormatMatch match = parser->parse(text, catalog);
            samples.append(clock.nsecsElapsed());
        }
        rows.append({ median(samples), parser->name() });
    }
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [ns, name] : std::as_const(rows)) {
        if (ns >= 1000)
            std::printf("      %-28s %8.1f us\n", qPrintable(name), ns / 1000.0);
    }
}

qint64 timeMemchr(const QByteArray& bytes, int rounds)
{
    QList<qint64> samples;
    volatile const void* sink = nullptr;
    for (int i = 0; i < rounds; ++i) {
        QElapsedTimer clock;
        clock.start();
        // memchr is pure: without the barriers the compiler may move it out of the timed region.
        // It looks for a byte text never holds, so that it reads every byte.
        asm volatile("" : : "g"(bytes.constData()) : "memory");
        sink = std::memchr(bytes.constData(), '\0', size_t(bytes.size()));
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
    const bool perParser = app.arguments().contains(u"--parsers"_s);
    const int rounds = quick ? 20 : 200;

    // The no-call inputs: plain prose, then markdown with links, code, data, tables and tags.
    struct NoCallRow
    {
        QString name;
        qsizetype bytes = 0;
        qint64 rescueNs = 0;
        qint64 tenthNs = 0; // the same input at a tenth of the size
        qint64 memchrNs = 0;
        int calls = 0;
    };
    struct NoCallInput
    {
        QString name;
        std::function<QString(qsizetype)> make;
    };
    QList<NoCallInput> noCallInputs { { u"prose"_s, [](qsizetype size) { return prose(size); } } };
    for (const MarkdownInput& input : markdownInputs())
        noCallInputs.append({ QString::fromLatin1(input.name), [block = input.block](qsizetype size) { return repeated(block, size, true); } });
    noCallInputs.append({ u"all of the markdown mixed"_s, [](qsizetype size) {
                              QString block;
                              for (const MarkdownInput& input : markdownInputs())
                                  block += input.block + u"\n"_s;
                              return repeated(block, size, true);
                          } });
    QList<NoCallRow> noCall;
    int calls = 0;
    for (const auto& [name, make] : std::as_const(noCallInputs)) {
        const QString text = make(100 * 1024);
        NoCallRow row { name, text.size() };
        row.rescueNs = timeRescue(text, rounds, &calls);
        row.calls = calls;
        int tenthCalls = 0;
        row.tenthNs = timeRescue(make(10 * 1024), rounds, &tenthCalls);
        row.calls += tenthCalls;
        // The floor, measured between the rescues so that both see the same machine load.
        row.memchrNs = timeMemchr(text.toUtf8(), rounds);
        noCall.append(row);
        if (perParser && !json) {
            std::printf("  %s: %.1f us\n", qPrintable(name), row.rescueNs / 1000.0);
            printParserTimes(text, rounds);
        }
    }
    // The streaming guard over the same kinds of text, and over a large call written as JSON,
    // which it holds to the end: against forwarding alone, and from 10 KB to 100 KB (linear is
    // x10; a search for the envelope's end that started over with every piece would be x100).
    struct StreamRow
    {
        QString name;
        qint64 watchNs = 0;
        qint64 forwardNs = 0;
        qint64 tenthNs = 0;
    };
    const auto bigJson = [](qsizetype size) -> QString {
        QString json = u"Calling: {\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"notes\": ["_s;
        for (int i = 0; json.size() < size; ++i)
            json += u"{\"id\": %1, \"label\": \"row {%1}\"}, "_s.arg(i);
        return json + u"{}]}}"_s;
    };
    QList<StreamRow> streamRows;
    for (const auto& [name, make] : { std::pair<QString, std::function<QString(qsizetype)>> { noCallInputs.first().name, noCallInputs.first().make },
                                      { noCallInputs.last().name, noCallInputs.last().make }, { u"a call in JSON (held)"_s, bigJson } }) {
        const int streamRounds = std::max(3, rounds / 4);
        StreamRow row { name };
        row.watchNs = timeStreamGuard(make(100 * 1024), true, streamRounds);
        row.forwardNs = timeStreamGuard(make(100 * 1024), false, streamRounds);
        row.tenthNs = timeStreamGuard(make(10 * 1024), true, streamRounds);
        streamRows.append(row);
    }

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
        QJsonArray rescue;
        for (const NoCallRow& row : std::as_const(noCall))
            rescue.append(QJsonObject { { u"input"_s, row.name }, { u"chars"_s, row.bytes }, { u"rescue_ns"_s, row.rescueNs }, { u"rescue_10kb_ns"_s, row.tenthNs },
                                        { u"memchr_ns"_s, row.memchrNs }, { u"calls"_s, row.calls } });
        std::printf("%s\n", QJsonDocument(QJsonObject {
            { u"rescue_100kb_no_call"_s, rescue },
            { u"rescue_10kb_with_calls_ns"_s, callsNs }, { u"calls_found"_s, callsFound },
            { u"latency"_s, latency }, { u"failures"_s, failures } }).toJson().constData());
    } else {
        std::printf("Rescue, 100 KB with no call (median of %d):\n", rounds);
        for (const NoCallRow& row : std::as_const(noCall))
            std::printf("  %-28s %8.1f us  (10 KB: %.1f us, growth x%.1f; memchr over the same bytes: %.1f us; %d calls)\n",
                        qPrintable(row.name), row.rescueNs / 1000.0, row.tenthNs / 1000.0,
                        double(row.rescueNs) / double(std::max<qint64>(1, row.tenthNs)), row.memchrNs / 1000.0, row.calls);
        std::printf("\nStream guard, 100 KB in pieces of 4 characters (median):\n");
        for (const StreamRow& row : std::as_const(streamRows))
            std::printf("  %-28s %8.1f us  (forwarding only: %.1f us, ratio %.1f; 10 KB: %.1f us, growth x%.1f)\n",
                        qPrintable(row.name), row.watchNs / 1000.0, row.forwardNs / 1000.0,
                        double(row.watchNs) / double(std::max<qint64>(1, row.forwardNs)), row.tenthNs / 1000.0,
                        double(row.watchNs) / double(std::max<qint64>(1, row.tenthNs)));
        std::printf("\nRescue (median of %d):\n", rounds);
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
    // The common case must stay cheap on any machine: ten times the text may cost at most 25
    // times the time (linear is 10, a quadratic parser 100), and no call may be found where
    // there is none. Absolute figures depend on the machine and are reported, not judged.
    bool noCallFast = true;
    for (const NoCallRow& row : std::as_const(noCall)) {
        const double growth = double(row.rescueNs) / double(std::max<qint64>(1, row.tenthNs));
        if (growth > 25 || row.calls != 0) {
            noCallFast = false;
            std::fprintf(stderr, "bench_guard: rescue of %s grew x%.1f from 10 KB to 100 KB (%.1f us), %d calls\n",
                         qPrintable(row.name), growth, row.rescueNs / 1000.0, row.calls);
        }
    }
    for (const StreamRow& row : std::as_const(streamRows)) {
        const double growth = double(row.watchNs) / double(std::max<qint64>(1, row.tenthNs));
        if (growth > 25) {
            noCallFast = false;
            std::fprintf(stderr, "bench_guard: the stream guard grew x%.1f from 10 KB to 100 KB of %s\n", growth, qPrintable(row.name));
        }
    }
    return failures == 0 && callsFound == 1 && noCallFast ? 0 : 1;
}
