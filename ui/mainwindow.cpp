#include "mainwindow.h"

#include "detailpages.h"
#include "detailpane.h"
#include "exchangefiltermodel.h"
#include "exchangetablemodel.h"
#include "proxy/proxyservice.h"
#include "trace/curl.h"
#include "trace/tracejson.h"
#include "trace/tracestore.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QFile>
#include <QFileDialog>
#include <QHeaderView>
#include <QIcon>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

using namespace Qt::StringLiterals;

namespace {

// Bumped whenever the layout changes shape, so an old saved state is not applied to a new one.
constexpr int kLayoutVersion = 1;

const QString kGeometryKey = u"window/geometry"_s;
const QString kStateKey = u"window/state"_s;
const QString kSplitterKey = u"window/splitter"_s;
const QString kHeaderKey = u"window/header"_s;
const QString kLayoutVersionKey = u"window/layoutVersion"_s;
const QString kFollowKey = u"window/followNewest"_s;

} // namespace

MainWindow::MainWindow(Proxy::ProxyService* proxy, QWidget* parent)
    : QMainWindow(parent)
    , m_proxy(proxy)
    , m_model(new ExchangeTableModel(proxy->store(), this))
    , m_filter(new ExchangeFilterModel(proxy->store(), this))
    , m_view(new QTableView)
    , m_detail(new DetailPane(proxy->store()))
    , m_splitter(new QSplitter(Qt::Vertical))
    , m_filterEdit(new QLineEdit)
    , m_listenLabel(new QLabel)
    , m_captureLabel(new QLabel)
    , m_backendLabel(new QLabel)
    , m_modelLabel(new QLabel)
    , m_contextLabel(new QLabel)
    , m_countLabel(new QLabel)
{
    setObjectName(u"mainWindow"_s);
    setWindowTitle(tr("Temper"));
    // PNG renderings at every size: they need no image plugin (the SVG one may be missing).
    QIcon icon;
    for (int size : { 16, 24, 32, 48, 64, 128, 256 })
        icon.addFile(u":/icons/temper-%1.png"_s.arg(size), QSize(size, size));
    setWindowIcon(icon);

    m_filter->setSourceModel(m_model);
    m_view->setObjectName(u"exchangeView"_s);
    m_view->setModel(m_filter);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ExchangeTableModel::TimeColumn, Qt::AscendingOrder);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    m_view->horizontalHeader()->setSectionResizeMode(ExchangeTableModel::PathColumn, QHeaderView::Stretch);
    m_view->horizontalHeader()->setSectionsMovable(true);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->setTabKeyNavigation(false);
    // Widths from what the columns hold; the path takes the rest. (Measuring rows would cost
    // too much with thousands of them.)
    const QList<std::pair<int, QString>> widths = {
        { ExchangeTableModel::TimeColumn, u"00:00:00.000"_s }, { ExchangeTableModel::MethodColumn, u"OPTIONS"_s },
        { ExchangeTableModel::ModelColumn, u"qwen3-coder-30b-a3b"_s }, { ExchangeTableModel::StreamColumn, u"stream"_s },
        { ExchangeTableModel::StatusColumn, u"Status"_s }, { ExchangeTableModel::OutcomeColumn, u"passthrough"_s },
        { ExchangeTableModel::AttemptsColumn, u"Attempts"_s }, { ExchangeTableModel::FirstTokenColumn, u"1000 ms"_s },
        { ExchangeTableModel::TotalColumn, u"running"_s }, { ExchangeTableModel::TokensColumn, u"12345 / 1234"_s },
        { ExchangeTableModel::TokensPerSecondColumn, u"1234.5"_s },
    };
    for (const auto& [column, sample] : widths)
        m_view->setColumnWidth(column, m_view->fontMetrics().horizontalAdvance(sample) + 24);

    m_filterEdit->setObjectName(u"filterEdit"_s);
    m_filterEdit->setClearButtonEnabled(true);
    m_filterEdit->setPlaceholderText(tr("Filter (Ctrl+F): words in bodies, or model:  outcome:  tool:  parser:  status:  streamed:  -negated"));
    m_filterDelay.setInterval(150);
    m_filterDelay.setSingleShot(true);
    connect(m_filterEdit, &QLineEdit::textChanged, &m_filterDelay, qOverload<>(&QTimer::start));
    connect(&m_filterDelay, &QTimer::timeout, this, [this] {
        m_filter->setQueryText(m_filterEdit->text());
        showCounts();
    });

    auto* listArea = new QWidget;
    auto* listLayout = new QVBoxLayout(listArea);
    listLayout->setContentsMargins(0, 0, 0, 0);
    listLayout->setSpacing(2);
    listLayout->addWidget(m_filterEdit);
    listLayout->addWidget(m_view);
    m_splitter->setObjectName(u"mainSplitter"_s);
    m_splitter->addWidget(listArea);
    m_splitter->addWidget(m_detail);
    m_splitter->setStretchFactor(0, 2);
    m_splitter->setStretchFactor(1, 3);
    m_splitter->setChildrenCollapsible(false);
    setCentralWidget(m_splitter);
    addDetailPages(m_detail);

    const QList<std::pair<QLabel*, QString>> labels = { { m_listenLabel, u"listenLabel"_s }, { m_captureLabel, u"captureLabel"_s },
                                                        { m_backendLabel, u"backendLabel"_s }, { m_modelLabel, u"modelLabel"_s },
                                                        { m_contextLabel, u"contextLabel"_s }, { m_countLabel, u"countLabel"_s } };
    for (const auto& [label, name] : labels) {
        label->setObjectName(name);
        statusBar()->addPermanentWidget(label);
    }

    createActions();
    createMenus();
    showListenAddress();
    showBackendInfo(proxy->backendInfo());
    showCounts();

    connect(proxy, &Proxy::ProxyService::listeningChanged, this, &MainWindow::showListenAddress);
    connect(proxy, &Proxy::ProxyService::backendInfoChanged, this, &MainWindow::showBackendInfo);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &MainWindow::currentRowChanged);
    connect(proxy->store(), &Trace::TraceStore::exchangeStarted, this, &MainWindow::exchangeStarted, Qt::QueuedConnection);
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, &MainWindow::showCounts);
    connect(m_filter, &QAbstractItemModel::rowsRemoved, this, &MainWindow::showCounts);
    connect(m_filter, &QAbstractItemModel::modelReset, this, &MainWindow::showCounts);
    resize(1280, 820);
    restoreLayout();
}

