#include "mainwindow.h"

#include "exchangetablemodel.h"
#include "proxy/proxyservice.h"
#include "trace/tracejson.h"
#include "trace/tracestore.h"

#include <QHeaderView>
#include <QIcon>
#include <QJsonDocument>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSortFilterProxyModel>
#include <QFontDatabase>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>

using namespace Qt::StringLiterals;

MainWindow::MainWindow(Proxy::ProxyService* proxy, QWidget* parent)
    : QMainWindow(parent)
    , m_proxy(proxy)
    , m_model(new ExchangeTableModel(proxy->store(), this))
    , m_sorted(new QSortFilterProxyModel(this))
    , m_view(new QTableView)
    , m_detail(new QPlainTextEdit)
    , m_listenLabel(new QLabel)
    , m_backendLabel(new QLabel)
    , m_modelLabel(new QLabel)
    , m_contextLabel(new QLabel)
{
    setWindowTitle(tr("Temper"));
    // PNG renderings at every size: they need no image plugin (the SVG one may be missing).
    QIcon icon;
    for (int size : { 16, 24, 32, 48, 64, 128, 256 })
        icon.addFile(u":/icons/temper-%1.png"_s.arg(size), QSize(size, size));
    setWindowIcon(icon);
    m_sorted->setSourceModel(m_model);
    m_sorted->setSortRole(ExchangeTableModel::SortRole);
    m_view->setModel(m_sorted);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ExchangeTableModel::TimeColumn, Qt::AscendingOrder);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionResizeMode(ExchangeTableModel::PathColumn, QHeaderView::Stretch);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);

    m_detail->setReadOnly(true);
    m_detail->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_detail->setPlaceholderText(tr("Select an exchange to see what the client sent, what Temper forwarded and what came back."));

    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_view);
    splitter->addWidget(m_detail);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    setCentralWidget(splitter);

    for (QLabel* label : { m_listenLabel, m_backendLabel, m_modelLabel, m_contextLabel })
        statusBar()->addPermanentWidget(label);
    showListenAddress();
    showBackendInfo(proxy->backendInfo());

    connect(proxy, &Proxy::ProxyService::listeningChanged, this, &MainWindow::showListenAddress);
    connect(proxy, &Proxy::ProxyService::backendInfoChanged, this, &MainWindow::showBackendInfo);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &MainWindow::showSelectedExchange);
    connect(proxy->store(), &Trace::TraceStore::exchangeFinished, this, [this](quint64 id) {
        const QModelIndex current = m_view->currentIndex();
        if (current.isValid() && current.data(ExchangeTableModel::ExchangeIdRole).toULongLong() == id)
            showSelectedExchange();
    });
    resize(1200, 760);
}

MainWindow::~MainWindow() = default;

void MainWindow::showListenAddress()
{
    m_listenLabel->setText(m_proxy->isListening() ? tr("Listening on %1").arg(m_proxy->listenUrl().toString())
                                                  : tr("Not listening"));
}

void MainWindow::showBackendInfo(const Backend::Info& info)
{
    const QString state = info.checkedAt.isValid() ? (info.reachable ? tr("up") : tr("unreachable")) : tr("checking…");
    m_backendLabel->setText(tr("Backend %1 (%2, %3)").arg(info.url, Backend::kindName(info.kind()), state));
    m_modelLabel->setText(tr("Model: %1").arg(info.model.isEmpty() ? tr("client's choice") : info.model));
    m_contextLabel->setText(info.contextLength > 0 ? tr("Context: %1 tokens").arg(info.contextLength) : tr("Context: unknown"));
    m_contextLabel->setToolTip(info.contextSource);
}

void MainWindow::showSelectedExchange()
{
    const QModelIndex current = m_view->currentIndex();
    const quint64 id = current.isValid() ? current.data(ExchangeTableModel::ExchangeIdRole).toULongLong() : 0;
    const Trace::Exchange* exchange = id ? m_proxy->store()->find(id) : nullptr;
    if (!exchange) {
        m_detail->clear();
        return;
    }
    m_detail->setPlainText(QString::fromUtf8(QJsonDocument(Trace::exchangeToJson(*exchange)).toJson(QJsonDocument::Indented)));
}
