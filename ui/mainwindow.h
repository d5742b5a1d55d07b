#pragma once

#include <QMainWindow>

class QLabel;
class QPlainTextEdit;
class QSortFilterProxyModel;
class QTableView;
class ExchangeTableModel;

namespace Backend {
struct Info;
}
namespace Proxy {
class ProxyService;
}

// Temper's window: the live exchange table above the selected exchange's details, and a status
// bar with where Temper listens, the backend, its model and context length.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(Proxy::ProxyService* proxy, QWidget* parent = nullptr);
    ~MainWindow() override;

    QTableView* exchangeView() const { return m_view; }
    ExchangeTableModel* exchangeModel() const { return m_model; }

private:
    void showBackendInfo(const Backend::Info& info);
    void showListenAddress();
    void showSelectedExchange();

    Proxy::ProxyService* m_proxy;
    ExchangeTableModel* m_model;
    QSortFilterProxyModel* m_sorted;
    QTableView* m_view;
    QPlainTextEdit* m_detail;
    QLabel* m_listenLabel;
    QLabel* m_backendLabel;
    QLabel* m_modelLabel;
    QLabel* m_contextLabel;
};
