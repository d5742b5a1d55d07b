// Saved settings: the QSettings round trip, the API key kept out of the file, the command line
// winning option by option, edits saved without one-run flags, format versions; where the key
// comes from, and the keyring bounded by its timeout when D-Bus does not answer.
#include "config/secretstore.h"
#include "config/settingsstore.h"

#include <QLocalServer>
#include <QLocalSocket>
#include <QRegularExpression>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace Config;

namespace {

CommandLine parse(const QStringList& args, const QProcessEnvironment& env = QProcessEnvironment())
{
    return parseCommandLine(QStringList { u"temper"_s } + args, env);
}

// Every field mergeCommandLine and applyEdits deal with, as text, so that one comparison says
// which field differs.
QMap<QString, QString> fields(const Settings& s)
{
    return {
        { u"host"_s, s.host },
        { u"port"_s, QString::number(s.port) },
        { u"backend.url"_s, s.backend.url.toString() },
        { u"backend.kind"_s, Backend::kindName(s.backend.kind) },
        { u"backend.model"_s, s.backend.model },
        { u"backend.contextLength"_s, QString::number(s.backend.contextLength) },
        { u"backend.timeoutMs"_s, QString::number(s.backend.timeoutMs) },
        { u"backend.apiKey"_s, s.backend.apiKey },
        { u"guard.enabled"_s, QVariant(s.guard.enabled).toString() },
        { u"guard.rescue"_s, QVariant(s.guard.rescue).toString() },
        { u"guard.repair"_s, QVariant(s.guard.repair).toString() },
        { u"guard.maxRetries"_s, QString::number(s.guard.maxRetries) },
        { u"guard.onExhausted"_s, onExhaustedName(s.guard.onExhausted) },
        { u"maxBodyBytes"_s, QString::number(s.maxBodyBytes) },
        { u"traceFile"_s, s.traceFile },
        { u"demo"_s, QVariant(s.demo).toString() },
        { u"demoTraffic"_s, QVariant(s.demoTraffic).toString() },
    };
}

const QStringList kRunOnlyFields
    = { u"backend.apiKey"_s, u"maxBodyBytes"_s, u"traceFile"_s, u"demo"_s, u"demoTraffic"_s };

// Saved settings with every field away from its default, including run-only ones that must
// never reach a run from the file.
Settings savedSample()
{
    Settings s;
    s.host = u"0.0.0.0"_s;
    s.port = 9191;
    s.backend.url = QUrl(u"https://openrouter.ai/api/v1"_s);
    s.backend.kind = Backend::Kind::OpenAi;
    s.backend.model = u"mimo-v2.5"_s;
    s.backend.contextLength = 131072;
    s.backend.timeoutMs = 45'000;
    s.backend.apiKey = u"sk-saved-never-used-0000"_s;
    s.guard.enabled = false;
    s.guard.rescue = false;
    s.guard.repair = false;
    s.guard.maxRetries = 7;
    s.guard.onExhausted = OnExhausted::Error;
    s.maxBodyBytes = 2048;
    s.traceFile = u"saved.jsonl"_s;
    s.demo = true;
    s.demoTraffic = false;
    return s;
}

// One command-line option, the arguments that give it, and the fields it sets (values as
// fields() writes them). Each value differs from savedSample()'s.
struct OptionCase
{
    QString option;
    QStringList args;
    QMap<QString, QString> sets;
};

QList<OptionCase> optionCases()
{
    return {
        { u"host"_s, { u"--host"_s, u"127.0.0.2"_s }, { { u"host"_s, u"127.0.0.2"_s } } },
        { u"port"_s, { u"--port"_s, u"0"_s }, { { u"port"_s, u"0"_s } } },
        { u"backend-url"_s, { u"--backend-url"_s, u"http://gpu-box:8000/v1"_s },
            { { u"backend.url"_s, u"http://gpu-box:8000/v1"_s } } },
        { u"backend-kind"_s, { u"--backend-kind"_s, u"vllm"_s }, { { u"backend.kind"_s, u"vllm"_s } } },
        { u"model"_s, { u"--model"_s, u"Qwen/Qwen3-8B"_s }, { { u"backend.model"_s, u"Qwen/Qwen3-8B"_s } } },
        { u"context-length"_s, { u"--context-length"_s, u"4096"_s },
            { { u"backend.contextLength"_s, u"4096"_s } } },
        { u"backend-timeout"_s, { u"--backend-timeout"_s, u"12"_s },
            { { u"backend.timeoutMs"_s, u"12000"_s } } },
        { u"api-key"_s, { u"--api-key"_s, u"sk-flag-1234567890"_s },
            { { u"backend.apiKey"_s, u"sk-flag-1234567890"_s } } },
        { u"max-retries"_s, { u"--max-retries"_s, u"0"_s }, { { u"guard.maxRetries"_s, u"0"_s } } },
        { u"on-exhausted"_s, { u"--on-exhausted"_s, u"last-attempt"_s },
            { { u"guard.onExhausted"_s, u"last-attempt"_s } } },
        // The saved sample has the guard's layers off: a --no-* flag keeps them off, which is
        // also what the saved value says; these rows start from a saved "on" instead (below).
        { u"no-guard"_s, { u"--no-guard"_s }, { { u"guard.enabled"_s, u"false"_s } } },
        { u"no-rescue"_s, { u"--no-rescue"_s }, { { u"guard.rescue"_s, u"false"_s } } },
        { u"no-repair"_s, { u"--no-repair"_s }, { { u"guard.repair"_s, u"false"_s } } },
        { u"max-body-bytes"_s, { u"--max-body-bytes"_s, u"4096"_s }, { { u"maxBodyBytes"_s, u"4096"_s } } },
        { u"trace-file"_s, { u"--trace-file"_s, u"run.jsonl"_s }, { { u"traceFile"_s, u"run.jsonl"_s } } },
        // --demo: the URL is the embedded model's (main() fills it in), never the saved one.
        { u"demo"_s, { u"--demo"_s },
            { { u"demo"_s, u"true"_s }, { u"backend.url"_s, u"http://127.0.0.1:8080"_s } } },
        { u"demo-traffic"_s, { u"--demo-traffic=off"_s }, { { u"demoTraffic"_s, u"false"_s } } },
    };
}

// A Unix socket that accepts D-Bus clients and never says a word: a session bus that hangs.
class SilentBus
{
public:
    bool listen(const QString& path)
    {
        QObject::connect(&m_server, &QLocalServer::newConnection, &m_server, [this] {
            while (QLocalSocket* socket = m_server.nextPendingConnection())
                m_clients.append(socket);
        });
        return m_server.listen(path);
    }
    void close()
    {
        for (QLocalSocket* socket : std::as_const(m_clients))
            socket->abort();
        m_server.close();
    }

private:
    QLocalServer m_server;
    QList<QLocalSocket*> m_clients;
};

} // namespace

