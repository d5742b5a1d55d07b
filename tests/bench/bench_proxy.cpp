// Temper's added latency, measured against calling the same backend directly, in one run.
//
// The demo backend runs in its own thread with no artificial delays, so what is measured is
// HTTP and proxy work, not a model. Requests alternate between "direct" and "through Temper" so
// that drift on a busy machine affects both sides alike. Output: a table of medians and 90th
// percentiles in microseconds, and the ratio of each through-Temper figure to its direct
// baseline.
//
//   bench_proxy [--iterations N] [--quick] [--json]
#include "demo/demobackend.h"
#include "demo/demotraffic.h"
#include "proxy/proxyservice.h"
#include "trace/tracestore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QThread>

#include <algorithm>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

struct Sample
{
    qint64 firstByteUs = -1;
    qint64 totalUs = -1;
    bool ok = false;
};

struct Series
{
    QList<qint64> firstByte;
    QList<qint64> total;
    int failures = 0;
};

qint64 percentile(QList<qint64> values, double p)
{
    if (values.isEmpty())
        return -1;
    std::sort(values.begin(), values.end());
    return values.at(std::min<qsizetype>(values.size() - 1, qsizetype(p * double(values.size()))));
}

// Sends one chat request and waits for its end, timing the first body byte and the whole.
Sample timeRequest(QNetworkAccessManager& network, const QUrl& base, bool stream)
{
    QNetworkRequest request(base.resolved(QUrl(u"/v1/chat/completions"_s)));
    request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    QJsonObject body = Demo::Traffic::exampleRequest(u"text"_s, stream);
    body.remove(u"tools"_s);
    const QByteArray bytes = QJsonDocument(body).toJson(QJsonDocument::Compact);

    Sample sample;
    QElapsedTimer clock;
    clock.start();
    QNetworkReply* reply = network.post(request, bytes);
    QByteArray received;
    QObject::connect(reply, &QNetworkReply::readyRead, reply, [&] {
        if (sample.firstByteUs < 0)
            sample.firstByteUs = clock.nsecsElapsed() / 1000;
        received += reply->readAll();
    });
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    received += reply->readAll();
    sample.totalUs = clock.nsecsElapsed() / 1000;
    sample.ok = reply->error() == QNetworkReply::NoError
        && reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200
        && (stream ? received.contains("data: [DONE]") : received.contains("\"chat.completion\""));
    reply->deleteLater();
    return sample;
}

void add(Series& series, const Sample& sample)
{
    if (!sample.ok) {
        ++series.failures;
        return;
    }
    series.firstByte.append(sample.firstByteUs);
    series.total.append(sample.totalUs);
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    int iterations = 300;
    if (args.contains(u"--quick"_s))
        iterations = 20;
    const qsizetype at = args.indexOf(u"--iterations"_s);
    if (at >= 0 && at + 1 < args.size())
        iterations = std::max(5, args.at(at + 1).toInt());
    const bool json = args.contains(u"--json"_s);

    // The backend lives in its own thread, like a real server process would.
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
    const QUrl direct(u"http://127.0.0.1:%1"_s.arg(backendPort));

    Config::Settings settings;
    settings.port = 0;
    settings.backend.url = direct;
    Proxy::ProxyService proxy(settings);
    if (!proxy.start()) {
        std::fprintf(stderr, "bench_proxy: the proxy could not listen\n");
        return 1;
    }
    const QUrl through = proxy.listenUrl();
    QNetworkAccessManager network;

    struct Mode
    {
        const char* name;
        bool stream;
        Series direct;
        Series proxied;
    };
    Mode modes[] = { { "non-streamed", false, {}, {} }, { "streamed", true, {}, {} } };
    for (Mode& mode : modes) {
        for (int i = 0; i < 10; ++i) { // warm-up: connections, caches, first-use allocations
            timeRequest(network, direct, mode.stream);
            timeRequest(network, through, mode.stream);
        }
        for (int i = 0; i < iterations; ++i) {
            add(mode.direct, timeRequest(network, direct, mode.stream));
            add(mode.proxied, timeRequest(network, through, mode.stream));
        }
    }

    int failures = 0;
    QJsonArray results;
    if (!json) {
        std::printf("Temper added latency: %d requests per row, demo backend without delays\n\n", iterations);
        std::printf("%-13s %-12s %12s %12s %12s %12s\n", "mode", "figure", "direct p50", "temper p50", "ratio p50", "ratio p90");
    }
    for (const Mode& mode : modes) {
        failures += mode.direct.failures + mode.proxied.failures;
        for (const auto& [figure, directValues, proxiedValues] :
             { std::tuple { "first byte", mode.direct.firstByte, mode.proxied.firstByte },
               std::tuple { "total", mode.direct.total, mode.proxied.total } }) {
            const qint64 d50 = percentile(directValues, 0.5), p50 = percentile(proxiedValues, 0.5);
            const qint64 d90 = percentile(directValues, 0.9), p90 = percentile(proxiedValues, 0.9);
            const double ratio50 = d50 > 0 ? double(p50) / double(d50) : 0;
            const double ratio90 = d90 > 0 ? double(p90) / double(d90) : 0;
            if (json) {
                results.append(QJsonObject { { u"mode"_s, QString::fromLatin1(mode.name) }, { u"figure"_s, QString::fromLatin1(figure) },
                                             { u"direct_p50_us"_s, d50 }, { u"temper_p50_us"_s, p50 },
                                             { u"direct_p90_us"_s, d90 }, { u"temper_p90_us"_s, p90 },
                                             { u"ratio_p50"_s, ratio50 }, { u"ratio_p90"_s, ratio90 },
                                             { u"added_p50_us"_s, p50 - d50 } });
            } else {
                std::printf("%-13s %-12s %10lld us %10lld us %12.2f %12.2f   (+%lld us)\n", mode.name, figure,
                            (long long)d50, (long long)p50, ratio50, ratio90, (long long)(p50 - d50));
            }
        }
    }
    if (json)
        std::printf("%s\n", QJsonDocument(QJsonObject { { u"iterations"_s, iterations }, { u"results"_s, results }, { u"failures"_s, failures } }).toJson().constData());
    else
        std::printf("\nfailed requests: %d\n", failures);

    QMetaObject::invokeMethod(demo, [demo] { delete demo; }, Qt::BlockingQueuedConnection);
    backendThread.quit();
    backendThread.wait();
    return failures == 0 ? 0 : 1;
}
