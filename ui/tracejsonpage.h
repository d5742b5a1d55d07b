#pragma once

#include "asyncjob.h"
#include "exchangepage.h"

class QPlainTextEdit;

// The complete trace record of the exchange, as the trace file and exports hold it.
class TraceJsonPage : public ExchangePage
{
    Q_OBJECT

public:
    explicit TraceJsonPage(QWidget* parent = nullptr);
    QString title() const override { return tr("Trace"); }
    void showExchange(const Trace::Exchange& exchange) override;
    void clearExchange() override;

private:
    QPlainTextEdit* m_text;
    AsyncJob m_job;
    quint64 m_shownId = 0;
};