class TestSettingsStore : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void roundTrip();
    void apiKeyNeverWritten();
    void versionFallsBackToDefaults_data();
    void versionFallsBackToDefaults();
    void badValuesReadAsDefaults();
    void commandLineWins_data();
    void commandLineWins();
    void commandLineTableCoversEveryOption();
    void noOptionsRunsSavedSettings();
    void editsSaveOnlyWhatChanged_data();
    void editsSaveOnlyWhatChanged();
    void resolvesApiKey_data();
    void resolvesApiKey();
    void describesStorageWithoutTheKey();
    void keyringThatHangsAnswersWithinTimeout();
    void cleanupTestCase();

private:
    QString iniPath() const { return m_dir->filePath(u"temper.ini"_s); }

    std::unique_ptr<QTemporaryDir> m_dir;
    SilentBus m_silentBus;
};

void TestSettingsStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestSettingsStore::roundTrip()
{
    StoredSettings stored;
    stored.settings = savedSample();
    stored.apiKeyVariable = u"OPENROUTER_API_KEY"_s;
    {
        QSettings file(iniPath(), QSettings::IniFormat);
        SettingsStore store(&file);
        QVERIFY(!store.hasSettings());
        QString error;
        QVERIFY2(store.save(stored, &error), qPrintable(error));
    }
    QSettings file(iniPath(), QSettings::IniFormat);
    const SettingsStore store(&file);
    QVERIFY(store.hasSettings());
    const StoredSettings loaded = store.load();
    QCOMPARE(loaded.apiKeyVariable, u"OPENROUTER_API_KEY"_s);
    // Every saved field comes back; run-only fields come back as defaults.
    QMap<QString, QString> expected = fields(stored.settings);
    const QMap<QString, QString> defaults = fields(Settings());
    for (const QString& runOnly : kRunOnlyFields)
        expected[runOnly] = defaults.value(runOnly);
    QCOMPARE(fields(loaded.settings), expected);
}