MainWindow::~MainWindow() = default;

QAction* MainWindow::makeAction(const QString& objectName, const QString& text, const QKeySequence& shortcut,
                                void (MainWindow::*slot)())
{
    auto* action = new QAction(text, this);
    action->setObjectName(objectName);
    action->setShortcut(shortcut);
    action->setShortcutContext(Qt::WindowShortcut);
    if (!shortcut.isEmpty())
        action->setToolTip(u"%1 (%2)"_s.arg(text, shortcut.toString(QKeySequence::NativeText)).remove(u'&'));
    if (slot)
        connect(action, &QAction::triggered, this, slot);
    addAction(action);
    return action;
}

QAction* MainWindow::action(const QString& objectName) const
{
    return findChild<QAction*>(objectName);
}

void MainWindow::createActions()
{
    makeAction(u"actionToggleProxy"_s, tr("Stop &proxy"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P), &MainWindow::toggleProxy);
    QAction* pause = makeAction(u"actionPauseCapture"_s, tr("P&ause capture"), QKeySequence(Qt::CTRL | Qt::Key_E), nullptr);
    pause->setCheckable(true);
    connect(pause, &QAction::toggled, this, [this](bool paused) {
        m_model->setPaused(paused);
        m_captureLabel->setText(paused ? tr("Capture paused") : tr("Capture live"));
    });
    makeAction(u"actionClear"_s, tr("&Clear"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K), nullptr);
    connect(action(u"actionClear"_s), &QAction::triggered, this, [this] { m_proxy->store()->clear(); });
    QAction* follow = makeAction(u"actionFollowNewest"_s, tr("&Follow newest"), QKeySequence(Qt::CTRL | Qt::Key_End), nullptr);
    follow->setCheckable(true);
    follow->setChecked(QSettings().value(kFollowKey, true).toBool());
    connect(follow, &QAction::toggled, this, [this](bool on) {
        if (on && m_filter->rowCount() > 0)
            selectExchange(m_filter->index(m_filter->rowCount() - 1, 0).data(ExchangeTableModel::ExchangeIdRole).toULongLong());
    });
    makeAction(u"actionCopyCurl"_s, tr("Copy as c&URL"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C), &MainWindow::copyCurl);
    makeAction(u"actionCopyResponse"_s, tr("Copy &response JSON"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_J), &MainWindow::copyResponse);
    makeAction(u"actionNext"_s, tr("&Next exchange"), QKeySequence(Qt::CTRL | Qt::Key_Down), nullptr);
    connect(action(u"actionNext"_s), &QAction::triggered, this, [this] { moveSelection(1); });
    makeAction(u"actionPrevious"_s, tr("P&revious exchange"), QKeySequence(Qt::CTRL | Qt::Key_Up), nullptr);
    connect(action(u"actionPrevious"_s), &QAction::triggered, this, [this] { moveSelection(-1); });
    makeAction(u"actionFind"_s, tr("&Filter…"), QKeySequence::Find, nullptr);
    connect(action(u"actionFind"_s), &QAction::triggered, this, [this] {
        m_filterEdit->setFocus(Qt::ShortcutFocusReason);
        m_filterEdit->selectAll();
    });
    makeAction(u"actionExport"_s, tr("&Export shown exchanges…"), QKeySequence::Save, &MainWindow::exportVisible);
    makeAction(u"actionSettings"_s, tr("Backend &settings…"), QKeySequence(Qt::CTRL | Qt::Key_Comma), &MainWindow::openSettings);
    makeAction(u"actionRefreshBackend"_s, tr("Check &backend again"), QKeySequence(Qt::Key_F5), nullptr);
    connect(action(u"actionRefreshBackend"_s), &QAction::triggered, m_proxy->discovery(), &Backend::Discovery::refresh);
    makeAction(u"actionFormatLab"_s, tr("Format &lab"), QKeySequence(Qt::CTRL | Qt::Key_L), &MainWindow::openFormatLab);
    makeAction(u"actionStatistics"_s, tr("S&tatistics"), QKeySequence(Qt::CTRL | Qt::Key_T), &MainWindow::openStatistics);
    // QKeySequence::Quit is empty on platforms without a desktop theme: say it outright.
    makeAction(u"actionQuit"_s, tr("&Quit"), QKeySequence(Qt::CTRL | Qt::Key_Q), nullptr);
    connect(action(u"actionQuit"_s), &QAction::triggered, this, &QWidget::close);

    auto* toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName(u"mainToolBar"_s);
    toolbar->setMovable(false);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    for (const char* name : { "actionToggleProxy", "actionPauseCapture", "actionClear", "actionFollowNewest", "", "actionCopyCurl",
                              "actionCopyResponse", "", "actionPrevious", "actionNext", "", "actionSettings", "actionFormatLab",
                              "actionStatistics" }) {
        if (!*name)
            toolbar->addSeparator();
        else
            toolbar->addAction(action(QLatin1StringView(name)));
    }
    m_captureLabel->setText(tr("Capture live"));
}

