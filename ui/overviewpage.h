#pragma once

#include "exchangepage.h"

class QFormLayout;
class QLabel;
class QPlainTextEdit;
class QScrollArea;
class QTreeView;
class TimelineModel;

// The exchange at a glance: its outcome, where it went, how long it took, the tokens it used, and
// the guard's steps as a timeline; selecting a step shows what was recorded about it.
class OverviewPage : public ExchangePage
{
    Q_OBJECT

public:
    explicit OverviewPage(QWidget* parent = nullptr);
    QString title() const override { return tr("Overview"); }
    void showExchange(const Trace::Exchange& exchange) override;
    void clearExchange() override;

protected:
    void changeEvent(QEvent* event) override;

private:
    QLabel* addValue(QFormLayout* form, const QString& label, const QString& objectName);
    void styleBadge();
    void showSelectedStep();

    QLabel* m_badge;
    QLabel* m_description;
    QLabel* m_request;
    QLabel* m_route;
    QLabel* m_backend;
    QLabel* m_model;
    QLabel* m_tools;
    QLabel* m_streamed;
    QLabel* m_status;
    QLabel* m_error;
    QLabel* m_firstByte;
    QLabel* m_firstToken;
    QLabel* m_total;
    QLabel* m_tokensPerSecond;
    QLabel* m_attempts;
    QLabel* m_tokens;
    QLabel* m_attemptTokens;
    QFormLayout* m_form;
    TimelineModel* m_timeline;
    QTreeView* m_timelineView;
    QPlainTextEdit* m_stepDetail;
    QScrollArea* m_factsScroll;
    Trace::Outcome m_outcome = Trace::Outcome::Pending;
};
