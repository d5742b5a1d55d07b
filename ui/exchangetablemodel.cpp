#include "exchangetablemodel.h"

#include "outcomestyle.h"
#include "trace/tracestore.h"

#include <QGuiApplication>
#include <QPalette>

using namespace Qt::StringLiterals;

QString formatDurationUs(qint64 us)
{
    if (us < 0)
        return u"–"_s;
    if (us < 1'000'000)
        return QString::number((us + 500) / 1000) + u" ms"_s;
    return QString::number(double(us) / 1e6, 'f', us < 10'000'000 ? 2 : 1) + u" s"_s;
}

ExchangeTableModel::ExchangeTableModel(Trace::TraceStore* store, QObject* parent)
    : QAbstractTableModel(parent)
    , m_store(store)
{
    m_flushTimer.setInterval(100);
    m_flushTimer.setSingleShot(true);
    connect(&m_flushTimer, &QTimer::timeout, this, &ExchangeTableModel::flushDirty);
    // The backlog first, then live signals: nothing is missed and nothing is added twice.
    for (quint64 id : store->ids())
        addExchange(id);
    connect(store, &Trace::TraceStore::exchangeStarted, this, [this](quint64 id) {
        if (!m_paused)
            addExchange(id);
    });
    connect(store, &Trace::TraceStore::exchangeUpdated, this, &ExchangeTableModel::markDirty);
    connect(store, &Trace::TraceStore::exchangeFinished, this, &ExchangeTableModel::markDirty);
    connect(store, &Trace::TraceStore::exchangeRemoved, this, &ExchangeTableModel::removeExchange);
}

int ExchangeTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ExchangeTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

ExchangeTableModel::Row ExchangeTableModel::rowFrom(const Trace::Exchange& exchange)
{
    Row row;
    row.id = exchange.id;
    row.started = exchange.startedAt;
    row.method = QString::fromLatin1(exchange.method);
    row.path = QString::fromUtf8(exchange.path);
    row.model = exchange.model;
    row.streamed = exchange.streamed;
    row.status = exchange.clientResponse.status;
    row.outcome = exchange.outcome;
    row.attempts = int(exchange.attempts.size());
    row.firstTokenUs = exchange.firstTokenUs;
    row.totalUs = exchange.finished ? exchange.totalUs : -1;
    row.promptTokens = exchange.usage.promptTokens;
    row.completionTokens = exchange.usage.completionTokens;
    if (!exchange.attempts.isEmpty() && row.completionTokens < 0)
        row.completionTokens = exchange.attempts.last().usage.completionTokens;
    row.tokensPerSecond = exchange.finished ? exchange.tokensPerSecond() : -1;
    row.finished = exchange.finished;
    return row;
}

void ExchangeTableModel::addExchange(quint64 id)
{
    const Trace::Exchange* exchange = m_store->find(id);
    if (!exchange || m_rowById.contains(id))
        return;
    const int row = int(m_rows.size());
    beginInsertRows({}, row, row);
    m_rows.append(rowFrom(*exchange));
    m_rowById.insert(id, row);
    endInsertRows();
    trim();
}

void ExchangeTableModel::markDirty(quint64 id)
{
    if (!m_rowById.contains(id))
        return;
    m_dirty.insert(id);
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void ExchangeTableModel::flushDirty()
{
    int first = int(m_rows.size());
    int last = -1;
    for (quint64 id : std::as_const(m_dirty)) {
        const int row = rowOf(id);
        const Trace::Exchange* exchange = m_store->find(id);
        if (row < 0 || !exchange)
            continue;
        m_rows[row] = rowFrom(*exchange);
        first = std::min(first, row);
        last = std::max(last, row);
    }
    m_dirty.clear();
    // One signal for the whole span: cheaper for views than one per row.
    if (last >= first)
        emit dataChanged(index(first, 0), index(last, ColumnCount - 1));
}

void ExchangeTableModel::removeExchange(quint64 id)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    m_rowById.clear();
    for (int i = 0; i < m_rows.size(); ++i)
        m_rowById.insert(m_rows.at(i).id, i);
    m_dirty.remove(id);
    endRemoveRows();
}

