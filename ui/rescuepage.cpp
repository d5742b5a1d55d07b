#include "rescuepage.h"

#include "guard/jsontext.h"

#include "guard/attempt.h"
#include "guard/guardtrace.h"
#include "guard/literalparser.h"
#include "outcomestyle.h"

#include <QComboBox>
#include <QEvent>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSignalBlocker>
#include <QSplitter>
#include <QStackedWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <cmath>

using namespace Qt::StringLiterals;
using Guard::jsonText;

namespace {

enum RepairColumn { CallColumn, WhereColumn, KindColumn, BeforeColumn, AfterColumn, DescriptionColumn };

QString prettyJson(const QJsonObject& object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented)).trimmed();
}

// The call as recorded, in the shape the guard emits it, so the page shows exactly the arguments
// a client receives (the backend's own text, or the repaired object).
Guard::CheckedCall checkedCall(const QJsonObject& call)
{
    Guard::CheckedCall checked;
    checked.id = call.value("id"_L1).toString();
    checked.name = call.value("name"_L1).toString();
    checked.argumentsText = call.value("arguments_text"_L1).toString();
    checked.rescued = call.value("rescued"_L1).toBool();
    checked.validation.valid = call.value("valid"_L1).toBool();
    checked.validation.arguments = call.value("arguments"_L1).toObject();
    for (const QJsonValue& entry : call.value("repairs"_L1).toArray()) {
        const QJsonObject repair = entry.toObject();
        Guard::Repair decoded { Guard::RepairKind::IntegralFloat, repair.value("pointer"_L1).toString(),
                                repair.value("before"_L1), repair.value("after"_L1), repair.value("description"_L1).toString() };
        for (Guard::RepairKind kind : { Guard::RepairKind::IntegralFloat, Guard::RepairKind::NumericString, Guard::RepairKind::BooleanString,
                                        Guard::RepairKind::StringifiedArguments, Guard::RepairKind::WrappedInArray,
                                        Guard::RepairKind::DroppedNull, Guard::RepairKind::StrictJson }) {
            if (Guard::repairKindName(kind) == repair.value("kind"_L1).toString())
                decoded.kind = kind;
        }
        checked.validation.repairs.append(decoded);
    }
    return checked;
}

// The value a repair started from, as the model wrote it. JSON values cannot tell 10.0 from 10,
// so an integral float is looked up in the backend's arguments text (or shown with its fraction).
QString beforeText(const QJsonObject& repair, const QJsonObject& call)
{
    const QJsonValue before = repair.value("before"_L1);
    if (repair.value("kind"_L1).toString() != Guard::repairKindName(Guard::RepairKind::IntegralFloat) || !before.isDouble())
        return jsonText(before);
    const Guard::LiteralParse parsed = Guard::parseWholeLiteral(call.value("arguments_text"_L1).toString(), Guard::LiteralDialect::Json);
    const QString pointer = repair.value("pointer"_L1).toString();
    for (const Guard::WrittenNumber& number : parsed.integralFloats) {
        if (number.pointer == pointer)
            return number.lexeme;
    }
    return QString::number(before.toDouble(), 'f', 1);
}

QString verdictWords(const QString& verdict)
{
    if (verdict == u"accept"_s)
        return RescuePage::tr("accepted");
    if (verdict == u"retry"_s)
        return RescuePage::tr("retried");
    if (verdict == u"give-up"_s)
        return RescuePage::tr("gave up");
    return RescuePage::tr("no decision yet");
}

QString callCount(qsizetype count)
{
    return count == 1 ? RescuePage::tr("1 call") : RescuePage::tr("%1 calls").arg(count);
}

QLabel* valueLabel(const QString& objectName)
{
    auto* label = new QLabel;
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

QPlainTextEdit* codeView(const QString& objectName)
{
    auto* edit = new QPlainTextEdit;
    edit->setObjectName(objectName);
    edit->setReadOnly(true);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    edit->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    return edit;
}

// A JSON array of objects, pretty-printed, with where each object's text sits.
QString jsonArrayText(const QList<QJsonObject>& objects, QList<std::pair<qsizetype, qsizetype>>* ranges)
{
    QString text = u"[\n"_s;
    for (qsizetype i = 0; i < objects.size(); ++i) {
        QString object = prettyJson(objects.at(i));
        object.replace(u'\n', u"\n    "_s);
        const qsizetype start = text.size() + 4;
        text += u"    "_s + object;
        ranges->append({ start, text.size() });
        text += i + 1 < objects.size() ? u",\n"_s : u"\n"_s;
    }
    return text + u"]"_s;
}

} // namespace

