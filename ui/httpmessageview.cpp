#include "httpmessageview.h"

#include "chathtml.h"
#include "displaytext.h"
#include "guard/streamguard.h"
#include "jsontreemodel.h"

#include <QEvent>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollBar>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QTreeView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace {

// Event data shown in the list is cut here; the reassembled message and the Raw tab have it all.
constexpr qsizetype kEventDataShown = 400;
// Longer lines are broken in the Raw tab (see breakLongLines).
constexpr qsizetype kRawLineLength = 2000;

QString milliseconds(qint64 us)
{
    return us < 0 ? u"–"_s : QString::number(double(us) / 1000.0, 'f', 1);
}

QString rawMessage(const Trace::HttpRecord& record, HttpMessageView::Side side)
{
    QString text;
    if (side == HttpMessageView::Side::Request)
        text = QString::fromUtf8(record.method + ' ' + record.url) + u'\n';
    else if (record.status > 0)
        text = u"HTTP %1\n"_s.arg(record.status);
    for (const auto& [name, value] : record.headers)
        text += QString::fromUtf8(name + ": " + value) + u'\n';
    text += u'\n';
    text += QString::fromUtf8(record.body);
    if (record.bodyTruncated)
        text += u"\n\n[the body was cut here at the trace size limit]"_s;
    return text;
}

} // namespace

void StreamEventModel::setEvents(const QList<Trace::StreamEvent>& events)
{
    // A running stream only grows: append the new rows instead of resetting the view.
    const bool grows = events.size() >= m_events.size() && !m_events.isEmpty()
        && events.at(m_events.size() - 1).atUs == m_events.last().atUs && events.at(m_events.size() - 1).data == m_events.last().data;
    if (grows) {
        if (events.size() == m_events.size())
            return;
        beginInsertRows({}, int(m_events.size()), int(events.size()) - 1);
        m_events = events;
        endInsertRows();
        return;
    }
    beginResetModel();
    m_events = events;
    endResetModel();
}

int StreamEventModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int StreamEventModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant StreamEventModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Trace::StreamEvent& event = m_events.at(index.row());
    if (role == Qt::TextAlignmentRole)
        return index.column() == DataColumn ? QVariant() : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && index.column() == DataColumn)
        return QString::fromUtf8(event.data.left(20000));
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case IndexColumn: return index.row() + 1;
    case ArrivalColumn: return milliseconds(event.atUs);
    case GapColumn: return index.row() == 0 ? u"–"_s : milliseconds(event.atUs - m_events.at(index.row() - 1).atUs);
    case DataColumn: {
        const QString data = QString::fromUtf8(event.data.left(kEventDataShown)).replace(u'\n', u' ');
        return event.data.size() > kEventDataShown ? data + u'…' : data;
    }
    }
    return {};
}

QVariant StreamEventModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case IndexColumn: return tr("#");
    case ArrivalColumn: return tr("At (ms)");
    case GapColumn: return tr("Gap (ms)");
    case DataColumn: return tr("Data");
    }
    return {};
}

struct HttpMessageView::Presentation
{
    QString chatHtml;                      // empty: not a chat message
    std::shared_ptr<const JsonTree> tree;  // null: the body is not JSON
    QString raw;
    QList<Trace::StreamEvent> events;
    QString reassembledHtml;
    QString note;                          // a line above the tabs, e.g. "not JSON"
    QString rawNote;                       // how the Raw tab differs from the bytes
    qint64 size = 0;
};

