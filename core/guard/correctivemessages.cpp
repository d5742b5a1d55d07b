#include "correctivemessages.h"

#include <QList>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Guard {

namespace {

constexpr qsizetype kListedIssues = 10;
constexpr qsizetype kListedTools = 30;
constexpr qsizetype kToolsWithShapes = 8;
constexpr qsizetype kIssueLength = 300;

QString capped(const QString& text, qsizetype maxLength)
{
    if (text.size() <= maxLength)
        return text;
    qsizetype end = maxLength - 1;
    if (end > 0 && text.at(end - 1).isHighSurrogate())
        --end;
    return text.left(end) + u'…';
}

QString quoted(const QString& name)
{
    return u'`' + capped(name, 120) + u'`';
}

QString toolList(const ToolCatalog& tools)
{
    QStringList names;
    for (const ToolDefinition& tool : tools.tools()) {
        if (names.size() == kListedTools) {
            names.append(u"and "_s + QString::number(tools.size() - kListedTools) + u" more"_s);
            break;
        }
        names.append(quoted(tool.name));
    }
    return names.join(u", "_s);
}

// One line per tool with its arguments shape while there are few tools; names only otherwise.
QString toolMenu(const ToolCatalog& tools)
{
    if (tools.size() > kToolsWithShapes)
        return u"The tools you can call are: "_s + toolList(tools) + u'.';
    QString menu = u"The tools you can call are:"_s;
    for (const ToolDefinition& tool : tools.tools())
        menu += u"\n- "_s + quoted(tool.name) + u" with arguments "_s
            + CorrectiveMessages::argumentsShape(tool, 300);
    return menu;
}

int editDistance(QStringView a, QStringView b)
{
    QList<int> previous(b.size() + 1), current(b.size() + 1);
    for (qsizetype j = 0; j <= b.size(); ++j)
        previous[j] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        current[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int substitution = previous[j - 1] + (a.at(i - 1) == b.at(j - 1) ? 0 : 1);
            current[j] = std::min({ previous[j] + 1, current[j - 1] + 1, substitution });
        }
        std::swap(previous, current);
    }
    return previous[b.size()];
}

QString issueLine(const ValidationIssue& issue)
{
    // The shape these two would expect closes the whole message anyway.
    if (issue.rule == Rule::ArgumentsNotJson || issue.rule == Rule::ArgumentsNotObject)
        return u"- "_s + capped(issue.message, kIssueLength) + u'.';
    QString line = u"- "_s + issue.path + u": "_s + ruleWords(issue.rule) + u". Expected "_s
        + capped(issue.expected, kIssueLength);
    if (!issue.received.isUndefined())
        line += u"; got "_s + describeValue(issue.received);
    return line + u'.';
}

QString unknownToolMessage(const ToolCatalog& tools, const QString& written)
{
    QString message = u"There is no tool named "_s + quoted(written) + u'.';
    if (tools.isEmpty())
        return message + u" No tools are available here, so please answer without calling one."_s;
    const QString suggestion = CorrectiveMessages::closestToolName(tools, written);
    if (!suggestion.isEmpty()) {
        const ToolDefinition* tool = tools.find(suggestion);
        message += u" Did you mean "_s + quoted(suggestion) + u"? The tools you can call are: "_s
            + toolList(tools) + u".\nPlease call "_s + quoted(suggestion)
            + u" by its exact name, with arguments shaped like: "_s
            + CorrectiveMessages::argumentsShape(*tool);
        return message;
    }
    return message + u'\n' + toolMenu(tools) + u"\nPlease call one of these tools by its exact name."_s;
}

} // namespace

QString CorrectiveMessages::argumentsShape(const ToolDefinition& tool, qsizetype maxLength)
{
    if (tool.parameters.isEmpty())
        return u"{}"_s;
    return schemaShape(tool.parameters, tool.parameters, maxLength);
}

