#include "attemptcard.h"

#include "guard/jsontext.h"

#include "exchangetablemodel.h"
#include "outcomestyle.h"

#include <QCryptographicHash>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QRegularExpression>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace {

// Long answers are cut for display only; the Response and Trace tabs hold them whole.
constexpr qsizetype MaxShownChars = 20'000;
constexpr int MaxShownDiffLines = 300;

// Objects and arrays indented, other values as JSON literals (a string keeps its quotes, so that
// "got a few" reads as the value "a few").
QString prettyJson(const QJsonValue& value)
{
    return Guard::jsonText(value, QJsonDocument::Indented);
}

QString reformatJson(const QString& text, QJsonDocument::JsonFormat format)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError)
        return text;
    return QString::fromUtf8(document.toJson(format)).trimmed();
}

QString prettyArguments(const QString& text)
{
    return reformatJson(text, QJsonDocument::Indented);
}

// A message's content in words: a string, or the text parts of a content array.
QString contentText(const QJsonValue& content)
{
    if (content.isString())
        return content.toString();
    QStringList parts;
    const QJsonArray array = content.toArray();
    for (const QJsonValue& part : array) {
        const QString text = part.toObject().value(u"text"_s).toString();
        if (!text.isEmpty())
            parts.append(text);
    }
    return parts.join(u"\n\n"_s);
}

QStringList strings(const QJsonValue& value)
{
    QStringList result;
    const QJsonArray array = value.toArray();
    for (const QJsonValue& item : array)
        result.append(item.toString());
    return result;
}

QList<AttemptReport::Call> callsOf(const QJsonArray& calls)
{
    QList<AttemptReport::Call> result;
    for (const QJsonValue& value : calls) {
        const QJsonObject call = value.toObject();
        AttemptReport::Call entry;
        entry.id = call.value(u"id"_s).toString();
        // The guard records {"name", "arguments_text"}; a chat turn nests them in "function".
        const QJsonObject function = call.value(u"function"_s).toObject();
        entry.name
            = function.isEmpty() ? call.value(u"name"_s).toString() : function.value(u"name"_s).toString();
        const QString arguments = function.isEmpty() ? call.value(u"arguments_text"_s).toString()
                                                     : function.value(u"arguments"_s).toString();
        entry.arguments = prettyArguments(arguments);
        entry.argumentsLine = reformatJson(arguments, QJsonDocument::Compact);
        entry.rescued = call.value(u"rescued"_s).toBool();
        entry.valid = call.value(u"valid"_s).toBool(true);
        const QJsonArray repairs = call.value(u"repairs"_s).toArray();
        for (const QJsonValue& repair : repairs)
            entry.repairs.append(repair.toObject().value(u"description"_s).toString());
        result.append(entry);
    }
    return result;
}