void TestSettingsStore::apiKeyNeverWritten()
{
    StoredSettings stored;
    stored.settings = savedSample();
    stored.settings.backend.apiKey = u"sk-or-v1-do-not-write-me-4242"_s;
    stored.apiKeyVariable = u"MY_KEY"_s;
    {
        QSettings file(iniPath(), QSettings::IniFormat);
        QVERIFY(SettingsStore(&file).save(stored));
    }
    QFile written(iniPath());
    QVERIFY(written.open(QIODevice::ReadOnly));
    const QByteArray bytes = written.readAll();
    QVERIFY(bytes.contains("MY_KEY")); // the variable's name is saved...
    QVERIFY(!bytes.contains("do-not-write-me")); // ...never any part of the key
    QVERIFY(!bytes.contains("4242"));
}

void TestSettingsStore::versionFallsBackToDefaults_data()
{
    QTest::addColumn<QVariant>("version");
    QTest::addRow("missing") << QVariant();
    QTest::addRow("older") << QVariant(0);
    QTest::addRow("newer") << QVariant(SettingsStore::kFormatVersion + 1);
    QTest::addRow("garbage") << QVariant(u"one"_s);
}

void TestSettingsStore::versionFallsBackToDefaults()
{
    QFETCH(QVariant, version);
    {
        QSettings file(iniPath(), QSettings::IniFormat);
        StoredSettings stored;
        stored.settings = savedSample();
        stored.apiKeyVariable = u"MY_KEY"_s;
        QVERIFY(SettingsStore(&file).save(stored));
        if (version.isValid())
            file.setValue(SettingsKey::Version, version);
        else
            file.remove(SettingsKey::Version);
    }
    QSettings file(iniPath(), QSettings::IniFormat);
    const SettingsStore store(&file);
    QVERIFY(!store.hasSettings());
    const StoredSettings loaded = store.load();
    QCOMPARE(fields(loaded.settings), fields(Settings()));
    QVERIFY(loaded.apiKeyVariable.isEmpty());
}

void TestSettingsStore::badValuesReadAsDefaults()
{
    {
        QSettings file(iniPath(), QSettings::IniFormat);
        file.setValue(SettingsKey::Version, SettingsStore::kFormatVersion);
        file.setValue(SettingsKey::ListenPort, u"http"_s);
        file.setValue(SettingsKey::BackendUrl, u"ftp://example.org/"_s);
        file.setValue(SettingsKey::BackendKind, u"tgi"_s);
        file.setValue(SettingsKey::GuardMaxRetries, 99);
        file.setValue(SettingsKey::GuardRescue, u"maybe"_s);
        file.setValue(SettingsKey::ApiKeyVariable, u"NOT A NAME"_s);
        file.setValue(SettingsKey::BackendModel, u"kept-model"_s); // a good value among bad ones
    }
    QSettings file(iniPath(), QSettings::IniFormat);
    const StoredSettings loaded = SettingsStore(&file).load();
    QMap<QString, QString> expected = fields(Settings());
    expected[u"backend.model"_s] = u"kept-model"_s;
    QCOMPARE(fields(loaded.settings), expected);
    QVERIFY(loaded.apiKeyVariable.isEmpty());
}

void TestSettingsStore::commandLineWins_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QStringList>("changes"); // field=value pairs
    for (const OptionCase& c : optionCases()) {
        QStringList changes;
        for (auto it = c.sets.cbegin(); it != c.sets.cend(); ++it)
            changes.append(it.key() + u'=' + it.value());
        QTest::addRow("--%s", qPrintable(c.option)) << c.args << changes;
    }
}

void TestSettingsStore::commandLineWins()
{
    QFETCH(QStringList, args);
    QFETCH(QStringList, changes);
    // Saved guard layers on, so that a --no-* flag visibly wins.
    Settings saved = savedSample();
    saved.guard.enabled = saved.guard.rescue = saved.guard.repair = true;
    const CommandLine commandLine = parse(args);
    QCOMPARE(commandLine.action, CommandLine::Action::Run);

    const Settings run = mergeCommandLine(saved, commandLine);
    // Saved fields keep their saved value; run-only fields come from the command line
    // (defaults here), whatever the file had; the option's own fields take its value.
    QMap<QString, QString> expected = fields(saved);
    const QMap<QString, QString> defaults = fields(Settings());
    for (const QString& runOnly : kRunOnlyFields)
        expected[runOnly] = defaults.value(runOnly);
    for (const QString& change : changes) {
        const qsizetype at = change.indexOf(u'=');
        QVERIFY2(expected.value(change.left(at)) != change.mid(at + 1),
            qPrintable(u"row does not change "_s + change));
        expected[change.left(at)] = change.mid(at + 1);
    }
    QCOMPARE(fields(run), expected);
}

