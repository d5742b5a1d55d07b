#pragma once

#include "commandline.h"
#include "settings.h"

#include <QString>

class QSettings;

namespace Config {

// The keys of the settings file, in one place. The window's own keys (geometry, splitter) live
// under "window/" in the same file and are not read here.
namespace SettingsKey {
inline const QString Version = QStringLiteral("settings/version");
inline const QString BackendUrl = QStringLiteral("backend/url");
inline const QString BackendKind = QStringLiteral("backend/kind");
inline const QString BackendModel = QStringLiteral("backend/model");
inline const QString BackendContextLength = QStringLiteral("backend/contextLength");
inline const QString BackendTimeoutMs = QStringLiteral("backend/timeoutMs");
inline const QString ApiKeyVariable = QStringLiteral("backend/apiKeyVariable");
inline const QString ListenHost = QStringLiteral("listen/host");
inline const QString ListenPort = QStringLiteral("listen/port");
inline const QString GuardEnabled = QStringLiteral("guard/enabled");
inline const QString GuardRescue = QStringLiteral("guard/rescue");
inline const QString GuardRepair = QStringLiteral("guard/repair");
inline const QString GuardMaxRetries = QStringLiteral("guard/maxRetries");
inline const QString GuardOnExhausted = QStringLiteral("guard/onExhausted");
} // namespace SettingsKey

// What the settings file holds: the saved part of Settings, and the name of the environment
// variable that holds the API key where no keyring is available. Never the key itself: that
// lives in the keyring (secretstore.h) or in the environment.
struct StoredSettings
{
    Settings settings;
    QString apiKeyVariable;
};

// Reads and writes StoredSettings in a QSettings file, under a format version: a file without
// the version, or with another one, reads as the defaults (a later format may mean other
// things by the same keys). Values that do not parse read as their default.
//
// Saved: backend URL, kind, model, context-length fallback, timeout, the key's variable name,
// listen host and port, the guard switches, retries and what happens when they run out.
// Never saved: the API key, and what belongs to one run (demo, trace file, body limit).
class SettingsStore
{
public:
    static constexpr int kFormatVersion = 1;

    explicit SettingsStore(QSettings* file); // not owned

    bool hasSettings() const; // settings of this format version are in the file
    StoredSettings load() const;
    // Writes every saved field and the version, and flushes; false (with `error`) when the
    // file cannot be written.
    bool save(const StoredSettings& stored, QString* error = nullptr);

private:
    QSettings* m_file;
};

// The run's settings: the saved ones, except that every option given on the command line
// takes its value from there; what is never saved (demo, trace file, body limit, the API key)
// always comes from the command line. Pure.
Settings mergeCommandLine(const Settings& saved, const CommandLine& commandLine);

// What to save after the window changed the run's settings from `before` to `after`: each
// saved field the person changed takes its new value, every other one keeps its saved value,
// so that a flag given for one run (--port 0, the demo model's URL) is not saved by an
// unrelated edit. Pure.
Settings applyEdits(const Settings& saved, const Settings& before, const Settings& after);

// "last-attempt" or "error", as the command line spells them.
QString onExhaustedName(OnExhausted value);
bool onExhaustedFromName(const QString& name, OnExhausted* value);

// True for a name an environment variable can have: letters, digits and '_', not starting
// with a digit.
bool isEnvironmentVariableName(const QString& name);

} // namespace Config