AttemptReport reportOf(const Trace::Attempt& attempt)
{
    AttemptReport report;
    report.index = attempt.index;
    report.finished = attempt.finishedUs >= 0;
    report.status = attempt.response.status;
    report.durationUs = report.finished ? attempt.finishedUs - attempt.startedUs : -1;
    report.firstTokenUs = attempt.firstTokenUs >= 0 ? attempt.firstTokenUs - attempt.startedUs : -1;
    report.usage = attempt.usage;
    report.error = attempt.error;

    const QJsonObject& guard = attempt.guard;
    report.analysed = !guard.isEmpty();
    const QJsonObject decision = guard.value(u"decision"_s).toObject();
    report.verdict = decision.value(u"verdict"_s).toString();
    report.reason = decision.value(u"reason"_s).toString();
    report.text = guard.value(u"text"_s).toString();
    report.reasoning = guard.value(u"reasoning"_s).toString();
    const QJsonObject rescue = guard.value(u"rescue"_s).toObject();
    report.nearMiss = rescue.value(u"near_miss"_s).toBool();
    report.rescueIssues = strings(rescue.value(u"issues"_s));
    report.rescueParser = rescue.value(u"parser"_s).toString();

    const QJsonArray calls = guard.value(u"calls"_s).toArray();
    report.calls = callsOf(calls);
    for (const QJsonValue& value : calls) {
        const QJsonObject call = value.toObject();
        const QJsonArray issues = call.value(u"issues"_s).toArray();
        for (const QJsonValue& issueValue : issues) {
            const QJsonObject issue = issueValue.toObject();
            AttemptReport::Issue entry;
            entry.callName = call.value(u"name"_s).toString();
            entry.callId = call.value(u"id"_s).toString();
            entry.rule = issue.value(u"rule"_s).toString();
            entry.path = issue.value(u"path"_s).toString();
            entry.pointer = issue.value(u"pointer"_s).toString();
            entry.message = issue.value(u"message"_s).toString();
            entry.expected = issue.value(u"expected"_s).toString();
            entry.received = prettyJson(issue.value(u"received"_s));
            // An unknown tool has no schema to show: it is recorded as {}.
            const QJsonValue schema = issue.value(u"schema"_s);
            const bool noSchema = schema.isUndefined() || schema.isNull()
                || (schema.isObject() && schema.toObject().isEmpty());
            if (!noSchema)
                entry.schema = prettyJson(schema);
            report.issues.append(entry);
        }
    }

    const QJsonArray correction = guard.value(u"correction"_s).toArray();
    for (const QJsonValue& value : correction) {
        const QJsonObject turn = value.toObject();
        AttemptReport::Turn entry;
        entry.role = turn.value(u"role"_s).toString();
        entry.toolCallId = turn.value(u"tool_call_id"_s).toString();
        entry.text = contentText(turn.value(u"content"_s));
        entry.calls = callsOf(turn.value(u"tool_calls"_s).toArray());
        report.correction.append(entry);
    }

    if (!report.analysed && report.finished && !attempt.response.body.isEmpty())
        report.responsePreview = prettyArguments(QString::fromUtf8(attempt.response.body.left(4000)));
    report.answer = answerForDiff(report.text, report.calls);
    return report;
}

QByteArray fingerprintOf(const Trace::Attempt& attempt, const QString& previousAnswer)
{
    QCryptographicHash hash(QCryptographicHash::Sha1);
    hash.addData(QJsonDocument(attempt.guard).toJson(QJsonDocument::Compact));
    for (const qint64 number : { qint64(attempt.response.status), attempt.startedUs, attempt.firstTokenUs,
             attempt.finishedUs, attempt.usage.promptTokens, attempt.usage.completionTokens })
        hash.addData(QByteArray(QByteArray::number(number) + ','));
    hash.addData(attempt.error.toUtf8());
    hash.addData(previousAnswer.toUtf8());
    return hash.result();
}

QString shortened(const QString& text)
{
    if (text.size() <= MaxShownChars)
        return text;
    return text.left(MaxShownChars)
        + QObject::tr("\n… %1 more characters not shown").arg(text.size() - MaxShownChars);
}

// "a tool call is invalid" -> "A tool call is invalid."
QString sentence(const QString& words)
{
    if (words.isEmpty())
        return words;
    QString result = words.at(0).toUpper() + words.mid(1);
    if (!result.endsWith(u'.'))
        result += u'.';
    return result;
}

QLabel* textLabel(const QString& text, const QString& objectName = {}, Qt::TextFormat format = Qt::PlainText)
{
    auto* label = new QLabel;
    label->setTextFormat(format);
    label->setText(text);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    if (!objectName.isEmpty())
        label->setObjectName(objectName);
    return label;
}

// Monospace text on the base colour, as code is shown everywhere in the window.
QLabel* codeLabel(const QString& text, const QString& objectName = {})
{
    QLabel* label = textLabel(text, objectName);
    label->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    label->setBackgroundRole(QPalette::Base);
    label->setForegroundRole(QPalette::Text);
    label->setAutoFillBackground(true);
    label->setMargin(6);
    return label;
}

