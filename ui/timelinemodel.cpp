#include "timelinemodel.h"

#include "outcomestyle.h"
#include "trace/tracejson.h"

#include <QApplication>
#include <QJsonDocument>
#include <QPainter>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

constexpr int kRailWidth = 22;
constexpr int kDotRadius = 5;

bool sameEvent(const Trace::GuardEvent& a, const Trace::GuardEvent& b)
{
    return a.atUs == b.atUs && a.attempt == b.attempt && a.kind == b.kind && a.summary == b.summary && a.detail == b.detail;
}

// Steps borrow the colour of the outcome they lead to; sending and first tokens stay neutral.
Trace::Outcome markerOutcome(const QString& kind, Trace::Outcome exchangeOutcome)
{
    if (kind == u"rescue"_s)
        return Trace::Outcome::Rescued;
    if (kind == u"repair"_s)
        return Trace::Outcome::Repaired;
    if (kind == u"validation"_s)
        return Trace::Outcome::GaveUp;
    if (kind == u"correction"_s || kind == u"retry"_s)
        return Trace::Outcome::Retried;
    if (kind == u"error"_s)
        return Trace::Outcome::Error;
    if (kind == u"final"_s)
        return exchangeOutcome;
    return Trace::Outcome::Pending;
}

// The outcome's hue at a middle lightness: a badge's text colour is too dark (light palettes) or
// too pale (dark palettes) to tell small dots apart. Neutral outcomes stay grey.
QColor dotColour(Trace::Outcome outcome, const QPalette& palette)
{
    const QColor colour = OutcomeStyle::foreground(outcome, palette);
    if (colour.hslHue() < 0)
        return colour;
    return QColor::fromHsl(colour.hslHue(), 190, OutcomeStyle::isDark(palette) ? 165 : 115);
}

QString firstLine(const QString& text)
{
    const qsizetype end = text.indexOf(u'\n');
    return end < 0 ? text : text.left(end) + u" …"_s;
}

} // namespace

TimelineModel::TimelineModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

QString TimelineModel::kindLabel(const QString& kind)
{
    if (kind == u"attempt-sent"_s)
        return tr("sent");
    if (kind == u"first-token"_s)
        return tr("first token");
    if (kind == u"rescue"_s)
        return tr("rescue");
    if (kind == u"repair"_s)
        return tr("repair");
    if (kind == u"validation"_s)
        return tr("validation issue");
    if (kind == u"correction"_s)
        return tr("correction");
    if (kind == u"retry"_s)
        return tr("retry");
    if (kind == u"final"_s)
        return tr("answered");
    if (kind == u"error"_s)
        return tr("error");
    return kind;
}

void TimelineModel::setExchange(const Trace::Exchange& exchange)
{
    const bool grows = exchange.id == m_exchangeId && exchange.events.size() >= m_events.size()
        && std::equal(m_events.cbegin(), m_events.cend(), exchange.events.cbegin(), sameEvent);
    if (!grows) {
        beginResetModel();
        m_exchangeId = exchange.id;
        m_outcome = exchange.outcome;
        m_events = exchange.events;
        endResetModel();
        return;
    }
    if (m_outcome != exchange.outcome) {
        m_outcome = exchange.outcome;
        if (!m_events.isEmpty())
            emit dataChanged(index(0, StepColumn), index(int(m_events.size()) - 1, StepColumn), { MarkerOutcomeRole });
    }
    if (exchange.events.size() > m_events.size()) {
        beginInsertRows({}, int(m_events.size()), int(exchange.events.size()) - 1);
        m_events = exchange.events;
        endInsertRows();
    }
}

void TimelineModel::clear()
{
    beginResetModel();
    m_exchangeId = 0;
    m_outcome = Trace::Outcome::Pending;
    m_events.clear();
    endResetModel();
}

int TimelineModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int TimelineModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TimelineModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Trace::GuardEvent& event = m_events.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case StepColumn: return kindLabel(event.kind);
        case TimeColumn: return tr("%1 ms").arg(Trace::millisecondsValue(event.atUs).toDouble(), 0, 'f', 1);
        case AttemptColumn: return event.attempt > 0 ? QString::number(event.attempt) : u"–"_s;
        case SummaryColumn: return firstLine(event.summary);
        default: return {};
        }
    case Qt::ToolTipRole:
        if (index.column() == AttemptColumn && event.attempt == 0)
            return tr("The exchange as a whole");
        return event.summary;
    case Qt::TextAlignmentRole:
        if (index.column() == TimeColumn || index.column() == AttemptColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case KindRole: return event.kind;
    case MarkerOutcomeRole: return int(markerOutcome(event.kind, m_outcome));
    case DetailTextRole: {
        if (event.detail.isEmpty())
            return event.summary;
        return QString(event.summary + u"\n\n"_s + QString::fromUtf8(QJsonDocument(event.detail).toJson(QJsonDocument::Indented)).trimmed());
    }
    case AtUsRole: return event.atUs;
    default: return {};
    }
}

QVariant TimelineModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case StepColumn: return tr("Step");
    case TimeColumn: return tr("At");
    case AttemptColumn: return tr("Attempt");
    case SummaryColumn: return tr("What happened");
    default: return {};
    }
}

void TimelineStepDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QStyleOptionViewItem item(option);
    initStyleOption(&item, index);
    const QString text = item.text;
    item.text.clear();
    const QWidget* widget = option.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &item, painter, widget);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QRect rect = option.rect;
    const int x = rect.left() + kRailWidth / 2;
    const int y = rect.center().y();
    // The rail joins each dot to its neighbours; it stops at the first and the last step.
    painter->setPen(QPen(option.palette.color(QPalette::Mid), 2));
    if (index.row() > 0)
        painter->drawLine(x, rect.top(), x, y);
    if (index.row() + 1 < index.model()->rowCount(index.parent()))
        painter->drawLine(x, y, x, rect.bottom() + 1);
    const auto outcome = Trace::Outcome(index.data(TimelineModel::MarkerOutcomeRole).toInt());
    painter->setPen(QPen(option.palette.color(QPalette::Base), 1.5));
    painter->setBrush(dotColour(outcome, option.palette));
    painter->drawEllipse(QPointF(x + 0.5, y + 0.5), kDotRadius, kDotRadius);
    painter->restore();

    const bool selected = option.state.testFlag(QStyle::State_Selected);
    const QRect textRect = rect.adjusted(kRailWidth + 2, 0, -2, 0);
    const QString elided = option.fontMetrics.elidedText(text, Qt::ElideRight, textRect.width());
    style->drawItemText(painter, textRect, Qt::AlignLeft | Qt::AlignVCenter, option.palette, true, elided,
                        selected ? QPalette::HighlightedText : QPalette::Text);
}

QSize TimelineStepDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.rwidth() += kRailWidth + 4;
    size.setHeight(std::max(size.height(), 2 * kDotRadius + 10));
    return size;
}
