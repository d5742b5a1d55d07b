#include "retriespage.h"

#include <QEvent>
#include <QLabel>
#include <QScrollArea>
#include <QScrollBar>
#include <QTimer>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

RetriesPage::RetriesPage(QWidget* parent)
    : ExchangePage(parent)
    , m_empty(new QLabel)
    , m_scroll(new QScrollArea)
    , m_summary(new QLabel)
    , m_cardLayout(new QVBoxLayout)
{
    setObjectName(u"retriesPage"_s);
    m_empty->setObjectName(u"retriesEmptyState"_s);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setMargin(24);
    m_empty->setForegroundRole(QPalette::PlaceholderText);
    m_summary->setObjectName(u"retriesSummary"_s);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* content = new QWidget;
    content->setObjectName(u"retriesContent"_s);
    auto* contentLayout = new QVBoxLayout(content);
    contentLayout->setSpacing(10);
    contentLayout->addWidget(m_summary);
    m_cardLayout->setSpacing(10);
    contentLayout->addLayout(m_cardLayout);
    contentLayout->addStretch(1);
    m_scroll->setObjectName(u"retriesScroll"_s);
    m_scroll->setWidget(content);
    m_scroll->setWidgetResizable(true);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_scroll->setFrameShape(QFrame::NoFrame);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_empty);
    layout->addWidget(m_scroll);
    showEmptyState(tr("Select an exchange to see its attempts."));
}

void RetriesPage::showExchange(const Trace::Exchange& exchange)
{
    if (exchange.outcome == Trace::Outcome::Passthrough || exchange.route == u"passthrough"_s) {
        m_job.cancel();
        m_shownId = exchange.id;
        showEmptyState(tr("Nothing was checked or retried: Temper passed this exchange through untouched. "
                          "Only chat requests that declare tools go through the guard."));
        return;
    }
    Shown shown;
    shown.id = exchange.id;
    shown.finished = exchange.finished;
    shown.outcome = exchange.outcome;
    shown.error = exchange.error;
    // Bodies are implicitly shared: copying the attempts copies no bytes.
    m_job.run(
        this, [attempts = exchange.attempts] { return reportAttempts(attempts); },
        [this, shown](const QList<AttemptReport>& reports) { showReports(shown, reports); });
}

void RetriesPage::clearExchange()
{
    m_job.cancel();
    m_shownId = 0;
    showEmptyState(tr("Select an exchange to see its attempts."));
}

void RetriesPage::showEmptyState(const QString& text)
{
    removeCards(0);
    m_empty->setText(text);
    m_scroll->hide();
    m_empty->show();
}

void RetriesPage::removeCards(qsizetype from)
{
    while (m_cards.size() > from)
        delete m_cards.takeLast();
}

void RetriesPage::showReports(const Shown& shown, const QList<AttemptReport>& reports)
{
    const bool sameExchange = shown.id == m_shownId && !m_scroll->isHidden();
    QScrollBar* bar = m_scroll->verticalScrollBar();
    const int scroll = sameExchange ? bar->value() : 0;
    m_shownId = shown.id;
    m_shown = shown;

    // Cards whose attempt is unchanged stay as they are (with any selection in them); the rest are
    // replaced in place.
    if (!sameExchange)
        removeCards(0);
    qsizetype kept = 0;
    while (kept < m_cards.size() && kept < reports.size()
        && m_cards[kept]->report().fingerprint == reports[kept].fingerprint)
        ++kept;
    removeCards(kept);
    for (qsizetype i = kept; i < reports.size(); ++i) {
        // Made inside the content, so that the card picks its colours from the page's palette.
        auto* card = new AttemptCard(reports[i], m_scroll->widget());
        m_cardLayout->addWidget(card);
        m_cards.append(card);
    }
    m_summary->setText(summary(shown, reports));
    m_empty->hide();
    m_scroll->show();

    // The content's new height reaches the scroll bar only once the layout ran.
    QWidget* content = m_scroll->widget();
    content->layout()->activate();
    const int width = m_scroll->viewport()->width();
    const int height
        = content->hasHeightForWidth() ? content->heightForWidth(width) : content->sizeHint().height();
    content->resize(width, std::max(height, m_scroll->viewport()->height()));
    bar->setValue(scroll);
}

QString RetriesPage::summary(const Shown& shown, const QList<AttemptReport>& reports) const
{
    const int count = int(reports.size());
    if (!shown.finished) {
        if (reports.isEmpty())
            return tr("Waiting for the first attempt.");
        return count == 1 ? tr("Attempt 1 is running.")
                          : tr("Attempt %1 is running; the answers before it were retried.").arg(count);
    }
    if (reports.isEmpty()) {
        return shown.error.isEmpty() ? tr("No request reached the backend.")
                                     : tr("No request reached the backend: %1").arg(shown.error);
    }
    const QString& verdict = reports.constLast().verdict;
    if (verdict == u"retry"_s) {
        const QString ended = shown.error.isEmpty() ? QString() : u" "_s + tr("(%1)").arg(shown.error);
        return count == 1
            ? tr("One attempt: the exchange ended before its retry was sent%1.").arg(ended)
            : tr("%1 attempts: the exchange ended before the next retry was sent%2.").arg(count).arg(ended);
    }
    if (count == 1) {
        if (verdict == u"accept"_s)
            return tr("One attempt: the model's first answer was accepted, no retry was needed.");
        if (verdict == u"give-up"_s)
            return tr("One attempt: Temper gave up on it without a retry (no retries allowed).");
        return tr("One attempt, no retry: it failed.");
    }
    if (verdict == u"accept"_s)
        return count == 2 ? tr("2 attempts: the answer of attempt 2 was accepted after one retry.")
                          : tr("%1 attempts: the answer of attempt %1 was accepted after %2 retries.")
                                .arg(count)
                                .arg(count - 1);
    if (verdict == u"give-up"_s)
        return count == 2
            ? tr("2 attempts: Temper gave up after one retry; the client got the last answer.")
            : tr("%1 attempts: Temper gave up after %2 retries; the client got the last answer.")
                  .arg(count)
                  .arg(count - 1);
    return tr("%1 attempts; the last one failed.").arg(count);
}

void RetriesPage::changeEvent(QEvent* event)
{
    ExchangePage::changeEvent(event);
    // Badge and diff colours are picked for the palette: a new palette needs new cards. Queued,
    // because several change events arrive at once and widgets are better not made inside one.
    if (event->type() == QEvent::PaletteChange && !m_cards.isEmpty() && !m_rebuildQueued) {
        m_rebuildQueued = true;
        QTimer::singleShot(0, this, [this] {
            m_rebuildQueued = false;
            QList<AttemptReport> reports;
            for (const AttemptCard* card : std::as_const(m_cards))
                reports.append(card->report());
            removeCards(0);
            showReports(m_shown, reports);
        });
    }
}
