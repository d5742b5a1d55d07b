#include "attempt.h"

#include "jsontext.h"
#include "literalparser.h"

#include "rescuer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QRegularExpression>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Guard {

namespace {

QString textOf(const QJsonValue& content)
{
    if (content.isString())
        return content.toString();
    // Content given as parts: the text parts, in order.
    QString text;
    for (const QJsonValue& part : content.toArray()) {
        const QJsonObject object = part.toObject();
        if (object.value("type"_L1).toString() == u"text"_s)
            text += object.value("text"_L1).toString();
    }
    return text;
}

} // namespace

QString newCallId()
{
    static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    QString id = u"call_"_s;
    for (int i = 0; i < 24; ++i)
        id += QLatin1Char(alphabet[QRandomGenerator::global()->bounded(int(sizeof(alphabet) - 1))]);
    return id;
}

std::optional<QString> generationInParserError(int status, const QByteArray& body)
{
    if (status != 500)
        return std::nullopt;
    const QJsonDocument document = QJsonDocument::fromJson(body);
    const QJsonValue error = document.object().value("error"_L1);
    QString message = error.isObject() ? error.toObject().value("message"_L1).toString()
        : error.isString()             ? error.toString()
                                       : QString::fromUtf8(body);
    // Only a parser failure that echoes call markup: an out-of-memory 500 is a real error.
    if (!message.contains(u"<tool_call"_s) && !message.contains(u"<function="_s))
        return std::nullopt;
    static const QRegularExpression prefix(u"^.*?\\bpos(?:ition)?\\s+\\d+\\s*:\\s?"_s,
                                           QRegularExpression::DotMatchesEverythingOption);
    const QRegularExpressionMatch match = prefix.match(message);
    if (match.hasMatch())
        message = message.mid(match.capturedEnd());
    return message;
}

QString CheckedCall::acceptedArgumentsText() const
{
    if (!rescued && validation.repairs.isEmpty())
        return argumentsText;
    return QString::fromUtf8(QJsonDocument(validation.arguments).toJson(QJsonDocument::Compact));
}

QJsonObject CheckedCall::toOpenAi(const QString& arguments) const
{
    return {
        { u"id"_s, id },
        { u"type"_s, u"function"_s },
        { u"function"_s, QJsonObject { { u"name"_s, name }, { u"arguments"_s, arguments } } },
    };
}

bool AttemptAnalysis::allValid() const
{
    return std::all_of(calls.cbegin(), calls.cend(), [](const CheckedCall& call) { return call.validation.valid; });
}

bool AttemptAnalysis::anyRepaired() const
{
    return std::any_of(calls.cbegin(), calls.cend(), [](const CheckedCall& call) { return !call.validation.repairs.isEmpty(); });
}

AttemptAnalysis analyzeAttempt(const QString& content, const QString& reasoning, const QList<NativeCall>& nativeCalls,
                               const QString& finishReason, const ToolCatalog& tools, const AnalysisOptions& options)
{
    AttemptAnalysis analysis;
    analysis.content = content;
    analysis.reasoning = reasoning;
    analysis.visibleContent = content;
    analysis.finishReason = finishReason;
    ValidatorOptions validatorOptions;
    validatorOptions.repair = options.repair;

    for (const NativeCall& native : nativeCalls) {
        CheckedCall call;
        call.id = native.id.isEmpty() ? newCallId() : native.id;
        call.name = native.name;
        call.argumentsText = native.argumentsText;
        call.validation = SchemaValidator::validateArgumentsText(tools, native.name, native.argumentsText, validatorOptions);
        analysis.calls.append(call);
    }
    if (!nativeCalls.isEmpty() || !options.rescue || content.isEmpty())
        return analysis;

    const RescueResult rescue = Rescuer().rescue(content, tools);
    analysis.nearMiss = rescue.nearMiss;
    analysis.rescueIssues = rescue.issues;
    if (rescue.calls.isEmpty())
        return analysis;
    analysis.rescued = true;
    analysis.rescueFormat = rescue.format;
    analysis.rescueParser = rescue.parser;
    analysis.visibleContent = rescue.content;
    analysis.rescuedReasoning = rescue.reasoning;
    analysis.removedSpans = rescue.removed;
    for (const ParsedCall& parsed : rescue.calls) {
        CheckedCall call;
        call.id = parsed.id.isEmpty() ? newCallId() : parsed.id;
        call.name = parsed.name;
        call.argumentsText = jsonText(parsed.arguments);
        call.rescued = true;
        call.span = parsed.span;
        const QList<WrittenNumber> integralFloats = wholeFloatsWritten(QStringView(content).sliced(parsed.span.start, parsed.span.length()), parsed.arguments);
        call.validation = SchemaValidator::validate(tools, parsed.name, parsed.arguments, integralFloats, validatorOptions);
        analysis.calls.append(call);
    }
    return analysis;
}

AttemptAnalysis analyzeCompletion(const QJsonObject& completion, const ToolCatalog& tools, const AnalysisOptions& options)
{
    const QJsonObject choice = completion.value("choices"_L1).toArray().first().toObject();
    const QJsonObject message = choice.value("message"_L1).toObject();
    QList<NativeCall> nativeCalls;
    const QJsonArray toolCalls = message.value("tool_calls"_L1).toArray();
    for (int i = 0; i < toolCalls.size(); ++i) {
        const QJsonObject call = toolCalls.at(i).toObject();
        const QJsonObject function = call.value("function"_L1).toObject();
        const QJsonValue arguments = function.value("arguments"_L1);
        // Some servers send the arguments as an object instead of a string.
        nativeCalls.append({ i, call.value("id"_L1).toString(), function.value("name"_L1).toString(),
                             arguments.isString() ? arguments.toString() : jsonText(arguments) });
    }
    QString reasoning = message.value("reasoning_content"_L1).toString();
    if (reasoning.isEmpty())
        reasoning = message.value("reasoning"_L1).toString();
    return analyzeAttempt(textOf(message.value("content"_L1)), reasoning, nativeCalls,
                          choice.value("finish_reason"_L1).toString(), tools, options);
}

} // namespace Guard
