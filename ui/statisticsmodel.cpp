#include "statisticsmodel.h"

#include "exchangetablemodel.h"
#include "outcomestyle.h"
#include "trace/tracestore.h"

#include <QGuiApplication>

using namespace Qt::StringLiterals;

namespace {

// Top-level rows have internal id 0; a parser row keeps its group's row + 1.
constexpr quintptr kTopLevel = 0;

bool isShareColumn(int column)
{
    switch (column) {
    case StatisticsModel::NativeColumn:
    case StatisticsModel::RescuedColumn:
    case StatisticsModel::RepairedColumn:
    case StatisticsModel::RetriedColumn:
    case StatisticsModel::GaveUpColumn:
    case StatisticsModel::ErrorsColumn:
        return true;
    default:
        return false;
    }
}

std::optional<int> countOf(const Trace::ModelStatistics& s, int column)
{
    switch (column) {
    case StatisticsModel::ToolRequestsColumn:
        return s.toolRequests;
    case StatisticsModel::NativeColumn:
        return s.nativeCalls;
    case StatisticsModel::RescuedColumn:
        return s.rescued;
    case StatisticsModel::RepairedColumn:
        return s.repaired;
    case StatisticsModel::RetriedColumn:
        return s.retried;
    case StatisticsModel::GaveUpColumn:
        return s.gaveUp;
    case StatisticsModel::ErrorsColumn:
        return s.errors;
    case StatisticsModel::PassThroughColumn:
        return s.passThrough;
    default:
        return std::nullopt;
    }
}

QString columnDescription(int column)
{
    switch (column) {
    case StatisticsModel::ModelColumn:
        return QObject::tr("The model as requested; child rows break the rescued answers down by parser.");
    case StatisticsModel::BackendColumn:
        return QObject::tr("The backend the requests went to.");
    case StatisticsModel::ToolRequestsColumn:
        return QObject::tr(
            "Finished chat requests that declared tools and that the guard judged. Every share is of these.");
    case StatisticsModel::NativeColumn:
        return QObject::tr(
            "Tool requests where the backend returned calls in its own tool_calls field (in any attempt).");
    case StatisticsModel::RescuedColumn:
        return QObject::tr("Tool requests where calls written as text were recovered (in any attempt).");
    case StatisticsModel::RepairedColumn:
        return QObject::tr("Tool requests whose accepted answer had argument values repaired.");
    case StatisticsModel::RetriedColumn:
        return QObject::tr("Tool requests whose accepted answer came from a corrective retry.");
    case StatisticsModel::GaveUpColumn:
        return QObject::tr("Tool requests where retries ran out (not counted as retried).");
    case StatisticsModel::ErrorsColumn:
        return QObject::tr("Tool requests that failed: backend or connection errors.");
    case StatisticsModel::MeanAttemptsColumn:
        return QObject::tr("Attempts sent to the backend per tool request.");
    case StatisticsModel::MedianFirstTokenColumn:
        return QObject::tr("Median time to first token of tool requests, where known.");
    case StatisticsModel::MedianTokensPerSecondColumn:
        return QObject::tr("Median generated tokens per second of tool requests, where known.");
    case StatisticsModel::PassThroughColumn:
        return QObject::tr(
            "Exchanges forwarded untouched (no tools, other paths, guard off, tool_choice \"none\"); "
            "counted nowhere else.");
    default:
        return {};
    }
}

} // namespace

QString countWithShare(int count, double share)
{
    if (share < 0)
        return u"–"_s;
    if (count == 0)
        return u"0"_s;
    const int percent = qRound(share * 100);
    return u"%1 (%2)"_s.arg(count).arg(percent == 0 ? u"<1%"_s : QString(QString::number(percent) + u'%'));
}

StatisticsModel::StatisticsModel(Trace::TraceStore* store, QObject* parent)
    : QAbstractItemModel(parent)
    , m_store(store)
{
    m_throttle.setSingleShot(true);
    m_throttle.setInterval(kRefreshIntervalMs);
    connect(&m_throttle, &QTimer::timeout, this, &StatisticsModel::refresh);
    for (quint64 id : store->ids()) {
        const Trace::Exchange* exchange = store->find(id);
        if (exchange && exchange->finished)
            m_samples.insert(id, Trace::statisticsSample(*exchange));
    }
    connect(store, &Trace::TraceStore::exchangeFinished, this, [this](quint64 id) {
        if (const Trace::Exchange* exchange = m_store->find(id)) {
            m_samples.insert(id, Trace::statisticsSample(*exchange));
            scheduleRefresh();
        }
    });
    connect(store, &Trace::TraceStore::exchangeRemoved, this, [this](quint64 id) {
        if (m_samples.remove(id))
            scheduleRefresh();
    });
    m_rows = Trace::aggregateStatistics(m_samples.values());
}

void StatisticsModel::scheduleRefresh()
{
    if (!m_throttle.isActive())
        m_throttle.start();
}

bool StatisticsModel::sameShape(
    const QList<Trace::ModelStatistics>& a, const QList<Trace::ModelStatistics>& b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a.at(i).backend != b.at(i).backend || a.at(i).model != b.at(i).model
            || a.at(i).rescuedByParser.size() != b.at(i).rescuedByParser.size())
            return false;
        for (qsizetype p = 0; p < a.at(i).rescuedByParser.size(); ++p) {
            if (a.at(i).rescuedByParser.at(p).first != b.at(i).rescuedByParser.at(p).first)
                return false;
        }
    }
    return true;
}

