#pragma once

#include <QMainWindow>
#include <QTimer>

class QLabel;
class QLineEdit;
class QSplitter;
class QTableView;
class DetailPane;
class ExchangeFilterModel;
class ExchangeTableModel;

namespace Backend {
struct Info;
}
namespace Proxy {
class ProxyService;
}

// Temper's window: the live exchange list (filtered, sorted) above the selected exchange's
// detail tabs; a toolbar and menus whose actions all have shortcuts; a status bar with where
// Temper listens, capture state, the backend's health, model and context length, and how many
// exchanges the filter shows.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(Proxy::ProxyService* proxy, QWidget* parent = nullptr);
    ~MainWindow() override;

    QTableView* exchangeView() const { return m_view; }
    ExchangeTableModel* exchangeModel() const { return m_model; }
    ExchangeFilterModel* filterModel() const { return m_filter; }
    DetailPane* detailPane() const { return m_detail; }
    QLineEdit* filterEdit() const { return m_filterEdit; }
    QAction* action(const QString& objectName) const;

    void selectExchange(quint64 id);
    quint64 selectedExchangeId() const;
    bool isFollowingNewest() const;

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void createActions();
    void createMenus();
    void showBackendInfo(const Backend::Info& info);
    void showListenAddress();
    void showCounts();
    void currentRowChanged();
    void exchangeStarted(quint64 id);
    void moveSelection(int step);
    void copyCurl();
    void copyResponse();
    void exportVisible();
    void toggleProxy();
    void openSettings();
    void openFormatLab();
    void openStatistics();
    void saveLayout() const;
    void restoreLayout();
    QAction* makeAction(const QString& objectName, const QString& text, const QKeySequence& shortcut,
                        void (MainWindow::*slot)());

    Proxy::ProxyService* m_proxy;
    ExchangeTableModel* m_model;
    ExchangeFilterModel* m_filter;
    QTableView* m_view;
    DetailPane* m_detail;
    QSplitter* m_splitter;
    QLineEdit* m_filterEdit;
    QTimer m_filterDelay;
    QLabel* m_listenLabel;
    QLabel* m_captureLabel;
    QLabel* m_backendLabel;
    QLabel* m_modelLabel;
    QLabel* m_contextLabel;
    QLabel* m_countLabel;
    bool m_selectingNewest = false;
    QWidget* m_formatLab = nullptr;
    QWidget* m_statistics = nullptr;
};