HttpMessageView::HttpMessageView(Side side, QWidget* parent)
    : QWidget(parent)
    , m_side(side)
    , m_tabs(new QTabWidget)
    , m_chat(new QTextBrowser)
    , m_jsonView(new QTreeView)
    , m_jsonModel(new JsonTreeModel(this))
    , m_raw(new QPlainTextEdit)
    , m_eventView(new QTableView)
    , m_eventModel(new StreamEventModel(this))
    , m_reassembled(new QTextBrowser)
    , m_note(new QLabel)
    , m_saveBody(new QPushButton(tr("Save body…")))
{
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_chat->setObjectName(u"chatView"_s);
    m_chat->setOpenLinks(false);
    m_jsonView->setObjectName(u"jsonView"_s);
    m_jsonView->setModel(m_jsonModel);
    m_jsonView->setUniformRowHeights(true);
    m_jsonView->setAlternatingRowColors(true);
    m_jsonView->header()->setSectionResizeMode(JsonTreeModel::ValueColumn, QHeaderView::Stretch);
    m_jsonView->header()->setStretchLastSection(false);
    m_raw->setObjectName(u"rawView"_s);
    m_raw->setReadOnly(true);
    m_raw->setFont(fixed);
    m_raw->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_eventView->setObjectName(u"eventView"_s);
    m_eventView->setModel(m_eventModel);
    m_eventView->verticalHeader()->hide();
    m_eventView->verticalHeader()->setDefaultSectionSize(m_eventView->fontMetrics().height() + 6);
    m_eventView->horizontalHeader()->setStretchLastSection(true);
    m_eventView->setWordWrap(false);
    m_eventView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_eventView->setFont(fixed);
    m_reassembled->setObjectName(u"reassembledView"_s);

    auto* events = new QSplitter(Qt::Horizontal);
    events->addWidget(m_eventView);
    auto* reassembledArea = new QWidget;
    auto* reassembledLayout = new QVBoxLayout(reassembledArea);
    reassembledLayout->setContentsMargins(0, 0, 0, 0);
    reassembledLayout->addWidget(new QLabel(tr("Reassembled message")));
    reassembledLayout->addWidget(m_reassembled);
    events->addWidget(reassembledArea);
    events->setStretchFactor(0, 3);
    events->setStretchFactor(1, 2);

    m_tabs->setObjectName(u"messageTabs"_s);
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_chat, tr("Chat"));
    m_tabs->addTab(m_jsonView, tr("JSON"));
    m_tabs->addTab(m_raw, tr("Raw"));
    m_tabs->addTab(events, tr("Events"));
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int tab) {
        if (!m_choosingTab)
            m_preferredTab = tab;
    });
    m_note->setObjectName(u"messageNote"_s);
    m_note->setWordWrap(true);
    m_saveBody->setObjectName(u"saveBodyButton"_s);
    m_saveBody->setToolTip(tr("Write the body, byte for byte, to a file"));
    connect(m_saveBody, &QPushButton::clicked, this, &HttpMessageView::saveBody);
    auto* top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addWidget(m_note, 1);
    top->addWidget(m_saveBody);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(top);
    layout->addWidget(m_tabs);
    clear();
}

void HttpMessageView::showRecord(const QString& key, const Trace::HttpRecord& record)
{
    const qint64 size = record.body.size() + record.events.size() + record.status;
    if (key == m_shownKey && size == m_shownSize)
        return; // nothing new: keep the views exactly as the user left them
    m_shownRecord = record;
    const Side side = m_side;
    const ChatHtml::Colours colours = ChatHtml::Colours::fromPalette(palette());
    m_job.run(this, [record, side, colours, size] {
        Presentation p;
        p.size = size;
        qsizetype brokenLines = 0;
        p.raw = breakLongLines(rawMessage(record, side), kRawLineLength, &brokenLines);
        if (brokenLines > 0)
            p.rawNote = tr("Lines longer than %1 characters are broken for display; Save body… writes the exact bytes.").arg(kRawLineLength);
        p.events = record.events;
        const bool stream = !record.events.isEmpty();
        if (stream) {
            QList<QByteArray> data;
            data.reserve(record.events.size());
            for (const Trace::StreamEvent& event : record.events)
                data.append(event.data);
            const QJsonObject completion = Guard::completionFromEvents(data);
            p.reassembledHtml = ChatHtml::completion(completion, colours);
            p.chatHtml = p.reassembledHtml;
            p.tree = JsonTree::build(completion, tr("(reassembled from %n events)", nullptr, int(record.events.size())));
        } else if (!record.body.isEmpty()) {
            p.tree = JsonTree::fromJson(record.body);
            const QJsonObject body = QJsonDocument::fromJson(record.body).object();
            if (side == Side::Request && ChatHtml::isChatRequest(body))
                p.chatHtml = ChatHtml::request(body, colours);
            else if (side == Side::Response && ChatHtml::isChatCompletion(body))
                p.chatHtml = ChatHtml::completion(body, colours);
            if (!p.tree)
                p.note = tr("The body is not JSON (%n bytes): see the Raw tab.", nullptr, int(record.body.size()));
        } else {
            p.note = side == Side::Request ? tr("No request body.") : tr("No response body (yet).");
        }
        if (record.bodyTruncated)
            p.note += (p.note.isEmpty() ? QString() : u" "_s) + tr("The body was cut at the trace size limit.");
        return p;
    }, [this, key](const Presentation& presentation) { present(key, presentation); });
}

