#pragma once

#include "exchange.h"

#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

namespace Trace {

// How well tool calling works per backend and model, aggregated from finished exchanges.
//
// What counts where (only finished exchanges count; running ones are skipped):
// - A *tool request* is a chat exchange (route "chat") that declared tools and that the guard
//   judged: outcome passed, rescued, repaired, retried, gave up or error. Every share below is a
//   share of tool requests.
// - Every other finished exchange is *pass-through*: tool-free chats, other routes (/v1/models),
//   and tool requests the proxy forwarded untouched (guard off, tool_choice "none", n > 1), which
//   finish with outcome passthrough. They are counted in `passThrough` and nowhere else.
// - Among tool requests, not exclusive of one another:
//   native calls   some attempt's answer carried calls in the backend's own `tool_calls`;
//   rescued        some attempt's calls were recovered from the text. Per parser, an exchange
//                  counts once for each parser that recovered calls in it, so when two attempts
//                  used different parsers the parsers add up to more than `rescued`;
//   repaired       the accepted answer's arguments were repaired (the client got fixed values);
//   retried        outcome retried: the accepted answer came from a corrective retry;
//   gave up        outcome gave up: retries ran out (such exchanges are not also "retried");
//   errors         outcome error: the backend or the connection failed.
// - Mean attempts: attempts sent to the backend, averaged over tool requests.
// - Median TTFT and median tokens/s: over the tool requests where Exchange::firstTokenUs and
//   Exchange::tokensPerSecond() are known; unknown values are left out, not counted as zero. The
//   median of an even count is the mean of the two middle values; -1 when nothing is known.
// Exchanges are grouped by their exact backend URL and model name (an empty model is its own group).

// What one exchange contributes, read from its trace once (the window keeps one per exchange
// and aggregates again when exchanges come and go).
struct StatisticsSample
{
    QString backend;
    QString model;
    bool finished = false; // unfinished samples are skipped
    bool toolRequest = false; // false: pass-through
    bool nativeCalls = false;
    QStringList rescueParsers; // distinct parsers that recovered calls, in attempt order
    bool repaired = false;
    Outcome outcome = Outcome::Pending;
    int attempts = 0;
    qint64 firstTokenUs = -1;
    double tokensPerSecond = -1;
};

// The statistics of one backend and model.
struct ModelStatistics
{
    QString backend;
    QString model;
    int toolRequests = 0;
    int nativeCalls = 0;
    int rescued = 0;
    QList<QPair<QString, int>> rescuedByParser; // most frequent first, then by name
    int repaired = 0;
    int retried = 0;
    int gaveUp = 0;
    int errors = 0;
    int passThrough = 0;
    double meanAttempts = -1; // -1 without tool requests
    qint64 medianFirstTokenUs = -1; // -1 when no TTFT is known
    double medianTokensPerSecond = -1; // -1 when no rate is known

    // `count` as a share of the tool requests, from 0 to 1; -1 when there are none.
    double share(int count) const;
};

// What `exchange` contributes.
StatisticsSample statisticsSample(const Exchange& exchange);

// Groups samples per backend and model, sorted by backend, then model. Pure.
QList<ModelStatistics> aggregateStatistics(const QList<StatisticsSample>& samples);

// The same straight from exchanges.
QList<ModelStatistics> computeStatistics(const QList<Exchange>& exchanges);

// The median of `values` (mean of the two middle ones for an even count); -1 when empty.
double median(QList<double> values);

} // namespace Trace
