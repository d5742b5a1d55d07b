// Backend URL mapping, the readers of backends' metadata answers, and discovery against
// scripted fake backends on 127.0.0.1 (Ollama, vLLM, hosted, broken and hanging servers).
#include "backend/backendclient.h"
#include "backend/backendprofile.h"
#include "backend/discovery.h"
#include "scriptedbackend.h"

#include <QJsonDocument>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace Backend;

class TestBackend : public QObject
{
    Q_OBJECT

private slots:
    void mapsUrls_data();
    void mapsUrls();
    void kindNames();
    void readsModelLists();
    void readsLlamaProps_data();
    void readsLlamaProps();
    void readsOllama();
    void infoJsonHasNoKey();
    void discovers_data();
    void discovers();
    void probeTimeoutIsUnknownAndLoggedOnce();
};

Q_DECLARE_METATYPE(Script)

void TestBackend::mapsUrls_data()
{
    QTest::addColumn<QString>("configured");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QString>("expected");

    QTest::addRow("root, chat") << u"http://127.0.0.1:8080"_s << QByteArray("/v1/chat/completions") << QByteArray() << u"http://127.0.0.1:8080/v1/chat/completions"_s;
    QTest::addRow("root slash, chat alias") << u"http://127.0.0.1:8080/"_s << QByteArray("/chat/completions") << QByteArray() << u"http://127.0.0.1:8080/v1/chat/completions"_s;
    QTest::addRow("v1 base, chat") << u"http://127.0.0.1:8080/v1"_s << QByteArray("/v1/chat/completions") << QByteArray() << u"http://127.0.0.1:8080/v1/chat/completions"_s;
    QTest::addRow("v1 base, props at root") << u"http://127.0.0.1:8080/v1/"_s << QByteArray("/props") << QByteArray() << u"http://127.0.0.1:8080/props"_s;
    QTest::addRow("web ui root") << u"http://127.0.0.1:8080"_s << QByteArray("/") << QByteArray() << u"http://127.0.0.1:8080/"_s;
    QTest::addRow("query kept raw") << u"http://127.0.0.1:8080"_s << QByteArray("/slots") << QByteArray("fail_on_no_slot=1&x=a%2Fb")
                                    << u"http://127.0.0.1:8080/slots?fail_on_no_slot=1&x=a%2Fb"_s;
    QTest::addRow("hosted prefix") << u"https://openrouter.ai/api/v1"_s << QByteArray("/v1/models") << QByteArray() << u"https://openrouter.ai/api/v1/models"_s;
    QTest::addRow("hosted non-v1 base") << u"https://generativelanguage.googleapis.com/v1beta/openai"_s << QByteArray("/v1/chat/completions")
                                        << QByteArray() << u"https://generativelanguage.googleapis.com/v1beta/openai/chat/completions"_s;
    QTest::addRow("ollama api") << u"http://localhost:11434"_s << QByteArray("/api/tags") << QByteArray() << u"http://localhost:11434/api/tags"_s;
    QTest::addRow("percent-encoded path") << u"http://h:1"_s << QByteArray("/v1/models/a%2Fb") << QByteArray() << u"http://h:1/v1/models/a%2Fb"_s;
}

void TestBackend::mapsUrls()
{
    QFETCH(QString, configured);
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, query);
    QFETCH(QString, expected);
    Profile profile;
    profile.url = QUrl(configured);
    QCOMPARE(QString::fromUtf8(profile.upstreamUrl(path, query).toEncoded()), expected);
}

void TestBackend::kindNames()
{
    for (Kind kind : { Kind::Auto, Kind::LlamaServer, Kind::Llamafile, Kind::Ollama, Kind::Vllm, Kind::OpenAi }) {
        Kind back = Kind::Auto;
        QVERIFY(kindFromName(kindName(kind), &back));
        QCOMPARE(back, kind);
    }
    Kind unknown = Kind::Ollama;
    QVERIFY(!kindFromName(u"tgi"_s, &unknown));
    QCOMPARE(unknown, Kind::Ollama);
}

