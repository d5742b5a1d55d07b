#pragma once

#include "asyncjob.h"
#include "attemptcard.h"
#include "exchangepage.h"

class QLabel;
class QScrollArea;
class QVBoxLayout;

// The retry history of an exchange: one card per attempt, oldest at the top, each with why it
// failed, the model's answer, what changed since the previous attempt and the correction Temper
// sent for the next. Reports are built off the main thread; while a running exchange is shown
// again only the cards whose attempt changed are rebuilt, so the scroll position stays.
class RetriesPage : public ExchangePage
{
    Q_OBJECT

public:
    explicit RetriesPage(QWidget* parent = nullptr);
    QString title() const override { return tr("Retries"); }
    void showExchange(const Trace::Exchange& exchange) override;
    void clearExchange() override;

    QList<AttemptCard*> cards() const { return m_cards; } // top to bottom

protected:
    void changeEvent(QEvent* event) override;

private:
    struct Shown
    {
        quint64 id = 0;
        bool finished = false;
        Trace::Outcome outcome = Trace::Outcome::Pending;
        QString error;
    };
    void showReports(const Shown& shown, const QList<AttemptReport>& reports);
    void showEmptyState(const QString& text);
    void removeCards(qsizetype from);
    QString summary(const Shown& shown, const QList<AttemptReport>& reports) const;

    QLabel* m_empty;
    QScrollArea* m_scroll;
    QLabel* m_summary;
    QVBoxLayout* m_cardLayout;
    QList<AttemptCard*> m_cards;
    AsyncJob m_job;
    quint64 m_shownId = 0;
    Shown m_shown;
    bool m_rebuildQueued = false;
};
