#pragma once

#include "trace/exchange.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QSet>
#include <QTimer>

namespace Trace {
class TraceStore;
}

// The live list of exchanges. Owns its rows (a summary of each exchange) and bounds them; the
// store's signals keep them current. Updates of running exchanges arrive per streamed event,
// so they are gathered and announced at most ten times a second.
class ExchangeTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { TimeColumn, MethodColumn, PathColumn, ModelColumn, StreamColumn, StatusColumn, OutcomeColumn,
                  AttemptsColumn, FirstTokenColumn, TotalColumn, TokensColumn, TokensPerSecondColumn, ColumnCount };
    enum Role { ExchangeIdRole = Qt::UserRole + 1, OutcomeRole, SortRole };

    explicit ExchangeTableModel(Trace::TraceStore* store, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // While paused, exchanges that start are not added (the proxy keeps serving them).
    void setPaused(bool paused) { m_paused = paused; }
    bool isPaused() const { return m_paused; }
    void setMaxRows(int maxRows);
    int maxRows() const { return m_maxRows; }
    quint64 exchangeIdAt(int row) const;
    int rowOf(quint64 id) const;

private:
    struct Row
    {
        quint64 id = 0;
        QDateTime started;
        QString method;
        QString path;
        QString model;
        bool streamed = false;
        int status = 0;
        Trace::Outcome outcome = Trace::Outcome::Pending;
        int attempts = 0;
        qint64 firstTokenUs = -1;
        qint64 totalUs = -1;
        qint64 promptTokens = -1;
        qint64 completionTokens = -1;
        double tokensPerSecond = -1;
        bool finished = false;
    };

    static Row rowFrom(const Trace::Exchange& exchange);
    void addExchange(quint64 id);
    void markDirty(quint64 id);
    void flushDirty();
    void removeExchange(quint64 id);
    void trim();

    Trace::TraceStore* m_store;
    QList<Row> m_rows;
    QHash<quint64, int> m_rowById; // rebuilt when rows are removed from the front
    QSet<quint64> m_dirty;
    QTimer m_flushTimer;
    int m_maxRows = 10'000;
    bool m_paused = false;
};

// "1.2 s", "180 ms", "-": durations as people read them.
QString formatDurationUs(qint64 us);