void TestBackend::readsModelLists()
{
    const auto vllm = Probe::parseOpenAiModels(R"({"object":"list","data":[{"id":"Qwen/Qwen3-8B","owned_by":"vllm","max_model_len":32768}]})");
    QVERIFY(vllm);
    QCOMPARE(vllm->ids, QStringList { u"Qwen/Qwen3-8B"_s });
    QCOMPARE(vllm->contextById.value(u"Qwen/Qwen3-8B"_s), 32768);
    QVERIFY(vllm->hasMaxModelLen);

    const auto hosted = Probe::parseOpenAiModels(R"({"data":[{"id":"mimo-v2.5","context_length":131072},{"id":"b"}]})");
    QVERIFY(hosted);
    QCOMPARE(hosted->ids, (QStringList { u"mimo-v2.5"_s, u"b"_s }));
    QCOMPARE(hosted->contextById.value(u"mimo-v2.5"_s), 131072);
    QVERIFY(!hosted->hasMaxModelLen);

    const auto llama = Probe::parseOpenAiModels(R"({"data":[{"id":"m.gguf","owned_by":"llamacpp","meta":{"n_ctx_train":40960}}]})");
    QCOMPARE(llama->trainedById.value(u"m.gguf"_s), 40960);
    QCOMPARE(llama->ownedBy, u"llamacpp"_s);

    QVERIFY(!Probe::parseOpenAiModels("<!doctype html><html></html>"));
    QVERIFY(!Probe::parseOpenAiModels(R"({"error":"nope"})"));
    QVERIFY(!Probe::parseOpenAiModels(""));
}

void TestBackend::readsLlamaProps_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<qint64>("context");
    QTest::addRow("llama-server") << QByteArray(R"({"default_generation_settings":{"n_ctx":65536},"build_info":"b8681"})") << true << qint64(65536);
    QTest::addRow("older params nesting") << QByteArray(R"({"default_generation_settings":{"params":{"n_ctx":4096}}})") << true << qint64(4096);
    QTest::addRow("router placeholder zero") << QByteArray(R"({"default_generation_settings":{"n_ctx":0}})") << true << qint64(-1);
    QTest::addRow("html page") << QByteArray("<html><body>props</body></html>") << false << qint64(-1);
    QTest::addRow("bad json") << QByteArray(R"({"default_generation_settings": {)") << false << qint64(-1);
    QTest::addRow("other json") << QByteArray(R"({"status":"ok"})") << false << qint64(-1);
}

void TestBackend::readsLlamaProps()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, valid);
    QFETCH(qint64, context);
    const auto props = Probe::parseLlamaProps(body);
    QCOMPARE(props.has_value(), valid);
    if (props)
        QCOMPARE(props->contextLength, context);
}

void TestBackend::readsOllama()
{
    const auto tags = Probe::parseOllamaTags(R"({"models":[{"name":"qwen3:8b","model":"qwen3:8b"},{"name":"gemma4:latest"}]})");
    QCOMPARE(*tags, (QStringList { u"qwen3:8b"_s, u"gemma4:latest"_s }));
    QVERIFY(!Probe::parseOllamaTags("404 page not found"));

    const auto trained = Probe::parseOllamaShowContext(R"({"model_info":{"general.architecture":"qwen3","qwen3.context_length":40960}})");
    QCOMPARE(*trained, 40960);
    QVERIFY(!Probe::parseOllamaShowContext(R"({"model_info":{}})"));

    const QByteArray ps = R"({"models":[{"name":"other:1b","context_length":2048},{"name":"qwen3:8b","model":"qwen3:8b","context_length":4096}]})";
    QCOMPARE(*Probe::parseOllamaPsContext(ps, u"qwen3:8b"_s), 4096);
    QVERIFY(!Probe::parseOllamaPsContext(ps, u"absent:1b"_s));
    QVERIFY(!Probe::parseOllamaPsContext(R"({"models":[]})", u"qwen3:8b"_s));
}

void TestBackend::infoJsonHasNoKey()
{
    Info info;
    info.url = u"https://api.example.org/v1"_s;
    info.configuredKind = Kind::OpenAi;
    info.models = { u"mimo-v2.5"_s };
    info.contextLength = 131072;
    info.contextSource = u"/v1/models (context_length)"_s;
    const QJsonObject json = info.toJson();
    QCOMPARE(json.value("kind"_L1).toString(), u"openai"_s);
    QCOMPARE(json.value("context_length"_L1).toInteger(), 131072);
    QVERIFY(!json.contains("api_key"_L1));

    // A password in the backend URL stays out of it too.
    Client client;
    Discovery discovery(&client);
    Profile profile;
    profile.url = QUrl(u"https://me:hunter2-0123456789@api.example.org/v1"_s);
    discovery.setProfile(profile);
    QCOMPARE(discovery.info().url, u"https://me@api.example.org/v1"_s);
}

