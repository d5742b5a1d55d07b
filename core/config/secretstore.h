#pragma once

#include "commandline.h"

#include <QObject>
#include <QProcessEnvironment>
#include <QString>

#include <functional>

namespace Config {

// What the keyring said about Temper's entry.
struct KeyringReply
{
    enum class Status {
        Found, // read: the entry holds `key`
        NotFound, // read: the keyring answered, no entry
        Stored, // write: the entry now holds the key
        Removed, // write of an empty key: there is no entry any more
        Unavailable // no keyring answered; `reason` says why
    };

    Status status = Status::Unavailable;
    QString key; // with Found. Never logged.
    QString reason; // with Unavailable, in plain words: "no secret service answered"

    bool keyringAnswered() const { return status != Status::Unavailable; }
};

// Where the key a run uses came from.
enum class KeyOrigin { None, Flag, TemperVariable, Keyring, Variable, Typed };

struct ApiKey
{
    QString key;
    KeyOrigin origin = KeyOrigin::None;
    QString variable; // with Variable: the variable's name
};

// The run's API key, the first found of: --api-key, $TEMPER_API_KEY (both already read into
// commandLine.settings by parseCommandLine), the keyring entry, the environment variable
// named `variable` (the name is saved in the settings file; the key never is). Pure.
ApiKey resolveApiKey(const CommandLine& commandLine, const KeyringReply& keyring, const QString& variable,
    const QProcessEnvironment& environment);

// Plain words for the settings dialog, never containing the key: where the key in use came
// from ("from $OPENROUTER_API_KEY"), and where a key typed in the dialog is kept ("No keyring
// (no secret service answered): the key is read from $OPENROUTER_API_KEY.").
QString describeKeyOrigin(const ApiKey& key);
QString describeKeyStorage(const KeyringReply& keyring, const QString& variable);

// Temper's API key in the OS keyring through QtKeychain (Secret Service or KWallet on Linux,
// the Keychain on macOS, the Credential Manager on Windows): service "Temper", entry "api-key".
// QtKeychain's plain-text fallback is off: the key never lands in a settings file.
//
// Every call answers exactly once, on this object's thread, within the timeout, unless this
// object is destroyed first (then not at all). On Linux QtKeychain talks D-Bus: without a
// secret service it fails at once or waits for a reply that never comes, and connecting to a
// session bus that does not answer blocks the connecting thread for tens of seconds. So the
// jobs run on a thread of their own and the timeout is kept here.
class KeyringStore : public QObject
{
    Q_OBJECT

public:
    static constexpr int kDefaultTimeoutMs = 3000;
    using Callback = std::function<void(const KeyringReply& reply)>;

    explicit KeyringStore(QObject* parent = nullptr);

    void setService(const QString& service) { m_service = service; } // tests use their own
    QString service() const { return m_service; }
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }
    int timeoutMs() const { return m_timeoutMs; }

    void read(const Callback& done);
    // Stores `key`; an empty key removes the entry.
    void write(const QString& key, const Callback& done);
    // read(), waiting for the answer in a local event loop: for start-up, before the proxy runs.
    KeyringReply readNow();

    // True while a keyring job of this process has not finished, e.g. one stuck on a session
    // bus that never answers. Qt's D-Bus thread then cannot end, and neither can the exit
    // handlers that wait for it: main() ends such a process without them.
    static bool hasUnfinishedJobs();

private:
    enum class Operation { Read, Write, Remove };
    void run(Operation operation, const QString& key, const Callback& done);

    QString m_service = QStringLiteral("Temper");
    int m_timeoutMs = kDefaultTimeoutMs;
};

} // namespace Config