QLabel* sectionTitle(const QString& text)
{
    QLabel* label = textLabel(text);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    label->setContentsMargins(0, 6, 0, 0);
    return label;
}

QLabel* noteLabel(const QString& text, const QString& objectName = {})
{
    QLabel* label = textLabel(text, objectName);
    label->setForegroundRole(QPalette::PlaceholderText);
    return label;
}

QWidget* section(const QString& objectName, QVBoxLayout*& layout)
{
    auto* widget = new QWidget;
    widget->setObjectName(objectName);
    layout = new QVBoxLayout(widget);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    return widget;
}

QString code(const QString& text)
{
    return u"<code>"_s + text.toHtmlEscaped() + u"</code>"_s;
}

// Temper's corrective messages, line for line, with their `backticked` names set as code. Not
// Markdown: a line after a list item would be folded into it.
QString messageHtml(const QString& text)
{
    static const QRegularExpression backticked(u"`([^`\n]+)`"_s);
    QString html = text.toHtmlEscaped();
    html.replace(backticked, u"<code>\\1</code>"_s);
    return u"<p style=\"white-space: pre-wrap\">"_s + html + u"</p>"_s;
}

Trace::Outcome outcomeOfVerdict(const QString& verdict)
{
    if (verdict == u"accept"_s)
        return Trace::Outcome::Passed;
    if (verdict == u"retry"_s)
        return Trace::Outcome::Retried;
    if (verdict == u"give-up"_s)
        return Trace::Outcome::GaveUp;
    return Trace::Outcome::Error;
}

} // namespace

QString answerForDiff(const QString& text, const QList<AttemptReport::Call>& calls)
{
    QStringList parts;
    if (!text.isEmpty())
        parts.append(text);
    for (const AttemptReport::Call& call : calls)
        parts.append(u"tool call: "_s + call.name + u'\n' + call.arguments);
    return parts.join(u'\n');
}

QList<AttemptReport> reportAttempts(const QList<Trace::Attempt>& attempts)
{
    QList<AttemptReport> reports;
    reports.reserve(attempts.size());
    for (const Trace::Attempt& attempt : attempts) {
        AttemptReport report = reportOf(attempt);
        if (!reports.isEmpty()) {
            const AttemptReport& previous = reports.constLast();
            report.previousIndex = previous.index;
            report.diff = Trace::textDiff(previous.answer, report.answer);
        }
        report.fingerprint
            = fingerprintOf(attempt, reports.isEmpty() ? QString() : reports.constLast().answer);
        reports.append(report);
    }
    return reports;
}

AttemptCard::AttemptCard(const AttemptReport& report, QWidget* parent)
    : QFrame(parent)
    , m_report(report)
{
    setObjectName(u"attemptCard"_s);
    setProperty("attempt", report.index);
    setProperty("verdict", report.verdict);
    setFrameShape(QFrame::StyledPanel);
    auto* layout = new QVBoxLayout(this);
    layout->setSpacing(6);
    layout->addWidget(header());
    if (QWidget* widget = issues())
        layout->addWidget(widget);
    layout->addWidget(answer());
    if (QWidget* widget = diff())
        layout->addWidget(widget);
    if (QWidget* widget = correction())
        layout->addWidget(widget);
}

