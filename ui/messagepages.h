#pragma once

#include "exchangepage.h"
#include "httpmessageview.h"

class QComboBox;
class QLabel;

// The request the client sent, as Temper received it (credentials masked).
class RequestPage : public ExchangePage
{
    Q_OBJECT

public:
    explicit RequestPage(QWidget* parent = nullptr);
    QString title() const override { return tr("Request"); }
    void showExchange(const Trace::Exchange& exchange) override;
    void clearExchange() override;
    HttpMessageView* view() const { return m_view; }

private:
    HttpMessageView* m_view;
};

// The answer the client got: the body, or for a stream its events and the reassembled message.
class ResponsePage : public ExchangePage
{
    Q_OBJECT

public:
    explicit ResponsePage(QWidget* parent = nullptr);
    QString title() const override { return tr("Response"); }
    void showExchange(const Trace::Exchange& exchange) override;
    void clearExchange() override;
    HttpMessageView* view() const { return m_view; }

private:
    HttpMessageView* m_view;
};

// What the client sent and received beside what Temper sent to and got from the backend, for
// one attempt at a time, with what Temper changed on each side in plain words.
class ComparePage : public ExchangePage
{
    Q_OBJECT

public:
    explicit ComparePage(QWidget* parent = nullptr);
    QString title() const override { return tr("Client vs upstream"); }
    void showExchange(const Trace::Exchange& exchange) override;
    void clearExchange() override;

    QComboBox* attemptBox() const { return m_attempt; }
    QString changesText() const;
    HttpMessageView* view(const QString& objectName) const;

private:
    void showAttempt();

    QComboBox* m_attempt;
    QLabel* m_requestChanges;
    QLabel* m_responseChanges;
    HttpMessageView* m_clientRequest;
    HttpMessageView* m_clientResponse;
    HttpMessageView* m_upstreamRequest;
    HttpMessageView* m_upstreamResponse;
    Trace::Exchange m_exchange;
};
