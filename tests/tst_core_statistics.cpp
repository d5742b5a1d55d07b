// The statistics aggregation over hand-made exchanges: what counts as a tool request, grouping per
// backend and model, shares, per-parser counts, medians, and what is left out.
#include "trace/statistics.h"

#include <QJsonArray>
#include <QtTest>

using namespace Qt::StringLiterals;
using Trace::Exchange;
using Trace::ModelStatistics;
using Trace::Outcome;

namespace {

const QString kBackendA = u"http://127.0.0.1:8080"_s;
const QString kBackendB = u"http://gpu-box:8000"_s;

// One attempt's answer as the guard recorded it (guardtrace.h).
struct AttemptSpec
{
    enum class Calls { None, Native, Rescued };
    Calls calls = Calls::None;
    QString parser; // for rescued calls
    bool repaired = false;
    QString verdict = u"accept"_s;
};

QJsonObject guardJson(const AttemptSpec& spec)
{
    QJsonArray calls;
    if (spec.calls != AttemptSpec::Calls::None) {
        QJsonArray repairs;
        if (spec.repaired)
            repairs.append(QJsonObject { { u"kind"_s, u"integral-float"_s }, { u"pointer"_s, u"/days"_s } });
        const bool rescued = spec.calls == AttemptSpec::Calls::Rescued;
        const bool valid = spec.verdict == u"accept"_s;
        calls.append(QJsonObject { { u"name"_s, u"get_weather"_s }, { u"rescued"_s, rescued },
            { u"valid"_s, valid }, { u"repairs"_s, repairs } });
    }
    QJsonObject json { { u"decision"_s, QJsonObject { { u"verdict"_s, spec.verdict } } },
        { u"calls"_s, calls } };
    if (spec.calls == AttemptSpec::Calls::Rescued)
        json.insert(u"rescue"_s,
            QJsonObject {
                { u"parser"_s, spec.parser }, { u"format"_s, QString(spec.parser + u"_format"_s) } });
    return json;
}

Exchange toolRequest(const QString& model, Outcome outcome, const QList<AttemptSpec>& attempts,
    const QString& backend = kBackendA)
{
    Exchange exchange;
    exchange.route = u"chat"_s;
    exchange.backend = backend;
    exchange.model = model;
    exchange.toolNames = { u"get_weather"_s, u"search_docs"_s };
    exchange.outcome = outcome;
    exchange.finished = true;
    for (int i = 0; i < attempts.size(); ++i) {
        Trace::Attempt attempt;
        attempt.index = i + 1;
        attempt.guard = guardJson(attempts.at(i));
        exchange.attempts.append(attempt);
    }
    return exchange;
}

Exchange native(const QString& model, const QString& backend = kBackendA)
{
    return toolRequest(
        model, Outcome::Passed, { { AttemptSpec::Calls::Native, {}, false, u"accept"_s } }, backend);
}

Exchange rescued(const QString& model, const QString& parser)
{
    return toolRequest(model, Outcome::Rescued, { { AttemptSpec::Calls::Rescued, parser } });
}

Exchange timed(Exchange exchange, qint64 firstTokenUs, qint64 totalUs = -1, qint64 completionTokens = -1)
{
    exchange.firstTokenUs = firstTokenUs;
    exchange.totalUs = totalUs;
    exchange.usage.completionTokens = completionTokens;
    return exchange;
}

Exchange passThrough(const QString& model, const QString& route, bool tools, Outcome outcome)
{
    Exchange exchange;
    exchange.route = route;
    exchange.backend = kBackendA;
    exchange.model = model;
    if (tools)
        exchange.toolNames = { u"get_weather"_s };
    exchange.outcome = outcome;
    exchange.finished = true;
    Trace::Attempt attempt;
    attempt.index = 1;
    exchange.attempts.append(attempt);
    return exchange;
}

ModelStatistics expected(const QString& model, int toolRequests, const QString& backend = kBackendA)
{
    ModelStatistics s;
    s.backend = backend;
    s.model = model;
    s.toolRequests = toolRequests;
    return s;
}

// One line per group, so that a failure shows every number side by side.
QString describe(const ModelStatistics& s)
{
    QStringList parsers;
    for (const auto& [parser, count] : s.rescuedByParser)
        parsers.append(parser + u":"_s + QString::number(count));
    return u"%1|%2 tools=%3 native=%4 rescued=%5[%6] repaired=%7 retried=%8 gaveUp=%9 errors=%10 pass=%11 "
           u"attempts=%12 ttft=%13 tps=%14"_s.arg(s.backend, s.model)
               .arg(s.toolRequests)
               .arg(s.nativeCalls)
               .arg(s.rescued)
               .arg(parsers.join(u","_s))
               .arg(s.repaired)
               .arg(s.retried)
               .arg(s.gaveUp)
               .arg(s.errors)
               .arg(s.passThrough)
               .arg(s.meanAttempts, 0, 'f', 2)
               .arg(s.medianFirstTokenUs)
               .arg(s.medianTokensPerSecond, 0, 'f', 2);
}

QStringList describeAll(const QList<ModelStatistics>& list)
{
    QStringList lines;
    for (const ModelStatistics& s : list)
        lines.append(describe(s));
    return lines;
}

} // namespace

