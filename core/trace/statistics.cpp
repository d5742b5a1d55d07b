#include "statistics.h"

#include <QJsonArray>
#include <QMap>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Trace {

namespace {

bool isToolRequest(const Exchange& exchange)
{
    if (exchange.route != u"chat"_s || exchange.toolNames.isEmpty())
        return false;
    switch (exchange.outcome) {
    case Outcome::Passed:
    case Outcome::Rescued:
    case Outcome::Repaired:
    case Outcome::Retried:
    case Outcome::GaveUp:
    case Outcome::Error:
        return true;
    case Outcome::Pending:
    case Outcome::Passthrough:
        return false;
    }
    return false;
}

} // namespace

double ModelStatistics::share(int count) const
{
    return toolRequests > 0 ? double(count) / double(toolRequests) : -1.0;
}

StatisticsSample statisticsSample(const Exchange& exchange)
{
    StatisticsSample sample;
    sample.backend = exchange.backend;
    sample.model = exchange.model;
    sample.finished = exchange.finished;
    sample.toolRequest = exchange.finished && isToolRequest(exchange);
    sample.outcome = exchange.outcome;
    if (!sample.toolRequest)
        return sample;
    sample.attempts = int(exchange.attempts.size());
    sample.firstTokenUs = exchange.firstTokenUs;
    sample.tokensPerSecond = exchange.tokensPerSecond();
    // The guard's findings per attempt, laid out as guardtrace.h documents.
    for (const Attempt& attempt : exchange.attempts) {
        const QJsonArray calls = attempt.guard.value("calls"_L1).toArray();
        bool rescued = false;
        bool repaired = false;
        for (const QJsonValue& value : calls) {
            const QJsonObject call = value.toObject();
            if (call.value("rescued"_L1).toBool())
                rescued = true;
            else
                sample.nativeCalls = true;
            repaired = repaired || !call.value("repairs"_L1).toArray().isEmpty();
        }
        if (rescued) {
            const QString parser = attempt.guard.value("rescue"_L1).toObject().value("parser"_L1).toString();
            if (!sample.rescueParsers.contains(parser))
                sample.rescueParsers.append(parser);
        }
        const QString verdict = attempt.guard.value("decision"_L1).toObject().value("verdict"_L1).toString();
        if (verdict == u"accept"_s && repaired)
            sample.repaired = true;
    }
    return sample;
}

double median(QList<double> values)
{
    if (values.isEmpty())
        return -1;
    std::sort(values.begin(), values.end());
    const qsizetype middle = values.size() / 2;
    if (values.size() % 2 == 1)
        return values.at(middle);
    return (values.at(middle - 1) + values.at(middle)) / 2;
}

QList<ModelStatistics> aggregateStatistics(const QList<StatisticsSample>& samples)
{
    struct Accumulator
    {
        ModelStatistics statistics;
        QMap<QString, int> parsers;
        qint64 attempts = 0;
        QList<double> firstTokens;
        QList<double> rates;
    };
    QMap<QPair<QString, QString>, Accumulator> groups;
    for (const StatisticsSample& sample : samples) {
        if (!sample.finished)
            continue;
        Accumulator& group = groups[qMakePair(sample.backend, sample.model)];
        ModelStatistics& s = group.statistics;
        if (!sample.toolRequest) {
            ++s.passThrough;
            continue;
        }
        ++s.toolRequests;
        s.nativeCalls += sample.nativeCalls ? 1 : 0;
        s.rescued += sample.rescueParsers.isEmpty() ? 0 : 1;
        for (const QString& parser : sample.rescueParsers)
            ++group.parsers[parser];
        s.repaired += sample.repaired ? 1 : 0;
        s.retried += sample.outcome == Outcome::Retried ? 1 : 0;
        s.gaveUp += sample.outcome == Outcome::GaveUp ? 1 : 0;
        s.errors += sample.outcome == Outcome::Error ? 1 : 0;
        group.attempts += sample.attempts;
        if (sample.firstTokenUs >= 0)
            group.firstTokens.append(double(sample.firstTokenUs));
        if (sample.tokensPerSecond >= 0)
            group.rates.append(sample.tokensPerSecond);
    }

    QList<ModelStatistics> result;
    result.reserve(groups.size());
    for (auto it = groups.begin(); it != groups.end(); ++it) {
        Accumulator& group = it.value();
        ModelStatistics& s = group.statistics;
        s.backend = it.key().first;
        s.model = it.key().second;
        for (auto parser = group.parsers.cbegin(); parser != group.parsers.cend(); ++parser)
            s.rescuedByParser.append({ parser.key(), parser.value() });
        // Stable: equal counts keep the map's alphabetical order.
        std::stable_sort(s.rescuedByParser.begin(), s.rescuedByParser.end(),
            [](const QPair<QString, int>& a, const QPair<QString, int>& b) { return a.second > b.second; });
        if (s.toolRequests > 0)
            s.meanAttempts = double(group.attempts) / double(s.toolRequests);
        const double firstToken = median(group.firstTokens);
        s.medianFirstTokenUs = firstToken < 0 ? -1 : qRound64(firstToken);
        s.medianTokensPerSecond = median(group.rates);
        result.append(s);
    }
    return result;
}

QList<ModelStatistics> computeStatistics(const QList<Exchange>& exchanges)
{
    QList<StatisticsSample> samples;
    samples.reserve(exchanges.size());
    for (const Exchange& exchange : exchanges)
        samples.append(statisticsSample(exchange));
    return aggregateStatistics(samples);
}

} // namespace Trace