RescuePage::RescuePage(QWidget* parent)
    : ExchangePage(parent)
    , m_pickerRow(new QWidget)
    , m_picker(new QComboBox)
    , m_stack(new QStackedWidget)
    , m_empty(new QLabel)
    , m_summary(valueLabel(u"rescueSummary"_s))
    , m_modelCaption(new QLabel)
    , m_modelText(codeView(u"rescueText"_s))
    , m_emittedCaption(new QLabel)
    , m_emitted(codeView(u"emittedCalls"_s))
    , m_facts(new QFormLayout)
    , m_parser(valueLabel(u"rescueParser"_s))
    , m_content(valueLabel(u"rescueContent"_s))
    , m_reasoning(valueLabel(u"rescueReasoning"_s))
    , m_issues(valueLabel(u"rescueIssues"_s))
    , m_repairsCaption(new QLabel)
    , m_repairs(new QTreeWidget)
{
    setObjectName(u"rescuePage"_s);

    m_picker->setObjectName(u"attemptPicker"_s);
    m_picker->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    auto* pickerLabel = new QLabel(tr("&Attempt:"));
    pickerLabel->setBuddy(m_picker);
    auto* pickerLayout = new QHBoxLayout(m_pickerRow);
    pickerLayout->setContentsMargins(0, 0, 0, 0);
    pickerLayout->addWidget(pickerLabel);
    pickerLayout->addWidget(m_picker);
    pickerLayout->addStretch(1);
    connect(m_picker, &QComboBox::activated, this, [this](int index) {
        m_pickedByUser = true;
        showAttempt(index);
    });

    m_empty->setObjectName(u"rescueEmptyState"_s);
    m_empty->setWordWrap(true);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_empty->setContentsMargins(24, 24, 24, 24);

    m_modelCaption->setObjectName(u"modelTextCaption"_s);
    m_modelCaption->setWordWrap(true);
    m_emittedCaption->setObjectName(u"emittedCaption"_s);
    m_emittedCaption->setWordWrap(true);
    auto* modelSide = new QWidget;
    auto* modelLayout = new QVBoxLayout(modelSide);
    modelLayout->setContentsMargins(0, 0, 0, 0);
    modelLayout->addWidget(m_modelCaption);
    modelLayout->addWidget(m_modelText, 1);
    auto* emittedSide = new QWidget;
    auto* emittedLayout = new QVBoxLayout(emittedSide);
    emittedLayout->setContentsMargins(0, 0, 0, 0);
    emittedLayout->addWidget(m_emittedCaption);
    emittedLayout->addWidget(m_emitted, 1);
    auto* sides = new QSplitter(Qt::Horizontal);
    sides->setObjectName(u"rescueSplitter"_s);
    sides->addWidget(modelSide);
    sides->addWidget(emittedSide);
    sides->setChildrenCollapsible(false);

    m_facts->addRow(tr("Parser"), m_parser);
    m_facts->addRow(tr("Content left"), m_content);
    m_facts->addRow(tr("Reasoning found"), m_reasoning);
    m_facts->addRow(tr("Rescue issues"), m_issues);

    m_repairsCaption->setObjectName(u"repairsCaption"_s);
    m_repairs->setObjectName(u"repairsTable"_s);
    m_repairs->setRootIsDecorated(false);
    m_repairs->setHeaderLabels({ tr("Call"), tr("Where"), tr("Kind"), tr("Before"), tr("After"), tr("What changed") });
    m_repairs->header()->setStretchLastSection(true);
    m_repairs->setAlternatingRowColors(true);
    m_repairs->setUniformRowHeights(true);

    auto* content = new QWidget;
    auto* contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->addWidget(m_summary);
    contentLayout->addWidget(sides, 1);
    contentLayout->addLayout(m_facts);
    contentLayout->addWidget(m_repairsCaption);
    contentLayout->addWidget(m_repairs);

    m_stack->addWidget(m_empty);
    m_stack->addWidget(content);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_pickerRow);
    layout->addWidget(m_stack, 1);
    clearExchange();
}