class TestCoreStatistics : public QObject
{
    Q_OBJECT

private slots:
    void aggregates_data();
    void aggregates();
    void shares();
    void median_data();
    void median();
    void sampleOfAnUnfinishedExchangeIsSkipped();
};

void TestCoreStatistics::aggregates_data()
{
    QTest::addColumn<QList<Exchange>>("exchanges");
    QTest::addColumn<QList<ModelStatistics>>("statistics");

    QTest::addRow("empty input") << QList<Exchange>() << QList<ModelStatistics>();

    {
        // Sorted by backend, then model; the same model on two backends is two groups.
        ModelStatistics a1 = expected(u"llama-3.1-8b"_s, 2);
        a1.nativeCalls = 2;
        a1.meanAttempts = 1;
        ModelStatistics a2 = expected(u"qwen3-coder"_s, 1);
        a2.nativeCalls = 1;
        a2.meanAttempts = 1;
        ModelStatistics b1 = expected(u"llama-3.1-8b"_s, 1, kBackendB);
        b1.nativeCalls = 1;
        b1.meanAttempts = 1;
        QTest::addRow("grouped per backend and model") << QList<Exchange> { native(u"qwen3-coder"_s),
            native(u"llama-3.1-8b"_s, kBackendB), native(u"llama-3.1-8b"_s), native(u"llama-3.1-8b"_s) }
                                                       << QList<ModelStatistics> { a1, a2, b1 };
    }
    {
        // Model names are kept exactly as given: no case folding, no trimming of versions.
        ModelStatistics upper = expected(u"Mimo-v2.5"_s, 1);
        upper.nativeCalls = 1;
        upper.meanAttempts = 1;
        ModelStatistics lower = expected(u"mimo-v2.5"_s, 1);
        lower.nativeCalls = 1;
        lower.meanAttempts = 1;
        QTest::addRow("exact model names") << QList<Exchange> { native(u"mimo-v2.5"_s),
            native(u"Mimo-v2.5"_s) } << QList<ModelStatistics> { upper, lower };
    }
    {
        ModelStatistics s = expected(u"m"_s, 6);
        s.nativeCalls = 1;
        s.rescued = 5;
        s.rescuedByParser = { { u"hermes"_s, 3 }, { u"mistral"_s, 1 }, { u"qwen3_coder"_s, 1 } };
        s.meanAttempts = 1;
        QTest::addRow("rescued by parser, most frequent first") << QList<Exchange> {
            rescued(u"m"_s, u"qwen3_coder"_s), rescued(u"m"_s, u"hermes"_s), native(u"m"_s),
            rescued(u"m"_s, u"mistral"_s), rescued(u"m"_s, u"hermes"_s), rescued(u"m"_s, u"hermes"_s)
        } << QList<ModelStatistics> { s };
    }
    {
        // Attempt 1 written in Hermes markup naming a bad value, attempt 2 in Mistral's: one
        // rescued exchange that counts under both parsers.
        ModelStatistics s = expected(u"m"_s, 1);
        s.rescued = 1;
        s.rescuedByParser = { { u"hermes"_s, 1 }, { u"mistral"_s, 1 } };
        s.retried = 1;
        s.meanAttempts = 2;
        QTest::addRow("two parsers in one exchange")
            << QList<Exchange> { toolRequest(u"m"_s, Outcome::Retried,
                   { { AttemptSpec::Calls::Rescued, u"mistral"_s, false, u"retry"_s },
                       { AttemptSpec::Calls::Rescued, u"hermes"_s, false, u"accept"_s } }) }
            << QList<ModelStatistics> { s };
    }
    {
        // Repaired counts the accepted answer only: a repair on an attempt that was retried
        // anyway never reached the client.
        ModelStatistics s = expected(u"m"_s, 3);
        s.nativeCalls = 3;
        s.repaired = 2;
        s.retried = 2;
        s.meanAttempts = 5.0 / 3.0;
        QTest::addRow("repaired means the client got repaired values") << QList<Exchange> {
            toolRequest(u"m"_s, Outcome::Repaired, { { AttemptSpec::Calls::Native, {}, true, u"accept"_s } }),
            toolRequest(u"m"_s, Outcome::Retried,
                { { AttemptSpec::Calls::Native, {}, true, u"retry"_s },
                    { AttemptSpec::Calls::Native, {}, false, u"accept"_s } }),
            toolRequest(u"m"_s, Outcome::Retried,
                { { AttemptSpec::Calls::Native, {}, false, u"retry"_s },
                    { AttemptSpec::Calls::Native, {}, true, u"accept"_s } }),
        } << QList<ModelStatistics> { s };
    }
    {
        // Outcomes: retried, gave up and error are exclusive; mean attempts over all of them. The
        // error and the text answer carried no calls.
        ModelStatistics s = expected(u"m"_s, 4);
        s.nativeCalls = 2;
        s.retried = 1;
        s.gaveUp = 1;
        s.errors = 1;
        s.meanAttempts = (2 + 4 + 1 + 1) / 4.0;
        const AttemptSpec failed { AttemptSpec::Calls::Native, {}, false, u"retry"_s };
        const AttemptSpec lastFailed { AttemptSpec::Calls::Native, {}, false, u"give-up"_s };
        QTest::addRow("retried, gave up, errors")
            << QList<Exchange> { toolRequest(u"m"_s, Outcome::Retried,
                                     { failed, { AttemptSpec::Calls::Native, {}, false, u"accept"_s } }),
                   toolRequest(u"m"_s, Outcome::GaveUp, { failed, failed, failed, lastFailed }),
                   toolRequest(u"m"_s, Outcome::Error, { AttemptSpec {} }),
                   toolRequest(u"m"_s, Outcome::Passed, { AttemptSpec {} }) }
            << QList<ModelStatistics> { s };
    }
    {
        // Only the pass-through column counts them: no tool request, no share, no mean.
        ModelStatistics s = expected(u"m"_s, 0);
        s.passThrough = 4;
        QTest::addRow("pass-through separated") << QList<Exchange> { passThrough(u"m"_s, u"chat"_s, false,
                                                                         Outcome::Passthrough),
            passThrough(u"m"_s, u"chat"_s, true, Outcome::Passthrough), // guard off or tool_choice none
            passThrough(u"m"_s, u"passthrough"_s, false, Outcome::Passthrough),
            passThrough(u"m"_s, u"chat"_s, false, Outcome::Error) } // a tool-free chat that failed
                                                << QList<ModelStatistics> { s };
    }
    {
        ModelStatistics s = expected(u"m"_s, 1);
        s.nativeCalls = 1;
        s.meanAttempts = 1;
        s.passThrough = 1;
        ModelStatistics none = expected(QString(), 0);
        none.passThrough = 1;
        QTest::addRow("pass-through beside tool requests")
            << QList<Exchange> { native(u"m"_s), passThrough(u"m"_s, u"chat"_s, false, Outcome::Passthrough),
                   passThrough(QString(), u"passthrough"_s, false, Outcome::Passthrough) }
            << QList<ModelStatistics> { none, s };
    }
    {
        Exchange running = native(u"m"_s);
        running.finished = false;
        running.outcome = Outcome::Pending;
        ModelStatistics s = expected(u"m"_s, 1);
        s.nativeCalls = 1;
        s.meanAttempts = 1;
        QTest::addRow("running exchanges left out")
            << QList<Exchange> { running, native(u"m"_s) } << QList<ModelStatistics> { s };
    }
    {
        ModelStatistics s = expected(u"m"_s, 3);
        s.nativeCalls = 3;
        s.meanAttempts = 1;
        s.medianFirstTokenUs = 20'000;
        QTest::addRow("median TTFT of an odd count") << QList<Exchange> { timed(native(u"m"_s), 30'000),
            timed(native(u"m"_s), 10'000), timed(native(u"m"_s), 20'000) }
                                                     << QList<ModelStatistics> { s };
    }
    {
        ModelStatistics s = expected(u"m"_s, 4);
        s.nativeCalls = 4;
        s.meanAttempts = 1;
        s.medianFirstTokenUs = 25'000;
        QTest::addRow("median TTFT of an even count") << QList<Exchange> { timed(native(u"m"_s), 40'000),
            timed(native(u"m"_s), 10'000), timed(native(u"m"_s), 30'000), timed(native(u"m"_s), 20'000) }
                                                      << QList<ModelStatistics> { s };
    }
    {
        // An unknown TTFT is not a zero: 10 and 40 ms known, median 25 ms.
        ModelStatistics s = expected(u"m"_s, 3);
        s.nativeCalls = 3;
        s.meanAttempts = 1;
        s.medianFirstTokenUs = 25'000;
        QTest::addRow("unknown TTFT excluded") << QList<Exchange> { timed(native(u"m"_s), 40'000),
            timed(native(u"m"_s), -1), timed(native(u"m"_s), 10'000) }
                                               << QList<ModelStatistics> { s };
    }
    {
        // Whole answers: tokens over the whole request (Exchange::tokensPerSecond). 100 tokens
        // in 2 s, 60 in 1 s, 90 in 0.5 s: 50, 60, 180 tokens/s; no usage: unknown, left out.
        ModelStatistics s = expected(u"m"_s, 4);
        s.nativeCalls = 4;
        s.meanAttempts = 1;
        s.medianFirstTokenUs = 450'000;
        s.medianTokensPerSecond = 60;
        QTest::addRow("median tokens per second") << QList<Exchange> {
            timed(native(u"m"_s), 300'000, 2'000'000, 100), timed(native(u"m"_s), 400'000, 1'000'000, 60),
            timed(native(u"m"_s), 500'000, 500'000, 90), timed(native(u"m"_s), 600'000, 700'000, -1)
        } << QList<ModelStatistics> { s };
    }
    {
        ModelStatistics s = expected(u"m"_s, 2);
        s.nativeCalls = 2;
        s.meanAttempts = 1;
        s.medianTokensPerSecond = 55;
        QTest::addRow("median tokens per second of an even count") << QList<Exchange> {
            timed(native(u"m"_s), -1, 2'000'000, 100), timed(native(u"m"_s), -1, 1'000'000, 60)
        } << QList<ModelStatistics> { s };
    }
}

void TestCoreStatistics::aggregates()
{
    QFETCH(QList<Exchange>, exchanges);
    QFETCH(QList<ModelStatistics>, statistics);
    const QList<ModelStatistics> actual = Trace::computeStatistics(exchanges);
    QCOMPARE(describeAll(actual), describeAll(statistics));
}

void TestCoreStatistics::shares()
{
    const QList<ModelStatistics> statistics = Trace::computeStatistics({ native(u"m"_s),
        rescued(u"m"_s, u"hermes"_s), rescued(u"m"_s, u"hermes"_s),
        toolRequest(u"m"_s, Outcome::GaveUp, { { AttemptSpec::Calls::Native, {}, false, u"give-up"_s } }) });
    QCOMPARE(statistics.size(), 1);
    const ModelStatistics& s = statistics.first();
    QCOMPARE(s.share(s.nativeCalls), 0.5);
    QCOMPARE(s.share(s.rescued), 0.5);
    QCOMPARE(s.share(s.gaveUp), 0.25);
    QCOMPARE(s.share(s.errors), 0.0);
    QCOMPARE(ModelStatistics().share(0), -1.0);
}

void TestCoreStatistics::median_data()
{
    QTest::addColumn<QList<double>>("values");
    QTest::addColumn<double>("median");
    QTest::addRow("empty") << QList<double>() << -1.0;
    QTest::addRow("one") << QList<double> { 7 } << 7.0;
    QTest::addRow("odd, unsorted") << QList<double> { 9, 1, 5 } << 5.0;
    QTest::addRow("even, unsorted") << QList<double> { 4, 1, 3, 2 } << 2.5;
    QTest::addRow("repeated") << QList<double> { 2, 2, 8 } << 2.0;
}

void TestCoreStatistics::median()
{
    QFETCH(QList<double>, values);
    QFETCH(double, median);
    QCOMPARE(Trace::median(values), median);
}

void TestCoreStatistics::sampleOfAnUnfinishedExchangeIsSkipped()
{
    Exchange running = rescued(u"m"_s, u"hermes"_s);
    running.finished = false;
    const Trace::StatisticsSample sample = Trace::statisticsSample(running);
    QVERIFY(!sample.finished);
    QVERIFY(!sample.toolRequest);
    QVERIFY(Trace::aggregateStatistics({ sample }).isEmpty());
}

QTEST_APPLESS_MAIN(TestCoreStatistics)
#include "tst_core_statistics.moc"
