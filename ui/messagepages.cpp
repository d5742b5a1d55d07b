#include "messagepages.h"

#include "trace/rewrites.h"

#include <QComboBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSplitter>
#include <QTextDocumentFragment>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace {

QString key(const Trace::Exchange& exchange, const char* side, int attempt = 0)
{
    return u"%1/%2/%3"_s.arg(exchange.id).arg(QLatin1StringView(side)).arg(attempt);
}

QVBoxLayout* flatLayout(QWidget* widget)
{
    auto* layout = new QVBoxLayout(widget);
    layout->setContentsMargins(0, 0, 0, 0);
    return layout;
}

QString bulletList(const QStringList& lines, const QString& none)
{
    if (lines.isEmpty())
        return u"<i>%1</i>"_s.arg(none.toHtmlEscaped());
    QString html;
    for (const QString& line : lines)
        html += u"• "_s + line.toHtmlEscaped() + u"<br>"_s;
    return html;
}

} // namespace

RequestPage::RequestPage(QWidget* parent)
    : ExchangePage(parent)
    , m_view(new HttpMessageView(HttpMessageView::Side::Request))
{
    setObjectName(u"requestPage"_s);
    flatLayout(this)->addWidget(m_view);
}

void RequestPage::showExchange(const Trace::Exchange& exchange)
{
    m_view->showRecord(key(exchange, "client-request"), exchange.clientRequest);
}

void RequestPage::clearExchange()
{
    m_view->clear();
}

ResponsePage::ResponsePage(QWidget* parent)
    : ExchangePage(parent)
    , m_view(new HttpMessageView(HttpMessageView::Side::Response))
{
    setObjectName(u"responsePage"_s);
    flatLayout(this)->addWidget(m_view);
}

void ResponsePage::showExchange(const Trace::Exchange& exchange)
{
    m_view->showRecord(key(exchange, "client-response"), exchange.clientResponse);
}

void ResponsePage::clearExchange()
{
    m_view->clear();
}

ComparePage::ComparePage(QWidget* parent)
    : ExchangePage(parent)
    , m_attempt(new QComboBox)
    , m_requestChanges(new QLabel)
    , m_responseChanges(new QLabel)
    , m_clientRequest(new HttpMessageView(HttpMessageView::Side::Request))
    , m_clientResponse(new HttpMessageView(HttpMessageView::Side::Response))
    , m_upstreamRequest(new HttpMessageView(HttpMessageView::Side::Request))
    , m_upstreamResponse(new HttpMessageView(HttpMessageView::Side::Response))
{
    setObjectName(u"comparePage"_s);
    m_attempt->setObjectName(u"compareAttempt"_s);
    m_requestChanges->setObjectName(u"requestChanges"_s);
    m_responseChanges->setObjectName(u"responseChanges"_s);
    for (QLabel* label : { m_requestChanges, m_responseChanges }) {
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        label->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    }
    const QList<std::pair<HttpMessageView*, QString>> views = {
        { m_clientRequest, u"clientRequestView"_s }, { m_clientResponse, u"clientResponseView"_s },
        { m_upstreamRequest, u"upstreamRequestView"_s }, { m_upstreamResponse, u"upstreamResponseView"_s } };
    for (const auto& [view, name] : views)
        view->setObjectName(name);

    auto column = [](const QString& title, HttpMessageView* request, HttpMessageView* response) {
        auto* box = new QGroupBox(title);
        auto* splitter = new QSplitter(Qt::Vertical);
        splitter->addWidget(request);
        splitter->addWidget(response);
        flatLayout(box)->addWidget(splitter);
        return box;
    };
    auto* columns = new QSplitter(Qt::Horizontal);
    columns->addWidget(column(tr("Client ⇄ Temper: request, then response"), m_clientRequest, m_clientResponse));
    columns->addWidget(column(tr("Temper ⇄ backend: request, then response"), m_upstreamRequest, m_upstreamResponse));

    auto* changes = new QHBoxLayout;
    auto* requestBox = new QGroupBox(tr("What Temper changed in the request"));
    flatLayout(requestBox)->addWidget(m_requestChanges);
    auto* responseBox = new QGroupBox(tr("What Temper changed in the answer"));
    flatLayout(responseBox)->addWidget(m_responseChanges);
    changes->addWidget(requestBox, 1);
    changes->addWidget(responseBox, 1);

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Upstream attempt:")));
    top->addWidget(m_attempt);
    top->addStretch(1);

    auto* layout = flatLayout(this);
    layout->addLayout(top);
    layout->addLayout(changes);
    layout->addWidget(columns, 1);
    connect(m_attempt, &QComboBox::currentIndexChanged, this, &ComparePage::showAttempt);
}

