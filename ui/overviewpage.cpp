#include "overviewpage.h"

#include "exchangetablemodel.h"
#include "outcomestyle.h"
#include "timelinemodel.h"

#include <QEvent>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QScrollBar>
#include <QSplitter>
#include <QTreeView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace {

QString tokenCount(qint64 count)
{
    return count < 0 ? u"–"_s : QString::number(count);
}

QString tokensText(const Trace::Usage& usage)
{
    if (usage.promptTokens < 0 && usage.completionTokens < 0)
        return u"–"_s;
    return OverviewPage::tr("%1 in · %2 out").arg(tokenCount(usage.promptTokens), tokenCount(usage.completionTokens));
}

QString routeText(const QString& route)
{
    if (route == u"chat"_s)
        return OverviewPage::tr("chat completion");
    if (route == u"passthrough"_s)
        return OverviewPage::tr("pass-through (forwarded untouched)");
    if (route == u"temper"_s)
        return OverviewPage::tr("Temper's own endpoint");
    return route.isEmpty() ? u"–"_s : route;
}

QLabel* sectionLabel(const QString& text)
{
    auto* label = new QLabel(text);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    label->setContentsMargins(0, 6, 0, 0);
    return label;
}

} // namespace

OverviewPage::OverviewPage(QWidget* parent)
    : ExchangePage(parent)
    , m_badge(new QLabel)
    , m_description(new QLabel)
    , m_form(new QFormLayout)
    , m_timeline(new TimelineModel(this))
    , m_timelineView(new QTreeView)
    , m_stepDetail(new QPlainTextEdit)
    , m_factsScroll(new QScrollArea)
{
    setObjectName(u"overviewPage"_s);
    m_badge->setObjectName(u"outcomeBadge"_s);
    m_badge->setAlignment(Qt::AlignCenter);
    m_description->setObjectName(u"outcomeDescription"_s);
    m_description->setWordWrap(true);
    auto* header = new QHBoxLayout;
    header->addWidget(m_badge);
    header->addWidget(m_description, 1);

    QFormLayout* form = m_form;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setLabelAlignment(Qt::AlignLeft);
    form->addRow(sectionLabel(tr("Exchange")));
    m_request = addValue(form, tr("Request"), u"requestValue"_s);
    m_route = addValue(form, tr("Route"), u"routeValue"_s);
    m_backend = addValue(form, tr("Backend"), u"backendValue"_s);
    m_model = addValue(form, tr("Model"), u"modelValue"_s);
    m_tools = addValue(form, tr("Tools declared"), u"toolsValue"_s);
    m_streamed = addValue(form, tr("Streamed"), u"streamedValue"_s);
    m_status = addValue(form, tr("Client got"), u"statusValue"_s);
    m_error = addValue(form, tr("Error"), u"errorValue"_s);
    m_error->setWordWrap(true);
    form->addRow(sectionLabel(tr("Timings")));
    m_firstByte = addValue(form, tr("First byte"), u"firstByteValue"_s);
    m_firstToken = addValue(form, tr("First token"), u"firstTokenValue"_s);
    m_total = addValue(form, tr("Total"), u"totalValue"_s);
    m_tokensPerSecond = addValue(form, tr("Tokens per second"), u"tokensPerSecondValue"_s);
    form->addRow(sectionLabel(tr("Tokens")));
    m_attempts = addValue(form, tr("Attempts"), u"attemptsValue"_s);
    m_tokens = addValue(form, tr("All attempts"), u"tokensValue"_s);
    m_attemptTokens = addValue(form, tr("Per attempt"), u"attemptTokensValue"_s);

    auto* facts = new QWidget;
    auto* factsLayout = new QVBoxLayout(facts);
    factsLayout->addLayout(header);
    factsLayout->addLayout(form);
    factsLayout->addStretch(1);
    m_factsScroll->setObjectName(u"overviewFacts"_s);
    m_factsScroll->setWidget(facts);
    m_factsScroll->setWidgetResizable(true);
    m_factsScroll->setFrameShape(QFrame::NoFrame);

    m_timelineView->setObjectName(u"timelineView"_s);
    m_timelineView->setModel(m_timeline);
    m_timelineView->setItemDelegateForColumn(TimelineModel::StepColumn, new TimelineStepDelegate(m_timelineView));
    m_timelineView->setRootIsDecorated(false);
    m_timelineView->setUniformRowHeights(true);
    m_timelineView->setAllColumnsShowFocus(true);
    m_timelineView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_timelineView->header()->setStretchLastSection(true);
    m_timelineView->header()->setSectionResizeMode(TimelineModel::StepColumn, QHeaderView::ResizeToContents);
    m_timelineView->header()->setSectionResizeMode(TimelineModel::TimeColumn, QHeaderView::ResizeToContents);
    m_timelineView->header()->setSectionResizeMode(TimelineModel::AttemptColumn, QHeaderView::ResizeToContents);
    connect(m_timelineView->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &OverviewPage::showSelectedStep);

    m_stepDetail->setObjectName(u"stepDetail"_s);
    m_stepDetail->setReadOnly(true);
    m_stepDetail->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_stepDetail->setPlaceholderText(tr("Select a step to see everything Temper recorded about it."));

    auto* timelineSplitter = new QSplitter(Qt::Vertical);
    timelineSplitter->setObjectName(u"timelineSplitter"_s);
    timelineSplitter->addWidget(m_timelineView);
    timelineSplitter->addWidget(m_stepDetail);
    timelineSplitter->setStretchFactor(0, 3);
    timelineSplitter->setStretchFactor(1, 1);
    timelineSplitter->setChildrenCollapsible(false);

    auto* splitter = new QSplitter(Qt::Horizontal);
    splitter->setObjectName(u"overviewSplitter"_s);
    splitter->addWidget(m_factsScroll);
    splitter->addWidget(timelineSplitter);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);
    clearExchange();
}

