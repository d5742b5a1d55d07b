#include "exchangefiltermodel.h"

#include "exchangetablemodel.h"
#include "trace/tracestore.h"

ExchangeFilterModel::ExchangeFilterModel(Trace::TraceStore* store, QObject* parent)
    : QSortFilterProxyModel(parent)
    , m_store(store)
{
    setSortRole(ExchangeTableModel::SortRole);
    // Rows of running exchanges change as they stream; re-filtering them keeps the view honest.
    setDynamicSortFilter(true);
}

void ExchangeFilterModel::setQueryText(const QString& text)
{
    if (text == m_text)
        return;
    m_text = text;
    m_query = Trace::FilterQuery::parse(text);
    invalidateRowsFilter();
}

bool ExchangeFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (m_query.isEmpty())
        return true;
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    const Trace::Exchange* exchange = m_store->find(index.data(ExchangeTableModel::ExchangeIdRole).toULongLong());
    return exchange && m_query.matches(*exchange);
}
