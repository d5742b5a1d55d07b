#include "proxyservice.h"

#include "backend/backendclient.h"
#include "guard/guardedexchange.h"
#include "jsonedit.h"
#include "passthroughexchange.h"
#include "trace/tracestore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Proxy {

namespace {

bool isChatRoute(const Http::Request& request)
{
    return request.method == "POST" && (request.path == "/v1/chat/completions" || request.path == "/chat/completions");
}

void respondJson(Http::ResponseWriter* writer, int status, const QJsonObject& object)
{
    Http::Headers headers { { "Content-Type", "application/json" } };
    addCorsHeaders(headers);
    writer->respond(status, headers, QJsonDocument(object).toJson(QJsonDocument::Compact));
}

} // namespace

ProxyService::ProxyService(const Config::Settings& settings, QObject* parent)
    : QObject(parent)
    , m_settings(settings)
    , m_server(new Http::Server(this, {}, this))
    , m_client(new Backend::Client(this))
    , m_discovery(new Backend::Discovery(m_client, this))
    , m_store(new Trace::TraceStore(this))
{
    m_server->setConfig(serverConfig());
    m_store->setLimits(settings.traceLimit, qint64(512) * 1024 * 1024);
    m_redactor.addSecret(settings.backend.apiKey.toUtf8());
    m_store->setRedactor(m_redactor);
    m_discovery->setProfile(settings.backend);
    connect(m_discovery, &Backend::Discovery::infoChanged, this, &ProxyService::backendInfoChanged);
}

ProxyService::~ProxyService() = default;

Http::ServerConfig ProxyService::serverConfig() const
{
    Http::ServerConfig config;
    config.limits.maxBodyBytes = m_settings.maxBodyBytes;
    config.requestTimeoutMs = m_settings.requestTimeoutMs;
    config.idleTimeoutMs = m_settings.idleTimeoutMs;
    addCorsHeaders(config.errorHeaders);
    config.errorHeaders.append(Http::Header { "X-Temper-Outcome", "error" });
    return config;
}

bool ProxyService::start(QString* error)
{
    QHostAddress address;
    if (m_settings.host == u"localhost"_s)
        address = QHostAddress::LocalHost;
    else if (!address.setAddress(m_settings.host)) {
        if (error)
            *error = u"'%1' is not an IP address to listen on"_s.arg(m_settings.host);
        return false;
    }
    if (!m_server->listen(address, m_settings.port)) {
        if (error)
            *error = u"cannot listen on %1:%2: %3"_s.arg(m_settings.host).arg(m_settings.port).arg(m_server->errorString());
        return false;
    }
    emit listeningChanged(true);
    m_discovery->refresh();
    return true;
}

void ProxyService::stop()
{
    if (!m_server->isListening())
        return;
    m_server->close();
    emit listeningChanged(false);
}

bool ProxyService::isListening() const
{
    return m_server->isListening();
}

quint16 ProxyService::port() const
{
    return m_server->serverPort();
}

QUrl ProxyService::listenUrl() const
{
    QUrl url;
    url.setScheme(u"http"_s);
    url.setHost(m_settings.host);
    url.setPort(port());
    return url;
}

bool ProxyService::applySettings(const Config::Settings& settings, QString* error)
{
    const bool addressChanged = settings.host != m_settings.host || settings.port != m_settings.port;
    const bool backendChanged = settings.backend.url != m_settings.backend.url || settings.backend.kind != m_settings.backend.kind
        || settings.backend.apiKey != m_settings.backend.apiKey || settings.backend.model != m_settings.backend.model
        || settings.backend.contextLength != m_settings.backend.contextLength;
    m_settings = settings;
    m_redactor.clearSecrets();
    m_redactor.addSecret(settings.backend.apiKey.toUtf8());
    m_store->setRedactor(m_redactor);
    m_server->setConfig(serverConfig());
    m_store->setLimits(settings.traceLimit, qint64(512) * 1024 * 1024);
    if (backendChanged) {
        m_discovery->setProfile(settings.backend);
        m_discovery->refresh();
    }
    bool listening = true;
    if (addressChanged && m_server->isListening()) {
        stop();
        listening = start(error);
    }
    emit settingsChanged(m_settings);
    return listening;
}

Context ProxyService::context() const
{
    Context context;
    context.client = m_client;
    context.store = m_store;
    context.redactor = m_redactor;
    context.profile = m_settings.backend;
    context.guard = m_settings.guard;
    return context;
}

void ProxyService::handleRequest(Http::ResponseWriter* writer)
{
    const Http::Request& request = writer->request();
    const QByteArray& path = request.path;
    if (request.method == "OPTIONS") {
        answerPreflight(writer);
        return;
    }
    if (path == "/temper/health") {
        respondJson(writer, 200, { { u"status"_s, u"ok"_s }, { u"version"_s, QStringLiteral(TEMPER_VERSION) } });
        return;
    }
    if (path == "/temper/backend") {
        handleBackendInfo(writer);
        return;
    }
    if (path.startsWith("/temper/")) {
        respondError(writer, 404, u"Temper has no endpoint %1"_s.arg(QString::fromUtf8(path)), u"invalid_request_error"_s, u"not_found"_s);
        return;
    }
    if (isChatRoute(request)) {
        handleChat(writer);
        return;
    }
    auto* exchange = new PassThroughExchange(context(), writer, PassThroughExchange::Route::Other, request.body, QString(), {}, false, this);
    exchange->start();
}