QColor RescuePage::callColour(int index, const QPalette& palette)
{
    // Golden-angle steps keep neighbouring calls far apart on the colour wheel.
    const int hue = int(std::fmod(200.0 + index * 137.508, 360.0));
    return OutcomeStyle::isDark(palette) ? QColor::fromHsl(hue, 110, 72) : QColor::fromHsl(hue, 190, 212);
}

int RescuePage::documentPosition(QStringView text, qsizetype offset)
{
    offset = std::clamp<qsizetype>(offset, 0, text.size());
    qsizetype position = offset;
    for (qsizetype i = 0; i + 1 < offset; ++i) {
        if (text.at(i) == u'\r' && text.at(i + 1) == u'\n')
            --position;
    }
    return int(position);
}

void RescuePage::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange && m_shownAttempt >= 0)
        render();
    ExchangePage::changeEvent(event);
}

void RescuePage::showExchange(const Trace::Exchange& exchange)
{
    const bool sameExchange = exchange.id == m_exchangeId;
    if (!sameExchange) {
        m_exchangeId = exchange.id;
        m_pickedByUser = false;
        m_shownAttempt = -1;
        m_shownGuard = {};
    }
    m_exchangeFinished = exchange.finished;
    m_guards.clear();
    m_attemptErrors.clear();
    for (const Trace::Attempt& attempt : exchange.attempts) {
        m_guards.append(attempt.guard);
        m_attemptErrors.append(attempt.error);
    }

    if (exchange.toolNames.isEmpty()) {
        m_pickerRow->hide();
        showEmpty(tr("This request declared no tools, so Temper passed it through untouched: "
                     "there was nothing to rescue or repair."));
        return;
    }
    if (m_guards.isEmpty()) {
        m_pickerRow->hide();
        showEmpty(tr("Nothing has been sent to the backend yet."));
        return;
    }

    // The attempt the client's answer came from, unless the reader picked another.
    int defaultIndex = int(m_guards.size()) - 1;
    for (int i = 0; i < m_guards.size(); ++i) {
        if (m_guards.at(i).value("decision"_L1).toObject().value("verdict"_L1).toString() == u"accept"_s)
            defaultIndex = i;
    }
    const int previous = m_picker->currentIndex();
    {
        const QSignalBlocker blocker(m_picker);
        while (m_picker->count() > m_guards.size())
            m_picker->removeItem(m_picker->count() - 1);
        for (int i = 0; i < m_guards.size(); ++i) {
            const QString verdict = m_guards.at(i).value("decision"_L1).toObject().value("verdict"_L1).toString();
            const QString text = tr("%1 of %2 (%3)").arg(i + 1).arg(m_guards.size()).arg(verdictWords(verdict));
            if (i < m_picker->count())
                m_picker->setItemText(i, text);
            else
                m_picker->addItem(text);
        }
        m_picker->setCurrentIndex(m_pickedByUser && sameExchange && previous >= 0 && previous < m_picker->count() ? previous : defaultIndex);
    }
    m_pickerRow->setVisible(m_guards.size() > 1);
    showAttempt(m_picker->currentIndex());
}

void RescuePage::clearExchange()
{
    m_exchangeId = 0;
    m_pickedByUser = false;
    m_guards.clear();
    m_attemptErrors.clear();
    m_picker->clear();
    m_pickerRow->hide();
    showEmpty(tr("Select an exchange in the list to see what Temper rescued and repaired in it."));
}

void RescuePage::showEmpty(const QString& text)
{
    m_shownAttempt = -1;
    m_shownGuard = {};
    m_empty->setText(text);
    m_stack->setCurrentWidget(m_empty);
}

