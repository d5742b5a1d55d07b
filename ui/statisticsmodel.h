#pragma once

#include "trace/statistics.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QTimer>

namespace Trace {
class TraceStore;
}

// Tool-calling statistics per backend and model (Trace::aggregateStatistics, whose header says
// what counts where), kept live from the store: one top-level row per backend and model, with
// one child row per parser that rescued calls for it.
//
// Only finished exchanges count, so only exchangeFinished and exchangeRemoved matter. Each
// exchange is read once into a sample when it finishes; the rows are recomputed from the samples
// at most four times a second, so a burst of exchanges costs one recompute.
class StatisticsModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column {
        ModelColumn,
        BackendColumn,
        ToolRequestsColumn,
        NativeColumn,
        RescuedColumn,
        RepairedColumn,
        RetriedColumn,
        GaveUpColumn,
        ErrorsColumn,
        MeanAttemptsColumn,
        MedianFirstTokenColumn,
        MedianTokensPerSecondColumn,
        PassThroughColumn,
        ColumnCount
    };
    enum Role {
        CountRole = Qt::UserRole + 1, // int: the count in a count column
        ShareRole, // double 0..1: the count as a share of tool requests, -1 when none
        ParserRole, // QString: the parser of a breakdown row
    };
    static constexpr int kRefreshIntervalMs = 250;

    explicit StatisticsModel(Trace::TraceStore* store, QObject* parent = nullptr);

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const QList<Trace::ModelStatistics>& statistics() const { return m_rows; }
    int passThroughTotal() const;
    int toolRequestTotal() const;
    // Recomputes the rows now rather than at the next throttled refresh.
    void refresh();

Q_SIGNALS:
    // The rows were recomputed (with dataChanged, or a reset when rows came or went).
    void refreshed();

private:
    void scheduleRefresh();
    static bool sameShape(const QList<Trace::ModelStatistics>& a, const QList<Trace::ModelStatistics>& b);

    Trace::TraceStore* m_store;
    QHash<quint64, Trace::StatisticsSample> m_samples;
    QList<Trace::ModelStatistics> m_rows;
    QTimer m_throttle;
};

// "3 (50%)": a count with its share of the tool requests; "0" and "–" stay short.
QString countWithShare(int count, double share);