QLabel* OverviewPage::addValue(QFormLayout* form, const QString& label, const QString& objectName)
{
    auto* value = new QLabel;
    value->setObjectName(objectName);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(label, value);
    return value;
}

void OverviewPage::styleBadge()
{
    const QColor background = OutcomeStyle::background(m_outcome, palette());
    const QColor foreground = OutcomeStyle::foreground(m_outcome, palette());
    // Neutral outcomes have no hue: an outline keeps the badge recognisable as one.
    const QString fill = background.isValid() ? background.name() : u"transparent"_s;
    const QString border = background.isValid() ? background.name() : palette().color(QPalette::Mid).name();
    const QString sheet = u"QLabel { background: %1; color: %2; border: 1px solid %3; border-radius: 4px; padding: 2px 10px; font-weight: bold; }"_s
                              .arg(fill, foreground.name(), border);
    if (sheet != m_badge->styleSheet()) // a live exchange refreshes often; restyling is not free
        m_badge->setStyleSheet(sheet);
}

void OverviewPage::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange)
        styleBadge();
    ExchangePage::changeEvent(event);
}

void OverviewPage::showExchange(const Trace::Exchange& exchange)
{
    m_outcome = exchange.outcome;
    m_badge->setText(OutcomeStyle::label(exchange.outcome));
    m_badge->setToolTip(OutcomeStyle::description(exchange.outcome));
    m_description->setText(OutcomeStyle::description(exchange.outcome));
    styleBadge();

    m_request->setText(QString::fromUtf8(exchange.method + ' ' + exchange.path));
    m_route->setText(routeText(exchange.route));
    m_backend->setText(exchange.backend.isEmpty() ? u"–"_s : exchange.backend);
    m_model->setText(exchange.model.isEmpty() ? u"–"_s : exchange.model);
    m_tools->setText(exchange.toolNames.isEmpty() ? tr("none") : exchange.toolNames.join(u", "_s));
    m_streamed->setText(exchange.streamed ? tr("yes (server-sent events)") : tr("no (one JSON answer)"));
    m_status->setText(exchange.clientResponse.status > 0 ? tr("HTTP %1").arg(exchange.clientResponse.status)
                                                        : tr("no answer yet"));
    m_error->setText(exchange.error);
    m_form->setRowVisible(m_error, !exchange.error.isEmpty());

    m_firstByte->setText(formatDurationUs(exchange.firstByteUs));
    m_firstToken->setText(formatDurationUs(exchange.firstTokenUs));
    m_total->setText(exchange.totalUs < 0 && !exchange.finished ? tr("running") : formatDurationUs(exchange.totalUs));
    const double tokensPerSecond = exchange.tokensPerSecond();
    m_tokensPerSecond->setText(tokensPerSecond < 0 ? u"–"_s : QString::number(tokensPerSecond, 'f', 1));

    m_attempts->setText(QString::number(exchange.attempts.size()));
    m_tokens->setText(tokensText(exchange.usage));
    QStringList perAttempt;
    for (const Trace::Attempt& attempt : exchange.attempts)
        perAttempt.append(tr("#%1: %2").arg(attempt.index).arg(tokensText(attempt.usage)));
    m_attemptTokens->setText(perAttempt.join(u'\n'));
    // With one attempt its count is the total; the row would only repeat it.
    m_form->setRowVisible(m_attemptTokens, exchange.attempts.size() > 1);

    // The facts are short values: room for them all, within reason, and the rest for the timeline.
    const int wanted = m_factsScroll->widget()->sizeHint().width() + m_factsScroll->verticalScrollBar()->sizeHint().width();
    m_factsScroll->setMinimumWidth(std::min(wanted, 520));

    m_timeline->setExchange(exchange);
    showSelectedStep();
}

void OverviewPage::clearExchange()
{
    m_outcome = Trace::Outcome::Pending;
    for (QLabel* label : { m_badge, m_description, m_request, m_route, m_backend, m_model, m_tools, m_streamed, m_status,
                           m_error, m_firstByte, m_firstToken, m_total, m_tokensPerSecond, m_attempts, m_tokens, m_attemptTokens })
        label->clear();
    m_badge->setText(tr("no exchange"));
    styleBadge();
    m_description->setText(tr("Select an exchange in the list to see it here."));
    m_form->setRowVisible(m_error, false);
    m_timeline->clear();
    m_stepDetail->clear();
}

void OverviewPage::showSelectedStep()
{
    const QModelIndex current = m_timelineView->currentIndex();
    const QString text = current.isValid() ? current.siblingAtColumn(0).data(TimelineModel::DetailTextRole).toString() : QString();
    // Rewriting the same text would move the reader's scroll position back to the top.
    if (text != m_stepDetail->toPlainText())
        m_stepDetail->setPlainText(text);
}
