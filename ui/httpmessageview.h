#pragma once

#include "asyncjob.h"
#include "trace/exchange.h"

#include <QAbstractTableModel>
#include <QWidget>

#include <memory>

class JsonTree;
class JsonTreeModel;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTableView;
class QTextBrowser;
class QTreeView;

// The server-sent events of a stream, one row each: when it arrived, the gap since the one
// before (what a person looks at when a stream stutters), and its data.
class StreamEventModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { IndexColumn, ArrivalColumn, GapColumn, DataColumn, ColumnCount };

    using QAbstractTableModel::QAbstractTableModel;

    void setEvents(const QList<Trace::StreamEvent>& events);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<Trace::StreamEvent> m_events;
};

// One HTTP message of an exchange, the ways a person reads it: as a chat (when it is a chat
// request or completion), as a JSON tree, as the raw bytes with the headers, and for a stream
// the events with their arrival times beside the message they reassemble into. Formatting runs
// off the main thread; showing the same message again keeps the sub-tab and the scroll position.
class HttpMessageView : public QWidget
{
    Q_OBJECT

public:
    enum class Side { Request, Response };
    enum Tab { ChatTab, JsonTab, RawTab, EventsTab };

    explicit HttpMessageView(Side side, QWidget* parent = nullptr);

    // `key` tells two messages apart (the exchange id, and the attempt for upstream messages).
    void showRecord(const QString& key, const Trace::HttpRecord& record);
    void clear();

    QTabWidget* tabs() const { return m_tabs; }
    QString chatText() const;   // what the Chat tab shows, as plain text
    QString rawText() const;
    QString reassembledText() const;
    JsonTreeModel* jsonModel() const { return m_jsonModel; }
    StreamEventModel* eventModel() const { return m_eventModel; }

protected:
    void changeEvent(QEvent* event) override;

private:
    struct Presentation;
    void present(const QString& key, const Presentation& presentation);
    void saveBody();

    Side m_side;
    QTabWidget* m_tabs;
    QTextBrowser* m_chat;
    QTreeView* m_jsonView;
    JsonTreeModel* m_jsonModel;
    QPlainTextEdit* m_raw;
    QTableView* m_eventView;
    StreamEventModel* m_eventModel;
    QTextBrowser* m_reassembled;
    QLabel* m_note;
    QPushButton* m_saveBody;
    AsyncJob m_job;
    int m_preferredTab = ChatTab; // the sub-tab the user last chose
    bool m_choosingTab = false;   // a programmatic switch, not the user's choice
    QString m_shownKey;
    Trace::HttpRecord m_shownRecord; // to render again in a new palette
    qint64 m_shownSize = -1; // body bytes + events of what is shown, to skip unchanged refreshes
};