void HttpMessageView::present(const QString& key, const Presentation& p)
{
    const bool same = key == m_shownKey;
    const int chatScroll = m_chat->verticalScrollBar()->value();
    const int rawScroll = m_raw->verticalScrollBar()->value();
    const int reassembledScroll = m_reassembled->verticalScrollBar()->value();

    m_chat->setHtml(p.chatHtml);
    m_raw->setPlainText(p.raw);
    m_eventModel->setEvents(p.events);
    m_reassembled->setHtml(p.reassembledHtml);
    // The tree of a growing stream is rebuilt; a whole body's tree only when it is new.
    if (!same || !p.events.isEmpty() || !m_jsonModel->tree()) {
        m_jsonModel->setTree(p.tree);
        m_jsonView->expandToDepth(2);
        m_jsonView->resizeColumnToContents(JsonTreeModel::KeyColumn);
    }
    if (same) {
        m_chat->verticalScrollBar()->setValue(chatScroll);
        m_raw->verticalScrollBar()->setValue(rawScroll);
        m_reassembled->verticalScrollBar()->setValue(reassembledScroll);
    }
    m_note->setText(p.rawNote.isEmpty() ? p.note : p.note.isEmpty() ? p.rawNote : p.note + u' ' + p.rawNote);
    m_saveBody->setEnabled(!m_shownRecord.body.isEmpty());

    // Disabling the current tab switches tabs by itself: none of this is the user's choice.
    m_choosingTab = true;
    m_tabs->setTabEnabled(ChatTab, !p.chatHtml.isEmpty());
    m_tabs->setTabEnabled(JsonTab, p.tree != nullptr);
    m_tabs->setTabEnabled(EventsTab, !p.events.isEmpty());
    // The sub-tab the user chose when it applies to this message, else the most readable one.
    if (m_tabs->isTabEnabled(m_preferredTab)) {
        m_tabs->setCurrentIndex(m_preferredTab);
    } else {
        for (int tab : { ChatTab, JsonTab, RawTab }) {
            if (m_tabs->isTabEnabled(tab)) {
                m_tabs->setCurrentIndex(tab);
                break;
            }
        }
    }
    m_choosingTab = false;
    if (!same && !p.events.isEmpty()) {
        for (int column : { StreamEventModel::IndexColumn, StreamEventModel::ArrivalColumn, StreamEventModel::GapColumn })
            m_eventView->resizeColumnToContents(column);
    }
    m_shownKey = key;
    m_shownSize = p.size;
}

void HttpMessageView::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    // The chat view's colours come from the palette: a switch to a dark theme renders it again.
    if (event->type() == QEvent::PaletteChange && !m_shownKey.isEmpty()) {
        m_shownSize = -1;
        showRecord(m_shownKey, m_shownRecord);
    }
}

void HttpMessageView::clear()
{
    m_job.cancel();
    m_chat->clear();
    m_raw->clear();
    m_reassembled->clear();
    m_jsonModel->setTree(nullptr);
    m_eventModel->setEvents({});
    m_note->clear();
    m_saveBody->setEnabled(false);
    m_choosingTab = true;
    m_tabs->setTabEnabled(ChatTab, false);
    m_tabs->setTabEnabled(JsonTab, false);
    m_tabs->setTabEnabled(EventsTab, false);
    m_tabs->setCurrentIndex(RawTab);
    m_choosingTab = false;
    m_shownKey.clear();
    m_shownRecord = {};
    m_shownSize = -1;
}

void HttpMessageView::saveBody()
{
    const QByteArray body = m_shownRecord.body;
    const bool json = !QJsonDocument::fromJson(body).isNull();
    const QString path = QFileDialog::getSaveFileName(this, tr("Save body"), json ? u"body.json"_s : u"body.txt"_s);
    if (path.isEmpty())
        return;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(body) != body.size() || !file.commit())
        QMessageBox::warning(this, tr("Save body"), tr("Could not write %1: %2").arg(path, file.errorString()));
}

QString HttpMessageView::chatText() const
{
    return m_chat->toPlainText();
}

QString HttpMessageView::rawText() const
{
    return m_raw->toPlainText();
}

QString HttpMessageView::reassembledText() const
{
    return m_reassembled->toPlainText();
}
