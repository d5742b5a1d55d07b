#include "settingsstore.h"

#include <QSettings>

#include <algorithm>
#include <functional>
#include <optional>

using namespace Qt::StringLiterals;

namespace Config {

namespace {

// One saved field of Settings and the command-line options that set it. mergeCommandLine and
// applyEdits both walk this table, so a field added here is merged and saved the same way.
struct SavedField
{
    QList<QLatin1StringView> options;
    std::function<void(Settings& to, const Settings& from)> copy;
    std::function<bool(const Settings& a, const Settings& b)> same;
};

template <typename Access> SavedField savedField(QList<QLatin1StringView> options, Access access)
{
    return SavedField { std::move(options),
        [access](Settings& to, const Settings& from) { access(to) = access(from); },
        [access](const Settings& a, const Settings& b) { return access(a) == access(b); } };
}

const QList<SavedField>& savedFields()
{
    static const QList<SavedField> fields = {
        savedField(
            { "host"_L1 }, [](auto& s) -> auto& { return s.host; }),
        savedField(
            { "port"_L1 }, [](auto& s) -> auto& { return s.port; }),
        // --demo points the backend at the embedded model, whatever is saved.
        savedField(
            { "backend-url"_L1, "demo"_L1 }, [](auto& s) -> auto& { return s.backend.url; }),
        savedField(
            { "backend-kind"_L1 }, [](auto& s) -> auto& { return s.backend.kind; }),
        savedField(
            { "model"_L1 }, [](auto& s) -> auto& { return s.backend.model; }),
        savedField(
            { "context-length"_L1 }, [](auto& s) -> auto& { return s.backend.contextLength; }),
        savedField(
            { "backend-timeout"_L1 }, [](auto& s) -> auto& { return s.backend.timeoutMs; }),
        savedField(
            { "no-guard"_L1 }, [](auto& s) -> auto& { return s.guard.enabled; }),
        savedField(
            { "no-rescue"_L1 }, [](auto& s) -> auto& { return s.guard.rescue; }),
        savedField(
            { "no-repair"_L1 }, [](auto& s) -> auto& { return s.guard.repair; }),
        savedField(
            { "max-retries"_L1 }, [](auto& s) -> auto& { return s.guard.maxRetries; }),
        savedField(
            { "on-exhausted"_L1 }, [](auto& s) -> auto& { return s.guard.onExhausted; }),
    };
    return fields;
}

// An integer setting within bounds, or nullopt when missing or out of range.
std::optional<qint64> readInteger(const QSettings& file, const QString& key, qint64 minimum, qint64 maximum)
{
    bool ok = false;
    const qint64 value = file.value(key).toLongLong(&ok);
    if (!ok || value < minimum || value > maximum)
        return std::nullopt;
    return value;
}

std::optional<bool> readBool(const QSettings& file, const QString& key)
{
    const QVariant value = file.value(key);
    const QString text = value.toString();
    if (text == "true"_L1 || text == "false"_L1)
        return text == "true"_L1;
    return std::nullopt;
}

} // namespace

QString onExhaustedName(OnExhausted value)
{
    return value == OnExhausted::Error ? u"error"_s : u"last-attempt"_s;
}

bool onExhaustedFromName(const QString& name, OnExhausted* value)
{
    if (name == "last-attempt"_L1)
        *value = OnExhausted::LastAttempt;
    else if (name == "error"_L1)
        *value = OnExhausted::Error;
    else
        return false;
    return true;
}

bool isEnvironmentVariableName(const QString& name)
{
    if (name.isEmpty() || name.front().isDigit())
        return false;
    for (const QChar c : name) {
        if (!(c == u'_' || (c >= u'A' && c <= u'Z') || (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9')))
            return false;
    }
    return true;
}

SettingsStore::SettingsStore(QSettings* file)
    : m_file(file)
{ }

bool SettingsStore::hasSettings() const
{
    return m_file->value(SettingsKey::Version).toInt() == kFormatVersion;
}

StoredSettings SettingsStore::load() const
{
    StoredSettings stored;
    if (!hasSettings())
        return stored;
    Settings& s = stored.settings;
    const QSettings& file = *m_file;

    const QString host = file.value(SettingsKey::ListenHost).toString();
    if (!host.isEmpty())
        s.host = host;
    if (const auto port = readInteger(file, SettingsKey::ListenPort, 0, 65535))
        s.port = quint16(*port);

    const QUrl url(file.value(SettingsKey::BackendUrl).toString());
    if (url.isValid() && (url.scheme() == "http"_L1 || url.scheme() == "https"_L1) && !url.host().isEmpty())
        s.backend.url = url;
    Backend::Kind kind = Backend::Kind::Auto;
    if (Backend::kindFromName(file.value(SettingsKey::BackendKind).toString(), &kind))
        s.backend.kind = kind;
    s.backend.model = file.value(SettingsKey::BackendModel).toString();
    if (const auto length = readInteger(file, SettingsKey::BackendContextLength, 1, qint64(1) << 40))
        s.backend.contextLength = *length;
    if (const auto timeout = readInteger(file, SettingsKey::BackendTimeoutMs, 1000, 24 * 3600 * 1000))
        s.backend.timeoutMs = int(*timeout);
    const QString variable = file.value(SettingsKey::ApiKeyVariable).toString();
    if (isEnvironmentVariableName(variable))
        stored.apiKeyVariable = variable;

    if (const auto enabled = readBool(file, SettingsKey::GuardEnabled))
        s.guard.enabled = *enabled;
    if (const auto rescue = readBool(file, SettingsKey::GuardRescue))
        s.guard.rescue = *rescue;
    if (const auto repair = readBool(file, SettingsKey::GuardRepair))
        s.guard.repair = *repair;
    if (const auto retries = readInteger(file, SettingsKey::GuardMaxRetries, 0, 20))
        s.guard.maxRetries = int(*retries);
    OnExhausted onExhausted = OnExhausted::LastAttempt;
    if (onExhaustedFromName(file.value(SettingsKey::GuardOnExhausted).toString(), &onExhausted))
        s.guard.onExhausted = onExhausted;
    return stored;
}

bool SettingsStore::save(const StoredSettings& stored, QString* error)
{
    const Settings& s = stored.settings;
    QSettings& file = *m_file;
    file.setValue(SettingsKey::Version, kFormatVersion);
    file.setValue(SettingsKey::ListenHost, s.host);
    file.setValue(SettingsKey::ListenPort, int(s.port));
    file.setValue(SettingsKey::BackendUrl, s.backend.url.toString());
    file.setValue(SettingsKey::BackendKind, Backend::kindName(s.backend.kind));
    file.setValue(SettingsKey::BackendModel, s.backend.model);
    file.setValue(SettingsKey::BackendContextLength, s.backend.contextLength);
    file.setValue(SettingsKey::BackendTimeoutMs, s.backend.timeoutMs);
    file.setValue(SettingsKey::ApiKeyVariable, stored.apiKeyVariable);
    file.setValue(SettingsKey::GuardEnabled, s.guard.enabled);
    file.setValue(SettingsKey::GuardRescue, s.guard.rescue);
    file.setValue(SettingsKey::GuardRepair, s.guard.repair);
    file.setValue(SettingsKey::GuardMaxRetries, s.guard.maxRetries);
    file.setValue(SettingsKey::GuardOnExhausted, onExhaustedName(s.guard.onExhausted));
    file.sync();
    if (file.status() == QSettings::NoError)
        return true;
    if (error)
        *error = u"the settings could not be written to %1"_s.arg(file.fileName());
    return false;
}

Settings mergeCommandLine(const Settings& saved, const CommandLine& commandLine)
{
    Settings run = commandLine.settings;
    for (const SavedField& field : savedFields()) {
        const bool given = std::any_of(field.options.cbegin(), field.options.cend(),
            [&](QLatin1StringView option) { return commandLine.explicitOptions.contains(option); });
        if (!given)
            field.copy(run, saved);
    }
    return run;
}

Settings applyEdits(const Settings& saved, const Settings& before, const Settings& after)
{
    Settings result = saved;
    for (const SavedField& field : savedFields()) {
        if (!field.same(before, after))
            field.copy(result, after);
    }
    return result;
}

} // namespace Config