void MainWindow::createMenus()
{
    const QList<std::pair<QString, QStringList>> menus = {
        { tr("&File"), { u"actionExport"_s, QString(), u"actionQuit"_s } },
        { tr("&Edit"), { u"actionCopyCurl"_s, u"actionCopyResponse"_s, QString(), u"actionFind"_s } },
        { tr("&Capture"), { u"actionToggleProxy"_s, u"actionPauseCapture"_s, u"actionClear"_s, u"actionFollowNewest"_s } },
        { tr("&View"), { u"actionPrevious"_s, u"actionNext"_s, QString(), u"actionFormatLab"_s, u"actionStatistics"_s } },
        { tr("&Backend"), { u"actionSettings"_s, u"actionRefreshBackend"_s } },
    };
    for (const auto& [title, names] : menus) {
        QMenu* menu = menuBar()->addMenu(title);
        for (const QString& name : names) {
            if (name.isEmpty())
                menu->addSeparator();
            else
                menu->addAction(action(name));
        }
    }
}

void MainWindow::showListenAddress()
{
    const bool listening = m_proxy->isListening();
    m_listenLabel->setText(listening ? tr("Listening on %1").arg(m_proxy->listenUrl().toString()) : tr("Proxy stopped"));
    if (QAction* toggle = action(u"actionToggleProxy"_s))
        toggle->setText(listening ? tr("Stop &proxy") : tr("Start &proxy"));
}