QString CorrectiveMessages::closestToolName(const ToolCatalog& tools, const QString& written)
{
    const QString wanted = written.trimmed().toLower();
    if (wanted.isEmpty())
        return QString();
    QString best;
    int bestDistance = 0;
    bool tie = false;
    for (const ToolDefinition& tool : tools.tools()) {
        const QString name = tool.name.toLower();
        // A model that writes "weather" for "get_weather" or "get_weather_v2" is close too.
        int distance = editDistance(wanted, name);
        if (wanted.size() >= 4 && (name.contains(wanted) || wanted.contains(name)))
            distance = std::min<int>(distance, 1);
        const int allowed = std::max<int>(2, int(std::max(wanted.size(), name.size()) / 3));
        if (distance > allowed)
            continue;
        if (best.isEmpty() || distance < bestDistance) {
            best = tool.name;
            bestDistance = distance;
            tie = false;
        } else if (distance == bestDistance) {
            tie = true;
        }
    }
    return tie ? QString() : best;
}

QString CorrectiveMessages::forInvalidCall(const ToolCatalog& tools, const CallValidation& validation)
{
    const ToolDefinition* tool = tools.resolve(validation.toolName);
    const bool unknown = !tool
        || std::any_of(validation.issues.cbegin(), validation.issues.cend(),
            [](const ValidationIssue& issue) { return issue.rule == Rule::UnknownTool; });
    if (unknown)
        return unknownToolMessage(tools, validation.toolName);

    const qsizetype count = validation.issues.size();
    QString message = u"Your call to "_s + quoted(tool->name) + u" was not run: "_s;
    if (count == 0)
        message += u"its arguments were not accepted."_s;
    else if (count == 1)
        message += u"its arguments have a problem."_s;
    else
        message += u"its arguments have "_s + QString::number(count) + u" problems."_s;
    for (qsizetype i = 0; i < count && i < kListedIssues; ++i)
        message += u'\n' + issueLine(validation.issues.at(i));
    if (count > kListedIssues)
        message += u"\n- …and "_s + QString::number(count - kListedIssues) + u" more."_s;
    message += u"\nPlease call "_s + quoted(tool->name)
        + u" again with all arguments in one JSON object shaped like: "_s + argumentsShape(*tool);
    return message;
}

QString CorrectiveMessages::forMissingCall(const ToolCatalog& tools, const QString& requiredTool)
{
    if (const ToolDefinition* tool = requiredTool.isEmpty() ? nullptr : tools.resolve(requiredTool)) {
        return u"This request needs a call to the tool "_s + quoted(tool->name)
            + u", but your reply was text only. Please call "_s + quoted(tool->name)
            + u" now, with arguments shaped like: "_s + argumentsShape(*tool);
    }
    if (tools.isEmpty())
        return u"This request needs a tool call, but your reply was text only."_s;
    return u"This request needs a tool call, but your reply was text only. Please call one of the tools now.\n"_s
        + toolMenu(tools);
}

QString CorrectiveMessages::forNearMiss(
    const ToolCatalog& tools, const QStringList& rescueIssues, const QString& formatId)
{
    QString message = u"Your reply contains text that looks like a tool call"_s;
    if (!formatId.isEmpty())
        message += u" (written in the "_s + capped(formatId, 60) + u" style)"_s;
    message += u", but it could not be read"_s;
    QStringList reasons;
    for (const QString& issue : rescueIssues) {
        if (issue.trimmed().isEmpty())
            continue;
        if (reasons.size() == 5) {
            reasons.append(u"…"_s);
            break;
        }
        reasons.append(u"- "_s + capped(issue.trimmed(), kIssueLength));
    }
    message += reasons.isEmpty() ? u"."_s : QString(u":\n"_s + reasons.join(u'\n'));
    message
        += u"\nIf you meant to call a tool, make the call again as a proper tool call: the exact tool name "
           u"and the arguments as one JSON object. If you did not, answer without tool-call markup."_s;
    if (!tools.isEmpty())
        message += u'\n' + toolMenu(tools);
    return message;
}

} // namespace Guard
