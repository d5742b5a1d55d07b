#include "guardpreview.h"

#include "guardtrace.h"

#include <QJsonDocument>
#include <QJsonParseError>

using namespace Qt::StringLiterals;

namespace Guard {

namespace {

// "line 3, column 14" for a byte offset into UTF-8 text.
QString positionOf(const QByteArray& utf8, int offset)
{
    const QByteArray before = utf8.left(offset);
    const qsizetype lineStart = before.lastIndexOf('\n') + 1;
    const qsizetype line = before.count('\n') + 1;
    const qsizetype column = QString::fromUtf8(before.mid(lineStart)).size() + 1;
    return u"line %1, column %2"_s.arg(line).arg(column);
}

bool looksLikeTool(const QJsonObject& object)
{
    return object.contains("function"_L1) || object.contains("name"_L1);
}

} // namespace

std::optional<QJsonArray> parseToolsJson(const QString& text, QString* error)
{
    if (text.trimmed().isEmpty())
        return QJsonArray();
    const QByteArray utf8 = text.toUtf8();
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(utf8, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        if (error)
            *error = u"The tools JSON does not parse: %1 at %2."_s.arg(
                parseError.errorString(), positionOf(utf8, parseError.offset));
        return std::nullopt;
    }
    if (document.isArray())
        return document.array();
    const QJsonObject object = document.object();
    if (object.value("tools"_L1).isArray())
        return object.value("tools"_L1).toArray();
    if (looksLikeTool(object))
        return QJsonArray { object };
    if (error)
        *error = u"The tools JSON must be an array of tools (or a request body with a \"tools\" array)."_s;
    return std::nullopt;
}

std::optional<QJsonObject> completionInOutput(const QString& text)
{
    const QString trimmed = text.trimmed();
    if (!trimmed.startsWith(u'{') || !trimmed.endsWith(u'}'))
        return std::nullopt;
    const QJsonDocument document = QJsonDocument::fromJson(trimmed.toUtf8());
    const QJsonObject object = document.object();
    if (object.value("choices"_L1).isArray() && !object.value("choices"_L1).toArray().isEmpty())
        return object;
    // A bare call ({"name": ..., "arguments": ...}) is a text format of its own; only an
    // assistant message is a response.
    if (object.value("role"_L1).toString() == u"assistant"_s) {
        const QString finish = object.contains("tool_calls"_L1) ? u"tool_calls"_s : u"stop"_s;
        return QJsonObject { { u"choices"_s,
            QJsonArray { QJsonObject {
                { u"index"_s, 0 }, { u"message"_s, object }, { u"finish_reason"_s, finish } } } } };
    }
    return std::nullopt;
}

Preview previewGuard(const PreviewRequest& request)
{
    Preview preview;
    const std::optional<QJsonArray> tools = parseToolsJson(request.toolsJson, &preview.toolsError);
    if (!tools)
        return preview;
    preview.tools = ToolCatalog::fromTools(*tools);
    preview.toolsSkipped = int(tools->size() - preview.tools.size());

    // The same conditions as ProxyService::handleChat.
    if (preview.tools.isEmpty())
        preview.unguardedReason = u"No usable tool is declared, so Temper forwards the request untouched."_s;
    else if (request.choice.mode == ToolChoice::Mode::None)
        preview.unguardedReason = u"tool_choice is \"none\", so Temper forwards the request untouched."_s;
    preview.guarded = preview.unguardedReason.isEmpty();

    if (const std::optional<QJsonObject> completion = completionInOutput(request.output)) {
        preview.input = Preview::Input::Completion;
        preview.analysis = analyzeCompletion(*completion, preview.tools, request.options);
    } else {
        preview.analysis = analyzeAttempt(
            request.output, request.reasoning, {}, u"stop"_s, preview.tools, request.options);
    }
    if (!preview.guarded)
        return preview;
    const int attempt = std::max(1, request.attempt);
    preview.decision = RetryPolicy::decide(request.choice, request.maxRetries, attempt, preview.analysis);
    if (preview.decision.verdict == Decision::Verdict::Retry)
        preview.correction = RetryPolicy::correctiveTurns(request.choice, preview.tools, preview.analysis);
    preview.guardJson = attemptGuardJson(preview.analysis, preview.decision, preview.correction);
    return preview;
}

} // namespace Guard