namespace {

// Ollama's answers, trimmed to what discovery reads.
const QByteArray kOllamaTags = R"({"models":[{"name":"qwen3:8b","model":"qwen3:8b"},{"name":"gemma4:latest"}]})";
const QByteArray kOllamaShow = R"({"model_info":{"general.architecture":"qwen3","qwen3.context_length":40960}})";
const QByteArray kOllamaPs = R"({"models":[{"name":"qwen3:8b","model":"qwen3:8b","context_length":8192}]})";
const QByteArray kOllamaModels = R"({"object":"list","data":[{"id":"qwen3:8b","owned_by":"library"},{"id":"gemma4:latest","owned_by":"library"}]})";

Info discover(const Profile& profile)
{
    Client client;
    Discovery discovery(&client);
    discovery.setProfile(profile);
    QSignalSpy changed(&discovery, &Discovery::infoChanged);
    discovery.refresh();
    if (!changed.wait(10000))
        qWarning("discovery did not settle");
    return discovery.info();
}

} // namespace

void TestBackend::discovers_data()
{
    QTest::addColumn<Script>("script");
    QTest::addColumn<qint64>("configuredContext"); // --context-length, -1 when not given
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QStringList>("models");
    QTest::addColumn<qint64>("context");
    QTest::addColumn<QString>("source");

    const QStringList ollamaModels { u"qwen3:8b"_s, u"gemma4:latest"_s };
    QTest::addRow("ollama, model loaded: /api/ps")
        << Script { { "/api/tags", ScriptedReply::json(kOllamaTags) }, { "/api/show", ScriptedReply::json(kOllamaShow) },
                    { "/api/ps", ScriptedReply::json(kOllamaPs) }, { "/v1/models", ScriptedReply::json(kOllamaModels) } }
        << qint64(-1) << u"ollama"_s << ollamaModels << qint64(8192) << u"Ollama /api/ps (context the model is loaded with)"_s;
    QTest::addRow("ollama, not loaded: /api/show")
        << Script { { "/api/tags", ScriptedReply::json(kOllamaTags) }, { "/api/show", ScriptedReply::json(kOllamaShow) },
                    { "/api/ps", ScriptedReply::json(R"({"models":[]})") }, { "/v1/models", ScriptedReply::json(kOllamaModels) } }
        << qint64(-1) << u"ollama"_s << ollamaModels << qint64(40960) << u"Ollama /api/show (trained maximum; not loaded yet)"_s;
    QTest::addRow("ollama without /v1/models: models from /api/tags")
        << Script { { "/api/tags", ScriptedReply::json(kOllamaTags) }, { "/api/ps", ScriptedReply::json(kOllamaPs) } }
        << qint64(-1) << u"ollama"_s << ollamaModels << qint64(8192) << u"Ollama /api/ps (context the model is loaded with)"_s;
    QTest::addRow("ollama, show and ps say nothing: --context-length")
        << Script { { "/api/tags", ScriptedReply::json(kOllamaTags) }, { "/api/show", ScriptedReply::json(R"({"model_info":{}})") },
                    { "/api/ps", ScriptedReply::html("<html></html>") } }
        << qint64(16384) << u"ollama"_s << ollamaModels << qint64(16384) << u"--context-length"_s;
    QTest::addRow("vllm: max_model_len")
        << Script { { "/v1/models", ScriptedReply::json(R"({"object":"list","data":[{"id":"Qwen/Qwen3-8B","owned_by":"vllm","max_model_len":32768}]})") } }
        << qint64(-1) << u"vllm"_s << QStringList { u"Qwen/Qwen3-8B"_s } << qint64(32768) << u"vLLM /v1/models (max_model_len)"_s;
    QTest::addRow("vllm without owned_by: max_model_len alone")
        << Script { { "/v1/models", ScriptedReply::json(R"({"data":[{"id":"m","max_model_len":4096}]})") } }
        << qint64(-1) << u"vllm"_s << QStringList { u"m"_s } << qint64(4096) << u"vLLM /v1/models (max_model_len)"_s;
    QTest::addRow("hosted: context_length")
        << Script { { "/v1/models", ScriptedReply::json(R"({"data":[{"id":"mimo-v2.5","context_length":131072}]})") } }
        << qint64(-1) << u"openai"_s << QStringList { u"mimo-v2.5"_s } << qint64(131072) << u"/v1/models (context_length)"_s;
    QTest::addRow("hosted without a length: --context-length")
        << Script { { "/v1/models", ScriptedReply::json(R"({"data":[{"id":"mimo-v2.5"}]})") } }
        << qint64(65536) << u"openai"_s << QStringList { u"mimo-v2.5"_s } << qint64(65536) << u"--context-length"_s;
    QTest::addRow("a discovered length wins over --context-length")
        << Script { { "/v1/models", ScriptedReply::json(R"({"data":[{"id":"m","owned_by":"vllm","max_model_len":2048}]})") } }
        << qint64(65536) << u"vllm"_s << QStringList { u"m"_s } << qint64(2048) << u"vLLM /v1/models (max_model_len)"_s;
    QTest::addRow("everything 404: unknown")
        << Script {} << qint64(-1) << u"auto"_s << QStringList() << qint64(-1) << u"unknown"_s;
    QTest::addRow("html everywhere: unknown")
        << Script { { "/v1/models", ScriptedReply::html("<!doctype html><p>hi</p>") }, { "/props", ScriptedReply::html("<p>props</p>") },
                    { "/api/tags", ScriptedReply::html("<p>tags</p>") } }
        << qint64(-1) << u"auto"_s << QStringList() << qint64(-1) << u"unknown"_s;
    QTest::addRow("bad json everywhere: --context-length")
        << Script { { "/v1/models", ScriptedReply::json("{\"data\": [") }, { "/props", ScriptedReply::json("{") },
                    { "/api/tags", ScriptedReply::json("[") } }
        << qint64(1000) << u"auto"_s << QStringList() << qint64(1000) << u"--context-length"_s;
}