void MainWindow::showBackendInfo(const Backend::Info& info)
{
    const QString state = !info.checkedAt.isValid() ? tr("checking…") : info.reachable ? tr("up") : tr("unreachable");
    m_backendLabel->setText(tr("Backend %1 · %2 · %3").arg(info.url, Backend::kindName(info.kind()), state));
    m_backendLabel->setToolTip(info.problem);
    m_modelLabel->setText(tr("Model: %1").arg(info.model.isEmpty() ? tr("client's choice") : info.model));
    m_contextLabel->setText(info.contextLength > 0 ? tr("Context: %L1 tokens").arg(info.contextLength) : tr("Context: unknown"));
    m_contextLabel->setToolTip(tr("Source: %1").arg(info.contextSource));
}

void MainWindow::showCounts()
{
    const int total = m_model->rowCount();
    const int shown = m_filter->rowCount();
    if (shown != total)
        m_countLabel->setText(tr("%1 of %2 shown").arg(shown).arg(total));
    else
        m_countLabel->setText(total == 1 ? tr("1 exchange") : tr("%1 exchanges").arg(total));
}

quint64 MainWindow::selectedExchangeId() const
{
    const QModelIndex current = m_view->currentIndex();
    return current.isValid() ? current.data(ExchangeTableModel::ExchangeIdRole).toULongLong() : 0;
}

bool MainWindow::isFollowingNewest() const
{
    return action(u"actionFollowNewest"_s)->isChecked();
}

void MainWindow::selectExchange(quint64 id)
{
    const int sourceRow = m_model->rowOf(id);
    if (sourceRow < 0)
        return;
    const QModelIndex index = m_filter->mapFromSource(m_model->index(sourceRow, 0));
    if (!index.isValid())
        return;
    m_view->setCurrentIndex(index);
    m_view->scrollTo(index);
}

void MainWindow::currentRowChanged()
{
    const quint64 id = selectedExchangeId();
    m_detail->showExchange(id);
    // Choosing an older exchange by hand means the user wants to stay there.
    if (!m_selectingNewest && isFollowingNewest() && id != 0) {
        const QModelIndex last = m_filter->index(m_filter->rowCount() - 1, 0);
        if (last.data(ExchangeTableModel::ExchangeIdRole).toULongLong() != id)
            action(u"actionFollowNewest"_s)->setChecked(false);
    }
}

void MainWindow::exchangeStarted(quint64 id)
{
    if (!isFollowingNewest())
        return;
    m_selectingNewest = true;
    selectExchange(id);
    m_selectingNewest = false;
}

void MainWindow::moveSelection(int step)
{
    const int rows = m_filter->rowCount();
    if (rows == 0)
        return;
    const int current = m_view->currentIndex().isValid() ? m_view->currentIndex().row() : (step > 0 ? -1 : rows);
    const int next = std::clamp(current + step, 0, rows - 1);
    m_view->setCurrentIndex(m_filter->index(next, 0));
    m_view->scrollTo(m_filter->index(next, 0));
}