bool ProxyService::streamsRequestBody(const Http::Request& head) const
{
    // Chat completions are read whole: the guard and the trace need the JSON. Every other
    // forwarded route passes its body on as it arrives (uploads, llama.cpp's own endpoints).
    return head.method != "OPTIONS" && !head.path.startsWith("/temper/") && !isChatRoute(head);
}

void ProxyService::handleChat(Http::ResponseWriter* writer)
{
    const Http::Request& request = writer->request();
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        const QString why = parseError.error != QJsonParseError::NoError
            ? u"the request body is not valid JSON (%1 at offset %2)"_s.arg(parseError.errorString()).arg(parseError.offset)
            : u"the request body must be a JSON object"_s;
        refuseChat(writer, why, u"invalid_json"_s);
        return;
    }
    const QJsonObject body = document.object();
    if (!body.value("messages"_L1).isArray()) {
        refuseChat(writer, u"'messages' must be an array"_s, u"invalid_messages"_s);
        return;
    }

    QByteArray upstreamBody = request.body;
    QString model = body.value("model"_L1).toString();
    if (!m_settings.backend.model.isEmpty() && model != m_settings.backend.model) {
        model = m_settings.backend.model;
        const QByteArray quoted = QJsonDocument(QJsonArray { model }).toJson(QJsonDocument::Compact);
        upstreamBody = JsonEdit::setTopLevelMember(upstreamBody, "model", quoted.mid(1, quoted.size() - 2)).value_or(upstreamBody);
    }
    const bool stream = body.value("stream"_L1).toBool();
    const Guard::ToolCatalog tools = Guard::ToolCatalog::fromTools(body.value("tools"_L1).toArray());
    const Guard::ToolChoice choice = Guard::ToolChoice::fromRequest(body.value("tool_choice"_L1));
    // The guard handles requests that declare tools and let the model use them, one answer at
    // a time; n > 1 asks for several alternative answers, which pass through untouched.
    const bool guarded = m_settings.guard.enabled && !tools.isEmpty() && choice.mode != Guard::ToolChoice::Mode::None
        && body.value("n"_L1).toInt(1) <= 1;
    if (guarded) {
        Guard::GuardedExchange::Request guardRequest;
        guardRequest.body = upstreamBody;
        guardRequest.model = model;
        guardRequest.tools = tools;
        guardRequest.choice = choice;
        guardRequest.stream = stream;
        guardRequest.includeUsage = body.value("stream_options"_L1).toObject().value("include_usage"_L1).toBool();
        auto* exchange = new Guard::GuardedExchange(context(), writer, guardRequest, this);
        exchange->start();
        return;
    }
    auto* exchange = new PassThroughExchange(context(), writer, PassThroughExchange::Route::Chat, upstreamBody, model,
                                             tools.names(), stream, this);
    exchange->start();
}

void ProxyService::refuseChat(Http::ResponseWriter* writer, const QString& message, const QString& code)
{
    const quint64 id = beginRefused(writer->request(), {});
    const Http::Headers headers = errorResponseHeaders(id);
    const QByteArray body = Http::errorBody(message, u"invalid_request_error"_s, code);
    writer->respond(400, headers, body);
    finishRefused(id, 400, headers, body, message);
}

void ProxyService::requestRejected(const Http::Rejection& rejection)
{
    const quint64 id = beginRefused(rejection.request, rejection.unparsedHead);
    finishRefused(id, rejection.status, rejection.responseHeaders, rejection.responseBody, rejection.message);
}

quint64 ProxyService::beginRefused(const Http::Request& request, const QByteArray& unparsedHead)
{
    Trace::Exchange exchange;
    exchange.method = request.method;
    exchange.path = request.target;
    exchange.route = isChatRoute(request) ? u"chat"_s : request.path.startsWith("/temper/") ? u"temper"_s : u"passthrough"_s;
    exchange.clientRequest = requestRecord(request.method, request.target, request.headers,
                                           unparsedHead.isEmpty() ? request.body : unparsedHead, context());
    return m_store->begin(exchange);
}

void ProxyService::finishRefused(quint64 id, int status, const Http::Headers& headers, const QByteArray& body,
                                 const QString& message)
{
    m_store->finish(id, [&](Trace::Exchange& e) {
        const qint64 now = e.elapsedUs();
        e.firstByteUs = now;
        e.clientResponse.status = status;
        e.clientResponse.headers = m_redactor.headers(headers);
        e.clientResponse.body = body;
        e.outcome = Trace::Outcome::Error;
        e.error = message;
        e.events.append({ now, 0, u"error"_s, u"Temper refused the request with %1: %2"_s.arg(status).arg(message), {} });
    });
}

void ProxyService::handleBackendInfo(Http::ResponseWriter* writer)
{
    if (!writer->request().query.contains("refresh")) {
        respondJson(writer, 200, m_discovery->info().toJson());
        return;
    }
    // On demand: answer once the probes have settled (they time out on their own).
    QPointer<Http::ResponseWriter> target(writer);
    auto* connection = new QMetaObject::Connection;
    *connection = connect(m_discovery, &Backend::Discovery::infoChanged, this, [target, connection](const Backend::Info& info) {
        QObject::disconnect(*connection);
        delete connection;
        if (target && target->isActive())
            respondJson(target, 200, info.toJson());
    });
    m_discovery->refresh();
}

} // namespace Proxy
