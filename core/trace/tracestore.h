#pragma once

#include "exchange.h"
#include "redaction.h"

#include <QHash>
#include <QObject>
#include <deque>
#include <functional>
#include <memory>

namespace Trace {

// Every exchange Temper handles, recorded on the main thread for the window, the headless
// writers and tests.
//
// Event contract: every exchange emits exchangeStarted once, then exchangeUpdated any number of
// times, then exchangeFinished exactly once. exchangeRemoved comes only after exchangeFinished
// (a running exchange is never evicted or cleared). Readers look the exchange up with find()
// while handling a signal; anything that leaves the main thread takes a copy.
//
// Redaction happens here, once for every writer of exchanges: what begin(), update() and
// finish() store has credentials masked (SecretRedactor::redact; bodies at begin and finish),
// so the window, the trace file, exports and the summary line never see a secret.
class TraceStore : public QObject
{
    Q_OBJECT

public:
    explicit TraceStore(QObject* parent = nullptr);

    // Finished exchanges are kept up to both limits; the oldest go first.
    void setLimits(int maxExchanges, qint64 maxBytes);
    int maxExchanges() const { return m_maxExchanges; }
    // The secrets to mask from now on (the backend API key).
    void setRedactor(const SecretRedactor& redactor) { m_redactor = redactor; }

    // Starts recording: assigns the id and the start time. Returns the id.
    quint64 begin(Exchange exchange);
    void update(quint64 id, const std::function<void(Exchange&)>& change);
    // Applies a last change, marks the exchange finished and emits exchangeFinished.
    void finish(quint64 id, const std::function<void(Exchange&)>& change = {});

    const Exchange* find(quint64 id) const;
    QList<quint64> ids() const; // oldest first
    int size() const { return int(m_order.size()); }
    int runningCount() const { return m_running; }

    // Forgets every finished exchange.
    void clear();

Q_SIGNALS:
    void exchangeStarted(quint64 id);
    void exchangeUpdated(quint64 id);
    void exchangeFinished(quint64 id);
    void exchangeRemoved(quint64 id);

private:
    void evict();

    QHash<quint64, std::shared_ptr<Exchange>> m_exchanges;
    std::deque<quint64> m_order;
    quint64 m_nextId = 1;
    int m_running = 0;
    int m_maxExchanges = 5000;
    qint64 m_maxBytes = qint64(512) * 1024 * 1024;
    qint64 m_finishedBytes = 0;
    QHash<quint64, qint64> m_sizes;
    SecretRedactor m_redactor;
};

} // namespace Trace