QWidget* AttemptCard::header()
{
    QVBoxLayout* layout = nullptr;
    QWidget* widget = section(u"attemptHeader"_s, layout);

    auto* titleRow = new QHBoxLayout;
    titleRow->setSpacing(10);
    QLabel* title = textLabel(tr("Attempt %1").arg(m_report.index), u"attemptTitle"_s);
    title->setWordWrap(false);
    QFont titleFont = title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    title->setFont(titleFont);
    titleRow->addWidget(title);

    QString verdictText;
    QString reason = sentence(m_report.reason);
    Trace::Outcome badge = outcomeOfVerdict(m_report.verdict);
    if (m_report.verdict == u"accept"_s) {
        verdictText = tr("accepted");
    } else if (m_report.verdict == u"retry"_s) {
        verdictText = tr("retry");
    } else if (m_report.verdict == u"give-up"_s) {
        verdictText = tr("gave up");
    } else if (!m_report.finished) {
        verdictText = tr("running");
        badge = Trace::Outcome::Pending;
        reason = tr("Waiting for the backend to finish this answer.");
    } else {
        verdictText = tr("failed");
        if (m_report.status >= 400)
            reason = tr("The backend answered with an error instead of a completion.");
        else if (m_report.error.isEmpty())
            reason = tr("Temper could not read an answer from this attempt.");
    }
    QLabel* verdict = textLabel(verdictText, u"attemptVerdict"_s);
    verdict->setWordWrap(false);
    const QColor background = OutcomeStyle::background(badge, palette());
    const QColor foreground = OutcomeStyle::foreground(badge, palette());
    verdict->setStyleSheet(
        u"QLabel { background-color: %1; color: %2; border: 1px solid %3; border-radius: 3px; padding: 0px 8px; font-weight: bold; }"_s
            .arg(background.isValid() ? background.name() : palette().color(QPalette::Button).name(),
                foreground.name(),
                background.isValid() ? background.name() : palette().color(QPalette::Mid).name()));
    titleRow->addWidget(verdict);
    QLabel* reasonLabel = textLabel(reason, u"attemptReason"_s);
    titleRow->addWidget(reasonLabel, 1);
    layout->addLayout(titleRow);

    QStringList facts;
    if (m_report.status > 0)
        facts.append(tr("HTTP %1").arg(m_report.status));
    else if (m_report.finished)
        facts.append(tr("no HTTP answer"));
    facts.append(
        m_report.finished ? tr("took %1").arg(formatDurationUs(m_report.durationUs)) : tr("running"));
    if (m_report.firstTokenUs >= 0)
        facts.append(tr("first token after %1").arg(formatDurationUs(m_report.firstTokenUs)));
    if (m_report.usage.promptTokens >= 0 || m_report.usage.completionTokens >= 0) {
        const auto count = [](qint64 tokens) { return tokens < 0 ? u"?"_s : QString::number(tokens); };
        facts.append(tr("%1 tokens in, %2 out")
                         .arg(count(m_report.usage.promptTokens), count(m_report.usage.completionTokens)));
    }
    layout->addWidget(noteLabel(facts.join(u" · "_s), u"attemptFacts"_s));

    if (!m_report.error.isEmpty()) {
        QLabel* error = textLabel(tr("Transport error: %1").arg(m_report.error), u"attemptError"_s);
        QPalette errorPalette = error->palette();
        errorPalette.setColor(
            QPalette::WindowText, OutcomeStyle::foreground(Trace::Outcome::Error, palette()));
        error->setPalette(errorPalette);
        layout->addWidget(error);
    }
    return widget;
}

