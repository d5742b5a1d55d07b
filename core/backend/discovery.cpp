#include "discovery.h"

#include "backendclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcBackend, "temper.backend")

namespace Backend {

namespace {

constexpr int kProbeTimeoutMs = 5000;

std::optional<QJsonObject> jsonObject(const QByteArray& body)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    return document.object();
}

qint64 positive(const QJsonValue& value)
{
    const qint64 number = value.toInteger(-1);
    return number > 0 ? number : -1;
}

} // namespace

QJsonObject Info::toJson() const
{
    QJsonObject object {
        { u"url"_s, url },
        { u"kind"_s, kindName(kind()) },
        { u"configured_kind"_s, kindName(configuredKind) },
        { u"detected_kind"_s, detectedKind == Kind::Auto ? QJsonValue() : QJsonValue(kindName(detectedKind)) },
        { u"model"_s, model.isEmpty() ? QJsonValue() : QJsonValue(model) },
        { u"models"_s, QJsonArray::fromStringList(models) },
        { u"context_length"_s, contextLength > 0 ? QJsonValue(contextLength) : QJsonValue() },
        { u"context_length_source"_s, contextSource.isEmpty() ? QJsonValue() : QJsonValue(contextSource) },
        { u"reachable"_s, reachable },
    };
    if (!problem.isEmpty())
        object.insert(u"problem"_s, problem);
    if (!serverVersion.isEmpty())
        object.insert(u"server_version"_s, serverVersion);
    if (checkedAt.isValid())
        object.insert(u"checked_at"_s, checkedAt.toUTC().toString(Qt::ISODate));
    return object;
}

namespace Probe {

std::optional<ModelList> parseOpenAiModels(const QByteArray& body)
{
    const auto object = jsonObject(body);
    if (!object || !object->value("data"_L1).isArray())
        return std::nullopt;
    ModelList list;
    for (const QJsonValue& entry : object->value("data"_L1).toArray()) {
        const QJsonObject model = entry.toObject();
        const QString id = model.value("id"_L1).toString();
        if (id.isEmpty())
            continue;
        if (list.ids.isEmpty())
            list.ownedBy = model.value("owned_by"_L1).toString();
        list.ids.append(id);
        qint64 context = positive(model.value("max_model_len"_L1));
        list.hasMaxModelLen = list.hasMaxModelLen || context > 0;
        if (context < 0)
            context = positive(model.value("context_length"_L1));
        if (context < 0)
            context = positive(model.value("context_window"_L1));
        if (context > 0)
            list.contextById.insert(id, context);
        const qint64 trained = positive(model.value("meta"_L1).toObject().value("n_ctx_train"_L1));
        if (trained > 0)
            list.trainedById.insert(id, trained);
    }
    return list;
}

std::optional<LlamaProps> parseLlamaProps(const QByteArray& body)
{
    const auto object = jsonObject(body);
    if (!object || !object->value("default_generation_settings"_L1).isObject())
        return std::nullopt;
    LlamaProps props;
    const QJsonObject settings = object->value("default_generation_settings"_L1).toObject();
    props.contextLength = positive(settings.value("n_ctx"_L1));
    if (props.contextLength < 0)
        props.contextLength = positive(settings.value("params"_L1).toObject().value("n_ctx"_L1));
    props.modelPath = object->value("model_path"_L1).toString();
    props.buildInfo = object->value("build_info"_L1).toString();
    return props;
}

std::optional<QStringList> parseOllamaTags(const QByteArray& body)
{
    const auto object = jsonObject(body);
    if (!object || !object->value("models"_L1).isArray())
        return std::nullopt;
    QStringList names;
    for (const QJsonValue& entry : object->value("models"_L1).toArray()) {
        const QJsonObject model = entry.toObject();
        const QString name = model.value("name"_L1).toString(model.value("model"_L1).toString());
        if (!name.isEmpty())
            names.append(name);
    }
    return names;
}

std::optional<qint64> parseOllamaShowContext(const QByteArray& body)
{
    const auto object = jsonObject(body);
    if (!object)
        return std::nullopt;
    const QJsonObject modelInfo = object->value("model_info"_L1).toObject();
    const QString architecture = modelInfo.value("general.architecture"_L1).toString();
    qint64 context = positive(modelInfo.value(architecture + u".context_length"_s));
    if (context < 0) {
        for (auto it = modelInfo.constBegin(); it != modelInfo.constEnd(); ++it) {
            if (it.key().endsWith(".context_length"_L1))
                context = std::max(context, positive(it.value()));
        }
    }
    return context > 0 ? std::optional<qint64>(context) : std::nullopt;
}

std::optional<qint64> parseOllamaPsContext(const QByteArray& body, const QString& model)
{
    const auto object = jsonObject(body);
    if (!object || !object->value("models"_L1).isArray())
        return std::nullopt;
    for (const QJsonValue& entry : object->value("models"_L1).toArray()) {
        const QJsonObject running = entry.toObject();
        const bool matches = model.isEmpty() || running.value("name"_L1).toString() == model
            || running.value("model"_L1).toString() == model;
        const qint64 context = positive(running.value("context_length"_L1));
        if (matches && context > 0)
            return context;
    }
    return std::nullopt;
}

} // namespace Probe