void RescuePage::showAttempt(int index)
{
    if (index < 0 || index >= m_guards.size())
        return;
    const QJsonObject& guard = m_guards.at(index);
    // Showing the same findings again would throw away the reader's scroll positions.
    if (index == m_shownAttempt && guard == m_shownGuard && m_stack->currentWidget() != m_empty)
        return;

    if (guard.isEmpty()) {
        const QString& error = m_attemptErrors.at(index);
        showEmpty(!error.isEmpty()   ? tr("This attempt failed before the model answered: %1").arg(error)
                  : !m_exchangeFinished && index + 1 == m_guards.size()
                      ? tr("The model is still answering; what Temper rescues or repairs appears when the attempt ends.")
                      : tr("Temper recorded no findings for this attempt: the backend did not give a usable answer."));
        return;
    }

    const QJsonArray calls = guard.value("calls"_L1).toArray();
    const QJsonObject rescue = guard.value("rescue"_L1).toObject();
    bool anyRescued = false;
    bool anyRepaired = false;
    QStringList invalid;
    for (const QJsonValue& value : calls) {
        const QJsonObject call = value.toObject();
        anyRescued = anyRescued || call.value("rescued"_L1).toBool();
        anyRepaired = anyRepaired || !call.value("repairs"_L1).toArray().isEmpty();
        for (const QJsonValue& issue : call.value("issues"_L1).toArray())
            invalid.append(u"• "_s + call.value("name"_L1).toString() + u": "_s + issue.toObject().value("message"_L1).toString());
    }
    if (!anyRescued && !anyRepaired && rescue.isEmpty()) {
        if (calls.isEmpty()) {
            showEmpty(tr("The model answered with text only, and nothing in it looked like a tool call: "
                         "there was nothing to rescue or repair."));
        } else if (invalid.isEmpty()) {
            showEmpty(tr("The model used native tool_calls (%1) and nothing needed rescue or repair.").arg(callCount(calls.size())));
        } else {
            showEmpty(tr("The model used native tool_calls (%1); nothing was rescued or repaired, "
                         "but they broke the declared schema:\n\n%2")
                          .arg(callCount(calls.size()), invalid.join(u'\n')));
        }
        return;
    }
    m_shownAttempt = index;
    m_shownGuard = guard;
    render();
}

void RescuePage::highlight(QPlainTextEdit* edit, const QString& text, const QList<std::pair<qsizetype, qsizetype>>& ranges)
{
    QList<QTextEdit::ExtraSelection> selections;
    for (int i = 0; i < ranges.size(); ++i) {
        QTextEdit::ExtraSelection selection;
        selection.cursor = QTextCursor(edit->document());
        selection.cursor.setPosition(documentPosition(text, ranges.at(i).first));
        selection.cursor.setPosition(documentPosition(text, ranges.at(i).second), QTextCursor::KeepAnchor);
        selection.format.setBackground(callColour(i, palette()));
        selection.format.setForeground(palette().color(QPalette::Text));
        selections.append(selection);
    }
    edit->setExtraSelections(selections);
}