QWidget* AttemptCard::issues()
{
    if (m_report.issues.isEmpty() && !m_report.nearMiss && m_report.rescueIssues.isEmpty())
        return nullptr;
    QVBoxLayout* layout = nullptr;
    QWidget* widget = section(u"attemptIssues"_s, layout);
    const bool accepted = m_report.verdict == u"accept"_s;
    layout->addWidget(sectionTitle(accepted ? tr("What Temper noticed") : tr("Why it failed")));

    if (m_report.nearMiss || !m_report.rescueIssues.isEmpty()) {
        const QString parser
            = m_report.rescueParser.isEmpty() ? QString() : tr(" (parser %1)").arg(m_report.rescueParser);
        const QString intro = m_report.nearMiss
            ? tr("The text looks like a tool call that could not be read%1.").arg(parser)
            : tr("Reading tool calls out of the text%1 found problems.").arg(parser);
        layout->addWidget(textLabel(intro, u"nearMiss"_s));
        for (const QString& issue : m_report.rescueIssues)
            layout->addWidget(textLabel(u"• "_s + issue, u"rescueIssue"_s));
    }

    QString shownCall;
    for (const AttemptReport::Issue& issue : m_report.issues) {
        const QString callKey = issue.callId + u'\n' + issue.callName;
        if (callKey != shownCall) {
            shownCall = callKey;
            QString callLine = tr("Call %1").arg(code(issue.callName));
            if (!issue.callId.isEmpty())
                callLine += u" · "_s + issue.callId.toHtmlEscaped();
            layout->addWidget(textLabel(callLine, {}, Qt::RichText));
        }
        auto* item = new QWidget;
        item->setObjectName(u"validationIssue"_s);
        item->setProperty("path", issue.path);
        item->setProperty("rule", issue.rule);
        auto* itemLayout = new QVBoxLayout(item);
        itemLayout->setContentsMargins(14, 0, 0, 4);
        itemLayout->setSpacing(2);
        itemLayout->addWidget(textLabel(u"• "_s + issue.message, u"issueMessage"_s));
        QString where = tr("at %1").arg(code(issue.path.isEmpty() ? tr("(the call)") : issue.path));
        if (!issue.pointer.isEmpty())
            where += tr(" (JSON pointer %1)").arg(code(issue.pointer));
        where += tr(" · rule %1").arg(code(issue.rule));
        itemLayout->addWidget(textLabel(where, u"issueLocation"_s, Qt::RichText));
        QStringList shape;
        if (!issue.expected.isEmpty())
            shape.append(tr("expected %1").arg(issue.expected.toHtmlEscaped()));
        if (!issue.received.isEmpty())
            shape.append(tr("got %1").arg(code(issue.received)));
        if (!shape.isEmpty())
            itemLayout->addWidget(textLabel(sentence(shape.join(u"; "_s)), u"issueShape"_s, Qt::RichText));
        if (!issue.schema.isEmpty()) {
            itemLayout->addWidget(noteLabel(tr("Schema at %1:").arg(issue.path)));
            itemLayout->addWidget(codeLabel(issue.schema, u"issueSchema"_s));
        }
        layout->addWidget(item);
    }
    return widget;
}

QWidget* AttemptCard::callView(const AttemptReport::Call& call, bool oneLine)
{
    auto* widget = new QWidget;
    widget->setObjectName(u"answerCall"_s);
    widget->setProperty("name", call.name);
    auto* layout = new QVBoxLayout(widget);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    QStringList notes;
    if (call.rescued)
        notes.append(tr("rescued from the text"));
    if (!call.valid)
        notes.append(tr("invalid"));
    if (!call.repairs.isEmpty())
        notes.append(tr("repaired"));
    QString line = tr("Calls %1").arg(u"<b>"_s + call.name.toHtmlEscaped() + u"</b>"_s);
    if (!call.id.isEmpty())
        line += u" · "_s + call.id.toHtmlEscaped();
    if (!notes.isEmpty())
        line += u" · "_s + notes.join(u", "_s);
    layout->addWidget(textLabel(line, u"callName"_s, Qt::RichText));
    layout->addWidget(
        codeLabel(shortened(oneLine ? call.argumentsLine : call.arguments), u"callArguments"_s));
    for (const QString& repair : call.repairs)
        layout->addWidget(textLabel(tr("Repaired: %1").arg(repair), u"callRepair"_s));
    return widget;
}