Discovery::Discovery(Client* client, QObject* parent)
    : QObject(parent)
    , m_client(client)
{
}

void Discovery::setProfile(const Profile& profile)
{
    m_profile = profile;
    m_info = Info();
    m_info.configuredKind = profile.kind;
    m_info.url = profile.url.toString(QUrl::RemovePassword);
    m_info.model = profile.model;
    if (profile.contextLength > 0) {
        m_info.contextLength = profile.contextLength;
        m_info.contextSource = u"--context-length"_s;
    }
}

void Discovery::noteProblem(const QString& problem)
{
    m_findings.problems.append(problem);
}

void Discovery::get(const QUrl& url, const std::function<void(int, const QByteArray&)>& done,
                    const QByteArray& method, const QByteArray& body)
{
    UpstreamRequest request;
    request.method = method;
    request.url = url;
    request.body = body;
    // A probe never waits longer than a real request would (--backend-timeout).
    request.inactivityTimeoutMs = std::min(kProbeTimeoutMs, m_profile.timeoutMs);
    request.headers.append(Http::Header { "Accept", "application/json" });
    if (!body.isEmpty())
        request.headers.append(Http::Header { "Content-Type", "application/json" });
    if (!m_profile.apiKey.isEmpty())
        request.headers.append(Http::Header { "Authorization", "Bearer " + m_profile.apiKey.toUtf8() });
    UpstreamCall* call = m_client->send(request);
    ++m_pending;
    const int generation = m_generation;
    auto collected = std::make_shared<QByteArray>();
    connect(call, &UpstreamCall::dataReceived, this, [collected](const QByteArray& chunk) { collected->append(chunk); });
    connect(call, &UpstreamCall::finished, this, [this, call, done, collected, generation, url] {
        call->deleteLater();
        if (generation != m_generation)
            return;
        m_findings.anyAnswer = true;
        if (call->status() != 200)
            noteProblem(url.path() + u" answered "_s + QString::number(call->status()));
        done(call->status(), *collected);
        if (--m_pending == 0)
            settle();
    });
    connect(call, &UpstreamCall::failed, this, [this, call, generation, url](Failure, const QString& message) {
        call->deleteLater();
        if (generation != m_generation)
            return;
        noteProblem(url.path() + u": "_s + message);
        if (--m_pending == 0)
            settle();
    });
}

void Discovery::refresh()
{
    if (m_profile.url.isEmpty())
        return;
    ++m_generation; // answers of an earlier refresh are ignored
    m_pending = 0;
    m_findings = Findings();
    const Kind kind = m_profile.kind;

    get(m_profile.upstreamUrl("/v1/models"), [this](int status, const QByteArray& body) {
        if (status == 200) {
            m_findings.models = Probe::parseOpenAiModels(body);
            if (!m_findings.models)
                noteProblem(u"/v1/models did not answer with a model list"_s);
        }
    });
    if (kind == Kind::Auto || kind == Kind::LlamaServer || kind == Kind::Llamafile) {
        get(m_profile.upstreamUrl("/props"), [this](int status, const QByteArray& body) {
            if (status == 200) {
                m_findings.props = Probe::parseLlamaProps(body);
                if (!m_findings.props)
                    noteProblem(u"/props did not answer with llama-server properties"_s);
            }
        });
    }
    if (kind == Kind::Auto || kind == Kind::Ollama) {
        get(m_profile.upstreamUrl("/api/tags"), [this](int status, const QByteArray& body) {
            if (status != 200)
                return;
            m_findings.ollamaTags = Probe::parseOllamaTags(body);
            if (!m_findings.ollamaTags)
                return;
            const QString model = !m_profile.model.isEmpty() ? m_profile.model
                : m_findings.ollamaTags->isEmpty()             ? QString()
                                                               : m_findings.ollamaTags->first();
            if (!model.isEmpty())
                probeOllamaModel(model);
        });
    }
}

