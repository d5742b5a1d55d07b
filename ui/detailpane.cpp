#include "detailpane.h"

#include "exchangepage.h"
#include "trace/tracestore.h"

#include <QAction>

DetailPane::DetailPane(Trace::TraceStore* store, QWidget* parent)
    : QTabWidget(parent)
    , m_store(store)
{
    setObjectName(QStringLiteral("detailPane"));
    setDocumentMode(true);
    m_refresh.setInterval(250);
    m_refresh.setSingleShot(true);
    connect(&m_refresh, &QTimer::timeout, this, &DetailPane::refresh);
    connect(store, &Trace::TraceStore::exchangeUpdated, this, [this](quint64 id) {
        if (id == m_id && !m_refresh.isActive())
            m_refresh.start();
    });
    connect(store, &Trace::TraceStore::exchangeFinished, this, [this](quint64 id) {
        if (id == m_id)
            refresh(); // the final state at once
    });
    connect(store, &Trace::TraceStore::exchangeRemoved, this, [this](quint64 id) {
        if (id == m_id)
            showExchange(0);
    });
    for (int i = 0; i < 9; ++i) {
        auto* action = new QAction(this);
        action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
        action->setShortcutContext(Qt::WindowShortcut);
        connect(action, &QAction::triggered, this, [this, i] {
            if (i < count())
                setCurrentIndex(i);
        });
        addAction(action);
    }
}

void DetailPane::addPage(ExchangePage* page)
{
    m_pages.append(page);
    addTab(page, page->title());
    setTabToolTip(count() - 1, tr("%1 (Ctrl+%2)").arg(page->title()).arg(count()));
}

ExchangePage* DetailPane::page(const QString& objectName) const
{
    for (ExchangePage* page : m_pages) {
        if (page->objectName() == objectName)
            return page;
    }
    return nullptr;
}

void DetailPane::showExchange(quint64 id)
{
    m_id = id;
    m_refresh.stop();
    refresh();
}

void DetailPane::refresh()
{
    const Trace::Exchange* exchange = m_id ? m_store->find(m_id) : nullptr;
    for (ExchangePage* page : std::as_const(m_pages)) {
        if (exchange)
            page->showExchange(*exchange);
        else
            page->clearExchange();
    }
}