QWidget* AttemptCard::answer()
{
    QVBoxLayout* layout = nullptr;
    QWidget* widget = section(u"attemptAnswer"_s, layout);
    const bool backendOnly = !m_report.analysed && m_report.finished && !m_report.responsePreview.isEmpty();
    layout->addWidget(sectionTitle(backendOnly ? tr("What the backend sent") : tr("The model's answer")));
    if (!m_report.analysed) {
        if (!m_report.finished)
            layout->addWidget(noteLabel(tr("The answer is still arriving.")));
        else if (!m_report.responsePreview.isEmpty())
            layout->addWidget(codeLabel(shortened(m_report.responsePreview), u"responsePreview"_s));
        else
            layout->addWidget(noteLabel(tr("The backend sent no answer.")));
        return widget;
    }
    if (!m_report.reasoning.isEmpty()) {
        QLabel* reasoning
            = noteLabel(tr("Reasoning: %1").arg(shortened(m_report.reasoning)), u"answerReasoning"_s);
        QFont font = reasoning->font();
        font.setItalic(true);
        reasoning->setFont(font);
        layout->addWidget(reasoning);
    }
    if (!m_report.text.isEmpty())
        layout->addWidget(codeLabel(shortened(m_report.text), u"answerText"_s));
    for (const AttemptReport::Call& call : m_report.calls)
        layout->addWidget(callView(call));
    if (m_report.text.isEmpty() && m_report.calls.isEmpty())
        layout->addWidget(noteLabel(tr("The model answered with nothing: no text and no tool call.")));
    return widget;
}

QString AttemptCard::diffHtml() const
{
    const bool dark = OutcomeStyle::isDark(palette());
    const QString added = (dark ? QColor::fromHsl(130, 90, 55) : QColor::fromHsl(130, 150, 222)).name();
    const QString removed = (dark ? QColor::fromHsl(0, 90, 60) : QColor::fromHsl(0, 170, 228)).name();
    const QString text = palette().color(QPalette::Text).name();
    const QString quiet = palette().color(QPalette::PlaceholderText).name();

    QString html = u"<table width=\"100%\" cellspacing=\"0\" cellpadding=\"1\">"_s;
    const auto row = [&](const QString& background, const QString& colour, const QString& content) {
        html += u"<tr><td"_s + (background.isEmpty() ? QString() : u" bgcolor=\""_s + background + u'"')
            + u" style=\"white-space: pre-wrap; color: "_s + colour + u"\">"_s + content + u"</td></tr>"_s;
    };
    const auto gap = [&](int lines) {
        if (lines > 0)
            row({}, quiet,
                (lines == 1 ? tr("⋯ 1 unchanged line") : tr("⋯ %1 unchanged lines").arg(lines))
                    .toHtmlEscaped());
    };
    // A short answer is shown whole; a long one as its changes with three lines around each.
    const int context = m_report.diff.lines.size() <= 40 ? int(m_report.diff.lines.size()) : 3;
    const QList<Trace::DiffHunk> hunks = Trace::diffHunks(m_report.diff, context);
    int oldLine = 0;
    int shown = 0;
    int total = 0;
    for (const Trace::DiffHunk& hunk : hunks)
        total += int(hunk.lines.size());
    for (const Trace::DiffHunk& hunk : hunks) {
        gap(hunk.oldStart - oldLine);
        for (const Trace::DiffLine& line : hunk.lines) {
            if (shown == MaxShownDiffLines)
                break;
            ++shown;
            const QString escaped = line.text.toHtmlEscaped();
            switch (line.kind) {
            case Trace::DiffLine::Kind::Equal:
                row({}, text, u"  "_s + escaped);
                break;
            case Trace::DiffLine::Kind::Removed:
                row(removed, text, u"- "_s + escaped);
                break;
            case Trace::DiffLine::Kind::Added:
                row(added, text, u"+ "_s + escaped);
                break;
            }
        }
        oldLine = hunk.oldStart + hunk.oldCount;
    }
    if (shown < total) {
        row({}, quiet, tr("⋯ %1 more lines not shown").arg(total - shown).toHtmlEscaped());
    } else {
        int oldTotal = 0;
        for (const Trace::DiffLine& line : m_report.diff.lines)
            oldTotal += line.kind != Trace::DiffLine::Kind::Added ? 1 : 0;
        gap(oldTotal - oldLine);
    }
    return html + u"</table>"_s;
}