void TestSettingsStore::commandLineTableCoversEveryOption()
{
    // Every option --help lists that configures a run has a row above, so a new option cannot
    // slip past the merge untested.
    const QString help = parse({ u"--help"_s }).message;
    static const QRegularExpression optionPattern(u"--([a-z][a-z-]+)"_s);
    QSet<QString> listed;
    for (QRegularExpressionMatchIterator it = optionPattern.globalMatch(help); it.hasNext();)
        listed.insert(it.next().captured(1));
    for (const char* notConfiguration : { "help", "version", "no-gui", "tools", "jsonl" })
        listed.remove(QLatin1StringView(notConfiguration));
    QSet<QString> covered;
    for (const OptionCase& c : optionCases())
        covered.insert(c.option);
    QCOMPARE(listed, covered);
}

void TestSettingsStore::noOptionsRunsSavedSettings()
{
    QProcessEnvironment env;
    env.insert(u"TEMPER_API_KEY"_s, u"sk-env-1234567890"_s);
    const Settings run = mergeCommandLine(savedSample(), parse({}, env));
    QMap<QString, QString> expected = fields(savedSample());
    const QMap<QString, QString> defaults = fields(Settings());
    for (const QString& runOnly : kRunOnlyFields)
        expected[runOnly] = defaults.value(runOnly);
    expected[u"backend.apiKey"_s] = u"sk-env-1234567890"_s; // TEMPER_API_KEY is the run's, not saved
    QCOMPARE(fields(run), expected);
}

void TestSettingsStore::editsSaveOnlyWhatChanged_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("edit");
    QTest::addColumn<QStringList>("savedChanges");
    // Run with one-run flags, change something else in the window: the flags are not saved.
    QTest::addRow("unrelated edit") << QStringList { u"--port"_s, u"0"_s, u"--demo"_s } << u"repair"_s
                                    << QStringList { u"guard.repair"_s };
    // Change the very field a flag set: the person's new value is saved.
    QTest::addRow("edit of a flagged field")
        << QStringList { u"--port"_s, u"0"_s } << u"port"_s << QStringList { u"port"_s };
    QTest::addRow("no edit") << QStringList { u"--max-retries"_s, u"1"_s } << QString() << QStringList();
}

void TestSettingsStore::editsSaveOnlyWhatChanged()
{
    QFETCH(QStringList, args);
    QFETCH(QString, edit);
    QFETCH(QStringList, savedChanges);
    const Settings saved = savedSample();
    Settings before = mergeCommandLine(saved, parse(args));
    if (before.demo)
        before.backend.url = QUrl(u"http://127.0.0.1:40123"_s); // the demo model's port, as main() sets it
    Settings after = before;
    if (edit == u"repair"_s)
        after.guard.repair = !after.guard.repair;
    else if (edit == u"port"_s)
        after.port = 8191;

    const Settings toSave = applyEdits(saved, before, after);
    QMap<QString, QString> expected = fields(saved);
    for (const QString& field : savedChanges)
        expected[field] = fields(after).value(field);
    QCOMPARE(fields(toSave), expected);
}

void TestSettingsStore::resolvesApiKey_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("temperApiKey"); // $TEMPER_API_KEY
    QTest::addColumn<int>("keyring"); // KeyringReply::Status
    QTest::addColumn<QString>("variable"); // saved variable name; its value is "sk-from-variable-0001"
    QTest::addColumn<QString>("key");
    QTest::addColumn<int>("origin");

    const int found = int(KeyringReply::Status::Found);
    const int notFound = int(KeyringReply::Status::NotFound);
    const int none = int(KeyringReply::Status::Unavailable);
    const QStringList flag { u"--api-key"_s, u"sk-from-flag-0001"_s };
    QTest::addRow("flag beats everything") << flag << u"sk-from-env-0001"_s << found << u"MY_KEY"_s
                                           << u"sk-from-flag-0001"_s << int(KeyOrigin::Flag);
    QTest::addRow("TEMPER_API_KEY beats the keyring")
        << QStringList() << u"sk-from-env-0001"_s << found << u"MY_KEY"_s << u"sk-from-env-0001"_s
        << int(KeyOrigin::TemperVariable);
    QTest::addRow("keyring beats the variable") << QStringList() << QString() << found << u"MY_KEY"_s
                                                << u"sk-from-keyring-0001"_s << int(KeyOrigin::Keyring);
    QTest::addRow("no keyring: the variable") << QStringList() << QString() << none << u"MY_KEY"_s
                                              << u"sk-from-variable-0001"_s << int(KeyOrigin::Variable);
    QTest::addRow("keyring without entry: the variable")
        << QStringList() << QString() << notFound << u"MY_KEY"_s << u"sk-from-variable-0001"_s
        << int(KeyOrigin::Variable);
    QTest::addRow("variable not set")
        << QStringList() << QString() << none << u"UNSET_KEY"_s << QString() << int(KeyOrigin::None);
    QTest::addRow("nothing at all") << QStringList() << QString() << none << QString() << QString()
                                    << int(KeyOrigin::None);
}