void ExchangeTableModel::setMaxRows(int maxRows)
{
    m_maxRows = std::max(1, maxRows);
    trim();
}

void ExchangeTableModel::trim()
{
    // Finished rows go first, oldest first; running ones stay until they finish.
    if (m_rows.size() <= m_maxRows)
        return;
    const int excess = int(m_rows.size()) - m_maxRows;
    int removable = 0;
    while (removable < excess && removable < m_rows.size() && m_rows.at(removable).finished)
        ++removable;
    if (removable == 0)
        return;
    beginRemoveRows({}, 0, removable - 1);
    for (int i = 0; i < removable; ++i)
        m_dirty.remove(m_rows.at(i).id);
    m_rows.remove(0, removable);
    m_rowById.clear();
    for (int i = 0; i < m_rows.size(); ++i)
        m_rowById.insert(m_rows.at(i).id, i);
    endRemoveRows();
}

quint64 ExchangeTableModel::exchangeIdAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).id : 0;
}

int ExchangeTableModel::rowOf(quint64 id) const
{
    return m_rowById.value(id, -1);
}

QVariant ExchangeTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& row = m_rows.at(index.row());
    switch (role) {
    case ExchangeIdRole:
        return row.id;
    case OutcomeRole:
        return int(row.outcome);
    case Qt::ToolTipRole:
        if (index.column() == OutcomeColumn)
            return OutcomeStyle::description(row.outcome);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() >= StatusColumn && index.column() != OutcomeColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ForegroundRole:
    case Qt::BackgroundRole: {
        if (index.column() != OutcomeColumn)
            return {};
        const QPalette palette = QGuiApplication::palette();
        const QColor colour = role == Qt::ForegroundRole ? OutcomeStyle::foreground(row.outcome, palette)
                                                         : OutcomeStyle::background(row.outcome, palette);
        // No colour means "the view's own"; an invalid QColor would be painted black.
        return colour.isValid() ? QVariant(colour) : QVariant();
    }
    case SortRole:
        switch (index.column()) {
        case TimeColumn: return row.id;
        case StatusColumn: return row.status;
        case AttemptsColumn: return row.attempts;
        case FirstTokenColumn: return row.firstTokenUs;
        case TotalColumn: return row.totalUs;
        case TokensColumn: return row.completionTokens;
        case TokensPerSecondColumn: return row.tokensPerSecond;
        default: return data(index, Qt::DisplayRole);
        }
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn: return row.started.toString(u"HH:mm:ss.zzz"_s);
        case MethodColumn: return row.method;
        case PathColumn: return row.path;
        case ModelColumn: return row.model;
        case StreamColumn: return row.streamed ? u"stream"_s : QString();
        case StatusColumn: return row.status ? QString::number(row.status) : u"…"_s;
        case OutcomeColumn: return OutcomeStyle::label(row.outcome);
        case AttemptsColumn: return row.attempts;
        case FirstTokenColumn: return formatDurationUs(row.firstTokenUs);
        case TotalColumn: return row.finished ? formatDurationUs(row.totalUs) : u"running"_s;
        case TokensColumn:
            if (row.promptTokens < 0 && row.completionTokens < 0)
                return u"–"_s;
            return QString((row.promptTokens < 0 ? u"?"_s : QString::number(row.promptTokens)) + u" / "_s
                           + (row.completionTokens < 0 ? u"?"_s : QString::number(row.completionTokens)));
        case TokensPerSecondColumn: return row.tokensPerSecond < 0 ? u"–"_s : QString::number(row.tokensPerSecond, 'f', 1);
        default: return {};
        }
    default:
        return {};
    }
}

QVariant ExchangeTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn: return tr("Time");
    case MethodColumn: return tr("Method");
    case PathColumn: return tr("Path");
    case ModelColumn: return tr("Model");
    case StreamColumn: return tr("Stream");
    case StatusColumn: return tr("Status");
    case OutcomeColumn: return tr("Outcome");
    case AttemptsColumn: return tr("Attempts");
    case FirstTokenColumn: return tr("TTFT");
    case TotalColumn: return tr("Total");
    case TokensColumn: return tr("Tokens in / out");
    case TokensPerSecondColumn: return tr("Tok/s");
    default: return {};
    }
}