QWidget* AttemptCard::diff()
{
    if (m_report.previousIndex == 0 || !m_report.analysed)
        return nullptr;
    QVBoxLayout* layout = nullptr;
    QWidget* widget = section(u"attemptDiff"_s, layout);
    const Trace::TextDiff& diff = m_report.diff;
    if (diff.identical()) {
        layout->addWidget(sectionTitle(tr("Compared with attempt %1").arg(m_report.previousIndex)));
        layout->addWidget(
            textLabel(tr("Same answer as attempt %1.").arg(m_report.previousIndex), u"sameAsPrevious"_s));
        return widget;
    }
    layout->addWidget(sectionTitle(tr("Changes since attempt %1").arg(m_report.previousIndex)));
    const int removedCount = diff.removedCount();
    QString counts = (removedCount == 1 ? tr("1 line removed") : tr("%1 lines removed").arg(removedCount))
        + u", "_s + tr("%1 added").arg(diff.addedCount());
    if (diff.approximate)
        counts += tr("; too long to compare line by line, shown as a whole replacement");
    else if (diff.finalLineBreakChanged && diff.addedCount() == 0 && diff.removedCount() == 0)
        counts = tr("Only the final line break differs");
    layout->addWidget(noteLabel(counts + u'.', u"diffSummary"_s));
    QLabel* lines = codeLabel(QString(), u"diffText"_s);
    lines->setTextFormat(Qt::RichText);
    lines->setText(diffHtml());
    layout->addWidget(lines);
    return widget;
}

QWidget* AttemptCard::correction()
{
    if (m_report.correction.isEmpty())
        return nullptr;
    QVBoxLayout* layout = nullptr;
    QWidget* widget = section(u"attemptCorrection"_s, layout);
    layout->addWidget(sectionTitle(tr("Correction Temper sent with attempt %1").arg(m_report.index + 1)));
    for (const AttemptReport::Turn& turn : m_report.correction) {
        auto* bubble = new QFrame;
        bubble->setObjectName(u"correctionTurn"_s);
        bubble->setProperty("role", turn.role);
        bubble->setProperty("toolCallId", turn.toolCallId);
        bubble->setFrameShape(QFrame::StyledPanel);
        bubble->setBackgroundRole(QPalette::AlternateBase);
        bubble->setAutoFillBackground(true);
        auto* bubbleLayout = new QVBoxLayout(bubble);
        bubbleLayout->setSpacing(3);
        QString note;
        if (turn.role == u"assistant"_s)
            note = tr("the model's failed answer, kept in the history");
        else if (turn.role == u"tool"_s)
            note = turn.toolCallId.isEmpty()
                ? tr("Temper's correction")
                : tr("Temper's correction, answering call %1").arg(turn.toolCallId.toHtmlEscaped());
        else if (turn.role == u"user"_s)
            note = tr("Temper's correction");
        bubbleLayout->addWidget(textLabel(
            u"<b>"_s + turn.role.toHtmlEscaped() + u"</b>"_s + (note.isEmpty() ? QString() : u" · "_s + note),
            u"turnRole"_s, Qt::RichText));
        if (!turn.text.isEmpty())
            bubbleLayout->addWidget(turn.role == u"assistant"_s
                    ? textLabel(shortened(turn.text), u"turnText"_s)
                    : textLabel(messageHtml(shortened(turn.text)), u"turnText"_s, Qt::RichText));
        for (const AttemptReport::Call& call : turn.calls)
            bubbleLayout->addWidget(callView(call, true)); // the answer above shows it in full
        layout->addWidget(bubble);
    }
    return widget;
}