void RescuePage::render()
{
    const QJsonObject& guard = m_shownGuard;
    const QJsonArray calls = guard.value("calls"_L1).toArray();
    const QJsonObject rescue = guard.value("rescue"_L1).toObject();
    const QJsonObject decision = guard.value("decision"_L1).toObject();
    const QString verdict = decision.value("verdict"_L1).toString();
    bool rescued = false;
    for (const QJsonValue& call : calls)
        rescued = rescued || call.toObject().value("rescued"_L1).toBool();

    // The model's side: its text with each rescued call's span, or the native calls as sent.
    QList<std::pair<qsizetype, qsizetype>> modelRanges;
    QString modelText;
    QList<QJsonObject> emitted;
    QList<QJsonObject> native;
    for (const QJsonValue& value : calls) {
        const QJsonObject call = value.toObject();
        const Guard::CheckedCall checked = checkedCall(call);
        emitted.append(checked.toOpenAi(checked.acceptedArgumentsText()));
        if (checked.rescued) {
            const QJsonArray span = call.value("span"_L1).toArray();
            modelRanges.append({ span.at(0).toInteger(), span.at(1).toInteger() });
        } else {
            native.append(checked.toOpenAi(checked.argumentsText));
        }
    }
    if (rescued || native.isEmpty()) {
        modelText = guard.value("text"_L1).toString();
        m_modelCaption->setText(rescued ? tr("What the model wrote, each call's text highlighted")
                                        : tr("What the model wrote"));
    } else {
        modelText = jsonArrayText(native, &modelRanges);
        m_modelCaption->setText(tr("The tool_calls the model sent, as the backend returned them"));
    }
    m_modelText->setPlainText(modelText);
    highlight(m_modelText, modelText, modelRanges);

    QList<std::pair<qsizetype, qsizetype>> emittedRanges;
    const QString emittedText = emitted.isEmpty() ? QString() : jsonArrayText(emitted, &emittedRanges);
    m_emitted->setPlainText(emittedText);
    highlight(m_emitted, emittedText, emittedRanges);
    if (emitted.isEmpty())
        m_emitted->setPlaceholderText(tr("No call could be read from this answer."));
    m_emittedCaption->setText(verdict == u"accept"_s ? tr("The tool_calls Temper sent to the client")
                              : verdict == u"retry"_s
                                  ? tr("The calls as Temper read them; not sent: Temper retried this attempt")
                                  : tr("The calls as Temper read them; not sent: Temper gave up and the client got the backend's answer as it was"));

    const QString parser = rescue.value("parser"_L1).toString();
    const QString format = rescue.value("format"_L1).toString();
    const bool nearMiss = rescue.value("near_miss"_L1).toBool();
    QString summary;
    if (rescued) {
        summary = tr("The %1 parser recovered %2 from the model's text (format %3).")
                      .arg(parser, callCount(modelRanges.size()), format);
    } else if (nearMiss) {
        summary = tr("The model wrote text shaped like a tool call, but Temper could not read a call from it.");
    } else if (!native.isEmpty()) {
        summary = tr("The model sent native tool_calls (%1); Temper repaired arguments that broke the declared schema.")
                      .arg(callCount(native.size()));
    } else {
        summary = tr("Nothing was rescued from the model's text.");
    }
    summary += u' ' + tr("Decision: %1 (%2).").arg(verdictWords(verdict), decision.value("reason"_L1).toString());
    m_summary->setText(summary);

    m_parser->setText(parser.isEmpty() ? tr("none matched") : tr("%1 (format %2)").arg(parser, format));
    const QString content = rescue.value("content"_L1).toString();
    m_content->setText(content.isEmpty() ? tr("nothing: the text held only the calls") : content);
    const QString reasoning = rescue.value("reasoning"_L1).toString();
    m_reasoning->setText(reasoning.isEmpty() ? tr("none") : reasoning);
    QStringList issues;
    for (const QJsonValue& issue : rescue.value("issues"_L1).toArray())
        issues.append(u"• "_s + issue.toString());
    m_issues->setText(issues.isEmpty() ? tr("none") : issues.join(u'\n'));
    m_facts->setRowVisible(m_parser, !rescue.isEmpty());
    m_facts->setRowVisible(m_content, rescued);
    m_facts->setRowVisible(m_reasoning, rescued);
    m_facts->setRowVisible(m_issues, !rescue.isEmpty());

    m_repairs->clear();
    for (int i = 0; i < calls.size(); ++i) {
        const QJsonObject call = calls.at(i).toObject();
        for (const QJsonValue& value : call.value("repairs"_L1).toArray()) {
            const QJsonObject repair = value.toObject();
            const QString pointer = repair.value("pointer"_L1).toString();
            const QJsonValue after = repair.value("after"_L1);
            auto* item = new QTreeWidgetItem(m_repairs);
            item->setText(CallColumn, call.value("name"_L1).toString());
            item->setData(CallColumn, Qt::DecorationRole, callColour(i, palette()));
            item->setText(WhereColumn, pointer.isEmpty() ? tr("the arguments") : pointer);
            item->setText(KindColumn, repair.value("kind"_L1).toString());
            item->setText(BeforeColumn, beforeText(repair, call));
            item->setText(AfterColumn, after.isUndefined() ? tr("(removed)") : jsonText(after));
            item->setText(DescriptionColumn, repair.value("description"_L1).toString());
            for (int column = 0; column < m_repairs->columnCount(); ++column)
                item->setToolTip(column, item->text(column));
        }
    }
    for (int column = 0; column + 1 < m_repairs->columnCount(); ++column)
        m_repairs->resizeColumnToContents(column);
    const bool anyRepairs = m_repairs->topLevelItemCount() > 0;
    m_repairs->setVisible(anyRepairs);
    if (anyRepairs) {
        // As tall as its rows (up to a few), so the texts above keep the room.
        const int rows = std::min(m_repairs->topLevelItemCount(), 6);
        m_repairs->setFixedHeight(m_repairs->header()->sizeHint().height() + rows * m_repairs->sizeHintForRow(0)
                                  + 2 * m_repairs->frameWidth() + 2);
    }
    m_repairsCaption->setText(anyRepairs ? tr("Repairs: what Temper changed in the arguments before sending them on")
                                         : tr("No argument needed repair."));
    m_stack->setCurrentIndex(1);
}
