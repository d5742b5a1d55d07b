#include "tracejsonpage.h"

#include "displaytext.h"
#include "trace/tracejson.h"

#include <QFontDatabase>
#include <QJsonDocument>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QVBoxLayout>

TraceJsonPage::TraceJsonPage(QWidget* parent)
    : ExchangePage(parent)
    , m_text(new QPlainTextEdit)
{
    setObjectName(QStringLiteral("traceJsonPage"));
    m_text->setObjectName(QStringLiteral("traceJsonText"));
    m_text->setReadOnly(true);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_text);
}

void TraceJsonPage::showExchange(const Trace::Exchange& exchange)
{
    // Serialising a large exchange takes a while: off the main thread, on a copy.
    const quint64 id = exchange.id;
    m_job.run(this, [exchange] {
        return breakLongLines(QString::fromUtf8(QJsonDocument(Trace::exchangeToJson(exchange)).toJson(QJsonDocument::Indented)));
    }, [this, id](const QString& text) {
        const bool same = id == m_shownId;
        const int scroll = m_text->verticalScrollBar()->value();
        m_text->setPlainText(text);
        if (same)
            m_text->verticalScrollBar()->setValue(scroll);
        m_shownId = id;
    });
}

void TraceJsonPage::clearExchange()
{
    m_job.cancel();
    m_text->clear();
    m_shownId = 0;
}