void TestSettingsStore::resolvesApiKey()
{
    QFETCH(QStringList, args);
    QFETCH(QString, temperApiKey);
    QFETCH(int, keyring);
    QFETCH(QString, variable);
    QFETCH(QString, key);
    QFETCH(int, origin);
    QProcessEnvironment env;
    env.insert(u"MY_KEY"_s, u"sk-from-variable-0001"_s);
    if (!temperApiKey.isEmpty())
        env.insert(u"TEMPER_API_KEY"_s, temperApiKey);
    KeyringReply reply;
    reply.status = KeyringReply::Status(keyring);
    if (reply.status == KeyringReply::Status::Found)
        reply.key = u"sk-from-keyring-0001"_s;
    else if (reply.status == KeyringReply::Status::Unavailable)
        reply.reason = u"no secret service answered"_s;

    const ApiKey result = resolveApiKey(parse(args, env), reply, variable, env);
    QCOMPARE(result.key, key);
    QCOMPARE(int(result.origin), origin);
    const QString words = describeKeyOrigin(result);
    QVERIFY(!words.isEmpty());
    QVERIFY2(key.isEmpty() || !words.contains(key), qPrintable(words));
    if (result.origin == KeyOrigin::Variable)
        QVERIFY(words.contains(u"$MY_KEY"_s));
}

void TestSettingsStore::describesStorageWithoutTheKey()
{
    KeyringReply none;
    none.reason = u"no secret service answered"_s;
    QCOMPARE(describeKeyStorage(none, u"OPENROUTER_API_KEY"_s),
        u"No keyring (no secret service answered): the key is read from $OPENROUTER_API_KEY."_s);
    QVERIFY(describeKeyStorage(none, QString()).contains(u"for this run"_s));
    KeyringReply found;
    found.status = KeyringReply::Status::Found;
    found.key = u"sk-secret-in-keyring-9999"_s;
    const QString words = describeKeyStorage(found, u"X"_s);
    QVERIFY(words.contains(u"keyring"_s));
    QVERIFY(!words.contains(found.key));
}

void TestSettingsStore::keyringThatHangsAnswersWithinTimeout()
{
    // A session bus that accepts and never answers: QtKeychain's D-Bus connection blocks. The
    // store still answers, on time, and says why. (This must be the process's first D-Bus use:
    // Qt keeps the session bus connection it made first.)
    QVERIFY(m_silentBus.listen(m_dir->filePath(u"bus"_s)));
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + QFile::encodeName(m_dir->filePath(u"bus"_s)));
    // KWallet's path waits longest on a silent bus.
    qputenv("XDG_CURRENT_DESKTOP", "KDE");
    qputenv("KDE_SESSION_VERSION", "5");

    KeyringStore store;
    store.setService(u"Temper-tests"_s);
    store.setTimeoutMs(400);
    QElapsedTimer clock;
    clock.start();
    const KeyringReply read = store.readNow();
    QCOMPARE(read.status, KeyringReply::Status::Unavailable);
    QVERIFY2(read.reason.contains(u"did not answer"_s), qPrintable(read.reason));
    QVERIFY2(clock.elapsed() < 2000, qPrintable(QString::number(clock.elapsed())));

    // A write queued behind the stuck read is bounded the same way.
    bool written = false;
    KeyringReply writeReply;
    store.write(u"sk-never-stored-0000"_s, [&](const KeyringReply& reply) {
        writeReply = reply;
        written = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(written, 2000);
    QCOMPARE(writeReply.status, KeyringReply::Status::Unavailable);
}

void TestSettingsStore::cleanupTestCase()
{
    // Let the keyring thread's blocked D-Bus connection fail, so the process ends cleanly.
    m_silentBus.close();
}

QTEST_GUILESS_MAIN(TestSettingsStore)
#include "tst_core_settingsstore.moc"
