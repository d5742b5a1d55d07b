#include "tracestore.h"

namespace Trace {

TraceStore::TraceStore(QObject* parent)
    : QObject(parent)
{
}

void TraceStore::setLimits(int maxExchanges, qint64 maxBytes)
{
    m_maxExchanges = std::max(1, maxExchanges);
    m_maxBytes = std::max<qint64>(1, maxBytes);
    evict();
}

quint64 TraceStore::begin(Exchange exchange)
{
    const quint64 id = m_nextId++;
    exchange.id = id;
    if (!exchange.startedAt.isValid())
        exchange.startedAt = QDateTime::currentDateTime();
    if (exchange.startedMonotonicUs == 0)
        exchange.startedMonotonicUs = monotonicUs();
    exchange.finished = false;
    m_redactor.redact(exchange, true);
    m_exchanges.insert(id, std::make_shared<Exchange>(std::move(exchange)));
    m_order.push_back(id);
    ++m_running;
    emit exchangeStarted(id);
    return id;
}

void TraceStore::update(quint64 id, const std::function<void(Exchange&)>& change)
{
    const auto it = m_exchanges.find(id);
    if (it == m_exchanges.end() || (*it)->finished)
        return;
    change(**it);
    m_redactor.redact(**it, false);
    emit exchangeUpdated(id);
}

void TraceStore::finish(quint64 id, const std::function<void(Exchange&)>& change)
{
    const auto it = m_exchanges.find(id);
    if (it == m_exchanges.end() || (*it)->finished)
        return;
    Exchange& exchange = **it;
    if (change)
        change(exchange);
    m_redactor.redact(exchange, true);
    exchange.finished = true;
    if (exchange.totalUs < 0)
        exchange.totalUs = exchange.elapsedUs();
    if (exchange.outcome == Outcome::Pending)
        exchange.outcome = Outcome::Passthrough;
    --m_running;
    const qint64 bytes = exchange.approximateBytes();
    m_sizes.insert(id, bytes);
    m_finishedBytes += bytes;
    emit exchangeFinished(id);
    evict();
}

const Exchange* TraceStore::find(quint64 id) const
{
    const auto it = m_exchanges.constFind(id);
    return it == m_exchanges.constEnd() ? nullptr : it->get();
}

QList<quint64> TraceStore::ids() const
{
    return QList<quint64>(m_order.begin(), m_order.end());
}

void TraceStore::evict()
{
    // Walk from the oldest; running exchanges are skipped, never dropped.
    auto it = m_order.begin();
    while (it != m_order.end() && (int(m_order.size()) - m_running > m_maxExchanges || m_finishedBytes > m_maxBytes)) {
        const quint64 id = *it;
        const auto found = m_exchanges.constFind(id);
        if (found == m_exchanges.constEnd() || !(*found)->finished) {
            ++it;
            continue;
        }
        m_finishedBytes -= m_sizes.take(id);
        m_exchanges.remove(id);
        it = m_order.erase(it);
        emit exchangeRemoved(id);
    }
}

void TraceStore::clear()
{
    for (auto it = m_order.begin(); it != m_order.end();) {
        const quint64 id = *it;
        if (!m_exchanges.value(id)->finished) {
            ++it;
            continue;
        }
        m_finishedBytes -= m_sizes.take(id);
        m_exchanges.remove(id);
        it = m_order.erase(it);
        emit exchangeRemoved(id);
    }
}

} // namespace Trace
