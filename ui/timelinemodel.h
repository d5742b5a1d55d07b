#pragma once

#include "trace/exchange.h"

#include <QAbstractTableModel>
#include <QList>
#include <QStyledItemDelegate>

// The guard's steps for one exchange (Exchange::events), one row each, in the order they
// happened. Showing a grown copy of the same exchange appends rows instead of resetting, so a
// view keeps its selection and scroll position while a stream runs.
class TimelineModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { StepColumn, TimeColumn, AttemptColumn, SummaryColumn, ColumnCount };
    enum Role {
        KindRole = Qt::UserRole + 1, // the event's kind as recorded: "attempt-sent", "rescue", ...
        MarkerOutcomeRole,           // int(Trace::Outcome) whose colour marks the step
        DetailTextRole,              // the full summary and the detail JSON, pretty-printed
        AtUsRole,
    };

    explicit TimelineModel(QObject* parent = nullptr);

    void setExchange(const Trace::Exchange& exchange);
    void clear();

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // "rescue" -> "rescue", "attempt-sent" -> "sent", "final" -> "answered": the kind for people.
    static QString kindLabel(const QString& kind);

private:
    quint64 m_exchangeId = 0;
    Trace::Outcome m_outcome = Trace::Outcome::Pending;
    QList<Trace::GuardEvent> m_events;
};

// Draws the step column as a vertical rail with one coloured dot per step, so the list reads as a
// timeline; the dot's colour comes from the outcome palette (OutcomeStyle), and the kind is
// always written beside it, so colour is never the only cue.
class TimelineStepDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};
