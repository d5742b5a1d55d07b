#include "demobackend.h"

#include "sse/sse.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Demo {

namespace {

constexpr int kMaxRecorded = 500;

Http::Headers jsonHeaders()
{
    return { { "Content-Type", "application/json" } };
}

QByteArray json(const QJsonObject& object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// Text streamed the way tokenizers cut it: a word with its leading space at a time.
QStringList pieces(const QString& text)
{
    QStringList result;
    qsizetype start = 0;
    for (qsizetype i = 1; i <= text.size(); ++i) {
        if (i == text.size() || (text.at(i) == u' ' && i > start)) {
            result.append(text.mid(start, i - start));
            start = i;
        }
    }
    return result;
}

// Tool-call arguments streamed in small fragments, as llama-server and vLLM send them.
QStringList fragments(const QString& text, int size = 6)
{
    QStringList result;
    for (qsizetype i = 0; i < text.size(); i += size)
        result.append(text.mid(i, size));
    return result;
}

} // namespace

Backend::Backend(const Options& options, QObject* parent)
    : QObject(parent)
    , m_options(options)
    , m_server(new Http::Server(this, {}, this))
{
}

Backend::~Backend() = default;

bool Backend::start(quint16 port)
{
    return m_server->listen(QHostAddress::LocalHost, port);
}

quint16 Backend::port() const
{
    return m_server->serverPort();
}

QUrl Backend::url() const
{
    return QUrl(u"http://127.0.0.1:%1"_s.arg(port()));
}

void Backend::handleRequest(Http::ResponseWriter* writer)
{
    const Http::Request& request = writer->request();
    if (m_received.size() >= kMaxRecorded)
        m_received.removeFirst();
    m_received.append({ request.method, request.target, request.headers, request.body });
    emit requestReceived();

    const QByteArray path = request.path;
    if (request.method == "POST" && (path == "/v1/chat/completions" || path == "/chat/completions")) {
        answerChat(writer);
    } else if (request.method == "GET" && (path == "/v1/models" || path == "/models")) {
        const QJsonObject model {
            { u"id"_s, m_options.modelName }, { u"object"_s, u"model"_s }, { u"owned_by"_s, u"llamacpp"_s },
            { u"created"_s, 1'700'000'000 },
            { u"meta"_s, QJsonObject { { u"n_ctx_train"_s, m_options.contextLength * 4 } } },
        };
        writer->respond(200, jsonHeaders(), json({ { u"object"_s, u"list"_s }, { u"data"_s, QJsonArray { model } } }));
    } else if (request.method == "GET" && path == "/props") {
        switch (m_options.props) {
        case Options::Props::Json:
            writer->respond(200, jsonHeaders(), json({
                { u"default_generation_settings"_s, QJsonObject { { u"n_ctx"_s, m_options.contextLength } } },
                { u"total_slots"_s, 1 },
                { u"model_path"_s, QString(u"/models/"_s + m_options.modelName + u".gguf"_s) },
                { u"build_info"_s, u"temper-demo"_s },
            }));
            break;
        case Options::Props::NotFound:
            writer->respond(404, { { "Content-Type", "text/plain" } }, "Not Found");
            break;
        case Options::Props::Html:
            writer->respond(200, { { "Content-Type", "text/html" } }, "<!doctype html><html><body>props</body></html>");
            break;
        case Options::Props::BadJson:
            writer->respond(200, jsonHeaders(), "{\"default_generation_settings\": {");
            break;
        }
    } else if (request.method == "GET" && (path == "/health" || path == "/v1/health")) {
        writer->respond(200, jsonHeaders(), R"({"status":"ok"})");
    } else if (request.method == "GET" && path == "/slots") {
        writer->respond(200, jsonHeaders(), json({ { u"slots"_s, QJsonArray { QJsonObject { { u"id"_s, 0 }, { u"n_ctx"_s, m_options.contextLength } } } } }));
    } else if ((request.method == "GET" || request.method == "HEAD") && path == "/") {
        writer->respond(200, { { "Content-Type", "text/html; charset=utf-8" } },
                        "<!doctype html><html><head><title>Temper demo model</title></head>"
                        "<body><h1>Temper demo model</h1><p>An OpenAI-compatible scripted model.</p></body></html>");
    } else {
        writer->respond(404, jsonHeaders(), Http::errorBody(u"no such endpoint"_s, u"not_found_error"_s, u"404"_s));
    }
}

void Backend::answerChat(Http::ResponseWriter* writer)
{
    const Http::Request& request = writer->request();
    if (!m_options.requiredApiKey.isEmpty()
        && request.header("Authorization") != "Bearer " + m_options.requiredApiKey.toUtf8()) {
        writer->respond(401, jsonHeaders(), Http::errorBody(u"invalid API key"_s, u"authentication_error"_s, u"401"_s));
        return;
    }
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        writer->respond(400, jsonHeaders(), Http::errorBody(u"the body is not a JSON object"_s, u"invalid_request_error"_s, u"400"_s));
        return;
    }
    const QJsonObject body = document.object();
    const Reply reply = m_model.reply(body);
    const QString model = body.value("model"_L1).toString(m_options.modelName);
    const bool stream = (body.value("stream"_L1).toBool() || m_options.alwaysStream) && !m_options.neverStream;
    const bool includeUsage = body.value("stream_options"_L1).toObject().value("include_usage"_L1).toBool();
    if (reply.hang)
        return; // never answers: the client's timeout must act
    if (!reply.parserError.isEmpty() || !reply.serverError.isEmpty() || (!reply.streamError.isEmpty() && !stream)) {
        const QString message = !reply.parserError.isEmpty() ? reply.parserError
            : !reply.serverError.isEmpty()                   ? reply.serverError
                                                             : reply.streamError;
        writer->respond(500, jsonHeaders(), Http::errorBody(message, u"server_error"_s, u"500"_s));
        return;
    }

    QPointer<Http::ResponseWriter> target(writer);
    QTimer::singleShot(m_options.firstByteDelayMs + reply.thinkMs, this, [this, target, reply, model, stream, includeUsage] {
        if (!target || !target->isActive())
            return;
        if (reply.cutAfterEvents >= 0 && !stream)
            target->abortConnection();
        else if (stream)
            streamReply(target, reply, model, includeUsage);
        else
            target->respond(200, jsonHeaders(), completionJson(reply, model));
    });
}

QByteArray Backend::completionJson(const Reply& reply, const QString& model)
{
    QJsonObject message { { u"role"_s, u"assistant"_s } };
    message.insert(u"content"_s, reply.content.isEmpty() && !reply.calls.isEmpty() ? QJsonValue() : QJsonValue(reply.content));
    if (!reply.reasoning.isEmpty())
        message.insert(u"reasoning_content"_s, reply.reasoning);
    if (!reply.calls.isEmpty()) {
        QJsonArray calls;
        for (const ToolCall& call : reply.calls) {
            calls.append(QJsonObject {
                { u"id"_s, call.id }, { u"type"_s, u"function"_s },
                { u"function"_s, QJsonObject { { u"name"_s, call.name }, { u"arguments"_s, call.argumentsText } } },
            });
        }
        message.insert(u"tool_calls"_s, calls);
    }
    return json({
        { u"id"_s, u"chatcmpl-demo-%1"_s.arg(++m_completions) },
        { u"object"_s, u"chat.completion"_s },
        { u"created"_s, QDateTime::currentSecsSinceEpoch() },
        { u"model"_s, model },
        { u"choices"_s, QJsonArray { QJsonObject { { u"index"_s, 0 }, { u"message"_s, message }, { u"finish_reason"_s, reply.finishReason } } } },
        { u"usage"_s, QJsonObject {
              { u"prompt_tokens"_s, reply.promptTokens }, { u"completion_tokens"_s, reply.completionTokens },
              { u"total_tokens"_s, reply.promptTokens + reply.completionTokens } } },
    });
}

void Backend::streamReply(Http::ResponseWriter* writer, const Reply& reply, const QString& model, bool includeUsage)
{
    const QString id = u"chatcmpl-demo-%1"_s.arg(++m_completions);
    const qint64 created = QDateTime::currentSecsSinceEpoch();
    auto chunk = [id, created, model](const QJsonObject& delta, const QJsonValue& finish = QJsonValue()) {
        return QJsonObject {
            { u"id"_s, id }, { u"object"_s, u"chat.completion.chunk"_s }, { u"created"_s, created }, { u"model"_s, model },
            { u"choices"_s, QJsonArray { QJsonObject { { u"index"_s, 0 }, { u"delta"_s, delta }, { u"finish_reason"_s, finish } } } },
        };
    };

    // The whole answer as a list of events, sent one per tick.
    QList<QByteArray> events;
    events.append(Sse::encodeData(json(chunk({ { u"role"_s, u"assistant"_s }, { u"content"_s, u""_s } }))));
    for (const QString& piece : pieces(reply.reasoning))
        events.append(Sse::encodeData(json(chunk({ { u"reasoning_content"_s, piece } }))));
    for (const QString& piece : pieces(reply.content))
        events.append(Sse::encodeData(json(chunk({ { u"content"_s, piece } }))));
    for (int i = 0; i < reply.calls.size(); ++i) {
        const ToolCall& call = reply.calls.at(i);
        events.append(Sse::encodeData(json(chunk({ { u"tool_calls"_s, QJsonArray { QJsonObject {
            { u"index"_s, i }, { u"id"_s, call.id }, { u"type"_s, u"function"_s },
            { u"function"_s, QJsonObject { { u"name"_s, call.name }, { u"arguments"_s, u""_s } } } } } } }))));
        for (const QString& fragment : fragments(call.argumentsText)) {
            events.append(Sse::encodeData(json(chunk({ { u"tool_calls"_s, QJsonArray { QJsonObject {
                { u"index"_s, i }, { u"function"_s, QJsonObject { { u"arguments"_s, fragment } } } } } } }))));
        }
    }
    if (!reply.streamError.isEmpty()) {
        // llama-server's way: an error object as the last event, and the stream ends.
        const QJsonObject error { { u"code"_s, 500 }, { u"message"_s, reply.streamError }, { u"type"_s, u"server_error"_s } };
        events.append(Sse::encodeData(json({ { u"error"_s, error } })));
    } else {
        QJsonObject last = chunk(QJsonObject(), reply.finishReason);
        const QJsonObject usage { { u"prompt_tokens"_s, reply.promptTokens }, { u"completion_tokens"_s, reply.completionTokens },
                                  { u"total_tokens"_s, reply.promptTokens + reply.completionTokens } };
        if (!includeUsage)
            last.insert(u"usage"_s, usage); // llama-server reports usage in the last chunk regardless
        events.append(Sse::encodeData(json(last)));
        if (includeUsage) {
            QJsonObject usageChunk = chunk(QJsonObject());
            usageChunk.insert(u"choices"_s, QJsonArray());
            usageChunk.insert(u"usage"_s, usage);
            events.append(Sse::encodeData(json(usageChunk)));
        }
        events.append(Sse::encodeData("[DONE]"));
    }

    writer->beginStream(200, { { "Content-Type", "text/event-stream" }, { "Cache-Control", "no-cache" } });
    m_peakActiveStreams = std::max(m_peakActiveStreams, ++m_activeStreams);
    QPointer<Http::ResponseWriter> target(writer);
    auto* timer = new QTimer(this);
    auto next = std::make_shared<int>(0);
    auto finish = [this, timer] {
        --m_activeStreams;
        timer->stop();
        timer->deleteLater();
    };
    connect(writer, &Http::ResponseWriter::clientGone, timer, [this, finish] {
        ++m_streamsAbandoned;
        finish();
        emit streamAbandoned();
    });
    const int cutAfter = reply.cutAfterEvents;
    connect(timer, &QTimer::timeout, this, [target, events, next, finish, cutAfter] {
        if (!target || !target->isActive())
            return;
        if (*next == cutAfter) {
            target->abortConnection();
            finish();
            return;
        }
        target->write(events.at(*next));
        if (++*next == events.size()) {
            target->endStream();
            finish();
        }
    });
    timer->start(m_options.tokenDelayMs);
}

} // namespace Demo
