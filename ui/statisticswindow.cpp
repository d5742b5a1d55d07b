#include "statisticswindow.h"

#include "statisticsmodel.h"

#include <QHeaderView>
#include <QLabel>
#include <QTreeView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

StatisticsWindow::StatisticsWindow(Trace::TraceStore* store, QWidget* parent)
    : QWidget(parent, Qt::Window)
    , m_model(new StatisticsModel(store, this))
    , m_view(new QTreeView)
    , m_totals(new QLabel)
{
    setObjectName(u"statisticsWindow"_s);
    setWindowTitle(tr("Statistics"));
    resize(1280, 420);

    m_totals->setObjectName(u"totals"_s);
    m_totals->setWordWrap(true);
    m_view->setObjectName(u"statisticsView"_s);
    m_view->setModel(m_model);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    // The backend URL takes the room left, so the numbers sit together on the right.
    m_view->header()->setSectionResizeMode(StatisticsModel::BackendColumn, QHeaderView::Stretch);
    // When the room is short, keep a URL's host and port readable rather than its scheme.
    m_view->setTextElideMode(Qt::ElideMiddle);
    auto* note = new QLabel(
        tr("Shares are of tool requests: finished chat requests that declared tools and that the guard "
           "judged. Native calls and rescued count an exchange when any of its attempts had them; the "
           "parser rows break the rescued ones down. Hover a column header for what it counts."));
    note->setObjectName(u"definitions"_s);
    note->setWordWrap(true);
    note->setForegroundRole(QPalette::PlaceholderText);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_totals);
    layout->addWidget(m_view, 1);
    layout->addWidget(note);

    // Parser rows are the point of the breakdown: keep them open across resets.
    connect(m_model, &QAbstractItemModel::modelReset, m_view, &QTreeView::expandAll);
    connect(m_model, &StatisticsModel::refreshed, this, &StatisticsWindow::showTotals);
    m_view->expandAll();
    showTotals();
}

void StatisticsWindow::showTotals()
{
    const int groups = int(m_model->statistics().size());
    if (groups == 0) {
        m_totals->setText(tr("No finished exchanges yet. Rows appear here as exchanges finish."));
        return;
    }
    const int requests = m_model->toolRequestTotal();
    const int passThrough = m_model->passThroughTotal();
    m_totals->setText(
        tr("%1 and %2 over %3, updated as exchanges finish.")
            .arg(requests == 1 ? tr("1 tool request") : tr("%1 tool requests").arg(requests),
                passThrough == 1 ? tr("1 pass-through exchange")
                                 : tr("%1 pass-through exchanges").arg(passThrough),
                groups == 1 ? tr("1 backend and model") : tr("%1 backend and model pairs").arg(groups)));
}
