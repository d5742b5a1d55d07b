#pragma once

#include "backendprofile.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <functional>
#include <optional>

namespace Backend {

class Client;

// What Temper knows about its backend.
struct Info
{
    Kind configuredKind = Kind::Auto;
    Kind detectedKind = Kind::Auto; // Auto: not (yet) detected
    QString url;
    QStringList models;
    QString model;                  // the model requests go to when Temper knows it
    qint64 contextLength = -1;
    QString contextSource;          // where the number came from, in plain words
    bool reachable = false;
    QString problem;                // the last discovery problem, in plain words
    QString serverVersion;
    QDateTime checkedAt;

    Kind kind() const { return configuredKind != Kind::Auto ? configuredKind : detectedKind; }
    // The /temper/backend answer. Never contains the API key.
    QJsonObject toJson() const;
};

// Readers of the backends' metadata answers: pure functions of the body. Each returns nullopt
// when the body is not what that endpoint sends (a 404 page, HTML, bad JSON), which means
// "unknown", never an error.
namespace Probe {

struct ModelList
{
    QStringList ids;
    QString ownedBy;                      // of the first entry: "llamacpp", "vllm", "library", ...
    QHash<QString, qint64> contextById;   // vLLM max_model_len, OpenRouter-style context_length
    QHash<QString, qint64> trainedById;   // llama-server meta.n_ctx_train
    bool hasMaxModelLen = false;          // only vLLM reports max_model_len
};
std::optional<ModelList> parseOpenAiModels(const QByteArray& body);

struct LlamaProps
{
    qint64 contextLength = -1;            // default_generation_settings.n_ctx
    QString modelPath;
    QString buildInfo;
};
std::optional<LlamaProps> parseLlamaProps(const QByteArray& body);

std::optional<QStringList> parseOllamaTags(const QByteArray& body);
// /api/show: model_info["<architecture>.context_length"], the length the model was trained for.
std::optional<qint64> parseOllamaShowContext(const QByteArray& body);
// /api/ps: the context the running model was loaded with.
std::optional<qint64> parseOllamaPsContext(const QByteArray& body, const QString& model);

} // namespace Probe

// Finds out what the backend is: kind, models, context length. Runs at start and on demand;
// every probe is best effort (a 404, an HTML page, a timeout or bad JSON means "unknown", is
// logged once, and never stops Temper).
class Discovery : public QObject
{
    Q_OBJECT

public:
    Discovery(Client* client, QObject* parent = nullptr);

    void setProfile(const Profile& profile);
    const Info& info() const { return m_info; }
    bool isRunning() const { return m_pending > 0; }

    void refresh();

Q_SIGNALS:
    void infoChanged(const Backend::Info& info);

private:
    struct Findings
    {
        std::optional<Probe::ModelList> models;
        std::optional<Probe::LlamaProps> props;
        std::optional<QStringList> ollamaTags;
        std::optional<qint64> ollamaTrained;
        std::optional<qint64> ollamaLoaded;
        bool anyAnswer = false;
        QStringList problems;
    };

    void get(const QUrl& url, const std::function<void(int status, const QByteArray& body)>& done,
             const QByteArray& method = "GET", const QByteArray& body = {});
    void probeOllamaModel(const QString& model);
    void settle();
    void noteProblem(const QString& problem);

    Client* m_client;
    Profile m_profile;
    Info m_info;
    Findings m_findings;
    int m_pending = 0;
    int m_generation = 0;
    QSet<QString> m_loggedProblems;
};

} // namespace Backend
