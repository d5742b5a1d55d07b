#pragma once

#include "trace/exchange.h"
#include "trace/textdiff.h"

#include <QByteArray>
#include <QFrame>
#include <QList>
#include <QString>
#include <QStringList>

// What the Retries tab shows of one attempt, read out of Trace::Attempt::guard (layout in
// guard/guardtrace.h) with the costly parts (pretty JSON, the diff) done. A value: it is built off
// the main thread and the card turns it into widgets.
struct AttemptReport
{
    struct Call
    {
        QString id;
        QString name;
        QString arguments; // pretty JSON when the text parses, else as written
        QString argumentsLine; // the same on one line
        bool rescued = false;
        bool valid = true;
        QStringList repairs; // each repair in plain words
    };
    struct Issue
    {
        QString callName;
        QString callId;
        QString rule;
        QString path; // "arguments.days"
        QString pointer; // "/days"
        QString message;
        QString expected;
        QString received;
        QString schema; // the schema fragment, pretty JSON; empty when there is none
    };
    struct Turn
    {
        QString role; // "assistant", "tool", "user"
        QString toolCallId; // tool messages: the call they answer
        QString text;
        QList<Call> calls; // assistant turns: the calls kept in the history
    };

    int index = 0;
    bool finished = false;
    bool analysed = false; // the guard recorded findings (false while running and after a transport failure)
    QString verdict; // "accept", "retry", "give-up"; empty when not analysed
    QString reason;
    int status = 0;
    qint64 durationUs = -1;
    qint64 firstTokenUs = -1; // after the attempt started
    Trace::Usage usage;
    QString error;
    QString responsePreview; // the backend's body when nothing could be analysed

    QList<Issue> issues;
    bool nearMiss = false;
    QStringList rescueIssues;
    QString rescueParser;
    QList<Turn> correction;

    QString text;
    QString reasoning;
    QList<Call> calls;

    QString answer; // text and calls serialised for the diff, the same way for every attempt
    int previousIndex = 0; // the attempt compared with; 0 for the first
    Trace::TextDiff diff;

    QByteArray fingerprint; // changes whenever anything above does
};

// Reports for every attempt, each compared with the one before. Pure: safe off the main thread.
QList<AttemptReport> reportAttempts(const QList<Trace::Attempt>& attempts);

// The serialisation the diff compares: the text, then each call's name and pretty arguments; call
// ids are left out, they change between attempts without meaning anything.
QString answerForDiff(const QString& text, const QList<AttemptReport::Call>& calls);

// One attempt of an exchange, as a card: header, why it failed, the answer, what changed since the
// previous attempt, the correction Temper sent for the next one.
class AttemptCard : public QFrame
{
    Q_OBJECT

public:
    // Colours come from the palette `parent` passes on: create the card inside the widget it shows in.
    explicit AttemptCard(const AttemptReport& report, QWidget* parent = nullptr);
    const AttemptReport& report() const { return m_report; }

private:
    QWidget* header();
    QWidget* issues();
    QWidget* answer();
    QWidget* diff();
    QWidget* correction();
    QWidget* callView(const AttemptReport::Call& call, bool oneLine = false);
    QString diffHtml() const;

    AttemptReport m_report;
};
