#pragma once

#include <QList>
#include <QTabWidget>
#include <QTimer>

class ExchangePage;

namespace Trace {
class TraceStore;
}

// The tabs that show the selected exchange. Follows it while it runs, at most four times a
// second (a stream updates the store per event); Ctrl+1..9 switch tabs.
class DetailPane : public QTabWidget
{
    Q_OBJECT

public:
    explicit DetailPane(Trace::TraceStore* store, QWidget* parent = nullptr);

    void addPage(ExchangePage* page);
    const QList<ExchangePage*>& pages() const { return m_pages; }
    ExchangePage* page(const QString& objectName) const;

    void showExchange(quint64 id); // 0 clears
    quint64 exchangeId() const { return m_id; }

private:
    void refresh();

    Trace::TraceStore* m_store;
    QList<ExchangePage*> m_pages;
    quint64 m_id = 0;
    QTimer m_refresh;
};
