#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace Trace {

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

// What happened to one client request, from Temper's point of view.
enum class Outcome {
    Pending,     // still running
    Passed,      // tools declared; the first answer was valid as it came
    Rescued,     // tool calls were recovered from text
    Repaired,    // argument values were repaired (10.0 -> 10)
    Retried,     // a corrective retry produced the accepted answer
    GaveUp,      // retries ran out; the client got the last answer
    Error,       // Temper or the backend failed; the client got an error
    Passthrough, // nothing to guard: forwarded untouched
};
QString outcomeName(Outcome outcome); // "passed", "gave-up", ...
Outcome outcomeFromName(const QString& name);

// One server-sent event, with when it arrived (microseconds since the exchange started).
struct StreamEvent
{
    qint64 atUs = 0;
    QByteArray data;
};

// One HTTP message as it crossed the wire. Secrets in headers are already masked.
struct HttpRecord
{
    QByteArray method;    // requests
    QByteArray url;       // requests: path (client side) or full URL (upstream side)
    int status = 0;       // responses; 0 until known
    HeaderList headers;
    QByteArray body;      // the whole body; for streams, the concatenated bytes
    bool bodyTruncated = false; // the stored body was cut at the trace size limit
    QList<StreamEvent> events;  // for event streams
};

struct Usage
{
    qint64 promptTokens = -1; // -1: not reported
    qint64 completionTokens = -1;
};

// One call from Temper to the backend.
struct Attempt
{
    int index = 0;            // 1-based
    HttpRecord request;       // as Temper sent it
    HttpRecord response;      // as the backend answered
    qint64 startedUs = 0;     // relative to the exchange start
    qint64 firstByteUs = -1;
    qint64 firstTokenUs = -1;
    qint64 finishedUs = -1;
    QString error;            // transport failure in plain words, empty when the backend answered
    Usage usage;
    QJsonObject guard;        // the guard's findings on this attempt: rescue, validation, repairs,
                              // the corrective message (see guard/guardedexchange.h)
};

// A step Temper took, for the timeline view.
struct GuardEvent
{
    qint64 atUs = 0;
    int attempt = 0;     // 1-based attempt it belongs to, 0 for the exchange as a whole
    QString kind;        // "attempt-sent", "first-token", "rescue", "repair", "validation",
                         // "correction", "retry", "final", "error"
    QString summary;     // one line for people
    QJsonObject detail;
};

// One client request and everything Temper did for it.
struct Exchange
{
    quint64 id = 0;
    QDateTime startedAt;     // wall clock, for display
    qint64 startedMonotonicUs = 0; // monotonicUs() at the start; every *Us field is relative to it
    QByteArray method;
    QByteArray path;
    QString route;           // "chat", "passthrough", "temper"
    QString model;
    QString backend;         // backend URL it went to
    bool streamed = false;
    QStringList toolNames;   // tools the request declared
    HttpRecord clientRequest;
    HttpRecord clientResponse;
    QList<Attempt> attempts;
    QList<GuardEvent> events;
    Outcome outcome = Outcome::Pending;
    QString error;
    bool finished = false;

    // Timings in microseconds since the exchange started; -1 when unknown.
    qint64 firstByteUs = -1;  // first byte written to the client
    qint64 firstTokenUs = -1; // first generated text, reasoning or tool-call delta
    qint64 totalUs = -1;
    Usage usage;              // summed over attempts

    // Generated tokens per second over the generation time, -1 when unknown.
    double tokensPerSecond() const;
    // Microseconds since this exchange started, now.
    qint64 elapsedUs() const;
    // Roughly how much memory the recorded bytes take, for the store's budget.
    qint64 approximateBytes() const;
};

} // namespace Trace

namespace Trace {

// Microseconds on a process-wide monotonic clock; exchanges measure their timings with it.
qint64 monotonicUs();

} // namespace Trace