void MainWindow::copyCurl()
{
    const Trace::Exchange* exchange = m_proxy->store()->find(selectedExchangeId());
    if (!exchange)
        return;
    QGuiApplication::clipboard()->setText(Trace::curlCommand(*exchange, m_proxy->listenUrl()));
    statusBar()->showMessage(tr("Copied the request as a curl command (credentials masked)"), 4000);
}

void MainWindow::copyResponse()
{
    const Trace::Exchange* exchange = m_proxy->store()->find(selectedExchangeId());
    if (!exchange)
        return;
    QGuiApplication::clipboard()->setText(responseJson(*exchange));
    statusBar()->showMessage(exchange->streamed ? tr("Copied the streamed answer, reassembled, as JSON")
                                                : tr("Copied the response body"), 4000);
}

void MainWindow::exportVisible()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export exchanges"), u"temper-trace.jsonl"_s,
                                                      tr("JSON lines (*.jsonl);;All files (*)"));
    if (path.isEmpty())
        return;
    QList<Trace::Exchange> exchanges;
    for (int row = 0; row < m_filter->rowCount(); ++row) {
        if (const Trace::Exchange* exchange = m_proxy->store()->find(m_filter->index(row, 0).data(ExchangeTableModel::ExchangeIdRole).toULongLong()))
            exchanges.append(*exchange);
    }
    // Serialising thousands of exchanges is slow: off the main thread, on copies.
    QtConcurrent::run([path, exchanges] {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return file.errorString();
        for (const Trace::Exchange& exchange : exchanges) {
            file.write(QJsonDocument(Trace::exchangeToJson(exchange)).toJson(QJsonDocument::Compact));
            file.write("\n");
        }
        return QString();
    }).then(this, [this, path, count = exchanges.size()](const QString& error) {
        if (error.isEmpty())
            statusBar()->showMessage(tr("Exported %1 exchanges to %2").arg(count).arg(path), 6000);
        else
            QMessageBox::warning(this, tr("Export failed"), tr("Could not write %1: %2").arg(path, error));
    });
}

void MainWindow::toggleProxy()
{
    if (m_proxy->isListening()) {
        m_proxy->stop();
        return;
    }
    QString error;
    if (!m_proxy->start(&error))
        QMessageBox::warning(this, tr("Cannot start the proxy"), error);
}

void MainWindow::openSettings()
{
    showSettingsDialog(m_proxy, this);
}

void MainWindow::openFormatLab()
{
    if (!m_formatLab)
        m_formatLab = createFormatLab(m_proxy, this);
    m_formatLab->show();
    m_formatLab->raise();
    m_formatLab->activateWindow();
}

void MainWindow::openStatistics()
{
    if (!m_statistics)
        m_statistics = createStatisticsWindow(m_proxy->store(), this);
    m_statistics->show();
    m_statistics->raise();
    m_statistics->activateWindow();
}

void MainWindow::saveLayout() const
{
    QSettings settings;
    settings.setValue(kLayoutVersionKey, kLayoutVersion);
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState(kLayoutVersion));
    settings.setValue(kSplitterKey, m_splitter->saveState());
    settings.setValue(kHeaderKey, m_view->horizontalHeader()->saveState());
    settings.setValue(kFollowKey, isFollowingNewest());
}

void MainWindow::restoreLayout()
{
    const QSettings settings;
    if (settings.value(kLayoutVersionKey).toInt() != kLayoutVersion)
        return;
    restoreGeometry(settings.value(kGeometryKey).toByteArray());
    restoreState(settings.value(kStateKey).toByteArray(), kLayoutVersion);
    m_splitter->restoreState(settings.value(kSplitterKey).toByteArray());
    m_view->horizontalHeader()->restoreState(settings.value(kHeaderKey).toByteArray());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveLayout();
    QMainWindow::closeEvent(event);
}