void Discovery::probeOllamaModel(const QString& model)
{
    const QByteArray request = QJsonDocument(QJsonObject { { u"model"_s, model } }).toJson(QJsonDocument::Compact);
    get(m_profile.upstreamUrl("/api/show"), [this](int status, const QByteArray& body) {
        if (status == 200)
            m_findings.ollamaTrained = Probe::parseOllamaShowContext(body);
    }, "POST", request);
    get(m_profile.upstreamUrl("/api/ps"), [this, model](int status, const QByteArray& body) {
        if (status == 200)
            m_findings.ollamaLoaded = Probe::parseOllamaPsContext(body, model);
    });
}

void Discovery::settle()
{
    Info info;
    info.configuredKind = m_profile.kind;
    info.url = m_profile.url.toString(QUrl::RemovePassword);
    info.reachable = m_findings.anyAnswer;
    info.checkedAt = QDateTime::currentDateTime();
    info.problem = m_findings.anyAnswer ? QString() : m_findings.problems.value(0);

    const Findings& f = m_findings;
    if (f.props) {
        const bool llamafile = f.props->buildInfo.contains("llamafile"_L1, Qt::CaseInsensitive)
            || f.props->modelPath.endsWith(".llamafile"_L1) || (f.models && f.models->ownedBy == "llamafile"_L1);
        info.detectedKind = llamafile ? Kind::Llamafile : Kind::LlamaServer;
        info.serverVersion = f.props->buildInfo;
    } else if (f.ollamaTags) {
        info.detectedKind = Kind::Ollama;
    } else if (f.models && (f.models->ownedBy == "vllm"_L1 || f.models->hasMaxModelLen)) {
        info.detectedKind = Kind::Vllm;
    } else if (f.models) {
        info.detectedKind = Kind::OpenAi;
    }

    if (f.models)
        info.models = f.models->ids;
    else if (f.ollamaTags)
        info.models = *f.ollamaTags;
    info.model = !m_profile.model.isEmpty() ? m_profile.model : info.models.size() == 1 ? info.models.first() : QString();

    const Kind kind = info.kind();
    const QString model = info.model.isEmpty() ? info.models.value(0) : info.model;
    if ((kind == Kind::LlamaServer || kind == Kind::Llamafile) && f.props && f.props->contextLength > 0) {
        info.contextLength = f.props->contextLength;
        info.contextSource = u"llama-server /props (default_generation_settings.n_ctx)"_s;
    } else if (kind == Kind::Ollama && f.ollamaLoaded) {
        info.contextLength = *f.ollamaLoaded;
        info.contextSource = u"Ollama /api/ps (context the model is loaded with)"_s;
    } else if (kind == Kind::Ollama && f.ollamaTrained) {
        info.contextLength = *f.ollamaTrained;
        info.contextSource = u"Ollama /api/show (trained maximum; not loaded yet)"_s;
    } else if (f.models && f.models->contextById.contains(model)) {
        info.contextLength = f.models->contextById.value(model);
        info.contextSource = kind == Kind::Vllm ? u"vLLM /v1/models (max_model_len)"_s : u"/v1/models (context_length)"_s;
    } else if (f.models && f.models->trainedById.contains(model)) {
        info.contextLength = f.models->trainedById.value(model);
        info.contextSource = u"/v1/models (n_ctx_train: trained maximum)"_s;
    }
    if (info.contextLength <= 0 && m_profile.contextLength > 0) {
        info.contextLength = m_profile.contextLength;
        info.contextSource = u"--context-length"_s;
    }
    if (info.contextLength <= 0)
        info.contextSource = u"unknown"_s;
    // Probes that do not apply fail all the time (llama-server has no /api/tags); their problems
    // matter only when something stayed unknown, and each is logged once, not at every refresh.
    if (info.kind() == Kind::Auto || info.contextLength <= 0) {
        for (const QString& problem : std::as_const(m_findings.problems)) {
            if (!m_loggedProblems.contains(problem)) {
                m_loggedProblems.insert(problem);
                qCInfo(lcBackend).noquote() << "discovery:" << problem;
            }
        }
    }
    m_info = info;
    emit infoChanged(m_info);
}

} // namespace Backend
