#pragma once

#include "trace/filterquery.h"

#include <QSortFilterProxyModel>

namespace Trace {
class TraceStore;
}

// Sorts the exchange list and keeps the rows a FilterQuery accepts (the filter bar's text).
class ExchangeFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    ExchangeFilterModel(Trace::TraceStore* store, QObject* parent = nullptr);

    void setQueryText(const QString& text);
    QString queryText() const { return m_text; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    Trace::TraceStore* m_store;
    QString m_text;
    Trace::FilterQuery m_query;
};
