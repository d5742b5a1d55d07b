#pragma once

#include <QWidget>

class QLabel;
class QTreeView;
class StatisticsModel;

namespace Trace {
class TraceStore;
}

// A tool window with the tool-calling statistics per backend and model (StatisticsModel), kept
// live while exchanges finish. Column headers explain what each column counts.
class StatisticsWindow : public QWidget
{
    Q_OBJECT

public:
    explicit StatisticsWindow(Trace::TraceStore* store, QWidget* parent = nullptr);

    StatisticsModel* model() const { return m_model; }
    QTreeView* view() const { return m_view; }

private:
    void showTotals();

    StatisticsModel* m_model;
    QTreeView* m_view;
    QLabel* m_totals;
};