void TestBackend::discovers()
{
    QFETCH(Script, script);
    QFETCH(qint64, configuredContext);
    QFETCH(QString, kind);
    QFETCH(QStringList, models);
    QFETCH(qint64, context);
    QFETCH(QString, source);

    ScriptedBackend backend(script);
    QVERIFY(backend.start());
    Profile profile;
    profile.url = backend.url();
    profile.contextLength = configuredContext;
    const Info info = discover(profile);
    QVERIFY(info.checkedAt.isValid());
    QVERIFY(info.reachable);
    QCOMPARE(kindName(info.kind()), kind);
    QCOMPARE(info.models, models);
    QCOMPARE(info.contextLength, context);
    QCOMPARE(info.contextSource, source);

    // Ollama is asked about the model it lists first (or the one configured), by name.
    if (script.contains("/api/show")) {
        const auto show = std::find_if(backend.received().cbegin(), backend.received().cend(),
                                       [](const Http::Request& r) { return r.path == "/api/show"; });
        QVERIFY(show != backend.received().cend());
        QCOMPARE(show->method, QByteArray("POST"));
        QCOMPARE(QJsonDocument::fromJson(show->body).object().value("model"_L1).toString(), u"qwen3:8b"_s);
    }
}

namespace {

QStringList g_logged;
void collectMessages(QtMsgType, const QMessageLogContext&, const QString& message)
{
    g_logged.append(message);
}

} // namespace

void TestBackend::probeTimeoutIsUnknownAndLoggedOnce()
{
    // /props accepts the connection and never answers; the other probes answer at once.
    ScriptedBackend backend({ { "/v1/models", ScriptedReply::json(R"({"data":[{"id":"m"}]})") }, { "/props", ScriptedReply::hanging() } });
    QVERIFY(backend.start());
    Client client;
    Discovery discovery(&client);
    Profile profile;
    profile.url = backend.url();
    profile.timeoutMs = 300; // probes never wait longer than --backend-timeout
    discovery.setProfile(profile);
    QSignalSpy changed(&discovery, &Discovery::infoChanged);

    g_logged.clear();
    const QtMessageHandler previous = qInstallMessageHandler(collectMessages);
    QElapsedTimer clock;
    clock.start();
    discovery.refresh();
    const bool settled = changed.wait(5000);
    const qint64 elapsed = clock.elapsed();
    discovery.refresh(); // the same problem again: not logged a second time
    const bool settledAgain = changed.wait(5000);
    qInstallMessageHandler(previous);

    QVERIFY(settled && settledAgain);
    QVERIFY2(elapsed < 2000, qPrintable(QString::number(elapsed)));
    const Info& info = discovery.info();
    QVERIFY(info.reachable);
    QCOMPARE(info.kind(), Kind::OpenAi);
    QCOMPARE(info.models, QStringList { u"m"_s });
    QCOMPARE(info.contextLength, qint64(-1));
    QCOMPARE(info.contextSource, u"unknown"_s);
    const QStringList timeouts = g_logged.filter(QRegularExpression(u"^discovery: /props: .*sent nothing"_s));
    QCOMPARE(timeouts.size(), 1);

    // A backend where every probe hangs is unreachable, with the reason.
    backend.script() = { { "/v1/models", ScriptedReply::hanging() }, { "/props", ScriptedReply::hanging() },
                         { "/api/tags", ScriptedReply::hanging() } };
    discovery.refresh();
    QVERIFY(changed.wait(5000));
    QVERIFY(!discovery.info().reachable);
    QVERIFY2(discovery.info().problem.contains("sent nothing"_L1), qPrintable(discovery.info().problem));
    QCOMPARE(discovery.info().contextSource, u"unknown"_s);
}

QTEST_GUILESS_MAIN(TestBackend)
#include "tst_backend.moc"
