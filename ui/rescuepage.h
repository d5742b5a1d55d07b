#pragma once

#include "exchangepage.h"

#include <QColor>
#include <QJsonObject>
#include <QList>
#include <QStringView>

#include <utility>

class QComboBox;
class QFormLayout;
class QLabel;
class QPlainTextEdit;
class QStackedWidget;
class QTreeWidget;

// What the guard made of the model's answer, per attempt: the raw text with the span of every
// rescued call highlighted beside the tool_calls Temper emitted for it (same colour on both
// sides), the parser that read them, what was left as content, and every repair of an argument
// as a before/after table, for rescued and native calls alike.
class RescuePage : public ExchangePage
{
    Q_OBJECT

public:
    explicit RescuePage(QWidget* parent = nullptr);
    QString title() const override { return tr("Rescue"); }
    void showExchange(const Trace::Exchange& exchange) override;
    void clearExchange() override;

    // The background that marks call `index` (0-based) in both texts; distinct per call and
    // readable under the palette's text colour, light or dark.
    static QColor callColour(int index, const QPalette& palette);
    // Where UTF-16 offset `offset` of `text` lands once the text is in a QTextDocument, which
    // turns each "\r\n" into a single block separator.
    static int documentPosition(QStringView text, qsizetype offset);

protected:
    void changeEvent(QEvent* event) override;

private:
    void showAttempt(int comboIndex);
    void showEmpty(const QString& text);
    void render();
    void highlight(QPlainTextEdit* edit, const QString& text, const QList<std::pair<qsizetype, qsizetype>>& ranges);

    QWidget* m_pickerRow;
    QComboBox* m_picker;
    QStackedWidget* m_stack;
    QLabel* m_empty;
    QLabel* m_summary;
    QLabel* m_modelCaption;
    QPlainTextEdit* m_modelText;
    QLabel* m_emittedCaption;
    QPlainTextEdit* m_emitted;
    QFormLayout* m_facts;
    QLabel* m_parser;
    QLabel* m_content;
    QLabel* m_reasoning;
    QLabel* m_issues;
    QLabel* m_repairsCaption;
    QTreeWidget* m_repairs;

    quint64 m_exchangeId = 0;
    bool m_pickedByUser = false;
    QList<QJsonObject> m_guards; // per attempt, as last shown
    QList<QString> m_attemptErrors;
    bool m_exchangeFinished = false;
    int m_shownAttempt = -1;
    QJsonObject m_shownGuard;
};
