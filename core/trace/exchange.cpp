#include "exchange.h"

#include <QElapsedTimer>

using namespace Qt::StringLiterals;

namespace Trace {

namespace {

struct OutcomeName
{
    Outcome outcome;
    QLatin1StringView name;
};

constexpr OutcomeName kOutcomeNames[] = {
    { Outcome::Pending, "pending"_L1 },   { Outcome::Passed, "passed"_L1 },     { Outcome::Rescued, "rescued"_L1 },
    { Outcome::Repaired, "repaired"_L1 }, { Outcome::Retried, "retried"_L1 },   { Outcome::GaveUp, "gave-up"_L1 },
    { Outcome::Error, "error"_L1 },       { Outcome::Passthrough, "passthrough"_L1 },
};

} // namespace

QString outcomeName(Outcome outcome)
{
    for (const OutcomeName& entry : kOutcomeNames) {
        if (entry.outcome == outcome)
            return entry.name;
    }
    return u"pending"_s;
}

Outcome outcomeFromName(const QString& name)
{
    for (const OutcomeName& entry : kOutcomeNames) {
        if (entry.name == name)
            return entry.outcome;
    }
    return Outcome::Pending;
}

double Exchange::tokensPerSecond() const
{
    if (usage.completionTokens <= 0 || totalUs <= 0)
        return -1;
    // A stream shows when generation started (the first token); a whole answer does not, so
    // its window is the whole request. A window too short to measure falls back to the same.
    qint64 window = totalUs;
    if (streamed && firstTokenUs >= 0 && totalUs - firstTokenUs >= 1000 && usage.completionTokens > 1)
        window = totalUs - firstTokenUs;
    return double(usage.completionTokens) / (double(window) / 1e6);
}

qint64 Exchange::elapsedUs() const
{
    return monotonicUs() - startedMonotonicUs;
}

namespace {

qint64 recordBytes(const HttpRecord& record)
{
    qint64 bytes = record.body.size() + record.url.size();
    for (const auto& header : record.headers)
        bytes += header.first.size() + header.second.size();
    for (const StreamEvent& event : record.events)
        bytes += event.data.size() + qint64(sizeof(StreamEvent));
    return bytes;
}

} // namespace

qint64 Exchange::approximateBytes() const
{
    qint64 bytes = qint64(sizeof(Exchange)) + recordBytes(clientRequest) + recordBytes(clientResponse);
    for (const Attempt& attempt : attempts)
        bytes += recordBytes(attempt.request) + recordBytes(attempt.response) + 512;
    bytes += events.size() * 256;
    return bytes;
}

qint64 monotonicUs()
{
    static const QElapsedTimer clock = [] {
        QElapsedTimer timer;
        timer.start();
        return timer;
    }();
    return clock.nsecsElapsed() / 1000;
}

} // namespace Trace