void StatisticsModel::refresh()
{
    m_throttle.stop();
    QList<Trace::ModelStatistics> rows = Trace::aggregateStatistics(m_samples.values());
    if (!sameShape(rows, m_rows)) {
        // Rows came or went, or parsers changed order: rare enough for a reset.
        beginResetModel();
        m_rows = std::move(rows);
        endResetModel();
    } else if (!m_rows.isEmpty()) {
        m_rows = std::move(rows);
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        for (int row = 0; row < rowCount(); ++row) {
            const QModelIndex parent = index(row, 0);
            if (const int children = rowCount(parent))
                emit dataChanged(index(0, 0, parent), index(children - 1, ColumnCount - 1, parent));
        }
    }
    emit refreshed();
}

int StatisticsModel::passThroughTotal() const
{
    int total = 0;
    for (const Trace::ModelStatistics& s : m_rows)
        total += s.passThrough;
    return total;
}

int StatisticsModel::toolRequestTotal() const
{
    int total = 0;
    for (const Trace::ModelStatistics& s : m_rows)
        total += s.toolRequests;
    return total;
}

QModelIndex StatisticsModel::index(int row, int column, const QModelIndex& parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, kTopLevel);
    return createIndex(row, column, quintptr(parent.row() + 1));
}

QModelIndex StatisticsModel::parent(const QModelIndex& child) const
{
    if (!child.isValid() || child.internalId() == kTopLevel)
        return {};
    return createIndex(int(child.internalId() - 1), 0, kTopLevel);
}

int StatisticsModel::rowCount(const QModelIndex& parent) const
{
    if (!parent.isValid())
        return int(m_rows.size());
    if (parent.internalId() != kTopLevel || parent.column() != 0)
        return 0;
    return int(m_rows.at(parent.row()).rescuedByParser.size());
}

int StatisticsModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

QVariant StatisticsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const int column = index.column();
    if (role == Qt::TextAlignmentRole)
        return column >= ToolRequestsColumn ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();

    if (index.internalId() != kTopLevel) {
        const Trace::ModelStatistics& group = m_rows.at(int(index.internalId() - 1));
        const auto& [parser, count] = group.rescuedByParser.at(index.row());
        switch (role) {
        case Qt::DisplayRole:
            if (column == ModelColumn)
                return tr("%1 parser").arg(parser.isEmpty() ? tr("(unnamed)") : parser);
            if (column == RescuedColumn)
                return countWithShare(count, group.share(count));
            return {};
        case Qt::ToolTipRole:
            return tr("Tool requests whose calls the %1 parser recovered from the text").arg(parser);
        case Qt::ForegroundRole:
            return column == ModelColumn
                ? QVariant(QGuiApplication::palette().color(QPalette::PlaceholderText))
                : QVariant();
        case CountRole:
            return column == RescuedColumn ? QVariant(count) : QVariant();
        case ShareRole:
            return column == RescuedColumn ? QVariant(group.share(count)) : QVariant();
        case ParserRole:
            return parser;
        default:
            return {};
        }
    }

    const Trace::ModelStatistics& s = m_rows.at(index.row());
    const std::optional<int> count = countOf(s, column);
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case ModelColumn:
            return s.model.isEmpty() ? tr("(no model)") : s.model;
        case BackendColumn:
            return s.backend.isEmpty() ? tr("(unknown)") : s.backend;
        case ToolRequestsColumn:
        case PassThroughColumn:
            return QString::number(*count);
        case MeanAttemptsColumn:
            return s.meanAttempts < 0 ? u"–"_s : QString::number(s.meanAttempts, 'f', 2);
        case MedianFirstTokenColumn:
            return formatDurationUs(s.medianFirstTokenUs);
        case MedianTokensPerSecondColumn:
            return s.medianTokensPerSecond < 0 ? u"–"_s : QString::number(s.medianTokensPerSecond, 'f', 1);
        default:
            return countWithShare(*count, s.share(*count));
        }
    case Qt::ToolTipRole:
        return columnDescription(column);
    case Qt::ForegroundRole: {
        // Outcomes that need a look stand out when they happened.
        const Trace::Outcome outcome = column == GaveUpColumn ? Trace::Outcome::GaveUp
            : column == ErrorsColumn                          ? Trace::Outcome::Error
                                                              : Trace::Outcome::Pending;
        if (outcome == Trace::Outcome::Pending || !count || *count == 0)
            return {};
        return OutcomeStyle::foreground(outcome, QGuiApplication::palette());
    }
    case CountRole:
        return count ? QVariant(*count) : QVariant();
    case ShareRole:
        return count && isShareColumn(column) ? QVariant(s.share(*count)) : QVariant();
    default:
        return {};
    }
}

QVariant StatisticsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole)
        return columnDescription(section);
    if (role == Qt::TextAlignmentRole)
        return section >= ToolRequestsColumn ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case ModelColumn:
        return tr("Model");
    case BackendColumn:
        return tr("Backend");
    case ToolRequestsColumn:
        return tr("Tool requests");
    case NativeColumn:
        return tr("Native calls");
    case RescuedColumn:
        return tr("Rescued");
    case RepairedColumn:
        return tr("Repaired");
    case RetriedColumn:
        return tr("Retried");
    case GaveUpColumn:
        return tr("Gave up");
    case ErrorsColumn:
        return tr("Errors");
    case MeanAttemptsColumn:
        return tr("Mean attempts");
    case MedianFirstTokenColumn:
        return tr("Median TTFT");
    case MedianTokensPerSecondColumn:
        return tr("Median tok/s");
    case PassThroughColumn:
        return tr("Pass-through");
    default:
        return {};
    }
}
