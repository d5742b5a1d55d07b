#include "attempt.h"

#include "jsontext.h"
#include "literalparser.h"

#include "rescuer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace Guard {

namespace {

bool hasWholeDouble(const QJsonValue& value)
{
    if (value.isDouble())
        return value.toDouble() == std::floor(value.toDouble());
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        return std::any_of(object.begin(), object.end(), [](const QJsonValue& member) { return hasWholeDouble(member); });
    }
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        return std::any_of(array.begin(), array.end(), [](const QJsonValue& element) { return hasWholeDouble(element); });
    }
    return false;
}

QJsonValue valueAt(QJsonValue value, const QStringList& tokens)
{
    for (const QString& token : tokens) {
        const QString key = QString(token).replace(u"~1"_s, u"/"_s).replace(u"~0"_s, u"~"_s); // RFC 6901
        value = value.isArray() ? value.toArray().at(key.toInt()) : value.toObject().value(key);
    }
    return value;
}

// The "10.0"-style numbers of a rescued call's arguments, found again in the call's own text:
// the parsers hand over arguments as JSON values, in which 10.0 and 10 are the same number, so
// the validator could not otherwise record that it typed one as an integer. The first JSON or
// Python literal in the span that holds the arguments as one of its values says how each
// number was written; pointers are made relative to the arguments.
QList<WrittenNumber> integralFloatsOf(QStringView span, const QJsonValue& arguments)
{
    if (!hasWholeDouble(arguments) || !span.contains(u".0"))
        return {};
    for (qsizetype pos = 0; pos < span.size(); ++pos) {
        if (span.at(pos) != u'{' && span.at(pos) != u'[')
            continue;
        for (const LiteralDialect dialect : { LiteralDialect::Json, LiteralDialect::Python }) {
            const LiteralParse parsed = parseLiteral(span, pos, dialect);
            if (!parsed.ok || parsed.integralFloats.isEmpty())
                continue;
            QList<WrittenNumber> numbers;
            for (const WrittenNumber& number : parsed.integralFloats) {
                const QStringList tokens = number.pointer.split(u'/', Qt::SkipEmptyParts);
                // The longest prefix whose value is the arguments object.
                for (qsizetype depth = 0; depth < tokens.size(); ++depth) {
                    if (valueAt(parsed.value, tokens.first(depth)) == arguments) {
                        numbers.append({ u"/"_s + tokens.sliced(depth).join(u'/'), number.lexeme });
                        break;
                    }
                }
            }
            if (!numbers.isEmpty())
                return numbers;
        }
    }
    // Keyword arguments (Python's days=3.0, Gemma's days:3.0): each top-level one on its own.
    QList<WrittenNumber> numbers;
    const QJsonObject object = arguments.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!it.value().isDouble() || !hasWholeDouble(it.value()))
            continue;
        const QRegularExpression keyword(u"(?<![\\w.])"_s + QRegularExpression::escape(it.key())
                                         + u"\\s*[=:]\\s*(-?\\d+\\.0+)(?![\\d.eE])"_s);
        const QRegularExpressionMatch match = keyword.match(span);
        if (match.hasMatch())
            numbers.append({ u"/"_s + QString(it.key()).replace(u'~', u"~0"_s).replace(u'/', u"~1"_s), match.captured(1) });
    }
    return numbers;
}

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
        const QList<WrittenNumber> integralFloats = integralFloatsOf(QStringView(content).sliced(parsed.span.start, parsed.span.length()), parsed.arguments);
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