void ComparePage::showExchange(const Trace::Exchange& exchange)
{
    const bool same = exchange.id == m_exchange.id;
    const int previousCount = m_attempt->count();
    const int previousIndex = m_attempt->currentIndex();
    m_exchange = exchange;
    m_clientRequest->showRecord(key(exchange, "client-request"), exchange.clientRequest);
    m_clientResponse->showRecord(key(exchange, "client-response"), exchange.clientResponse);

    const QSignalBlocker blocker(m_attempt);
    m_attempt->clear();
    for (const Trace::Attempt& attempt : exchange.attempts)
        m_attempt->addItem(tr("Attempt %1 of %2").arg(attempt.index).arg(exchange.attempts.size()));
    // The last attempt is the one whose answer the client got; keep the user's choice while the
    // same exchange grows, unless they were following the last one.
    const bool followedLast = previousIndex == previousCount - 1;
    m_attempt->setCurrentIndex(same && !followedLast ? previousIndex : int(exchange.attempts.size()) - 1);
    m_attempt->setEnabled(exchange.attempts.size() > 1);
    showAttempt();
}

void ComparePage::showAttempt()
{
    const int index = m_attempt->currentIndex();
    if (index < 0 || index >= m_exchange.attempts.size()) {
        m_upstreamRequest->clear();
        m_upstreamResponse->clear();
        m_requestChanges->setText(tr("<i>Temper answered this request itself; nothing went to the backend.</i>"));
        m_responseChanges->clear();
        return;
    }
    const Trace::Attempt& attempt = m_exchange.attempts.at(index);
    m_upstreamRequest->showRecord(key(m_exchange, "upstream-request", attempt.index), attempt.request);
    m_upstreamResponse->showRecord(key(m_exchange, "upstream-response", attempt.index), attempt.response);
    m_requestChanges->setText(bulletList(Trace::requestRewrites(m_exchange.clientRequest, attempt.request),
                                         tr("Sent exactly as the client wrote it.")));
    const bool last = index == m_exchange.attempts.size() - 1;
    if (!m_exchange.finished) {
        m_responseChanges->setText(tr("<i>Still running.</i>"));
    } else if (!attempt.error.isEmpty()) {
        m_responseChanges->setText(bulletList({ tr("the backend failed: %1").arg(attempt.error) }, {}));
    } else if (!last) {
        m_responseChanges->setText(tr("<i>Not shown to the client: Temper retried after this answer (see the Retries tab).</i>"));
    } else {
        m_responseChanges->setText(bulletList(Trace::responseRewrites(attempt.response, m_exchange.clientResponse),
                                              tr("Passed on as the backend answered.")));
    }
}

void ComparePage::clearExchange()
{
    m_exchange = {};
    const QSignalBlocker blocker(m_attempt);
    m_attempt->clear();
    for (HttpMessageView* view : { m_clientRequest, m_clientResponse, m_upstreamRequest, m_upstreamResponse })
        view->clear();
    m_requestChanges->clear();
    m_responseChanges->clear();
}

QString ComparePage::changesText() const
{
    return QTextDocumentFragment::fromHtml(m_requestChanges->text() + u"<br>"_s + m_responseChanges->text()).toPlainText();
}

HttpMessageView* ComparePage::view(const QString& objectName) const
{
    return findChild<HttpMessageView*>(objectName);
}
