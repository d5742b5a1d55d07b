// Backend URL mapping and the readers of backends' metadata answers.
#include "backend/backendprofile.h"
#include "backend/discovery.h"

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
};

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
}

QTEST_APPLESS_MAIN(TestBackend)
#include "tst_backend.moc"
